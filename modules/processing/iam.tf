################################################################################
# One role per job: read its source database, write its target database, its state and alerts
################################################################################

resource "aws_iam_role" "this" {
  for_each = local.jobs

  name               = "${each.value.name}-job"
  assume_role_policy = local.glue_trust_policy
  tags               = var.tags
}

resource "aws_iam_role_policy" "this" {
  for_each = local.jobs

  name   = "${each.value.name}-job"
  role   = aws_iam_role.this[each.key].id
  policy = local.job_policies[each.key]
}

locals {
  # Glue assumes the job roles, for this account only (maintenance.tf's role too).
  glue_trust_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "glue.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  })

  state_table_arns = [
    for name in compact([var.checkpoint_table_name, var.lock_table_name]) : "${local.arn.dynamodb}:table/${name}"
  ]

  job_policies = {
    for layer, job in local.jobs : layer => jsonencode({
      Version = "2012-10-17"
      Statement = concat(
        [
          {
            Sid      = "ReadSourceTables"
            Effect   = "Allow"
            Action   = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables"]
            Resource = [local.arn.glue_catalog, "${local.arn.glue}:database/${job.reads}", "${local.arn.glue}:table/${job.reads}/*"]
          },
          {
            Sid      = "WriteTargetTables"
            Effect   = "Allow"
            Action   = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable"]
            Resource = [local.arn.glue_catalog, "${local.arn.glue}:database/${job.writes}", "${local.arn.glue}:table/${job.writes}/*"]
          },
          {
            Sid       = "ListOwnPrefixes"
            Effect    = "Allow"
            Action    = ["s3:ListBucket"]
            Resource  = ["${local.arn.s3}${local.lake_bucket}", "${local.arn.s3}${local.schemas_bucket}", "${local.arn.s3}${local.assets_bucket}"]
            Condition = { StringLike = { "s3:prefix" = ["${var.warehouse_prefix}${job.reads}.db/*", "${var.warehouse_prefix}${job.writes}.db/*", "${var.contracts_prefix}*", "${local.temp_prefix}*"] } }
          },
          {
            Sid      = "ReadSourceDataContractsAndCode"
            Effect   = "Allow"
            Action   = ["s3:GetObject"]
            Resource = ["${local.arn.s3}${local.lake_bucket}/${var.warehouse_prefix}${job.reads}.db/*", "${local.arn.s3}${local.schemas_bucket}/${var.contracts_prefix}*", "${local.arn.s3}${local.assets_bucket}/${local.scripts_prefix}*", "${local.arn.s3}${local.assets_bucket}/${local.packages_prefix}*"]
          },
          {
            Sid      = "WriteTargetDataAndTemp"
            Effect   = "Allow"
            Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
            Resource = ["${local.arn.s3}${local.lake_bucket}/${var.warehouse_prefix}${job.writes}.db/*", "${local.arn.s3}${local.assets_bucket}/${local.temp_prefix}*"]
          },
          {
            Sid      = "WriteJobLogs"
            Effect   = "Allow"
            Action   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
            Resource = ["${local.arn.logs}:log-group:/aws-glue/*"]
          },
          {
            # PutMetricData has no resource-level permissions; the namespace condition scopes it.
            Sid       = "PublishGlueMetrics"
            Effect    = "Allow"
            Action    = ["cloudwatch:PutMetricData"]
            Resource  = ["*"]
            Condition = { StringEquals = { "cloudwatch:namespace" = "Glue" } }
          },
        ],
        length(job.evolves) == 0 ? [] : [{
          Sid      = "EvolveSourceTableMetadata"
          Effect   = "Allow"
          Action   = ["glue:UpdateTable", "s3:PutObject"]
          Resource = flatten([for database in job.evolves : ["${local.arn.glue}:table/${database}/*", "${local.arn.s3}${local.lake_bucket}/${var.warehouse_prefix}${database}.db/*/metadata/*"]])
        }],
        length(local.state_table_arns) == 0 ? [] : [{
          Sid      = "CheckpointsAndLocks"
          Effect   = "Allow"
          Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:Query"]
          Resource = local.state_table_arns
        }],
        var.alert_topic_arn == null ? [] : [{
          Sid      = "PublishAlerts"
          Effect   = "Allow"
          Action   = ["sns:Publish"]
          Resource = [var.alert_topic_arn]
        }],
        # The key of pii hash fields, derived once per run (leanops.adapters.pii_key): GenerateMac
        # needs kms:GenerateMac, and resolving the alias kms:DescribeKey (AWS KMS API Reference,
        # "GenerateMac", "DescribeKey": required permissions); the curated job's only, on that key.
        layer == "curated" && var.pii_key_alias_name != null ? [{
          Sid       = "DerivePiiHashKey"
          Effect    = "Allow"
          Action    = ["kms:GenerateMac", "kms:DescribeKey"]
          Resource  = ["arn:${var.partition}:kms:${var.region}:${var.account_id}:key/*"]
          Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.pii_key_alias_name } }
        }] : [],
        # The analysts' reads on the topic tables the curated job creates (leanops.adapters.
        # table_grants): granting needs lakeformation:GrantPermissions (Lake Formation developer
        # guide, "IAM permissions required to grant or revoke Lake Formation permissions"), an action
        # with no resource type, so Resource "*" (Service Authorization Reference, "Actions,
        # resources, and condition keys for AWS Lake Formation"); what the role may grant is Lake
        # Formation's own rule: on the tables it created only ("Implicit Lake Formation permissions").
        layer == "curated" && length(var.analyst_grant_principals) > 0 ? [{
          Sid      = "GrantAnalystsReadOnCreatedTables"
          Effect   = "Allow"
          Action   = ["lakeformation:GrantPermissions"]
          Resource = ["*"]
        }] : [],
        var.kms_key_alias_name == null ? [] : [{
          Sid       = "UseKmsKeyThroughItsAlias"
          Effect    = "Allow"
          Action    = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
          Resource  = ["arn:${var.partition}:kms:${var.region}:${var.account_id}:key/*"]
          Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.kms_key_alias_name } }
        }]
      )
    })
  }
}
