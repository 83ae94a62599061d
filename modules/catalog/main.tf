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
# Iceberg tables Firehose writes: RAW per topic and dlq_errors (tables.json created_by = terraform)
################################################################################

# Why these tables, and why they are what they are (docs/DESIGN_NOTES.md, "Who creates which table"):
# * Firehose's Iceberg destination writes into existing Glue tables: it creates none for a Direct
#   PUT stream (Amazon Data Firehose developer guide, "Prerequisites to use Apache Iceberg Tables as
#   a destination": "You can use AWS Glue to create Apache Iceberg Tables"; automatic table
#   creation exists only for database sources, "Configure destination settings"). So Terraform
#   creates the tables Firehose writes, before the stream (root main.tf depends_on).
# * Glue CreateTable with OpenTableFormatInput.IcebergInput (MetadataOperation "CREATE", the only
#   value; AWS Glue API, "IcebergInput") builds the Iceberg schema from storage_descriptor's Glue
#   columns. Glue has one timestamp type: Glue "timestamp" becomes Iceberg timestamp WITHOUT zone
#   (Athena user guide, "Supported data types for Iceberg tables in Athena": only timestamp without
#   zone is created by Iceberg DDL), every field is optional, and there is no partition spec (the
#   AWS provider 5.100 does not expose CreateIcebergTableInput's Schema/PartitionSpec). Firehose
#   sends timestamps as epoch microseconds ("Understand supported data types"), UTC by the
#   envelope's definition; the jobs read them as UTC instants (leanops.jobs.iceberg_io).
# * The tables the jobs write (standardized, curated, parse_errors, errors, drift_log) are created
#   by the jobs' own DDL (leanops.adapters.iceberg_ddl) with timestamptz and their partitioning.
# * Create-only: after CreateTable the table's Iceberg metadata belongs to its writers. Any
#   Terraform update of aws_glue_catalog_table (even a description) is GetTable + UpdateTable with
#   the parameters (metadata_location) Terraform read at refresh, so it can roll back a Firehose
#   commit made in between. ignore_changes = all: no Terraform update ever touches a live table;
#   change a description or schema with ALTER TABLE through Iceberg instead.

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

    # Create-only (see above): never an UpdateTable of a live Iceberg table.
    ignore_changes = all

    precondition {
      condition     = local.envelope_order_is_sound
      error_message = "Could not read the column order of events.json properties (found ${jsonencode(local.envelope_order_in_text)}, expected the keys ${jsonencode(sort(keys(local.envelope.properties)))})."
    }

    precondition {
      condition     = alltrue([for column in local.created_iceberg_columns[each.value.kind] : !startswith(column.type, local.unsupported_type_marker)])
      error_message = "Table ${each.value.database}.${each.value.name} has Glue column types with no Iceberg type in tables.json glue_catalog_types.glue_to_iceberg: ${join(", ", [for column in local.created_iceberg_columns[each.value.kind] : "${column.name} (${trimprefix(column.type, local.unsupported_type_marker)})" if startswith(column.type, local.unsupported_type_marker)])}."
    }

    precondition {
      condition     = alltrue([for column in local.table_columns[each.value.kind] : !startswith(column.type, local.unsupported_type_marker)])
      error_message = "Table ${each.value.database}.${each.value.name} has column types without a Glue equivalent: ${join(", ", [for column in local.table_columns[each.value.kind] : "${column.name} (${trimprefix(column.type, local.unsupported_type_marker)})" if startswith(column.type, local.unsupported_type_marker)])}."
    }
  }
}
