# terraform test for modules/processing with a mocked AWS provider (no account, no network).
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

run "two_glue_5_jobs_with_the_iceberg_glue_catalog" {
  command = apply

  assert {
    condition     = toset(keys(aws_glue_job.this)) == toset(["standardized", "curated"]) && alltrue([for job in values(aws_glue_job.this) : job.glue_version == "5.0" && job.command[0].python_version == "3"])
    error_message = "The module must create the standardized and curated Glue 5.0 Python jobs."
  }

  assert {
    condition     = strcontains(aws_glue_job.this["standardized"].default_arguments["--conf"], "spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog") && strcontains(aws_glue_job.this["standardized"].default_arguments["--conf"], "spark.sql.defaultCatalog=glue_catalog") && strcontains(aws_glue_job.this["standardized"].default_arguments["--conf"], "spark.sql.session.timeZone=UTC")
    error_message = "The jobs must use Iceberg's GlueCatalog as glue_catalog, by default, in UTC."
  }

  assert {
    condition     = aws_glue_job.this["curated"].default_arguments["--datalake-formats"] == "iceberg" && aws_glue_job.this["curated"].default_arguments["--job-bookmark-option"] == "job-bookmark-disable" && aws_glue_job.this["curated"].default_arguments["--extra-py-files"] == "s3://leanops-test-glue-assets-123456789012/glue/packages/leanops.zip"
    error_message = "The jobs must load Iceberg, disable bookmarks (checkpoints are ours) and import the leanops package."
  }

  assert {
    condition     = aws_glue_job.this["curated"].default_arguments["--LEANOPS_CONTRACTS_URI"] == "s3://leanops-test-schemas-123456789012/contracts/" && aws_glue_job.this["curated"].default_arguments["--LEANOPS_CHECKPOINT_TABLE"] == "leanops-test-checkpoints" && aws_glue_job.this["curated"].default_arguments["--LEANOPS_LOCK_TABLE"] == "leanops-test-locks" && aws_glue_job.this["curated"].default_arguments["--LEANOPS_ALERT_TOPIC_ARN"] == var.alert_topic_arn
    error_message = "The jobs must get the LEANOPS_* settings (contracts, checkpoint and lock tables, alert topic)."
  }

  assert {
    condition     = aws_glue_job.this["standardized"].default_arguments["--additional-python-modules"] == "s3://leanops-test-glue-assets-123456789012/glue/packages/wheels/rpds_py-1-cp311-cp311-manylinux2014_x86_64.whl"
    error_message = "Compiled wheels must be uploaded and installed with --additional-python-modules."
  }

  assert {
    condition     = !contains(keys(aws_glue_job.this["curated"].default_arguments), "--LEANOPS_TOPICS")
    error_message = "Topics are passed per run (one shard each), never as a default argument."
  }

  assert {
    condition     = aws_glue_security_configuration.this[0].encryption_configuration[0].s3_encryption[0].s3_encryption_mode == "SSE-KMS" && aws_glue_security_configuration.this[0].encryption_configuration[0].cloudwatch_encryption[0].cloudwatch_encryption_mode == "SSE-KMS" && aws_glue_security_configuration.this[0].encryption_configuration[0].job_bookmarks_encryption[0].job_bookmarks_encryption_mode == "CSE-KMS"
    error_message = "The security configuration must encrypt S3 output, logs and bookmarks with the key."
  }
}

