locals {
  create = var.create

  schemas_dir = coalesce(var.schemas_dir, "${path.root}/schemas")
  tables      = jsondecode(file("${local.schemas_dir}/tables.json"))
  # The planner reads the RAW and standardized tables' catalog entries (metadata_location).
  planner_databases = [local.tables.databases.raw, local.tables.databases.standardized]

  state_machine_name   = "${var.name_prefix}-cycle"
  cycle_lock_id        = "cycle#${local.state_machine_name}"
  planner_name         = "${var.name_prefix}-cycle-planner"
  checkpoint_table     = "${var.name_prefix}-checkpoints"
  lock_table           = "${var.name_prefix}-locks"
  alert_topic          = "${var.name_prefix}-alerts"
  state_machine_logs   = "/aws/vendedlogs/states/${local.state_machine_name}"
  planner_logs         = "/aws/lambda/${local.planner_name}"
  planner_service_name = "cycle_planner"

  # s3://<bucket>/<prefix>/ -> bucket, prefix (validated in variables.tf; empty when create is false).
  contracts_match  = try(regex("^s3://([^/]+)/(.*)$", var.contracts_uri), ["", ""])
  contracts_bucket = local.contracts_match[0]
  contracts_prefix = local.contracts_match[1]

  arn_prefix    = "arn:${var.partition}"
  glue_prefix   = "${local.arn_prefix}:glue:${var.region}:${var.account_id}"
  glue_job_arns = [for name in [var.standardized_job_name, var.curated_job_name] : "${local.glue_prefix}:job/${name}"]

  # ARNs built from names known at plan time (AWS general reference, "Amazon Resource Names":
  # Lambda function, DynamoDB table, SNS topic, CloudWatch log group, Step Functions state
  # machine), so the role policies are known at plan and their sizes are checked offline
  # (tests/terraform/test_scale.py). IAM accepts ARNs of resources that do not exist yet.
  region_account       = "${var.region}:${var.account_id}"
  planner_function_arn = "${local.arn_prefix}:lambda:${local.region_account}:function:${local.planner_name}"
  lock_table_arn       = "${local.arn_prefix}:dynamodb:${local.region_account}:table/${local.lock_table}"
  checkpoint_table_arn = "${local.arn_prefix}:dynamodb:${local.region_account}:table/${local.checkpoint_table}"
  alert_topic_arn      = "${local.arn_prefix}:sns:${local.region_account}:${local.alert_topic}"
  planner_logs_arn     = "${local.arn_prefix}:logs:${local.region_account}:log-group:${local.planner_logs}"
  state_machine_arn    = "${local.arn_prefix}:states:${local.region_account}:stateMachine:${local.state_machine_name}"

  kms_data_actions = ["kms:Decrypt", "kms:GenerateDataKey"]

  # Semantic views are refreshed after every cycle with work when there are views and a workgroup.
  refresh_views = length(var.semantic_view_statements) > 0 && var.athena_workgroup_name != null && var.athena_results_bucket_arn != null
  # SNS accepts the key's alias: known at plan time (checkable offline) and stable across key rotation.
  sns_kms_key = var.kms_key_alias_name != null ? var.kms_key_alias_name : var.kms_key_arn
}
