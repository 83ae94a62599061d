# terraform test (offline): alarms, the Glue failure rule and the dashboard under a mocked provider.
# Run from modules/monitoring: terraform init -backend=false && terraform test

mock_provider "aws" {}

variables {
  name_prefix     = "leanops-test"
  alarm_topic_arn = "arn:aws:sns:eu-west-1:123456789012:leanops-test-alerts"
  queues = {
    orders   = { queue_name = "leanops-test-orders", dlq_name = "leanops-test-orders-dlq" }
    payments = { queue_name = "leanops-test-payments", dlq_name = "leanops-test-payments-dlq" }
  }
  lambda_function_names = { sqs_processor = "leanops-test-sqs-processor", cycle_planner = "leanops-test-cycle-planner" }
  firehose_stream_names = ["leanops-test-raw-01", "leanops-test-raw-02"]
  glue_job_names        = ["leanops-test-standardized", "leanops-test-curated"]
  state_machine_arn     = "arn:aws:states:eu-west-1:123456789012:stateMachine:leanops-test-cycle"
}

run "alarms_cover_every_monitored_resource" {
  command = plan

  assert {
    condition     = length(local.metric_alarm_keys["dlq-depth"]) == 2 && aws_cloudwatch_metric_alarm.this["dlq-depth-orders"].dimensions.QueueName == "leanops-test-orders-dlq"
    error_message = "One DLQ depth alarm per topic, on the DLQ."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["dlq-depth-orders"].threshold == 0 && aws_cloudwatch_metric_alarm.this["dlq-depth-orders"].comparison_operator == "GreaterThanThreshold"
    error_message = "Any message in a DLQ must raise the alarm by default."
  }

  assert {
    condition     = length(local.metric_alarm_keys["lambda-errors"]) == 2 && length(local.metric_alarm_keys["lambda-throttles"]) == 2
    error_message = "Errors and throttles alarms per Lambda."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.this["firehose-freshness-leanops-test-raw-01"].metric_name == "DeliveryToIceberg.DataFreshness"
    error_message = "Firehose freshness must watch DeliveryToIceberg.DataFreshness."
  }

  assert {
    condition = alltrue([
      for stream in ["leanops-test-raw-01", "leanops-test-raw-02"] :
      aws_cloudwatch_metric_alarm.this["firehose-failed-rows-${stream}"].metric_name == "DeliveryToIceberg.FailedRowCount"
      && aws_cloudwatch_metric_alarm.this["firehose-failed-rows-${stream}"].statistic == "Sum"
      && aws_cloudwatch_metric_alarm.this["firehose-failed-rows-${stream}"].comparison_operator == "GreaterThanThreshold"
      && aws_cloudwatch_metric_alarm.this["firehose-failed-rows-${stream}"].threshold == 0
      && aws_cloudwatch_metric_alarm.this["firehose-failed-rows-${stream}"].dimensions.DeliveryStreamName == stream
    ])
    error_message = "Every stream needs an alarm on DeliveryToIceberg.FailedRowCount > 0 (DeliveryToIceberg.Success only sums commits; Firehose Iceberg monitoring metrics)."
  }

  assert {
    condition     = length(local.metric_alarm_keys["firehose-failed-rows"]) == 2 && length(local.metric_alarm_keys["firehose-freshness"]) == 2
    error_message = "One failed-rows and one freshness alarm per Firehose stream."
  }

  assert {
    condition     = length([for alarm in values(aws_cloudwatch_metric_alarm.this) : alarm if alarm.metric_name == "DeliveryToIceberg.Success"]) == 0
    error_message = "No alarm may watch DeliveryToIceberg.Success (a sum of commits, blind to failed rows)."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.pipeline_freshness[0].treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.pipeline_freshness[0].evaluation_periods == 3
    error_message = "No successful cycle (missing data) for 3 periods must breach."
  }

  assert {
    condition = alltrue(flatten([
      for kind in ["dlq-depth", "queue-age", "lambda-errors", "firehose-failed-rows"] :
      [for key in values(local.metric_alarm_keys[kind]) : aws_cloudwatch_metric_alarm.this[key].alarm_actions == toset([var.alarm_topic_arn])]
    ]))
    error_message = "Every alarm must notify the alert topic."
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.glue_failure[0].event_pattern).detail.state == ["FAILED", "TIMEOUT", "ERROR"]
    error_message = "Failed, timed-out and errored Glue runs must be alerted."
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets) == 5
    error_message = "The dashboard must show queues, queue age, Lambdas, Firehose and cycles."
  }
}

run "empty_inputs_leave_out_empty_widgets" {
  command = plan

  variables {
    firehose_stream_names = []
    lambda_function_names = {}
  }

  assert {
    condition     = length(jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets) == 3
    error_message = "Widgets without metrics must be left out."
  }
}

run "rejects_a_negative_threshold" {
  command = plan

  variables {
    dlq_depth_threshold = -1
  }

  expect_failures = [var.dlq_depth_threshold]
}

run "requires_the_state_machine_for_its_alarms" {
  command = plan

  variables {
    state_machine_arn = null
  }

  expect_failures = [var.create_state_machine_alarms]
}
