# terraform test (offline): the HMAC key of pii hash fields, apart from the replay key.
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
  name_prefix = "leanops-test"
  account_id  = "123456789012"
  region      = "eu-west-1"
}

run "pii_key_is_an_hmac_key_of_its_own_with_a_root_only_policy" {
  command = apply

  assert {
    condition     = aws_kms_key.pii[0].customer_master_key_spec == "HMAC_256" && aws_kms_key.pii[0].key_usage == "GENERATE_VERIFY_MAC" && aws_kms_key.pii[0].enable_key_rotation == false
    error_message = "The pii key must be an HMAC_256 key for GENERATE_VERIFY_MAC, without automatic rotation (KMS refuses it for HMAC keys)."
  }

  assert {
    condition     = aws_kms_alias.pii[0].name == "alias/leanops-test-pii" && output.pii_key_alias_name == "alias/leanops-test-pii"
    error_message = "The pii key's alias is alias/<name_prefix>-pii (the jobs' and the emulation's)."
  }

  assert {
    condition     = aws_kms_alias.pii[0].name != aws_kms_alias.replay[0].name && aws_kms_alias.pii[0].target_key_id != aws_kms_alias.replay[0].target_key_id
    error_message = "The pii key is not the replay key (the curated role must not be able to sign replays)."
  }

  assert {
    condition     = [for statement in jsondecode(aws_kms_key.pii[0].policy).Statement : statement.Sid] == ["EnableAccountRootAdministration"]
    error_message = "The pii key policy only delegates to IAM: no principal is named, the curated role's IAM policy grants its use."
  }
}
