################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to create the Snowflake read-only role (false: nothing is created)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of the role's name (<name_prefix>-snowflake-reader)."
  type        = string
  default     = "leanops"
}

variable "tags" {
  description = "Tags of the role."
  type        = map(string)
  default     = {}
}

################################################################################
# Where the curated tables live
################################################################################

variable "account_id" {
  description = "AWS account id of the Glue Data Catalog (Snowflake's GLUE_CATALOG_ID)."
  type        = string
  default     = "000000000000"
}

variable "region" {
  description = "AWS region of the catalog and the lake."
  type        = string
  default     = "eu-west-1"
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "curated_database_name" {
  description = "Glue database of the curated Iceberg tables (the only one Snowflake may read)."
  type        = string
  default     = "iceberg_curated_db"
}

variable "data_lake_bucket_name" {
  description = "Bucket of the Iceberg warehouse."
  type        = string
  default     = null
}

variable "warehouse_prefix" {
  description = "Key prefix of the Iceberg warehouse in the lake bucket (ends with /); curated tables are under <prefix><database>.db/."
  type        = string
  default     = "warehouse/"

  validation {
    condition     = endswith(var.warehouse_prefix, "/")
    error_message = "warehouse_prefix must end with '/' (an S3 key prefix)."
  }
}

variable "denied_table_names" {
  description = "Tables of the curated database Snowflake's users may not read, denied explicitly (catalog and files). The root module passes the analytics module's analyst_denied_shared_tables: the one rule of schemas/tables.json analyst_access (curated errors: the values as received, before pii masking)."
  type        = list(string)
  default     = []
}

variable "kms_key_alias_name" {
  description = "Alias (alias/...) of the KMS key of the lake bucket: Snowflake decrypts the data files with it, through S3 only."
  type        = string
  default     = null
}

################################################################################
# Snowflake's principal
################################################################################

variable "snowflake_principal_arn" {
  description = "ARN of Snowflake's IAM user (DESC CATALOG INTEGRATION / DESC EXTERNAL VOLUME: GLUE_AWS_IAM_USER_ARN, STORAGE_AWS_IAM_USER_ARN)."
  type        = string
  default     = null

  validation {
    condition     = var.snowflake_principal_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(user|role)/.+$", var.snowflake_principal_arn))
    error_message = "snowflake_principal_arn must be an IAM user or role ARN (arn:aws:iam::<12-digit account>:user/...), as DESC CATALOG INTEGRATION prints it."
  }
}

variable "external_ids" {
  description = "External ids Snowflake presents (GLUE_AWS_EXTERNAL_ID of the catalog integration and STORAGE_AWS_EXTERNAL_ID of the external volume); the role trusts only these."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.external_ids : length(id) >= 2 && length(id) <= 1224])
    error_message = "Each external id must be 2 to 1,224 characters (IAM's sts:ExternalId rule)."
  }
}
