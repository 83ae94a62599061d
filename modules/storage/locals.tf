locals {
  create = var.create

  # Buckets encrypted with the module's KMS key and logged to the access-log bucket. Each carries
  # its own expiration rules (prefix -> days) on top of the common noncurrent/multipart rules.
  kms_buckets = {
    data_lake = {
      suffix = "lake"
      expirations = {
        firehose-errors = { prefix = var.firehose_errors_prefix, days = var.firehose_errors_expiration_days }
      }
    }
    schemas = {
      suffix      = "schemas"
      expirations = {}
    }
    glue_assets = {
      suffix = "glue-assets"
      expirations = {
        glue-temp = { prefix = "tmp/", days = var.glue_temp_expiration_days }
      }
    }
    athena_results = {
      suffix = "athena-results"
      expirations = {
        athena-results = { prefix = "", days = var.athena_results_expiration_days }
      }
    }
  }

  access_logs_key  = "access_logs"
  bucket_names     = { for key, bucket in local.kms_buckets : key => "${var.name_prefix}-${bucket.suffix}-${var.account_id}" }
  access_logs_name = "${var.name_prefix}-access-logs-${var.account_id}"

  all_bucket_names = merge(local.bucket_names, { (local.access_logs_key) = local.access_logs_name })
  buckets_to_make  = local.create ? local.all_bucket_names : {}
  kms_buckets_made = local.create ? local.bucket_names : {}

  kms_alias_name   = "alias/${var.name_prefix}"
  account_root_arn = "arn:${var.partition}:iam::${var.account_id}:root"
}
