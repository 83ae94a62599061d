# terraform test for modules/ingestion with a mocked AWS provider (no account, no network).
mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:mock", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/mock" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mock" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" }
  }
  mock_resource "aws_kinesis_firehose_delivery_stream" {
    defaults = { arn = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/mock" }
  }
  mock_resource "aws_glue_catalog_database" {
    defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:database/mock" }
  }
  mock_resource "aws_glue_catalog_table" {
    defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:table/mock/mock" }
  }
  mock_resource "aws_glue_job" {
    defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:job/mock" }
  }
}

variables {
  name_prefix                     = "leanops-test"
  account_id                      = "123456789012"
  region                          = "eu-west-1"
  kms_key_arn                     = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  kms_key_alias_name              = "alias/leanops-test"
  topic_name_rule                 = jsondecode(file("schemas/tables.json")).topic_name
  sqs_processor_function_arn      = "arn:aws:lambda:eu-west-1:123456789012:function:leanops-test-sqs-processor"
  dlq_archiver_function_arn       = "arn:aws:lambda:eu-west-1:123456789012:function:leanops-test-dlq-archiver"
  firehose_transform_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:leanops-test-firehose-transform"
  data_lake_bucket_arn            = "arn:aws:s3:::leanops-test-lake-123456789012"
  topics = {
    orders = { batch_size = 50, maximum_batching_window_seconds = 10, max_receive_count = 4, maximum_concurrency = 3 }
  }
}

run "a_topic_gets_queue_dlq_and_partial_failure_mapping" {
  command = apply

  assert {
    condition     = aws_sqs_queue.this["orders"].name == "leanops-test-orders" && aws_sqs_queue.dlq["orders"].name == "leanops-test-orders-dlq"
    error_message = "Topic orders must get the queue leanops-test-orders and the DLQ leanops-test-orders-dlq."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.this["orders"].redrive_policy).deadLetterTargetArn == "arn:aws:sqs:eu-west-1:123456789012:leanops-test-orders-dlq" && jsondecode(aws_sqs_queue.this["orders"].redrive_policy).maxReceiveCount == 4
    error_message = "The queue must redrive to its DLQ after max_receive_count (4) receives."
  }

  assert {
    condition     = aws_sqs_queue.dlq["orders"].message_retention_seconds == 1209600
    error_message = "A DLQ must keep messages 14 days."
  }

  assert {
    condition = alltrue([
      for queue in [aws_sqs_queue.this["orders"], aws_sqs_queue.dlq["orders"]] :
      jsondecode(queue.policy).Statement[0].Effect == "Deny" && jsondecode(queue.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false" && jsondecode(queue.policy).Statement[0].Resource == "arn:aws:sqs:eu-west-1:123456789012:${queue.name}"
    ])
    error_message = "Queue and DLQ must each deny requests without TLS, on their own ARN."
  }

  assert {
    condition     = jsondecode(aws_sqs_queue.dlq["orders"].redrive_allow_policy).redrivePermission == "byQueue" && jsondecode(aws_sqs_queue.dlq["orders"].redrive_allow_policy).sourceQueueArns == ["arn:aws:sqs:eu-west-1:123456789012:leanops-test-orders"]
    error_message = "The DLQ must accept redrives from its own queue only."
  }

  assert {
    condition     = aws_sqs_queue.this["orders"].kms_master_key_id == "alias/leanops-test" && aws_sqs_queue.dlq["orders"].kms_master_key_id == "alias/leanops-test"
    error_message = "Queue and DLQ must be encrypted with the stack's key."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this["orders"].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The queue -> sqs_processor mapping must report batch item failures."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this["orders"].batch_size == 50 && aws_lambda_event_source_mapping.this["orders"].maximum_batching_window_in_seconds == 10 && aws_lambda_event_source_mapping.this["orders"].scaling_config[0].maximum_concurrency == 3
    error_message = "The mapping must carry the topic's batch size, batching window and maximum concurrency."
  }

  assert {
    condition     = aws_lambda_event_source_mapping.dlq["orders"].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "The DLQ -> dlq_archiver mapping must report batch item failures."
  }

  assert {
    condition     = output.queue_name_prefix == "leanops-test" && output.queue_arn_patterns.queues == "arn:aws:sqs:eu-west-1:123456789012:leanops-test-*" && output.queue_arn_patterns.dlqs == "arn:aws:sqs:eu-west-1:123456789012:leanops-test-*-dlq"
    error_message = "The module must expose the queue name prefix (LEANOPS_NAME_PREFIX) and the stack's queue ARN patterns, not a per-topic map."
  }

  # Lambda developer guide (SQS event source mapping): visibility timeout >= 6 x function timeout (+ batching window).
  assert {
    condition     = aws_sqs_queue.this["orders"].visibility_timeout_seconds == 6 * 60 + 10 && aws_sqs_queue.dlq["orders"].visibility_timeout_seconds == 6 * 60
    error_message = "Unset, the visibility timeout must be derived: 6 x the function timeout (60 s) + the batching window (10 s); the DLQ's 6 x dlq_archiver's timeout."
  }
}

run "visibility_timeout_follows_the_function_timeout" {
  command = plan

  variables {
    sqs_processor_timeout_seconds = 120
    dlq_archiver_timeout_seconds  = 30
    topics = {
      orders   = { maximum_batching_window_seconds = 5 }
      payments = { visibility_timeout_seconds = 900 }
    }
  }

  assert {
    condition     = aws_sqs_queue.this["orders"].visibility_timeout_seconds == 725 && aws_sqs_queue.this["payments"].visibility_timeout_seconds == 900 && aws_sqs_queue.dlq["orders"].visibility_timeout_seconds == 180
    error_message = "Derived: 6 x 120 + 5 = 725 s; an explicit value above the minimum is kept; DLQ: 6 x 30 = 180 s."
  }
}

