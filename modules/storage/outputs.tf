################################################################################
# KMS
################################################################################

output "kms_key_arn" {
  description = "ARN of the pipeline's customer managed KMS key."
  value       = try(aws_kms_key.this[0].arn, null)
}

output "kms_key_id" {
  description = "Id of the pipeline's customer managed KMS key."
  value       = try(aws_kms_key.this[0].key_id, null)
}

output "kms_alias_name" {
  description = "Alias of the pipeline's KMS key (known at plan time: IAM statements name the key through it)."
  value       = local.create ? local.kms_alias_name : null
}

output "replay_key_arn" {
  description = "ARN of the HMAC KMS key that signs DLQ replays (sqs_processor: kms:VerifyMac; operators: kms:GenerateMac)."
  value       = try(aws_kms_key.replay[0].arn, null)
}

output "replay_key_id" {
  description = "Id of the replay HMAC key (sqs_processor's LEANOPS_REPLAY_KEY_ID)."
  value       = try(aws_kms_key.replay[0].key_id, null)
}

output "replay_key_alias_name" {
  description = "Alias of the replay HMAC key (known at plan time: IAM statements name the key through it)."
  value       = local.create ? local.replay_key_alias_name : null
}

output "pii_key_arn" {
  description = "ARN of the HMAC KMS key the curated job derives the key of pii hash fields from (kms:GenerateMac)."
  value       = try(aws_kms_key.pii[0].arn, null)
}

output "pii_key_id" {
  description = "Id of the PII HMAC key."
  value       = try(aws_kms_key.pii[0].key_id, null)
}

output "pii_key_alias_name" {
  description = "Alias of the PII HMAC key (known at plan time: the curated job's LEANOPS_PII_KEY_ID and its IAM statement name the key through it)."
  value       = local.create ? local.pii_key_alias_name : null
}

################################################################################
# Buckets
################################################################################

output "bucket_names" {
  description = "Bucket role (data_lake, schemas, glue_assets, athena_results, access_logs) -> bucket name."
  value       = { for key, bucket in aws_s3_bucket.this : key => bucket.id }
}

output "bucket_arns" {
  description = "Bucket role -> bucket ARN."
  value       = { for key, bucket in aws_s3_bucket.this : key => bucket.arn }
}

output "bucket_names_static" {
  description = "Bucket role -> bucket name built from the inputs (no dependency on the resources; breaks cycles)."
  value       = local.create ? local.all_bucket_names : {}
}

output "data_lake_bucket_name" {
  description = "Name of the data lake bucket (Iceberg warehouse and Firehose errors)."
  value       = try(aws_s3_bucket.this["data_lake"].id, null)
}

output "data_lake_bucket_arn" {
  description = "ARN of the data lake bucket."
  value       = try(aws_s3_bucket.this["data_lake"].arn, null)
}

output "warehouse_uri" {
  description = "s3:// URI of the Iceberg warehouse (spark.sql.catalog.<catalog>.warehouse)."
  value       = local.create ? "s3://${local.bucket_names["data_lake"]}/${var.warehouse_prefix}" : null
}

output "warehouse_prefix" {
  description = "Prefix of the Iceberg warehouse in the data lake bucket."
  value       = var.warehouse_prefix
}

output "firehose_errors_prefix" {
  description = "Prefix of the records Firehose could not deliver, in the data lake bucket."
  value       = var.firehose_errors_prefix
}

output "schemas_bucket_name" {
  description = "Name of the schemas bucket (topic contracts)."
  value       = try(aws_s3_bucket.this["schemas"].id, null)
}

output "schemas_bucket_arn" {
  description = "ARN of the schemas bucket."
  value       = try(aws_s3_bucket.this["schemas"].arn, null)
}

output "contracts_prefix" {
  description = "Prefix of the topic contracts in the schemas bucket."
  value       = var.contracts_prefix
}

output "contracts_uri" {
  description = "s3:// URI of the topic contracts (LEANOPS_CONTRACTS_URI): a topic's gate opens when <uri><topic>.json exists."
  value       = local.create ? "s3://${local.bucket_names["schemas"]}/${var.contracts_prefix}" : null
}

output "glue_assets_bucket_name" {
  description = "Name of the Glue assets bucket (job scripts, the leanops package, temporary files)."
  value       = try(aws_s3_bucket.this["glue_assets"].id, null)
}

output "glue_assets_bucket_arn" {
  description = "ARN of the Glue assets bucket."
  value       = try(aws_s3_bucket.this["glue_assets"].arn, null)
}

output "athena_results_bucket_name" {
  description = "Name of the Athena query results bucket."
  value       = try(aws_s3_bucket.this["athena_results"].id, null)
}

output "athena_results_bucket_arn" {
  description = "ARN of the Athena query results bucket."
  value       = try(aws_s3_bucket.this["athena_results"].arn, null)
}

output "access_logs_bucket_name" {
  description = "Name of the S3 server access log bucket."
  value       = try(aws_s3_bucket.this[local.access_logs_key].id, null)
}
