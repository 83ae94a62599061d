# terraform test for modules/snowflake_access with a mocked AWS provider (no account, no network).
mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock", id = "mock" }
  }
}

variables {
  name_prefix           = "leanops-test"
  account_id            = "123456789012"
  region                = "eu-west-1"
  data_lake_bucket_name = "leanops-test-lake"
  warehouse_prefix      = "warehouse/"
  kms_key_alias_name    = "alias/leanops-test"
  denied_table_names    = ["errors"]
}

run "nothing_without_snowflake_s_principal" {
  command = plan

  assert {
    condition     = length(aws_iam_role.this) == 0 && output.role_arn == null
    error_message = "The role must not exist until Snowflake's principal and external ids are given."
  }
}

run "a_read_only_role_trusting_only_snowflake_s_external_ids" {
  command = plan

  variables {
    snowflake_principal_arn = "arn:aws:iam::999999999999:user/abc1-s-snowflake"
    external_ids            = ["GLUE_EXT_ID_1", "STORAGE_EXT_ID_2"]
  }

  assert {
    condition     = jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Principal.AWS == "arn:aws:iam::999999999999:user/abc1-s-snowflake"
    error_message = "The role must trust Snowflake's IAM user only."
  }

  assert {
    condition     = jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Condition.StringEquals["sts:ExternalId"] == ["GLUE_EXT_ID_1", "STORAGE_EXT_ID_2"]
    error_message = "The role must require one of Snowflake's external ids."
  }

  assert {
    condition = alltrue([
      for statement in jsondecode(aws_iam_role_policy.read_curated[0].policy).Statement :
      alltrue([for action in statement.Action : !strcontains(action, "*") && !can(regex("^s3:(Put|Delete)|^glue:(Create|Update|Delete)", action))])
    ])
    error_message = "Snowflake's role must be read-only, with no wildcard action."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.read_curated[0].policy).Statement : s.Resource if s.Sid == "CuratedDataAndMetadataFiles"]) == ["arn:aws:s3:::leanops-test-lake/warehouse/iceberg_curated_db.db/*"]
    error_message = "Object reads must be limited to the curated tables' prefix."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.read_curated[0].policy).Statement : s.Condition if s.Sid == "DecryptThroughS3Only"]) == { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = "alias/leanops-test" }, StringEquals = { "kms:ViaService" = "s3.eu-west-1.amazonaws.com" } }
    error_message = "The key may be used through S3 only."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.read_curated[0].policy).Statement : s.Resource if s.Sid == "DenyErrorTables" && s.Effect == "Deny"]) == ["arn:aws:glue:eu-west-1:123456789012:table/iceberg_curated_db/errors"]
    error_message = "The curated errors table (values as received, before pii masking) must be denied in the catalog."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.read_curated[0].policy).Statement : s.Resource if s.Sid == "DenyErrorTableFiles" && s.Effect == "Deny"]) == ["arn:aws:s3:::leanops-test-lake/warehouse/iceberg_curated_db.db/errors/*"]
    error_message = "The curated errors table's files must be denied."
  }

  assert {
    condition     = output.storage_base_url == "s3://leanops-test-lake/warehouse/iceberg_curated_db.db/"
    error_message = "STORAGE_BASE_URL must be the curated tables' prefix."
  }
}

run "a_principal_that_is_not_an_iam_arn_is_refused" {
  command = plan

  variables {
    snowflake_principal_arn = "snowflake-user"
    external_ids            = ["GLUE_EXT_ID_1"]
  }

  expect_failures = [var.snowflake_principal_arn]
}
