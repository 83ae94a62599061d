output "dlq_depth_alarm_arns" {
  description = "Topic -> ARN of its DLQ depth alarm."
  value       = { for topic, key in local.metric_alarm_keys["dlq-depth"] : topic => aws_cloudwatch_metric_alarm.this[key].arn }
}

output "queue_age_alarm_arns" {
  description = "Topic -> ARN of its oldest-message-age alarm."
  value       = { for topic, key in local.metric_alarm_keys["queue-age"] : topic => aws_cloudwatch_metric_alarm.this[key].arn }
}

output "lambda_error_alarm_arns" {
  description = "Lambda role -> ARN of its Errors alarm."
  value       = { for role, key in local.metric_alarm_keys["lambda-errors"] : role => aws_cloudwatch_metric_alarm.this[key].arn }
}

output "lambda_throttle_alarm_arns" {
  description = "Lambda role -> ARN of its Throttles alarm."
  value       = { for role, key in local.metric_alarm_keys["lambda-throttles"] : role => aws_cloudwatch_metric_alarm.this[key].arn }
}

output "firehose_alarm_arns" {
  description = "Stream name -> ARNs of its failed-rows (DeliveryToIceberg.FailedRowCount) and data-freshness alarms."
  value = {
    for stream, key in local.metric_alarm_keys["firehose-failed-rows"] : stream => {
      failed_rows = aws_cloudwatch_metric_alarm.this[key].arn
      freshness   = aws_cloudwatch_metric_alarm.this[local.metric_alarm_keys["firehose-freshness"][stream]].arn
    }
  }
}

output "executions_failed_alarm_arn" {
  description = "ARN of the state machine ExecutionsFailed alarm."
  value       = try(aws_cloudwatch_metric_alarm.executions_failed[0].arn, null)
}

output "pipeline_freshness_alarm_arn" {
  description = "ARN of the pipeline freshness alarm (no successful cycle for freshness_max_missed_cycles periods)."
  value       = try(aws_cloudwatch_metric_alarm.pipeline_freshness[0].arn, null)
}

output "glue_failure_rule_arn" {
  description = "ARN of the EventBridge rule alerting on failed Glue job runs."
  value       = try(aws_cloudwatch_event_rule.glue_failure[0].arn, null)
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = try(aws_cloudwatch_dashboard.this[0].dashboard_name, null)
}
