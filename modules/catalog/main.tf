################################################################################
# Glue databases (tables.json databases)
################################################################################

resource "aws_glue_catalog_database" "this" {
  for_each = local.create ? local.databases : {}

  name         = each.value
  catalog_id   = var.account_id
  description  = "Lean-Ops ${each.key} layer (Iceberg tables)"
  location_uri = "${local.warehouse_uri}${each.value}.db"
  tags         = var.tags
}

################################################################################
# Iceberg tables: RAW per topic and the shared error / drift tables
################################################################################

resource "aws_glue_catalog_table" "this" {
  for_each = local.catalog_tables

  catalog_id    = var.account_id
  database_name = aws_glue_catalog_database.this[local.tables.tables[each.value.kind].database].name
  name          = each.value.name
  description   = local.tables.tables[each.value.kind].description
  table_type    = "EXTERNAL_TABLE"

  open_table_format_input {
    iceberg_input {
      metadata_operation = "CREATE"
      version            = "2"
    }
  }

  storage_descriptor {
    location = "${local.warehouse_uri}${each.value.database}.db/${each.value.name}"

    dynamic "columns" {
      for_each = local.table_columns[each.value.kind]

      content {
        name    = columns.value.name
        type    = columns.value.type
        comment = columns.value.comment
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.data_lake_bucket_name != null
      error_message = "data_lake_bucket_name is required: the tables live in the data lake bucket's warehouse."
    }

    # After creation the Iceberg metadata owns the schema: Firehose and the jobs commit snapshots
    # (metadata_location changes) and evolve columns/partitions with ALTER TABLE.
    ignore_changes = [parameters, storage_descriptor, open_table_format_input, table_type]

    precondition {
      condition     = local.envelope_order_is_sound
      error_message = "Could not read the column order of events.json properties (found ${jsonencode(local.envelope_order_in_text)}, expected the keys ${jsonencode(sort(keys(local.envelope.properties)))})."
    }

    precondition {
      condition     = alltrue([for column in local.table_columns[each.value.kind] : !startswith(column.type, local.unsupported_type_marker)])
      error_message = "Table ${each.value.database}.${each.value.name} has column types without a Glue equivalent: ${join(", ", [for column in local.table_columns[each.value.kind] : "${column.name} (${trimprefix(column.type, local.unsupported_type_marker)})" if startswith(column.type, local.unsupported_type_marker)])}."
    }
  }
}
