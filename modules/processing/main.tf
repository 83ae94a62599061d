################################################################################
# Code: entry scripts and the shared package, uploaded to the Glue assets bucket
################################################################################

resource "aws_s3_object" "script" {
  for_each = local.jobs

  bucket      = var.glue_assets_bucket_name
  key         = "${local.scripts_prefix}${basename(each.value.script_path)}"
  source      = each.value.script_path
  source_hash = try(filemd5(each.value.script_path), null)
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

resource "aws_s3_object" "package" {
  count = local.create ? 1 : 0

  bucket      = var.glue_assets_bucket_name
  key         = local.package_key
  source      = var.package_path
  source_hash = try(filemd5(var.package_path), null)
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

resource "aws_s3_object" "wheel" {
  for_each = local.create ? local.wheel_keys : {}

  bucket      = var.glue_assets_bucket_name
  key         = each.value
  source      = each.key
  source_hash = try(filemd5(each.key), null)
  kms_key_id  = var.kms_key_arn
  tags        = var.tags
}

################################################################################
# Security configuration: S3 output, CloudWatch logs and bookmarks encrypted with the key
################################################################################

resource "aws_glue_security_configuration" "this" {
  count = local.create ? 1 : 0

  #checkov:skip=CKV_AWS_99:All three encryptions are on; checkov fails them only because the key ARN is unknown in the plan.

  name = "${var.name_prefix}-jobs"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}

################################################################################
# Jobs: standardized and curated (Glue 5.0, Iceberg on the Glue Data Catalog)
################################################################################

resource "aws_glue_job" "this" {
  for_each = local.jobs

  name                   = each.value.name
  description            = "Lean-Ops ${each.key} layer: ${each.value.reads} -> ${each.value.writes}; topics per run in --LEANOPS_TOPICS"
  role_arn               = aws_iam_role.this[each.key].arn
  glue_version           = var.glue_version
  worker_type            = var.worker_type
  number_of_workers      = var.number_of_workers
  timeout                = var.timeout_minutes
  max_retries            = 0
  security_configuration = aws_glue_security_configuration.this[0].name
  default_arguments      = merge(local.default_arguments, local.job_arguments[each.key])

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${local.assets_bucket}/${aws_s3_object.script[each.key].key}"
  }

  execution_property {
    max_concurrent_runs = var.max_concurrent_runs
  }

  tags = merge(var.tags, { "leanops:layer" = each.key })

  # The code must be in place before a run can start.
  depends_on = [aws_s3_object.package, aws_s3_object.wheel]

  lifecycle {
    precondition {
      condition     = var.data_lake_bucket_name != null && var.glue_assets_bucket_name != null && var.schemas_bucket_name != null
      error_message = "Job ${each.value.name} needs data_lake_bucket_name, glue_assets_bucket_name and schemas_bucket_name."
    }
    precondition {
      condition     = var.checkpoint_table_name != null && var.lock_table_name != null
      error_message = "Job ${each.value.name} needs checkpoint_table_name and lock_table_name (LEANOPS_CHECKPOINT_TABLE, LEANOPS_LOCK_TABLE)."
    }
  }
}
