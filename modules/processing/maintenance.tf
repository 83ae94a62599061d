################################################################################
# Table maintenance job: compaction, snapshot expiry, orphan-file removal (all three databases)
#
# A Glue job rather than Glue's table optimizers (aws_glue_catalog_table_optimizer: compaction,
# retention, orphan_file_deletion): an optimizer is configured per existing table and cannot see
# the DynamoDB checkpoints, so its snapshot retention could expire the snapshot a layer's next
# incremental read starts from; and the standardized and curated tables are created by the jobs
# at their first run, so they do not exist when Terraform applies. See the module README.
################################################################################

locals {
  create_maintenance = local.create && var.maintenance_script_path != null
  maintenance_name   = "${var.name_prefix}-maintenance"
  # Every database holds tables to maintain: RAW (Firehose), standardized and curated (the jobs).
  maintained_databases = distinct(values(var.database_names))
  maintained_prefixes  = [for database in local.maintained_databases : "${var.warehouse_prefix}${database}.db/"]
  # Statements every job needs (logs, metrics, the key, alerts): taken from the curated job's
  # policy by Sid, so they are written once (iam.tf).
  maintenance_shared_sids = ["WriteJobLogs", "PublishGlueMetrics", "PublishAlerts", "UseKmsKeyThroughItsAlias"]
  maintenance_policy = local.create_maintenance ? jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          # Iceberg commits (rewrite, expire) swap the table's metadata location: UpdateTable.
          Sid      = "MaintainTables"
          Effect   = "Allow"
          Action   = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:UpdateTable"]
          Resource = concat([local.arn.glue_catalog], flatten([for database in local.maintained_databases : ["${local.arn.glue}:database/${database}", "${local.arn.glue}:table/${database}/*"]]))
        },
        {
          # remove_orphan_files lists the table locations.
          Sid       = "ListWarehouseAndTemp"
          Effect    = "Allow"
          Action    = ["s3:ListBucket"]
          Resource  = ["${local.arn.s3}${local.lake_bucket}", "${local.arn.s3}${local.assets_bucket}"]
          Condition = { StringLike = { "s3:prefix" = concat([for prefix in local.maintained_prefixes : "${prefix}*"], ["${local.temp_prefix}*", "${local.scripts_prefix}*", "${local.packages_prefix}*"]) } }
        },
        {
          # Compaction writes new files; expiry and orphan removal delete files: only inside the
          # warehouse prefixes of the three databases, nowhere else in the bucket.
          Sid      = "RewriteAndDeleteWarehouseFiles"
          Effect   = "Allow"
          Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
          Resource = concat([for prefix in local.maintained_prefixes : "${local.arn.s3}${local.lake_bucket}/${prefix}*"], ["${local.arn.s3}${local.assets_bucket}/${local.temp_prefix}*"])
        },
        {
          Sid      = "ReadCode"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = ["${local.arn.s3}${local.assets_bucket}/${local.scripts_prefix}*", "${local.arn.s3}${local.assets_bucket}/${local.packages_prefix}*"]
        },
      ],
      length(local.state_table_arns) == 0 ? [] : [{
        # Checkpoints read (the cut-off), topic and cycle locks taken and released.
        Sid      = "CheckpointsAndLocks"
        Effect   = "Allow"
        Action   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
        Resource = local.state_table_arns
      }],
      [for statement in jsondecode(local.job_policies["curated"]).Statement : statement if contains(local.maintenance_shared_sids, statement.Sid)],
    )
  }) : null
}

resource "aws_s3_object" "maintenance_script" {
  count = local.create_maintenance ? 1 : 0

  bucket      = var.glue_assets_bucket_name
  key         = "${local.scripts_prefix}${basename(var.maintenance_script_path)}"
  source      = var.maintenance_script_path
  source_hash = try(filemd5(var.maintenance_script_path), null)
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

resource "aws_iam_role" "maintenance" {
  count = local.create_maintenance ? 1 : 0

  name               = "${local.maintenance_name}-job"
  assume_role_policy = local.glue_trust_policy
  tags               = var.tags
}

resource "aws_iam_role_policy" "maintenance" {
  count = local.create_maintenance ? 1 : 0

  name   = "${local.maintenance_name}-job"
  role   = aws_iam_role.maintenance[0].id
  policy = local.maintenance_policy
}

resource "aws_glue_job" "maintenance" {
  count = local.create_maintenance ? 1 : 0

  name                   = local.maintenance_name
  description            = "Lean-Ops table maintenance: compaction, snapshot expiry (checkpoints kept), orphan files; topics from the RAW database"
  role_arn               = aws_iam_role.maintenance[0].arn
  glue_version           = var.glue_version
  worker_type            = var.worker_type
  number_of_workers      = var.number_of_workers
  timeout                = var.timeout_minutes
  max_retries            = 0
  security_configuration = aws_glue_security_configuration.this[0].name
  # The same arguments as the layer jobs (state tables, Spark catalog); the schedule adds the
  # maintenance ones (retention, cycle lock) per run.
  default_arguments = local.default_arguments

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${local.assets_bucket}/${aws_s3_object.maintenance_script[0].key}"
  }

  # One maintenance run at a time: a second would only wait for the same locks.
  execution_property {
    max_concurrent_runs = 1
  }

  tags = merge(var.tags, { "leanops:layer" = "maintenance" })

  depends_on = [aws_s3_object.package, aws_s3_object.wheel]

  lifecycle {
    precondition {
      condition     = var.checkpoint_table_name != null && var.lock_table_name != null
      error_message = "Job ${local.maintenance_name} needs checkpoint_table_name and lock_table_name: snapshot expiry must read the checkpoints and take the topic locks."
    }
  }
}
