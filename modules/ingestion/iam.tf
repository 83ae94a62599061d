################################################################################
# Firehose role (shared by the streams): the lake bucket's warehouse and error prefixes, the RAW
# tables, the transform Lambda
################################################################################

resource "aws_iam_role" "firehose" {
  count = local.create_firehose ? 1 : 0

  name = "${var.name_prefix}-firehose"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "firehose.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "sts:ExternalId" = var.account_id } }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "firehose" {
  count = local.create_firehose ? 1 : 0

  name   = "${var.name_prefix}-firehose"
  role   = aws_iam_role.firehose[0].id
  policy = local.firehose_policy
}

locals {
  firehose_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ListLakeBucket"
          Effect   = "Allow"
          Action   = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
          Resource = [coalesce(var.data_lake_bucket_arn, "arn:${var.partition}:s3:::unset")]
        },
        {
          Sid    = "WriteWarehouseAndErrors"
          Effect = "Allow"
          Action = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
          Resource = [
            "${coalesce(var.data_lake_bucket_arn, "arn:${var.partition}:s3:::unset")}/${var.warehouse_prefix}${var.raw_database_name}.db/*",
            "${coalesce(var.data_lake_bucket_arn, "arn:${var.partition}:s3:::unset")}/${var.firehose_errors_prefix}*",
          ]
        },
        {
          Sid      = "UpdateRawTables"
          Effect   = "Allow"
          Action   = ["glue:GetTable", "glue:UpdateTable", "glue:GetDatabase"]
          Resource = [local.glue_catalog_arn, local.raw_database_arn, local.raw_tables_arn_pattern]
        },
        {
          Sid      = "WriteDeliveryLogs"
          Effect   = "Allow"
          Action   = ["logs:PutLogEvents"]
          Resource = [local.stream_log_groups_arn]
        },
      ],
      var.kms_key_alias_name == null ? [] : [{
        Sid       = "UseKmsKeyThroughItsAlias"
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = ["arn:${var.partition}:kms:${var.region}:${var.account_id}:key/*"]
        Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.kms_key_alias_name } }
      }],
      var.enable_transform ? [{
        Sid      = "InvokeTransform"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"]
        Resource = [var.firehose_transform_function_arn, "${var.firehose_transform_function_arn}:*"]
      }] : []
    )
  })
}
