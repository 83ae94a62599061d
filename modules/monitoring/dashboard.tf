################################################################################
# Dashboard: one page per environment (queues, Lambdas, Firehose, cycles)
################################################################################

locals {
  widget_width  = 12
  widget_height = 6

  widget_specs = [
    {
      title   = "DLQ depth per topic"
      metrics = [for topic, queue in local.queues : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue.dlq_name, { label = topic, stat = "Maximum" }]]
    },
    {
      title   = "Oldest message age per topic (s)"
      metrics = [for topic, queue in local.queues : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", queue.queue_name, { label = topic, stat = "Maximum" }]]
    },
    {
      title = "Lambda errors and throttles"
      metrics = flatten([for role, name in local.lambda_functions : [
        ["AWS/Lambda", "Errors", "FunctionName", name, { label = "${role} errors", stat = "Sum" }],
        ["AWS/Lambda", "Throttles", "FunctionName", name, { label = "${role} throttles", stat = "Sum" }],
      ]])
    },
    {
      title = "Firehose delivery to Iceberg"
      metrics = flatten([for stream in sort(tolist(local.firehose_streams)) : [
        ["AWS/Firehose", "DeliveryToIceberg.SuccessfulRowCount", "DeliveryStreamName", stream, { label = "${stream} rows delivered", stat = "Sum" }],
        ["AWS/Firehose", "DeliveryToIceberg.FailedRowCount", "DeliveryStreamName", stream, { label = "${stream} rows failed", stat = "Sum" }],
        ["AWS/Firehose", "DeliveryToIceberg.DataFreshness", "DeliveryStreamName", stream, { label = "${stream} freshness (s)", stat = "Maximum", yAxis = "right" }],
      ]])
    },
    {
      title = "Cycles"
      metrics = local.watch_machine ? [
        ["AWS/States", "ExecutionsSucceeded", "StateMachineArn", var.state_machine_arn, { stat = "Sum" }],
        ["AWS/States", "ExecutionsFailed", "StateMachineArn", var.state_machine_arn, { stat = "Sum" }],
        ["AWS/States", "ExecutionTime", "StateMachineArn", var.state_machine_arn, { stat = "Maximum", yAxis = "right" }],
      ] : []
    },
  ]

  # Widgets without metrics (e.g. no Firehose stream) are left out; the rest flow two per row.
  nonempty_widget_specs = [for widget in local.widget_specs : widget if length(widget.metrics) > 0]

  dashboard_widgets = [
    for index, widget in local.nonempty_widget_specs : {
      type   = "metric"
      x      = (index % 2) * local.widget_width
      y      = floor(index / 2) * local.widget_height
      width  = local.widget_width
      height = local.widget_height
      properties = {
        title   = widget.title
        region  = var.region
        view    = "timeSeries"
        stacked = false
        period  = var.alarm_period_seconds
        metrics = widget.metrics
      }
    }
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  count = local.create && var.create_dashboard ? 1 : 0

  dashboard_name = var.name_prefix
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
