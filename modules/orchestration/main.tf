################################################################################
# State machine: plan -> lock -> per shard standardized then curated -> release -> alert
################################################################################

resource "aws_cloudwatch_log_group" "state_machine" {
  count = local.create ? 1 : 0

  #checkov:skip=CKV_AWS_158:The key ARN is computed (unknown in the plan); kms_key_id is the stack key (see the module README and tests).
  #checkov:skip=CKV_AWS_338:Retention is an environment choice (log_retention_days, default 365); prod keeps a year, dev and staging less to save cost.
  name              = local.state_machine_logs
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "this" {
  count = local.create ? 1 : 0

  name     = local.state_machine_name
  type     = "STANDARD"
  role_arn = aws_iam_role.state_machine[0].arn
  definition = templatefile("${path.module}/state_machine.asl.json", {
    planner_function_arn            = aws_lambda_function.planner[0].arn
    shards_json                     = jsonencode(var.shards)
    lock_table_name                 = aws_dynamodb_table.locks[0].name
    cycle_lock_id                   = local.cycle_lock_id
    cycle_lock_ttl_seconds          = local.cycle_lock_ttl_seconds
    max_concurrency                 = var.max_concurrency
    standardized_job_name           = var.standardized_job_name
    curated_job_name                = var.curated_job_name
    job_poll_interval_seconds       = local.job_poll_interval_seconds
    job_retry_interval_seconds      = var.job_retry_interval_seconds
    job_retry_max_attempts          = var.job_retry_max_attempts
    glue_api_retry_interval_seconds = var.glue_api_retry_interval_seconds
    glue_api_retry_max_attempts     = var.glue_api_retry_max_attempts
    alert_topic_arn                 = aws_sns_topic.alerts[0].arn
    athena_workgroup                = coalesce(var.athena_workgroup_name, "primary")
    semantic_views_json             = jsonencode(local.refresh_views ? [for view in sort(keys(var.semantic_view_statements)) : { view = view, statement = var.semantic_view_statements[view] }] : [])
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine[0].arn}:*"
    include_execution_data = var.state_machine_log_execution_data
    level                  = var.state_machine_log_level
  }

  tracing_configuration {
    enabled = var.state_machine_tracing_enabled
  }

  dynamic "encryption_configuration" {
    for_each = var.encrypt_state_machine ? [var.kms_key_arn] : []

    content {
      type                              = "CUSTOMER_MANAGED_KMS_KEY"
      kms_key_id                        = encryption_configuration.value
      kms_data_key_reuse_period_seconds = 300
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.state_machine]

  lifecycle {
    # limits.tf: the worst-case cycle (every run of every shard timing out and retried).
    precondition {
      condition     = local.worst_case_history_events <= local.history_event_budget
      error_message = "Step Functions quota: an execution's history holds at most ${local.history_event_quota} events (Step Functions service quotas, maximum execution history size). The worst-case cycle (${length(var.shards)} shards x ${local.layers} layers x ${local.runs_per_layer} runs, each polled every ${local.job_poll_interval_seconds}s for up to ${var.job_timeout_minutes} minutes) records ${local.worst_case_history_events} events, over the budget of ${local.history_event_budget}: raise job_poll_interval_seconds (or set it to null to derive it), lower job_retry_max_attempts or job_timeout_minutes, or use fewer shards (more topics per job run)."
    }
    precondition {
      condition     = local.cycle_lock_ttl_seconds >= local.worst_case_cycle_seconds
      error_message = "cycle_lock_ttl_seconds (${local.cycle_lock_ttl_seconds}s) is shorter than the worst-case cycle (${local.worst_case_cycle_seconds}s: ${local.shard_waves} waves of shards, 2 layers x ${local.runs_per_layer} runs of up to ${var.job_timeout_minutes} minutes, with their retries): the lock would expire while the cycle still runs jobs and a second cycle could start. Set it to null (derived) or at least ${local.worst_case_cycle_seconds}."
    }
    precondition {
      condition     = local.cycle_lock_ttl_seconds <= local.max_execution_duration_secs
      error_message = "The worst-case cycle (${local.cycle_lock_ttl_seconds}s) exceeds one year, the longest a Standard workflow execution may run (Step Functions service quotas): lower job_timeout_minutes or job_retry_max_attempts, or raise max_concurrency."
    }
  }
}

################################################################################
# Schedule: EventBridge Scheduler starts one cycle per interval
################################################################################

resource "aws_scheduler_schedule" "this" {
  count = local.create ? 1 : 0

  #checkov:skip=CKV_AWS_297:The key ARN is computed (unknown in the plan) and Scheduler accepts no alias; kms_key_arn is the stack key (see the module README and tests).
  name                         = "${var.name_prefix}-cycle"
  description                  = "Starts a Lean-Ops cycle (${var.schedule_expression})."
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone
  state                        = var.schedule_enabled ? "ENABLED" : "DISABLED"
  kms_key_arn                  = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_sfn_state_machine.this[0].arn
    role_arn = aws_iam_role.scheduler[0].arn
    input    = jsonencode({ source = "schedule" })

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 600
    }
  }
}
