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
    planner_function_arn       = aws_lambda_function.planner[0].arn
    shards_json                = jsonencode(var.shards)
    lock_table_name            = aws_dynamodb_table.locks[0].name
    cycle_lock_id              = local.cycle_lock_id
    cycle_lock_ttl_seconds     = var.cycle_lock_ttl_seconds
    max_concurrency            = var.max_concurrency
    standardized_job_name      = var.standardized_job_name
    curated_job_name           = var.curated_job_name
    job_poll_interval_seconds  = var.job_poll_interval_seconds
    job_retry_interval_seconds = var.job_retry_interval_seconds
    job_retry_max_attempts     = var.job_retry_max_attempts
    alert_topic_arn            = aws_sns_topic.alerts[0].arn
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