run "a_visibility_timeout_under_six_function_timeouts_is_rejected" {
  command = plan

  variables {
    sqs_processor_timeout_seconds = 60
    topics                        = { orders = { visibility_timeout_seconds = 300, maximum_batching_window_seconds = 5 } }
  }

  expect_failures = [var.topics]
}

run "maximum_concurrency_is_optional_per_topic" {
  command = plan

  variables {
    topics = {
      orders   = { maximum_concurrency = 5 }
      payments = {}
    }
  }

  assert {
    condition     = aws_lambda_event_source_mapping.this["orders"].scaling_config[0].maximum_concurrency == 5 && length(aws_lambda_event_source_mapping.this["payments"].scaling_config) == 0
    error_message = "A topic with maximum_concurrency gets a scaling_config; a topic without gets none (it shares sqs_processor's reserved concurrency)."
  }
}

run "a_maximum_concurrency_under_two_is_rejected" {
  command = plan

  variables {
    topics = { orders = { maximum_concurrency = 1 } }
  }

  expect_failures = [var.topics]
}

run "several_streams_share_one_role_scoped_by_pattern" {
  command = plan

  variables {
    firehose_stream_count = 3
  }

  assert {
    condition     = tolist(aws_kinesis_firehose_delivery_stream.this[*].name) == tolist(["leanops-test-raw", "leanops-test-raw-2", "leanops-test-raw-3"]) && output.firehose_stream_names == tolist(["leanops-test-raw", "leanops-test-raw-2", "leanops-test-raw-3"]) && output.firehose_delivery_stream_name == "leanops-test-raw"
    error_message = "firehose_stream_count = 3 must create <prefix>-raw, <prefix>-raw-2, <prefix>-raw-3 (the first keeps the one-stream name)."
  }

  assert {
    condition     = tolist(aws_cloudwatch_log_group.firehose[*].name) == tolist(["/aws/kinesisfirehose/leanops-test-raw", "/aws/kinesisfirehose/leanops-test-raw-2", "/aws/kinesisfirehose/leanops-test-raw-3"]) && aws_kinesis_firehose_delivery_stream.this[2].iceberg_configuration[0].cloudwatch_logging_options[0].log_group_name == "/aws/kinesisfirehose/leanops-test-raw-3"
    error_message = "Each stream must log to its own log group."
  }

  assert {
    condition     = flatten([for s in jsondecode(aws_iam_role_policy.firehose[0].policy).Statement : s.Resource if s.Sid == "WriteDeliveryLogs"]) == ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/kinesisfirehose/leanops-test-raw*:*"]
    error_message = "The shared role must write the streams' log groups by pattern."
  }
}

run "a_stream_count_of_zero_is_rejected" {
  command = plan

  variables {
    firehose_stream_count = 0
  }

  expect_failures = [var.firehose_stream_count]
}

run "the_stream_writes_iceberg_with_errors_under_firehose_errors" {
  command = apply

  assert {
    condition     = aws_kinesis_firehose_delivery_stream.this[0].destination == "iceberg" && aws_kinesis_firehose_delivery_stream.this[0].iceberg_configuration[0].s3_configuration[0].error_output_prefix == "firehose-errors/"
    error_message = "The stream must deliver to Iceberg and write failures under firehose-errors/."
  }

  assert {
    condition     = aws_kinesis_firehose_delivery_stream.this[0].iceberg_configuration[0].catalog_arn == "arn:aws:glue:eu-west-1:123456789012:catalog"
    error_message = "The stream's catalog must be the account's Glue Data Catalog."
  }

  assert {
    condition     = one([for p in aws_kinesis_firehose_delivery_stream.this[0].iceberg_configuration[0].processing_configuration[0].processors[0].parameters : p.parameter_value if p.parameter_name == "LambdaArn"]) == var.firehose_transform_function_arn
    error_message = "The stream must hand records to firehose_transform."
  }

  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.firehose[0].policy).Statement : s.Resource if s.Sid == "UpdateRawTables"])) == toset([
      "arn:aws:glue:eu-west-1:123456789012:catalog",
      "arn:aws:glue:eu-west-1:123456789012:database/iceberg_raw_db",
      "arn:aws:glue:eu-west-1:123456789012:table/iceberg_raw_db/*",
    ])
    error_message = "The stream's role may update the tables of the RAW database only (by pattern: its size does not grow with the topics)."
  }
}

run "an_invalid_topic_name_is_rejected" {
  command = plan

  variables {
    topics = { "Orders-2024" = {} }
  }

  expect_failures = [var.topics]
}

run "a_reserved_topic_name_is_rejected" {
  command = plan

  variables {
    topics = { dlq_errors = {} }
  }

  expect_failures = [var.topics]
}

run "a_too_long_topic_name_is_rejected" {
  command = plan

  variables {
    topics = { a_topic_name_that_is_far_too_long_for_sqs_and_glue_x = {} }
  }

  expect_failures = [var.topics]
}

run "a_bad_batch_size_is_rejected" {
  command = plan

  variables {
    topics = { orders = { batch_size = 0 } }
  }

  expect_failures = [var.topics]
}

run "a_large_batch_without_batching_window_is_rejected" {
  command = plan

  variables {
    topics = { orders = { batch_size = 100, maximum_batching_window_seconds = 0 } }
  }

  expect_failures = [var.topics]
}