run "each_job_writes_only_its_own_layer" {
  command = apply

  assert {
    condition     = flatten([for s in jsondecode(aws_iam_role_policy.this["standardized"].policy).Statement : s.Resource if s.Sid == "WriteTargetTables"]) == ["arn:aws:glue:eu-west-1:123456789012:catalog", "arn:aws:glue:eu-west-1:123456789012:database/iceberg_standardized_db", "arn:aws:glue:eu-west-1:123456789012:table/iceberg_standardized_db/*"]
    error_message = "standardized may write the standardized database only."
  }

  assert {
    condition     = flatten([for s in jsondecode(aws_iam_role_policy.this["curated"].policy).Statement : s.Resource if s.Sid == "WriteTargetDataAndTemp"]) == ["arn:aws:s3:::leanops-test-lake-123456789012/warehouse/iceberg_curated_db.db/*", "arn:aws:s3:::leanops-test-glue-assets-123456789012/tmp/*"]
    error_message = "curated may write the curated prefix of the lake (and its temp prefix) only."
  }

  assert {
    condition     = flatten([for s in jsondecode(aws_iam_role_policy.this["curated"].policy).Statement : s.Resource if s.Sid == "CheckpointsAndLocks"]) == ["arn:aws:dynamodb:eu-west-1:123456789012:table/leanops-test-checkpoints", "arn:aws:dynamodb:eu-west-1:123456789012:table/leanops-test-locks"]
    error_message = "The jobs may use the checkpoint and lock tables only."
  }
}

run "glue_versions_other_than_5_are_rejected" {
  command = plan

  variables {
    glue_version = "4.0"
  }

  expect_failures = [var.glue_version]
}

run "no_glue_4_only_continuous_logging_arguments" {
  command = plan

  assert {
    condition     = alltrue([for job in values(aws_glue_job.this) : length([for key in keys(job.default_arguments) : key if startswith(key, "--enable-continuous") || startswith(key, "--continuous-log")]) == 0])
    error_message = "Continuous logging arguments are Glue 4.0-and-earlier options (Glue 5.0 logs in real time): no job may set them."
  }
}

run "continuous_logging_in_extra_arguments_is_rejected" {
  command = plan

  variables {
    extra_job_arguments = { "--enable-continuous-cloudwatch-log" = "true" }
  }

  expect_failures = [var.extra_job_arguments]
}

run "the_drift_vanish_window_is_a_job_argument" {
  command = plan

  variables {
    drift_vanish_days = 14
  }

  assert {
    condition     = alltrue([for job in values(aws_glue_job.this) : job.default_arguments["--LEANOPS_DRIFT_VANISH_DAYS"] == "14"])
    error_message = "Both jobs must get drift_vanish_days as --LEANOPS_DRIFT_VANISH_DAYS (the drift log's window, leanops.settings)."
  }
}

run "a_drift_vanish_window_below_one_day_or_fractional_is_rejected" {
  command = plan

  variables {
    drift_vanish_days = 0.5
  }

  expect_failures = [var.drift_vanish_days]
}

# Table maintenance (maintenance.tf): the third job, its scoped role.
run "a_third_glue_job_maintains_the_tables_with_the_layer_jobs_arguments" {
  command = plan

  variables {
    maintenance_script_path = "does/not/exist/maintenance_processor.py"
  }

  assert {
    condition     = aws_glue_job.maintenance[0].name == "leanops-test-maintenance" && aws_glue_job.maintenance[0].glue_version == "5.0" && aws_glue_job.maintenance[0].execution_property[0].max_concurrent_runs == 1
    error_message = "The maintenance job must be a Glue 5.0 job running once at a time."
  }

  assert {
    condition     = aws_glue_job.maintenance[0].default_arguments == aws_glue_job.this["curated"].default_arguments && aws_glue_job.maintenance[0].command[0].script_location == "s3://leanops-test-glue-assets-123456789012/glue/scripts/maintenance_processor.py"
    error_message = "The maintenance job must run maintenance_processor.py with the layer jobs' default arguments (state tables, Iceberg catalog)."
  }

  assert {
    condition     = output.maintenance_job_name == "leanops-test-maintenance"
    error_message = "maintenance_job_name must be known from the inputs (the orchestration schedule uses it)."
  }
}

