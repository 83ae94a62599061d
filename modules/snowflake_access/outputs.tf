output "role_arn" {
  description = "ARN of the role Snowflake assumes (GLUE_AWS_ROLE_ARN and STORAGE_AWS_ROLE_ARN); null when not created."
  value       = try(aws_iam_role.this[0].arn, null)
}

output "role_name" {
  description = "Name of the role Snowflake assumes; null when not created."
  value       = try(aws_iam_role.this[0].name, null)
}

output "storage_base_url" {
  description = "STORAGE_BASE_URL of the Snowflake external volume: the curated tables' prefix."
  value       = "s3://${coalesce(var.data_lake_bucket_name, "unset-lake-bucket")}/${local.curated_prefix}"
}

output "glue_catalog_id" {
  description = "GLUE_CATALOG_ID of the Snowflake catalog integration."
  value       = var.account_id
}
