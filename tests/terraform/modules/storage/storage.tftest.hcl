# terraform test for modules/storage with a mocked AWS provider (no account, no network).
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

run "buckets_are_private_versioned_and_encrypted" {
  command = apply

  assert {
    condition     = toset(keys(aws_s3_bucket.this)) == toset(["data_lake", "schemas", "glue_assets", "athena_results", "access_logs"])
    error_message = "The module must create the data lake, schemas, glue assets, athena results and access-log buckets."
  }

  assert {
    condition     = alltrue([for block in values(aws_s3_bucket_public_access_block.this) : block.block_public_acls && block.block_public_policy && block.ignore_public_acls && block.restrict_public_buckets])
    error_message = "Every bucket must block all public access."
  }

  assert {
    condition     = alltrue([for versioning in values(aws_s3_bucket_versioning.this) : versioning.versioning_configuration[0].status == "Enabled"])
    error_message = "Every bucket must be versioned."
  }

  assert {
    condition     = alltrue([for sse in values(aws_s3_bucket_server_side_encryption_configuration.this) : one(sse.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms" && one(sse.rule).apply_server_side_encryption_by_default[0].kms_master_key_id == aws_kms_key.this[0].arn])
    error_message = "Every data bucket must use the module's KMS key."
  }

  assert {
    condition     = alltrue([for policy in values(aws_s3_bucket_policy.this) : anytrue([for statement in jsondecode(policy.policy).Statement : statement.Effect == "Deny" && try(statement.Condition.Bool["aws:SecureTransport"], "") == "false"])])
    error_message = "Every bucket policy must deny requests without TLS."
  }

  assert {
    condition     = toset(keys(aws_s3_bucket_logging.this)) == toset(["data_lake", "schemas", "glue_assets", "athena_results"])
    error_message = "Every bucket except the access-log bucket must log to the access-log bucket."
  }

  assert {
    condition     = anytrue([for rule in aws_s3_bucket_lifecycle_configuration.this["data_lake"].rule : try(rule.filter[0].prefix, "") == "firehose-errors/" && try(rule.expiration[0].days, 0) == 90])
    error_message = "Records under firehose-errors/ must expire after firehose_errors_expiration_days."
  }
}

run "the_key_rotates_and_its_policy_names_the_services" {
  command = apply

  assert {
    condition     = aws_kms_key.this[0].enable_key_rotation
    error_message = "The KMS key must rotate."
  }

  assert {
    condition     = contains([for statement in jsondecode(aws_kms_key.this[0].policy).Statement : statement.Sid], "AllowCloudWatchLogsOfThisAccount") && contains(flatten([for statement in jsondecode(aws_kms_key.this[0].policy).Statement : try(statement.Condition.StringEquals["kms:ViaService"], [])]), "firehose.eu-west-1.amazonaws.com")
    error_message = "The key policy must let CloudWatch Logs and the pipeline services (via kms:ViaService) use the key."
  }

  assert {
    condition     = output.contracts_uri == "s3://leanops-test-schemas-123456789012/contracts/" && output.warehouse_uri == "s3://leanops-test-lake-123456789012/warehouse/"
    error_message = "contracts_uri and warehouse_uri must point into the schemas and data lake buckets."
  }
}

run "nothing_is_created_when_disabled" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = length(aws_s3_bucket.this) == 0 && length(aws_kms_key.this) == 0
    error_message = "create = false must create nothing."
  }
}

run "a_bad_account_id_is_rejected" {
  command = plan

  variables {
    account_id = "12345"
  }

  expect_failures = [var.account_id]
}

run "eventbridge_and_state_machine_log_delivery_can_use_the_key" {
  command = plan

  # EventBridge -> CMK-encrypted SNS fails when the key policy statement has aws:SourceAccount or
  # aws:SourceArn conditions (SNS developer guide, encryption at rest); a CMK-encrypted state
  # machine logging to CloudWatch Logs needs delivery.logs.amazonaws.com kms:Decrypt (Step
  # Functions developer guide, data at rest encryption).
  assert {
    condition = anytrue([
      for statement in jsondecode(aws_kms_key.this[0].policy).Statement :
      statement.Effect == "Allow" && contains(flatten([try(statement.Principal.Service, [])]), "events.amazonaws.com")
      && contains(flatten([statement.Action]), "kms:GenerateDataKey*") && contains(flatten([statement.Action]), "kms:Decrypt")
      && try(statement.Condition, null) == null
    ])
    error_message = "events.amazonaws.com needs kms:Decrypt and kms:GenerateDataKey* without aws:SourceAccount/aws:SourceArn conditions (EventBridge -> encrypted SNS)."
  }

  assert {
    condition = alltrue([
      for statement in jsondecode(aws_kms_key.this[0].policy).Statement :
      !contains(flatten([try(statement.Principal.Service, [])]), "events.amazonaws.com") || try(statement.Condition, null) == null
    ])
    error_message = "No key policy statement for events.amazonaws.com may carry a condition EventBridge cannot satisfy."
  }

  assert {
    condition = anytrue([
      for statement in jsondecode(aws_kms_key.this[0].policy).Statement :
      statement.Effect == "Allow" && contains(flatten([try(statement.Principal.Service, [])]), "cloudwatch.amazonaws.com")
      && try(statement.Condition.StringEquals["aws:SourceAccount"], "") == "123456789012"
    ])
    error_message = "CloudWatch alarms keep their account-scoped statement."
  }

  assert {
    condition = anytrue([
      for statement in jsondecode(aws_kms_key.this[0].policy).Statement :
      statement.Effect == "Allow" && contains(flatten([try(statement.Principal.Service, [])]), "delivery.logs.amazonaws.com") && contains(flatten([statement.Action]), "kms:Decrypt")
    ])
    error_message = "delivery.logs.amazonaws.com needs kms:Decrypt for the CMK-encrypted state machine's CloudWatch logging."
  }
}

run "replay_key_is_an_hmac_key_with_a_least_privilege_policy" {
  command = plan

  variables {
    replay_operator_arns = ["arn:aws:iam::123456789012:role/operator"]
  }

  assert {
    condition     = aws_kms_key.replay[0].customer_master_key_spec == "HMAC_256" && aws_kms_key.replay[0].key_usage == "GENERATE_VERIFY_MAC"
    error_message = "The replay key must be an HMAC_256 key for GENERATE_VERIFY_MAC (KMS GenerateMac / VerifyMac)."
  }

  assert {
    condition     = aws_kms_key.replay[0].enable_key_rotation == false
    error_message = "KMS cannot rotate HMAC keys automatically (EnableKeyRotation): the flag must stay false."
  }

  assert {
    condition     = aws_kms_alias.replay[0].name == "alias/leanops-test-replay"
    error_message = "The replay key's alias must be alias/<name_prefix>-replay (the Lambdas' and the emulation's default)."
  }

  assert {
    condition = [for statement in jsondecode(aws_kms_key.replay[0].policy).Statement : statement.Sid] == [
      "EnableAccountRootAdministration", "AllowOperatorsToSignReplays",
    ]
    error_message = "The replay key policy must hold only the root delegation and the operators' signing grant."
  }

  assert {
    condition = one([
      for statement in jsondecode(aws_kms_key.replay[0].policy).Statement : statement
      if statement.Sid == "AllowOperatorsToSignReplays"
    ]).Action == ["kms:GenerateMac", "kms:DescribeKey"]
    error_message = "Operators get kms:GenerateMac (and DescribeKey) on the replay key, nothing else."
  }
}

run "replay_operators_must_be_iam_principals" {
  command = plan

  variables {
    replay_operator_arns = ["*"]
  }

  expect_failures = [var.replay_operator_arns]
}

# The HMAC key of pii hash fields, apart from the replay key.
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
