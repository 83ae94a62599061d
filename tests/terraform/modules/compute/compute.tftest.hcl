# terraform test for modules/compute with a mocked AWS provider (no account, no network).
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
  name_prefix           = "leanops-test"
  account_id            = "123456789012"
  region                = "eu-west-1"
  kms_key_arn           = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  kms_key_alias_name    = "alias/leanops-test"
  firehose_stream_names = ["leanops-test-raw", "leanops-test-raw-2"]
  queue_name_prefix     = "leanops-test"
  package_paths = {
    sqs_processor      = "does/not/exist/sqs_processor.zip"
    firehose_transform = "does/not/exist/firehose_transform.zip"
    dlq_archiver       = "does/not/exist/dlq_archiver.zip"
  }
}

run "three_functions_with_their_environment" {
  command = apply

  assert {
    condition     = toset(keys(aws_lambda_function.this)) == toset(["sqs_processor", "firehose_transform", "dlq_archiver"])
    error_message = "The module must create sqs_processor, firehose_transform and dlq_archiver."
  }

  assert {
    condition     = alltrue([for fn in values(aws_lambda_function.this) : fn.runtime == "python3.11" && fn.kms_key_arn == var.kms_key_arn && fn.reserved_concurrent_executions >= 1])
    error_message = "Every function must run python3.11, encrypt its environment with the key and have reserved concurrency."
  }

  assert {
    condition     = alltrue([for name in ["sqs_processor", "dlq_archiver"] : aws_lambda_function.this[name].environment[0].variables.LEANOPS_FIREHOSE_STREAMS == "leanops-test-raw,leanops-test-raw-2" && aws_lambda_function.this[name].environment[0].variables.LEANOPS_NAME_PREFIX == "leanops-test"])
    error_message = "sqs_processor and dlq_archiver must get LEANOPS_FIREHOSE_STREAMS (the stream names) and LEANOPS_NAME_PREFIX (they derive a queue's topic from its name)."
  }

  assert {
    condition     = alltrue([for fn in values(aws_lambda_function.this) : length([for key in keys(fn.environment[0].variables) : key if key == "LEANOPS_QUEUE_TOPICS"]) == 0])
    error_message = "No function may carry a per-topic map in its environment (Lambda's 4 KB limit)."
  }

  assert {
    condition     = alltrue([for name, fn in aws_lambda_function.this : contains(keys(fn.environment[0].variables), "POWERTOOLS_SERVICE_NAME") && fn.environment[0].variables.POWERTOOLS_LOG_LEVEL == "INFO"])
    error_message = "Every function must get POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL."
  }

  assert {
    condition     = alltrue([for group in values(aws_cloudwatch_log_group.this) : group.retention_in_days == 30 && group.kms_key_id == var.kms_key_arn])
    error_message = "Every log group must have a retention and the KMS key."
  }
}

run "each_role_grants_only_what_its_function_does" {
  command = apply

  assert {
    condition     = flatten([for s in jsondecode(aws_iam_role_policy.this["sqs_processor"].policy).Statement : s.Resource if s.Sid == "ConsumeOwnQueues"]) == ["arn:aws:sqs:eu-west-1:123456789012:leanops-test-*"] && flatten([for s in jsondecode(aws_iam_role_policy.this["sqs_processor"].policy).Statement : s.Resource if s.Sid == "NotTheDeadLetterQueues" && s.Effect == "Deny"]) == ["arn:aws:sqs:eu-west-1:123456789012:leanops-test-*-dlq"]
    error_message = "sqs_processor may consume the stack's queues by name pattern, the DLQs excepted (explicit Deny)."
  }

  assert {
    condition     = flatten([for s in jsondecode(aws_iam_role_policy.this["sqs_processor"].policy).Statement : s.Resource if s.Sid == "PutToStream"]) == ["arn:aws:firehose:eu-west-1:123456789012:deliverystream/leanops-test-raw", "arn:aws:firehose:eu-west-1:123456789012:deliverystream/leanops-test-raw-2"]
    error_message = "sqs_processor may write to the stack's streams only."
  }

  assert {
    condition     = flatten([for s in jsondecode(aws_iam_role_policy.this["dlq_archiver"].policy).Statement : s.Resource if s.Sid == "ConsumeOwnQueues"]) == ["arn:aws:sqs:eu-west-1:123456789012:leanops-test-*-dlq"]
    error_message = "dlq_archiver may consume the DLQs only."
  }

  assert {
    condition     = !contains([for s in jsondecode(aws_iam_role_policy.this["firehose_transform"].policy).Statement : s.Sid], "PutToStream") && !contains([for s in jsondecode(aws_iam_role_policy.this["firehose_transform"].policy).Statement : s.Sid], "ConsumeOwnQueues")
    error_message = "firehose_transform needs neither queues nor the stream."
  }

  assert {
    condition     = output.firehose_transform_function_arn == "arn:aws:lambda:eu-west-1:123456789012:function:leanops-test-firehose-transform" && output.function_timeouts["sqs_processor"] == 60
    error_message = "The transform ARN (what Firehose invokes) and the timeouts (the queues' visibility derives from them) must be known from the inputs."
  }
}

run "an_unknown_function_is_rejected" {
  command = plan

  variables {
    functions = { cycle_planner = {} }
  }

  expect_failures = [var.functions]
}

run "the_replay_readers_alone_verify_replay_macs" {
  command = plan

  variables {
    replay_key_id         = "11111111-1111-1111-1111-111111111111"
    replay_key_alias_name = "alias/leanops-test-replay"
  }

  assert {
    condition     = alltrue([for name in ["sqs_processor", "dlq_archiver"] : aws_lambda_function.this[name].environment[0].variables.LEANOPS_REPLAY_KEY_ID == var.replay_key_id])
    error_message = "sqs_processor and dlq_archiver (the readers of the replay attributes) must get the replay key id (LEANOPS_REPLAY_KEY_ID) to call kms:VerifyMac."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this["firehose_transform"].environment[0].variables), "LEANOPS_REPLAY_KEY_ID")
    error_message = "firehose_transform reads no replay attribute: it gets no LEANOPS_REPLAY_KEY_ID."
  }

  assert {
    condition = alltrue([for name in ["sqs_processor", "dlq_archiver"] : [
      for statement in jsondecode(aws_iam_role_policy.this[name].policy).Statement : statement
      if contains(statement.Action, "kms:VerifyMac")
      ] == [{
        Sid       = "VerifyReplayMacs"
        Effect    = "Allow"
        Action    = ["kms:VerifyMac"]
        Resource  = ["arn:aws:kms:eu-west-1:123456789012:key/*"]
        Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/leanops-test-replay" } }
    }]])
    error_message = "sqs_processor's and dlq_archiver's roles must have kms:VerifyMac alone, on the replay key only (named through its alias)."
  }

  assert {
    condition = alltrue([
      for name in ["firehose_transform"] : !strcontains(aws_iam_role_policy.this[name].policy, "kms:VerifyMac")
    ])
    error_message = "firehose_transform may not call kms:VerifyMac."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this["sqs_processor"].policy, "kms:GenerateMac")
    error_message = "sqs_processor must never sign (kms:GenerateMac is the operator's)."
  }
}

run "replay_key_alias_must_be_an_alias" {
  command = plan

  variables {
    replay_key_alias_name = "leanops-test-replay"
  }

  expect_failures = [var.replay_key_alias_name]
}
