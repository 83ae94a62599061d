################################################################################
# SQS: DLQ depth and the age of the oldest message, per topic
################################################################################

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = local.queues

  alarm_name          = "${var.name_prefix}-dlq-depth-${each.key}"
  alarm_description   = "Messages of topic ${each.key} exhausted their receives and wait in ${each.value.dlq_name} (archive or replay them)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value.dlq_name }
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.dlq_depth_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "queue_age" {
  for_each = local.queues

  alarm_name          = "${var.name_prefix}-queue-age-${each.key}"
  alarm_description   = "The oldest message of ${each.value.queue_name} waits longer than ${var.oldest_message_age_threshold_seconds}s: sqs_processor is failing or throttled."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = each.value.queue_name }
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.oldest_message_age_threshold_seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

################################################################################
# Lambda: errors and throttles, per function
################################################################################

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each = local.lambda_functions

  alarm_name          = "${var.name_prefix}-lambda-errors-${each.key}"
  alarm_description   = "Lambda ${each.value} (${each.key}) reported errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.lambda_errors_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each = local.lambda_functions

  alarm_name          = "${var.name_prefix}-lambda-throttles-${each.key}"
  alarm_description   = "Lambda ${each.value} (${each.key}) was throttled: raise its concurrency or lower the batch load."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.lambda_throttles_threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

################################################################################
# Firehose: delivery to Iceberg failing, or records waiting too long
################################################################################

resource "aws_cloudwatch_metric_alarm" "firehose_success" {
  for_each = local.firehose_streams

  alarm_name          = "${var.name_prefix}-firehose-delivery-${each.key}"
  alarm_description   = "Firehose ${each.value} failed to deliver to Iceberg (records go to the firehose-errors/ prefix)."
  namespace           = "AWS/Firehose"
  metric_name         = "DeliveryToIceberg.Success"
  dimensions          = { DeliveryStreamName = each.value }
  statistic           = "Average"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  comparison_operator = "LessThanThreshold"
  threshold           = var.firehose_min_success_ratio
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "firehose_freshness" {
  for_each = local.firehose_streams

  alarm_name          = "${var.name_prefix}-firehose-freshness-${each.key}"
  alarm_description   = "The oldest record in Firehose ${each.value} is older than ${var.firehose_freshness_threshold_seconds}s: RAW is falling behind."
  namespace           = "AWS/Firehose"
  metric_name         = "DeliveryToIceberg.DataFreshness"
  dimensions          = { DeliveryStreamName = each.value }
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.firehose_freshness_threshold_seconds
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
