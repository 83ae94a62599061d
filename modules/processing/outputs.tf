output "job_names" {
  description = "Layer (standardized, curated) -> Glue job name."
  value       = { for layer, job in aws_glue_job.this : layer => job.name }
}

output "job_names_static" {
  description = "Layer -> Glue job name built from the inputs (no dependency on the resources; breaks cycles)."
  value       = { for layer, job in local.jobs : layer => job.name }
}

output "job_arns" {
  description = "Layer -> Glue job ARN."
  value       = { for layer, job in aws_glue_job.this : layer => job.arn }
}

output "standardized_job_name" {
  description = "Name of the standardized Glue job."
  value       = try(local.jobs["standardized"].name, null)
}

output "curated_job_name" {
  description = "Name of the curated Glue job."
  value       = try(local.jobs["curated"].name, null)
}

output "role_arns" {
  description = "Layer -> ARN of its job's IAM role."
  value       = { for layer, role in aws_iam_role.this : layer => role.arn }
}

output "security_configuration_name" {
  description = "Name of the Glue security configuration of the jobs."
  value       = try(aws_glue_security_configuration.this[0].name, null)
}

output "default_arguments" {
  description = "Default arguments shared by both jobs (LEANOPS_TOPICS comes per run)."
  value       = local.create ? local.default_arguments : {}
}

output "script_locations" {
  description = "Layer -> s3:// URI of its entry script."
  value       = { for layer, object in aws_s3_object.script : layer => "s3://${object.bucket}/${object.key}" }
}

output "maintenance_job_name" {
  description = "Name of the table maintenance Glue job (null when maintenance_script_path is null)."
  value       = local.create_maintenance ? local.maintenance_name : null
}

output "maintenance_job_arn" {
  description = "ARN of the table maintenance Glue job."
  value       = try(aws_glue_job.maintenance[0].arn, null)
}

output "maintenance_role_arn" {
  description = "ARN of the maintenance job's IAM role."
  value       = try(aws_iam_role.maintenance[0].arn, null)
}
