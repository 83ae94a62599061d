################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to create the Glue databases and tables (set false to disable the whole module)."
  type        = bool
  default     = true
}

variable "account_id" {
  description = "AWS account id (12 digits): the Glue Data Catalog id."
  type        = string
  default     = "000000000000"

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits."
  }
}

variable "tags" {
  description = "Extra tags for this module's resources (common tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}

################################################################################
# The one definition (schemas/tables.json, schemas/events.json)
################################################################################

variable "tables_json" {
  description = "Text of schemas/tables.json: databases, tables and their columns. Pass file(\"<root>/schemas/tables.json\")."
  type        = string

  validation {
    condition     = can(jsondecode(var.tables_json).databases) && can(jsondecode(var.tables_json).tables)
    error_message = "tables_json must be the text of schemas/tables.json (a JSON object with \"databases\" and \"tables\")."
  }

  validation {
    condition     = can(jsondecode(var.tables_json).glue_catalog_types.iceberg_to_glue) && can(jsondecode(var.tables_json).glue_catalog_types.glue_to_iceberg)
    error_message = "tables_json needs glue_catalog_types.iceberg_to_glue and glue_to_iceberg: the one Iceberg <-> Glue type mapping (Glue has a single timestamp type)."
  }

  validation {
    condition     = alltrue([for kind, spec in try(jsondecode(var.tables_json).tables, {}) : contains(["terraform", "jobs"], try(spec.created_by, ""))])
    error_message = "Every table of tables_json needs created_by \"terraform\" (Firehose writes it, and Firehose's Iceberg destination does not create tables) or \"jobs\" (the Glue jobs' DDL creates it): one creator per table, the same in AWS and locally."
  }

  validation {
    condition     = alltrue([for kind, spec in try(jsondecode(var.tables_json).tables, {}) : length(try(spec.partition_by, [])) == 0 if try(spec.created_by, "") == "terraform"])
    error_message = "A table with created_by \"terraform\" must have partition_by []: Glue CreateTable's Iceberg input in the AWS provider 5.100 (open_table_format_input.iceberg_input: metadata_operation and version only) takes no partition spec. Partition a table the jobs create instead."
  }
}

variable "envelope_json" {
  description = "Text of schemas/events.json: the envelope, whose properties (in file order) are the RAW columns. Pass file(\"<root>/schemas/events.json\")."
  type        = string

  validation {
    condition     = can(jsondecode(var.envelope_json).properties)
    error_message = "envelope_json must be the text of schemas/events.json (a JSON Schema with \"properties\")."
  }
}

variable "topics" {
  description = "Topic names: each gets its RAW table (the per-topic tables tables.json says Terraform creates; validated where topics are declared)."
  type        = list(string)
  default     = []
}

################################################################################
# Storage
################################################################################

variable "data_lake_bucket_name" {
  description = "Name of the data lake bucket holding the Iceberg warehouse."
  type        = string
  default     = null
}

variable "warehouse_prefix" {
  description = "Prefix of the Iceberg warehouse in the data lake bucket (ends with '/'). Tables live at <warehouse><database>.db/<table>, as Iceberg's GlueCatalog places them."
  type        = string
  default     = "warehouse/"

  validation {
    condition     = can(regex("^([a-z0-9][a-z0-9_-]*/)+$", var.warehouse_prefix))
    error_message = "warehouse_prefix must be path segments of lowercase letters, digits, '-' or '_' ending with '/'."
  }
}
