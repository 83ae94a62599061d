# terraform test (offline): the analysts' IAM managed policy (analyst_access.tf) under a mocked provider.
# What analysts read is schemas/tables.json "analyst_access": curated topic tables + semantic views.

mock_provider "aws" {}

variables {
  name_prefix           = "leanops-test"
  account_id            = "123456789012"
  region                = "eu-west-1"
  kms_key_arn           = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  kms_key_alias_name    = "alias/leanops-test"
  results_bucket_name   = "leanops-test-athena-results-123456789012"
  data_lake_bucket_name = "leanops-test-data-123456789012"
  warehouse_prefix      = "warehouse/"
  topics                = ["orders", "payments"]
  schemas_dir           = "schemas"
  semantic_views_dir    = "semantic/views"
}

run "analysts_read_curated_and_semantic_and_are_denied_the_rest" {
  command = plan

  assert {
    condition     = aws_iam_policy.analyst[0].name == "leanops-test-analyst"
    error_message = "The stack creates the analysts' managed policy."
  }

  assert {
    condition = alltrue([
      for statement in jsondecode(aws_iam_policy.analyst[0].policy).Statement : alltrue([
        for action in statement.Action : !strcontains(action, "*")
      ])
    ])
    error_message = "No wildcard action in the analyst policy."
  }

  assert {
    condition = toset(one([for s in jsondecode(aws_iam_policy.analyst[0].policy).Statement : s.Resource if s.Sid == "ReadAnalystData"])) == toset([
      "arn:aws:s3:::leanops-test-data-123456789012/warehouse/iceberg_curated_db.db/*",
    ])
    error_message = "Analysts read the curated prefix of the warehouse, nothing else."
  }

  assert {
    condition = toset(one([for s in jsondecode(aws_iam_policy.analyst[0].policy).Statement : s.Resource if s.Sid == "ReadAnalystCatalog"])) == toset([
      "arn:aws:glue:eu-west-1:123456789012:catalog",
      "arn:aws:glue:eu-west-1:123456789012:database/iceberg_curated_db",
      "arn:aws:glue:eu-west-1:123456789012:table/iceberg_curated_db/*",
      "arn:aws:glue:eu-west-1:123456789012:database/semantic",
      "arn:aws:glue:eu-west-1:123456789012:table/semantic/*",
    ])
    error_message = "Analysts read the curated and semantic databases of the catalog."
  }

  assert {
    condition = toset(one([for s in jsondecode(aws_iam_policy.analyst[0].policy).Statement : s.Resource if s.Sid == "DenyRawStandardizedAndErrorTables" && s.Effect == "Deny"])) == toset([
      "arn:aws:glue:eu-west-1:123456789012:database/iceberg_raw_db",
      "arn:aws:glue:eu-west-1:123456789012:table/iceberg_raw_db/*",
      "arn:aws:glue:eu-west-1:123456789012:database/iceberg_standardized_db",
      "arn:aws:glue:eu-west-1:123456789012:table/iceberg_standardized_db/*",
      "arn:aws:glue:eu-west-1:123456789012:table/iceberg_curated_db/errors",
    ])
    error_message = "RAW, standardized and the curated errors table are denied explicitly in the catalog."
  }

  assert {
    condition = toset(one([for s in jsondecode(aws_iam_policy.analyst[0].policy).Statement : s.Resource if s.Sid == "DenyRawStandardizedAndErrorData" && s.Effect == "Deny"])) == toset([
      "arn:aws:s3:::leanops-test-data-123456789012/warehouse/iceberg_raw_db.db/*",
      "arn:aws:s3:::leanops-test-data-123456789012/warehouse/iceberg_standardized_db.db/*",
      "arn:aws:s3:::leanops-test-data-123456789012/warehouse/iceberg_curated_db.db/errors/*",
    ])
    error_message = "RAW, standardized and the curated errors table's data are denied explicitly."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_policy.analyst[0].policy).Statement : s.Resource if s.Sid == "UseTheWorkgroup"]) == ["arn:aws:athena:eu-west-1:123456789012:workgroup/leanops-test"]
    error_message = "Analysts use the stack's workgroup only."
  }

  assert {
    condition     = one([for s in jsondecode(aws_iam_policy.analyst[0].policy).Statement : s.Condition["ForAnyValue:StringEquals"]["kms:ResourceAliases"] if s.Sid == "DecryptDataAndEncryptResults"]) == "alias/leanops-test"
    error_message = "KMS use is limited to the pipeline's key, by its alias (known at plan)."
  }

  assert {
    condition     = output.analyst_databases == tolist(["iceberg_curated_db", "semantic"])
    error_message = "Analysts' databases come from tables.json analyst_access."
  }
}

run "no_policy_when_disabled" {
  command = plan

  variables {
    create_analyst_policy = false
  }

  assert {
    condition     = length(aws_iam_policy.analyst) == 0 && output.analyst_policy_arn == null
    error_message = "create_analyst_policy = false creates no policy."
  }
}

run "lake_formation_grants_only_listed_topics_of_the_stack" {
  command = plan

  variables {
    lake_formation_analyst_topics = ["unknown"]
  }

  expect_failures = [var.lake_formation_analyst_topics]
}
