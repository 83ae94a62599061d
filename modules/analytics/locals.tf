locals {
  create = var.create

  schemas_dir        = coalesce(var.schemas_dir, "${path.root}/schemas")
  semantic_views_dir = coalesce(var.semantic_views_dir, "${path.root}/semantic/views")
  tables             = jsondecode(file("${local.schemas_dir}/tables.json"))
  databases          = local.tables.databases

  # database.table of every table the queries read, from tables.json (one truth).
  table_ids = {
    for kind, table in local.tables.tables : kind => "${local.databases[table.database]}.${table.name}" if !table.per_topic
  }
  per_topic_database = { for kind, table in local.tables.tables : kind => local.databases[table.database] if table.per_topic }
  table_columns = {
    for kind, table in local.tables.tables : kind => toset(
      can(table.columns) ? [for column in table.columns : column.name] : keys(jsondecode(file("${local.schemas_dir}/${table.columns_from}")).properties)
    )
  }

  results_location = var.results_bucket_name == null ? null : "s3://${var.results_bucket_name}/${var.results_prefix}"

  # Semantic layer: views/<name>.sql holds one SELECT; its named query (re)creates semantic.<name>.
  semantic_views = local.create ? {
    for file in fileset(local.semantic_views_dir, "*.sql") : lower(trimsuffix(file, ".sql")) => trimsuffix(trimspace(file("${local.semantic_views_dir}/${file}")), ";")
  } : {}
}
