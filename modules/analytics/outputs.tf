output "workgroup_name" {
  description = "Name of the Athena workgroup analysts use."
  value       = try(aws_athena_workgroup.this[0].name, null)
}

output "workgroup_arn" {
  description = "ARN of the Athena workgroup."
  value       = try(aws_athena_workgroup.this[0].arn, null)
}

output "results_location" {
  description = "S3 URI where the workgroup writes query results."
  value       = local.create ? local.results_location : null
}

output "named_query_ids" {
  description = "Named query name -> id (the operational queries and one per semantic view)."
  value       = { for name, query in aws_athena_named_query.this : name => query.id }
}

output "semantic_database_name" {
  description = "Name of the Glue database holding the semantic views."
  value       = try(aws_glue_catalog_database.semantic[0].name, null)
}

output "semantic_view_names" {
  description = "Names of the semantic views found in semantic_views_dir (without .sql)."
  value       = local.create ? sort(keys(local.semantic_views)) : []
}

output "semantic_view_statements" {
  description = "Semantic view name -> its idempotent CREATE OR REPLACE VIEW statement (the orchestration module runs them after every cycle with work; a view whose curated tables do not exist yet fails and is created by a later cycle)."
  value       = { for name, query in local.semantic_view_queries : trimprefix(name, "semantic_") => query.query }
}

output "analyst_policy_arn" {
  description = "ARN of the analysts' IAM managed policy (attach it to their roles, groups or users): the workgroup, curated topic tables and semantic views; raw, standardized and error tables denied."
  value       = try(aws_iam_policy.analyst[0].arn, null)
}

output "analyst_databases" {
  description = "Databases analysts read (schemas/tables.json analyst_access): curated (without its errors table) and semantic."
  value       = local.create ? local.analyst_databases : []
}

output "analyst_denied_shared_tables" {
  description = "Database name -> the shared tables of that analyst database analysts may not read (schemas/tables.json analyst_access: curated errors). Other readers of those databases (modules/snowflake_access) deny the same tables."
  value       = { for database in distinct([for table in values(local.denied_shared_tables) : table.database]) : database => sort([for table in values(local.denied_shared_tables) : table.name if table.database == database]) }
}
