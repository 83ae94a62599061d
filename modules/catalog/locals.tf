locals {
  create = var.create

  tables    = jsondecode(var.tables_json)
  envelope  = jsondecode(var.envelope_json)
  databases = local.tables.databases

  # Iceberg primitive type (tables.json, events.json x-iceberg-type) -> Glue/Athena column type:
  # the one mapping of tables.json glue_catalog_types (leanops.adapters.iceberg_ddl reads the same).
  # Glue has one timestamp type, so timestamptz and timestamp both become Glue "timestamp", which
  # Glue's Iceberg CreateTable turns into Iceberg timestamp without zone (see main.tf).
  iceberg_to_glue_types   = local.tables.glue_catalog_types.iceberg_to_glue
  glue_to_iceberg_types   = local.tables.glue_catalog_types.glue_to_iceberg
  unsupported_type_marker = "UNSUPPORTED:"

  # jsondecode() orders object keys alphabetically; the envelope's column order is its file order,
  # so it is read from the text of "properties" (each property is a flat object: `"name": {`).
  envelope_properties_text = element(split("\"properties\"", var.envelope_json), length(split("\"properties\"", var.envelope_json)) - 1)
  envelope_order_in_text   = [for match in regexall("\"([A-Za-z_][A-Za-z0-9_]*)\"\\s*:\\s*\\{", local.envelope_properties_text) : match[0]]
  envelope_order_is_sound  = sort(local.envelope_order_in_text) == sort(keys(local.envelope.properties))
  envelope_column_names    = local.envelope_order_is_sound ? local.envelope_order_in_text : sort(keys(local.envelope.properties))

  envelope_columns = [
    for name in local.envelope_column_names : {
      name    = name
      type    = local.envelope.properties[name]["x-iceberg-type"]
      comment = try(local.envelope.properties[name].description, "")
    }
  ]

  table_columns = {
    for kind, spec in local.tables.tables : kind => [
      for column in(try(spec.columns_from, null) == "events.json" ? local.envelope_columns : [
        for column in try(spec.columns, []) : { name = column.name, type = column.type, comment = try(column.comment, "") }
        ]) : {
        name    = column.name
        comment = column.comment
        type    = startswith(column.type, "decimal(") ? replace(column.type, " ", "") : lookup(local.iceberg_to_glue_types, column.type, "${local.unsupported_type_marker}${column.type}")
      }
    ]
  }

  # Iceberg type of each column as Glue creates it from the Glue type (what Firehose and the jobs see).
  created_iceberg_columns = {
    for kind, columns in local.table_columns : kind => [
      for column in columns : {
        name = column.name
        type = startswith(column.type, "decimal(") ? column.type : lookup(local.glue_to_iceberg_types, column.type, "${local.unsupported_type_marker}${column.type}")
      }
    ]
  }

  # One creator per table (tables.json created_by): this module creates the tables Firehose writes
  # (RAW per topic, dlq_errors); the jobs' own DDL creates the others, in AWS and locally alike.
  terraform_kinds = [for kind, spec in local.tables.tables : kind if try(spec.created_by, "") == "terraform"]

  shared_tables = {
    for kind, spec in local.tables.tables : kind => {
      kind     = kind
      database = local.databases[spec.database]
      name     = spec.name
    } if !spec.per_topic && contains(local.terraform_kinds, kind)
  }

  per_topic_kinds = [for kind in local.terraform_kinds : kind if local.tables.tables[kind].per_topic]

  per_topic_tables = {
    for pair in setproduct(local.per_topic_kinds, var.topics) : "${pair[0]}/${pair[1]}" => {
      kind     = pair[0]
      database = local.databases[local.tables.tables[pair[0]].database]
      name     = replace(local.tables.tables[pair[0]].name, "{topic}", pair[1])
    }
  }

  catalog_tables = local.create ? merge(local.shared_tables, local.per_topic_tables) : {}
  warehouse_uri  = "s3://${coalesce(var.data_lake_bucket_name, "unset")}/${var.warehouse_prefix}"
}
