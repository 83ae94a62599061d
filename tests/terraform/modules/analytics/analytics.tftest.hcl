# terraform test (offline): workgroup, named queries and semantic database under a mocked provider.
# Run by scripts/terraform_offline.sh test analytics (the staged module links schemas/ and semantic/).

mock_provider "aws" {}

variables {
  name_prefix         = "leanops-test"
  kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  results_bucket_name = "leanops-test-athena-results-123456789012"
  topics              = ["orders", "payments"]
  schemas_dir         = "schemas"
  semantic_views_dir  = "semantic/views"
  # The analysts' IAM policy (analyst_access.tf; its own runs in analyst_access.tftest.hcl).
  data_lake_bucket_name = "leanops-test-data-123456789012"
  kms_key_alias_name    = "alias/leanops-test"
}

run "workgroup_enforces_encrypted_results_and_a_scan_cutoff" {
  command = plan

  assert {
    condition     = aws_athena_workgroup.this[0].configuration[0].enforce_workgroup_configuration
    error_message = "The workgroup configuration must be enforced."
  }

  assert {
    condition     = aws_athena_workgroup.this[0].configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_KMS"
    error_message = "Query results must be encrypted with the customer managed key."
  }

  assert {
    condition     = aws_athena_workgroup.this[0].configuration[0].bytes_scanned_cutoff_per_query == 10737418240
    error_message = "A 10 GiB scan cutoff is the default."
  }

  assert {
    condition     = aws_athena_workgroup.this[0].configuration[0].result_configuration[0].output_location == "s3://leanops-test-athena-results-123456789012/athena-results/"
    error_message = "Results go to the results bucket's prefix."
  }
}

run "every_semantic_view_becomes_a_named_query" {
  command = plan

  assert {
    condition     = toset(output.semantic_view_names) == toset([for file in fileset("semantic/views", "*.sql") : trimsuffix(file, ".sql")])
    error_message = "Every semantic/views/*.sql file must be picked up."
  }

  assert {
    condition     = startswith(aws_athena_named_query.this["semantic_orders_daily"].query, "CREATE OR REPLACE VIEW semantic.orders_daily AS\n")
    error_message = "A view's named query creates or replaces semantic.<name>."
  }

  assert {
    condition     = aws_glue_catalog_database.semantic[0].name == "semantic"
    error_message = "The semantic Glue database must be created."
  }
}

run "operational_queries_cover_every_topic_and_error_table" {
  command = plan

  assert {
    condition = alltrue([
      for table in ["iceberg_standardized_db.parse_errors", "iceberg_curated_db.errors", "iceberg_raw_db.dlq_errors"] :
      strcontains(aws_athena_named_query.this["errors_by_topic_and_reason"].query, table)
    ])
    error_message = "Errors by topic and reason must union every error table."
  }

  assert {
    condition = alltrue([
      for topic in var.topics : strcontains(aws_athena_named_query.this["account_per_topic"].query, "iceberg_curated_db.${topic}")
      && strcontains(aws_athena_named_query.this["freshness_per_topic"].query, "iceberg_raw_db.${topic}")
    ])
    error_message = "The account and freshness queries must cover every topic."
  }
}

run "rejects_a_cutoff_below_athenas_minimum" {
  command = plan

  variables {
    bytes_scanned_cutoff_per_query = 1024
  }

  expect_failures = [var.bytes_scanned_cutoff_per_query]
}

run "lake_formation_grants_are_off_by_default" {
  command = plan

  assert {
    condition     = length(aws_lakeformation_permissions.this) == 0
    error_message = "No Lake Formation grant unless enable_lake_formation_grants is true."
  }
}

