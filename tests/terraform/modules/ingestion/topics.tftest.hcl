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
  raw_table_names                 = ["orders", "dlq_errors"]
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
    condition     = length(output.queue_topics) == 1 && output.queue_topics["leanops-test-orders"] == "orders" && length(output.dlq_topics) == 1 && output.dlq_topics["leanops-test-orders-dlq"] == "orders"
    error_message = "queue_topics / dlq_topics must map each queue name to its topic (LEANOPS_QUEUE_TOPICS)."
  }
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
      "arn:aws:glue:eu-west-1:123456789012:table/iceberg_raw_db/orders",
      "arn:aws:glue:eu-west-1:123456789012:table/iceberg_raw_db/dlq_errors",
    ])
    error_message = "The stream's role may update the RAW tables only."
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
