################################################################################
# Per topic, Lambda and Firehose stream: one alarm per entry of local.metric_alarms
# (SQS DLQ depth and oldest message age, Lambda errors and throttles, Firehose
# delivery success and data freshness)
################################################################################

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.metric_alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  comparison_operator = each.value.comparison_operator
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

################################################################################
# Step Functions: failed cycles, and no successful cycle for a while (freshness)
################################################################################

resource "aws_cloudwatch_metric_alarm" "executions_failed" {
  count = local.watch_machine ? 1 : 0

  alarm_name          = "${var.name_prefix}-cycles-failed"
  alarm_description   = "A Lean-Ops cycle failed (the cycle also published its own alert with the failed shards)."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsFailed"
  dimensions          = { StateMachineArn = var.state_machine_arn }
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.executions_failed_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "pipeline_freshness" {
  count = local.watch_machine ? 1 : 0

  alarm_name          = "${var.name_prefix}-pipeline-freshness"
  alarm_description   = "No Lean-Ops cycle succeeded for ${var.freshness_max_missed_cycles} periods of ${var.freshness_period_seconds}s: curated data is getting stale (schedule paused, cycles failing or stuck)."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsSucceeded"
  dimensions          = { StateMachineArn = var.state_machine_arn }
  statistic           = "Sum"
  period              = var.freshness_period_seconds
  evaluation_periods  = var.freshness_max_missed_cycles
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

################################################################################
# Glue: every failed job run (also those started outside a cycle) -> alert topic
################################################################################

resource "aws_cloudwatch_event_rule" "glue_failure" {
  count = local.create && var.create_glue_failure_rule && length(var.glue_job_names) > 0 ? 1 : 0

  name        = "${var.name_prefix}-glue-job-failed"
  description = "A run of a Lean-Ops Glue job ended ${join(", ", local.glue_failure_states)}."
  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["Glue Job State Change"]
    detail = {
      jobName = var.glue_job_names
      state   = local.glue_failure_states
    }
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "glue_failure" {
  count = length(aws_cloudwatch_event_rule.glue_failure)

  rule      = aws_cloudwatch_event_rule.glue_failure[0].name
  target_id = "alert-topic"
  arn       = var.alarm_topic_arn

  input_transformer {
    input_paths = {
      job     = "$.detail.jobName"
      run     = "$.detail.jobRunId"
      state   = "$.detail.state"
      message = "$.detail.message"
    }
    input_template = "\"Glue job <job> run <run> ended <state>: <message>\""
  }
}
