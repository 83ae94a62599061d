# terraform test (offline): the curated job alone derives the pii hash key (kms:GenerateMac, by alias).
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
  name_prefix              = "leanops-test"
  account_id               = "123456789012"
  region                   = "eu-west-1"
  kms_key_arn              = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  kms_key_alias_name       = "alias/leanops-test"
  pii_key_alias_name       = "alias/leanops-test-pii"
  data_lake_bucket_name    = "leanops-test-lake-123456789012"
  glue_assets_bucket_name  = "leanops-test-glue-assets-123456789012"
  schemas_bucket_name      = "leanops-test-schemas-123456789012"
  checkpoint_table_name    = "leanops-test-checkpoints"
  lock_table_name          = "leanops-test-locks"
  alert_topic_arn          = "arn:aws:sns:eu-west-1:123456789012:leanops-test-alerts"
  standardized_script_path = "does/not/exist/standardized_processor.py"
  curated_script_path      = "does/not/exist/curated_processor.py"
  package_path             = "does/not/exist/leanops.zip"
  wheel_paths              = ["does/not/exist/rpds_py-1-cp311-cp311-manylinux2014_x86_64.whl"]
}

run "only_the_curated_job_may_derive_the_pii_key_on_that_key_alone" {
  command = apply

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this["curated"].policy).Statement : {
      actions = s.Action, resources = s.Resource, aliases = s.Condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"]
      } if s.Sid == "DerivePiiHashKey"] == [{
      actions   = ["kms:GenerateMac", "kms:DescribeKey"]
      resources = ["arn:aws:kms:eu-west-1:123456789012:key/*"]
      aliases   = "alias/leanops-test-pii"
    }]
    error_message = "The curated role gets kms:GenerateMac and kms:DescribeKey on the pii key only (kms:ResourceAliases)."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this["standardized"].policy, "kms:GenerateMac")
    error_message = "The standardized job never derives the pii key."
  }

  assert {
    condition     = aws_glue_job.this["curated"].default_arguments["--LEANOPS_PII_KEY_ID"] == "alias/leanops-test-pii"
    error_message = "The curated job is told the pii key (by alias: known at plan)."
  }
}

run "no_pii_key_no_grant_and_no_argument" {
  command = apply

  variables {
    pii_key_alias_name = null
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this["curated"].policy, "kms:GenerateMac") && !contains(keys(aws_glue_job.this["curated"].default_arguments), "--LEANOPS_PII_KEY_ID")
    error_message = "Without a pii key the curated job gets neither the grant nor the argument."
  }
}

run "a_pii_key_that_is_not_an_alias_is_rejected" {
  command = plan

  variables {
    pii_key_alias_name = "arn:aws:kms:eu-west-1:123456789012:key/x"
  }

  expect_failures = [var.pii_key_alias_name]
}