run "deletes_are_scoped_to_the_warehouse_prefixes_and_no_action_is_a_wildcard" {
  command = plan

  variables {
    maintenance_script_path = "does/not/exist/maintenance_processor.py"
  }

  assert {
    condition = toset(one([for s in jsondecode(local.maintenance_policy).Statement : s.Resource if s.Sid == "RewriteAndDeleteWarehouseFiles"])) == toset([
      "arn:aws:s3:::leanops-test-lake-123456789012/warehouse/iceberg_raw_db.db/*",
      "arn:aws:s3:::leanops-test-lake-123456789012/warehouse/iceberg_standardized_db.db/*",
      "arn:aws:s3:::leanops-test-lake-123456789012/warehouse/iceberg_curated_db.db/*",
      "arn:aws:s3:::leanops-test-glue-assets-123456789012/tmp/*",
    ])
    error_message = "s3:DeleteObject (expired and orphan files) must be limited to the three databases' warehouse prefixes (and Glue's temp prefix)."
  }

  assert {
    condition     = alltrue(flatten([for s in jsondecode(local.maintenance_policy).Statement : [for a in s.Action : !strcontains(a, "*")]]))
    error_message = "No wildcard action in the maintenance policy."
  }

  assert {
    condition     = toset([for s in jsondecode(local.maintenance_policy).Statement : s.Sid]) == toset(["MaintainTables", "ListWarehouseAndTemp", "RewriteAndDeleteWarehouseFiles", "ReadCode", "CheckpointsAndLocks", "WriteJobLogs", "PublishGlueMetrics", "PublishAlerts", "UseKmsKeyThroughItsAlias"])
    error_message = "The maintenance policy holds exactly its own statements plus the jobs' shared logs, metrics, alerts and key statements."
  }

  assert {
    condition     = one([for s in jsondecode(local.maintenance_policy).Statement : s.Action if s.Sid == "CheckpointsAndLocks"]) == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
    error_message = "Maintenance only reads checkpoints and takes/releases locks: it never writes a checkpoint."
  }
}

run "no_script_no_maintenance_job" {
  command = plan

  assert {
    condition     = length(aws_glue_job.maintenance) == 0 && length(aws_iam_role.maintenance) == 0 && output.maintenance_job_name == null
    error_message = "Without maintenance_script_path the module creates no maintenance job or role."
  }
}

# The curated job alone derives the pii hash key (kms:GenerateMac, by alias).
run "only_the_curated_job_may_derive_the_pii_key_on_that_key_alone" {
  command = apply

  variables {
    pii_key_alias_name = "alias/leanops-test-pii"
  }

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

# The curated job grants the analysts read on the topic tables it creates (Lake Formation).
run "only_the_curated_job_is_told_the_analysts_and_may_grant" {
  command = apply

  variables {
    analyst_grant_principals = ["arn:aws:iam::123456789012:role/analysts", "arn:aws:iam::123456789012:user/jane"]
  }

  assert {
    condition     = aws_glue_job.this["curated"].default_arguments["--LEANOPS_ANALYST_PRINCIPALS"] == "arn:aws:iam::123456789012:role/analysts,arn:aws:iam::123456789012:user/jane" && !contains(keys(aws_glue_job.this["standardized"].default_arguments), "--LEANOPS_ANALYST_PRINCIPALS")
    error_message = "The curated job alone gets --LEANOPS_ANALYST_PRINCIPALS (a comma list)."
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this["curated"].policy).Statement : { actions = s.Action, resources = s.Resource } if s.Sid == "GrantAnalystsReadOnCreatedTables"] == [{
      actions = ["lakeformation:GrantPermissions"], resources = ["*"]
    }]
    error_message = "The curated role gets lakeformation:GrantPermissions (no resource type: \"*\"; Lake Formation limits it to the tables the role created)."
  }

  assert {
    condition     = !strcontains(aws_iam_role_policy.this["standardized"].policy, "lakeformation:")
    error_message = "The standardized job never grants."
  }
}

run "no_analysts_no_grant_and_no_argument" {
  command = apply

  assert {
    condition     = !strcontains(aws_iam_role_policy.this["curated"].policy, "lakeformation:") && !contains(keys(aws_glue_job.this["curated"].default_arguments), "--LEANOPS_ANALYST_PRINCIPALS")
    error_message = "Without analyst principals the curated job gets neither the permission nor the argument."
  }
}

run "an_analyst_that_is_not_an_iam_role_or_user_is_rejected" {
  command = plan

  variables {
    analyst_grant_principals = ["arn:aws:iam::123456789012:group/analysts"]
  }

  expect_failures = [var.analyst_grant_principals]
}