run "lake_formation_grants_cover_every_role_when_enabled" {
  command = plan

  variables {
    enable_lake_formation_grants = true
    lake_formation_principals = {
      firehose_role_arn         = "arn:aws:iam::123456789012:role/leanops-test-firehose"
      standardized_job_role_arn = "arn:aws:iam::123456789012:role/leanops-test-standardized-job"
      curated_job_role_arn      = "arn:aws:iam::123456789012:role/leanops-test-curated-job"
      state_machine_role_arn    = "arn:aws:iam::123456789012:role/leanops-test-cycle-sfn"
      analyst_arns              = ["arn:aws:iam::123456789012:role/analyst"]
    }
    lake_formation_analyst_topics = ["orders"]
  }

  assert {
    condition     = length(aws_lakeformation_permissions.this) == 18
    error_message = "Database and table grants for Firehose (raw), both Glue jobs (source and target), the state machine (curated, semantic) and each analyst (curated and semantic databases, the semantic views, one table per listed topic)."
  }

  assert {
    condition     = toset(aws_lakeformation_permissions.this["firehose-raw-tables"].permissions) == toset(["SELECT", "INSERT", "ALTER", "DESCRIBE"]) && aws_lakeformation_permissions.this["firehose-raw-tables"].table[0].database_name == "iceberg_raw_db" && aws_lakeformation_permissions.this["firehose-raw-tables"].table[0].wildcard
    error_message = "Firehose must be able to write every RAW table."
  }

  assert {
    condition     = contains(aws_lakeformation_permissions.this["curated_job-curated-database"].permissions, "CREATE_TABLE") && toset(aws_lakeformation_permissions.this["analyst-0-table-iceberg_curated_db.orders"].permissions) == toset(["SELECT", "DESCRIBE"])
    error_message = "The curated job creates tables in curated; analysts only read them."
  }

  assert {
    condition     = aws_lakeformation_permissions.this["analyst-0-table-iceberg_curated_db.orders"].table[0].name == "orders" && !aws_lakeformation_permissions.this["analyst-0-table-iceberg_curated_db.orders"].table[0].wildcard
    error_message = "Analysts get each listed curated table by name."
  }

  assert {
    condition = alltrue([
      for key, grant in aws_lakeformation_permissions.this : !(startswith(key, "analyst-") && try(grant.table[0].database_name == "iceberg_curated_db" && grant.table[0].wildcard, false))
    ])
    error_message = "No analyst grant on all curated tables: that would include the curated errors table (values as received)."
  }

  assert {
    condition     = aws_lakeformation_permissions.this["analyst-0-semantic-tables"].table[0].database_name == "semantic" && aws_lakeformation_permissions.this["analyst-0-semantic-tables"].table[0].wildcard
    error_message = "Analysts read every semantic view."
  }
}

run "per_topic_queries_come_in_parts_under_athenas_query_quota" {
  command = plan

  variables {
    topics                   = ["alpha", "bravo", "charlie"]
    operational_query_topics = 2
  }

  assert {
    condition = (
      !contains(keys(aws_athena_named_query.this), "account_per_topic")
      && strcontains(aws_athena_named_query.this["account_per_topic_01"].query, "iceberg_curated_db.alpha")
      && strcontains(aws_athena_named_query.this["account_per_topic_01"].query, "iceberg_curated_db.bravo")
      && !strcontains(aws_athena_named_query.this["account_per_topic_01"].query, "iceberg_curated_db.charlie")
      && strcontains(aws_athena_named_query.this["account_per_topic_02"].query, "iceberg_curated_db.charlie")
      && strcontains(aws_athena_named_query.this["freshness_per_topic_02"].query, "iceberg_raw_db.charlie")
      && strcontains(aws_athena_named_query.this["freshness_per_topic_02"].description, "part 2 of 2: charlie to charlie")
    )
    error_message = "Above operational_query_topics the per-topic queries must come in parts (_01, _02), each covering its own topics."
  }
}

run "rejects_a_part_size_over_the_quota_bound" {
  command = plan

  variables {
    operational_query_topics = 251
  }

  expect_failures = [var.operational_query_topics]
}

# The grants' keys come from lake_formation_roles (known at plan), never from the role ARNs,
# which a fresh stack knows only after apply (tests/terraform/test_lake_formation_plan.py).
run "only_the_roles_of_lake_formation_roles_get_grants" {
  command = plan

  variables {
    enable_lake_formation_grants = true
    lake_formation_roles         = ["firehose"]
    lake_formation_principals = {
      firehose_role_arn = "arn:aws:iam::123456789012:role/leanops-test-firehose"
    }
  }

  assert {
    condition     = toset(keys(aws_lakeformation_permissions.this)) == toset(["firehose-raw-database", "firehose-raw-tables"])
    error_message = "Only the Firehose role's database and table grants."
  }
}

run "a_role_of_lake_formation_roles_without_its_arn_is_refused" {
  command = plan

  variables {
    enable_lake_formation_grants = true
    lake_formation_roles         = ["firehose", "curated_job"]
    lake_formation_principals = {
      firehose_role_arn = "arn:aws:iam::123456789012:role/leanops-test-firehose"
    }
  }

  expect_failures = [aws_lakeformation_permissions.this]
}

run "an_unknown_role_in_lake_formation_roles_is_rejected" {
  command = plan

  variables {
    lake_formation_roles = ["glue"]
  }

  expect_failures = [var.lake_formation_roles]
}
