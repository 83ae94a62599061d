################################################################################
# A read-only IAM role for Snowflake: the Glue catalog integration and the external volume of
# the curated Iceberg tables. Snowflake's docs: "Configure a catalog integration for AWS Glue"
# (glue:GetTable, glue:GetTables on the catalog, the database and its tables) and "Configure an
# external volume for Amazon S3" (s3:GetObject, s3:GetObjectVersion on the table prefix,
# s3:ListBucket + s3:GetBucketLocation on the bucket). Externally managed Iceberg tables are
# read-only in Snowflake, so no write action is granted.
################################################################################

locals {
  create          = var.create && var.snowflake_principal_arn != null && length(var.external_ids) > 0
  curated_prefix  = "${var.warehouse_prefix}${var.curated_database_name}.db/"
  bucket_arn      = "arn:${var.partition}:s3:::${coalesce(var.data_lake_bucket_name, "unset-lake-bucket")}"
  glue_arn_prefix = "arn:${var.partition}:glue:${var.region}:${var.account_id}"
}

# Policies are built with jsonencode (not aws_iam_policy_document), as in the other modules, so
# terraform test can read them under a mocked provider.
locals {
  trust_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SnowflakeWithItsExternalIds"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = var.snowflake_principal_arn }
      Condition = { StringEquals = { "sts:ExternalId" = var.external_ids } }
    }]
  })

  read_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid    = "GlueCatalogCuratedTables"
        Effect = "Allow"
        Action = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables"]
        Resource = [
          "${local.glue_arn_prefix}:catalog",
          "${local.glue_arn_prefix}:database/${var.curated_database_name}",
          "${local.glue_arn_prefix}:table/${var.curated_database_name}/*",
        ]
      },
      {
        Sid      = "CuratedDataAndMetadataFiles"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = ["${local.bucket_arn}/${local.curated_prefix}*"]
      },
      {
        Sid       = "ListCuratedPrefix"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [local.bucket_arn]
        Condition = { StringLike = { "s3:prefix" = ["${local.curated_prefix}*"] } }
      },
      {
        Sid      = "BucketLocation"
        Effect   = "Allow"
        Action   = ["s3:GetBucketLocation"]
        Resource = [local.bucket_arn]
      },
      ], length(var.denied_table_names) == 0 ? [] : [
      # An explicit Deny wins over every Allow (IAM user guide, "Policy evaluation logic"): the
      # error tables stay closed even if a broader policy is attached to the role later.
      {
        Sid    = "DenyErrorTables"
        Effect = "Deny"
        # Every catalog read of a table, as the Athena analyst policy denies (analyst_access.tf).
        Action   = ["glue:GetTable", "glue:GetTables", "glue:GetTableVersion", "glue:GetTableVersions", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:SearchTables", "glue:GetColumnStatisticsForTable"]
        Resource = [for name in var.denied_table_names : "${local.glue_arn_prefix}:table/${var.curated_database_name}/${name}"]
      },
      {
        Sid      = "DenyErrorTableFiles"
        Effect   = "Deny"
        Action   = ["s3:GetObject", "s3:GetObjectVersion"]
        Resource = [for name in var.denied_table_names : "${local.bucket_arn}/${local.curated_prefix}${name}/*"]
      },
      ], var.kms_key_alias_name == null ? [] : [{
        # By alias (kms:ResourceAliases), as the other roles: the key ARN is unknown at plan time.
        Sid      = "DecryptThroughS3Only"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = ["arn:${var.partition}:kms:${var.region}:${var.account_id}:key/*"]
        Condition = {
          "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.kms_key_alias_name }
          StringEquals               = { "kms:ViaService" = "s3.${var.region}.amazonaws.com" }
        }
    }])
  })
}

resource "aws_iam_role" "this" {
  count = local.create ? 1 : 0

  name                 = "${var.name_prefix}-snowflake-reader"
  description          = "Snowflake reads the curated Iceberg tables (Glue catalog integration + external volume); read-only."
  assume_role_policy   = local.trust_policy
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "read_curated" {
  count = local.create ? 1 : 0

  name   = "read-curated"
  role   = aws_iam_role.this[0].id
  policy = local.read_policy
}
