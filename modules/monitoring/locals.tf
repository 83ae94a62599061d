locals {
  create = var.create

  alarm_actions = local.create ? [var.alarm_topic_arn] : []

  queues           = local.create ? var.queues : {}
  lambda_functions = local.create ? var.lambda_function_names : {}
  firehose_streams = local.create ? toset(var.firehose_stream_names) : toset([])
  watch_machine    = local.create && var.create_state_machine_alarms

  glue_failure_states = ["FAILED", "TIMEOUT", "ERROR"]

  # Every single-metric alarm that is created per topic, Lambda or stream, keyed by the suffix of its
  # alarm name ("<kind>-<subject>"). kind and subject let the outputs regroup them per family.
  metric_alarms = merge(
    # SQS: DLQ depth and the age of the oldest message, per topic
    { for topic, queue in local.queues : "dlq-depth-${topic}" => {
      kind                = "dlq-depth"
      subject             = topic
      description         = "Messages of topic ${topic} exhausted their receives and wait in ${queue.dlq_name} (archive or replay them)."
      namespace           = "AWS/SQS"
      metric_name         = "ApproximateNumberOfMessagesVisible"
      dimensions          = { QueueName = queue.dlq_name }
      statistic           = "Maximum"
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.dlq_depth_threshold
    } },
    { for topic, queue in local.queues : "queue-age-${topic}" => {
      kind                = "queue-age"
      subject             = topic
      description         = "The oldest message of ${queue.queue_name} waits longer than ${var.oldest_message_age_threshold_seconds}s: sqs_processor is failing or throttled."
      namespace           = "AWS/SQS"
      metric_name         = "ApproximateAgeOfOldestMessage"
      dimensions          = { QueueName = queue.queue_name }
      statistic           = "Maximum"
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.oldest_message_age_threshold_seconds
    } },
    # Lambda: errors and throttles, per function
    { for role, function_name in local.lambda_functions : "lambda-errors-${role}" => {
      kind                = "lambda-errors"
      subject             = role
      description         = "Lambda ${function_name} (${role}) reported errors."
      namespace           = "AWS/Lambda"
      metric_name         = "Errors"
      dimensions          = { FunctionName = function_name }
      statistic           = "Sum"
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.lambda_errors_threshold
    } },
    { for role, function_name in local.lambda_functions : "lambda-throttles-${role}" => {
      kind                = "lambda-throttles"
      subject             = role
      description         = "Lambda ${function_name} (${role}) was throttled: raise its concurrency or lower the batch load."
      namespace           = "AWS/Lambda"
      metric_name         = "Throttles"
      dimensions          = { FunctionName = function_name }
      statistic           = "Sum"
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.lambda_throttles_threshold
    } },
    # Firehose, per stream: rows that failed delivery to Iceberg, or records waiting too long.
    # DeliveryToIceberg.Success is only a sum of successful commits, it never shows failed rows;
    # DeliveryToIceberg.FailedRowCount counts the rows sent to the S3 backup (firehose-errors/)
    # (Amazon Data Firehose developer guide, Apache Iceberg "Monitor metrics").
    { for stream in local.firehose_streams : "firehose-failed-rows-${stream}" => {
      kind                = "firehose-failed-rows"
      subject             = stream
      description         = "Firehose ${stream} failed to deliver more than ${var.firehose_failed_rows_threshold} rows to Iceberg in ${var.alarm_period_seconds}s (they went to the firehose-errors/ prefix)."
      namespace           = "AWS/Firehose"
      metric_name         = "DeliveryToIceberg.FailedRowCount"
      dimensions          = { DeliveryStreamName = stream }
      statistic           = "Sum"
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.firehose_failed_rows_threshold
    } },
    { for stream in local.firehose_streams : "firehose-freshness-${stream}" => {
      kind                = "firehose-freshness"
      subject             = stream
      description         = "The oldest record in Firehose ${stream} is older than ${var.firehose_freshness_threshold_seconds}s: RAW is falling behind."
      namespace           = "AWS/Firehose"
      metric_name         = "DeliveryToIceberg.DataFreshness"
      dimensions          = { DeliveryStreamName = stream }
      statistic           = "Maximum"
      comparison_operator = "GreaterThanThreshold"
      threshold           = var.firehose_freshness_threshold_seconds
    } },
  )

  # kind -> { subject -> key of local.metric_alarms }, for the outputs.
  metric_alarm_keys = {
    for kind in ["dlq-depth", "queue-age", "lambda-errors", "lambda-throttles", "firehose-failed-rows", "firehose-freshness"] :
    kind => { for key, alarm in local.metric_alarms : alarm.subject => key if alarm.kind == kind }
  }
}
