################################################################################
# IAM: least privilege for the state machine, the planner and the scheduler
#
# Policies are built with jsonencode (not aws_iam_policy_document) so the module's tests can
# read and check them under a mocked provider.
################################################################################

locals {
  assume_role_services = { state_machine = "states.amazonaws.com", planner = "lambda.amazonaws.com", scheduler = "scheduler.amazonaws.com" }

  assume_role_policies = {
    for role, service in local.assume_role_services : role => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = service }
        Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
      }]
    })
  }

  # The stack key, named through its alias when given (kms:ResourceAliases; AWS KMS developer
  # guide, "Using aliases to control access to KMS keys"): known at plan, unlike the key's ARN.
  kms_sids = {
    state_machine = "EncryptedLockTopicAndExecutionData"
    planner       = "EncryptedObjectsAndTables"
    scheduler     = "EncryptedScheduleAndExecutionInput"
  }
  kms_statements = {
    for role, sid in local.kms_sids : role => concat(
      var.kms_key_alias_name == null ? [] : [{
        Sid       = sid
        Effect    = "Allow"
        Action    = local.kms_data_actions
        Resource  = ["${local.arn_prefix}:kms:${local.region_account}:key/*"]
        Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.kms_key_alias_name } }
      }],
      var.kms_key_alias_name != null ? [] : [{ Sid = sid, Effect = "Allow", Action = local.kms_data_actions, Resource = [var.kms_key_arn] }],
    )
  }

  state_machine_policy = local.create ? jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        { Sid = "InvokePlanner", Effect = "Allow", Action = ["lambda:InvokeFunction"], Resource = [local.planner_function_arn, "${local.planner_function_arn}:*"] },
        { Sid = "RunShardJobs", Effect = "Allow", Action = ["glue:StartJobRun", "glue:GetJobRun"], Resource = local.glue_job_arns },
        {
          Sid       = "CycleLockOnly"
          Effect    = "Allow"
          Action    = ["dynamodb:PutItem", "dynamodb:DeleteItem"]
          Resource  = [local.lock_table_arn]
          Condition = { "ForAllValues:StringEquals" = { "dynamodb:LeadingKeys" = [local.cycle_lock_id] } }
        },
        { Sid = "Alert", Effect = "Allow", Action = ["sns:Publish"], Resource = [local.alert_topic_arn] },
        # Log delivery for Step Functions has no resource-level permissions: AWS documents these
        # actions with "*" (they manage log deliveries, not data).
        { Sid = "LogDelivery", Effect = "Allow", Action = local.log_delivery_actions, Resource = ["*"] },
      ],
      local.kms_statements.state_machine,
      # X-Ray write actions have no resource-level permissions either (AWS documents them with "*").
      var.state_machine_tracing_enabled ? [{ Sid = "XRayTracing", Effect = "Allow", Action = local.xray_write_actions, Resource = ["*"] }] : [],
      # Athena runs CREATE OR REPLACE VIEW with the caller's permissions: the workgroup, the catalog
      # entries it reads (curated) and writes (semantic), and the workgroup's results location.
      local.refresh_views ? [
        { Sid = "RunViewDdlInWorkgroup", Effect = "Allow", Action = ["athena:StartQueryExecution", "athena:GetQueryExecution"], Resource = ["${local.arn_prefix}:athena:${var.region}:${var.account_id}:workgroup/${var.athena_workgroup_name}"] },
        { Sid = "ReadViewSources", Effect = "Allow", Action = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables"], Resource = ["${local.glue_prefix}:catalog", "${local.glue_prefix}:database/${local.tables.databases.curated}", "${local.glue_prefix}:table/${local.tables.databases.curated}/*"] },
        { Sid = "WriteSemanticViews", Effect = "Allow", Action = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable"], Resource = ["${local.glue_prefix}:catalog", "${local.glue_prefix}:database/${var.semantic_database_name}", "${local.glue_prefix}:table/${var.semantic_database_name}/*"] },
        { Sid = "WriteViewDdlResults", Effect = "Allow", Action = ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], Resource = [var.athena_results_bucket_arn, "${var.athena_results_bucket_arn}/*"] },
      ] : [],
    )
  }) : null

  log_delivery_actions = [
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
  ]

  xray_write_actions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]

  planner_glue_resources = concat(
    ["${local.glue_prefix}:catalog"],
    [for database in local.planner_databases : "${local.glue_prefix}:database/${database}"],
    [for database in local.planner_databases : "${local.glue_prefix}:table/${database}/*"],
  )

  planner_policy = local.create ? jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      { Sid = "Logs", Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = ["${local.planner_logs_arn}:*"] },
      { Sid = "ReadContracts", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["${local.arn_prefix}:s3:::${local.contracts_bucket}/${local.contracts_prefix}*"] },
      # ListBucket on the contracts prefix makes a missing contract a 404 (gate closed), not a 403.
      {
        Sid       = "SeeMissingContracts"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = ["${local.arn_prefix}:s3:::${local.contracts_bucket}"]
        Condition = { StringLike = { "s3:prefix" = ["${local.contracts_prefix}*"] } }
      },
      { Sid = "ReadIcebergMetadataFiles", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["${var.warehouse_bucket_arn}/*/metadata/*"] },
      { Sid = "ReadTableCatalogEntries", Effect = "Allow", Action = ["glue:GetTable"], Resource = local.planner_glue_resources },
      { Sid = "CheckpointsAndPlannerCache", Effect = "Allow", Action = ["dynamodb:Query", "dynamodb:PutItem"], Resource = [local.checkpoint_table_arn] },
      ],
      local.kms_statements.planner,
    )
  }) : null

  scheduler_policy = local.create ? jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      { Sid = "StartCycle", Effect = "Allow", Action = ["states:StartExecution"], Resource = [local.state_machine_arn] },
      ],
      local.kms_statements.scheduler,
      # The maintenance schedule's universal target calls glue:StartJobRun on that one job (maintenance.tf).
      !local.create_maintenance_schedule ? [] : [{ Sid = "StartMaintenance", Effect = "Allow", Action = ["glue:StartJobRun"], Resource = [local.maintenance_job_arn] }],
    )
  }) : null
}

#### State machine ############################################################

resource "aws_iam_role" "state_machine" {
  count = local.create ? 1 : 0

  name               = "${local.state_machine_name}-sfn"
  assume_role_policy = local.assume_role_policies.state_machine
  tags               = var.tags
}

resource "aws_iam_role_policy" "state_machine" {
  count = local.create ? 1 : 0

  name   = "cycle"
  role   = aws_iam_role.state_machine[0].id
  policy = local.state_machine_policy
}

#### Planner Lambda ###########################################################

resource "aws_iam_role" "planner" {
  count = local.create ? 1 : 0

  name               = local.planner_name
  assume_role_policy = local.assume_role_policies.planner
  tags               = var.tags
}

resource "aws_iam_role_policy" "planner" {
  count = local.create ? 1 : 0

  name   = "cycle-planner"
  role   = aws_iam_role.planner[0].id
  policy = local.planner_policy
}

#### Scheduler ################################################################

resource "aws_iam_role" "scheduler" {
  count = local.create ? 1 : 0

  name               = "${local.state_machine_name}-scheduler"
  assume_role_policy = local.assume_role_policies.scheduler
  tags               = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  count = local.create ? 1 : 0

  name   = "start-cycle"
  role   = aws_iam_role.scheduler[0].id
  policy = local.scheduler_policy
}
