output "database_names" {
  description = "Layer (raw, standardized, curated) -> Glue database name."
  value       = { for layer, database in aws_glue_catalog_database.this : layer => database.name }
}

output "database_arns" {
  description = "Layer -> Glue database ARN."
  value       = { for layer, database in aws_glue_catalog_database.this : layer => database.arn }
}

output "table_names" {
  description = "Table key (shared kind, or <kind>/<topic>) -> database.table as Athena names it."
  value       = { for key, table in aws_glue_catalog_table.this : key => "${table.database_name}.${table.name}" }
}

output "table_arns" {
  description = "Table key -> Glue table ARN."
  value       = { for key, table in aws_glue_catalog_table.this : key => table.arn }
}

output "raw_table_names" {
  description = "Names (without database) of the tables in the RAW database this module creates: what Firehose writes."
  value       = [for key, table in local.catalog_tables : table.name if table.database == local.databases["raw"]]
}

output "table_columns" {
  description = "Table kind -> its columns (name, Glue type, comment) as created from tables.json / events.json."
  value       = local.table_columns
}

output "created_table_kinds" {
  description = "Table kinds this module creates (tables.json created_by = terraform): the tables Firehose writes. The jobs create the others."
  value       = local.terraform_kinds
}

output "created_iceberg_columns" {
  description = "Table kind -> its columns (name, Iceberg type) as Glue's Iceberg CreateTable makes them from the Glue types (timestamps without zone)."
  value       = { for kind, columns in local.created_iceberg_columns : kind => columns if contains(local.terraform_kinds, kind) }
}

output "catalog_name" {
  description = "Spark catalog name of the Glue Data Catalog in the jobs (tables.json catalog_name)."
  value       = local.tables.catalog_name
}
