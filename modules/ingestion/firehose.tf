################################################################################
# Firehose: firehose_stream_count streams sharing the topics, routed by firehose_transform to the
# RAW Iceberg tables. One Direct PUT stream takes at most 5 MiB/s (us-east-1, us-west-2, eu-west-1)
# or 1 MiB/s (other Regions): Amazon Data Firehose developer guide, "Amazon Data Firehose Quota".
################################################################################

resource "aws_kinesis_firehose_delivery_stream" "this" {
  count = local.create_firehose ? var.firehose_stream_count : 0

  name        = local.stream_names[count.index]
  destination = "iceberg"

  server_side_encryption {
    enabled  = true
    key_type = "CUSTOMER_MANAGED_CMK"
    key_arn  = var.kms_key_arn
  }

  iceberg_configuration {
    role_arn           = aws_iam_role.firehose[0].arn
    catalog_arn        = local.glue_catalog_arn
    buffering_size     = var.firehose_buffering_size_mb
    buffering_interval = var.firehose_buffering_interval_seconds
    retry_duration     = var.firehose_retry_duration_seconds
    s3_backup_mode     = "FailedDataOnly"

    s3_configuration {
      role_arn            = aws_iam_role.firehose[0].arn
      bucket_arn          = var.data_lake_bucket_arn
      error_output_prefix = var.firehose_errors_prefix
      kms_key_arn         = var.kms_key_arn
      compression_format  = "GZIP"
    }

    dynamic "processing_configuration" {
      for_each = var.enable_transform ? [var.firehose_transform_function_arn] : []

      content {
        enabled = true

        processors {
          type = "Lambda"

          parameters {
            parameter_name  = "LambdaArn"
            parameter_value = processing_configuration.value
          }
          parameters {
            parameter_name  = "BufferSizeInMBs"
            parameter_value = tostring(var.transform_buffer_size_mb)
          }
          parameters {
            parameter_name  = "BufferIntervalInSeconds"
            parameter_value = tostring(var.transform_buffer_interval_seconds)
          }
        }
      }
    }

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.firehose[count.index].name
      log_stream_name = aws_cloudwatch_log_stream.firehose[count.index].name
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !var.enable_transform || var.firehose_transform_function_arn != null
      error_message = "enable_transform is true but firehose_transform_function_arn is not set: Firehose would have no Lambda to route records to RAW tables."
    }
    precondition {
      condition     = var.data_lake_bucket_arn != null && var.kms_key_arn != null
      error_message = "The Firehose stream needs data_lake_bucket_arn (error output) and kms_key_arn (encryption)."
    }
  }

  # The role may invoke the transform before the stream exists; the transform itself comes first
  # through firehose_transform_function_arn (the root passes the compute module's ARN, which
  # depends on the function).
  depends_on = [aws_iam_role_policy.firehose]
}

resource "aws_cloudwatch_log_group" "firehose" {
  count = local.create_firehose ? var.firehose_stream_count : 0

  #checkov:skip=CKV_AWS_158:The key ARN is computed (unknown in the plan); kms_key_id is the stack key (see the module README and tests).
  #checkov:skip=CKV_AWS_338:Retention is an environment choice (log_retention_days); prod keeps a year, dev less to save cost.
  name              = local.stream_log_groups[count.index]
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_log_stream" "firehose" {
  count = local.create_firehose ? var.firehose_stream_count : 0

  name           = local.stream_log_stream
  log_group_name = aws_cloudwatch_log_group.firehose[count.index].name
}
