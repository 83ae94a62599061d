################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to create the Athena workgroup, the named queries and the semantic database."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of the workgroup and named query names, e.g. \"leanops-dev\"."
  type        = string
  default     = "leanops"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and '-', starting with a letter and not ending with '-'."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting Athena query results (SSE_KMS)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."
  }

  validation {
    condition     = !var.create || var.kms_key_arn != null
    error_message = "kms_key_arn is required when create is true."
  }
}

variable "tags" {
  description = "Extra tags for this module's resources (common tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}

################################################################################
# Workgroup
################################################################################

variable "results_bucket_name" {
  description = "Name of the S3 bucket holding Athena query results (created by the storage module)."
  type        = string
  default     = null

  validation {
    condition     = var.results_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.results_bucket_name))
    error_message = "results_bucket_name must be a valid S3 bucket name."
  }

  validation {
    condition     = !var.create || var.results_bucket_name != null
    error_message = "results_bucket_name is required when create is true."
  }
}

variable "results_prefix" {
  description = "Key prefix of the query results inside results_bucket_name (ends with '/')."
  type        = string
  default     = "athena-results/"

  validation {
    condition     = can(regex("^([A-Za-z0-9!_.*'()-]+/)+$", var.results_prefix))
    error_message = "results_prefix must be a key prefix ending with '/', e.g. \"athena-results/\"."
  }
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena cancels a query of the workgroup that scans more bytes than this (minimum 10 MB)."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.bytes_scanned_cutoff_per_query >= 10485760
    error_message = "bytes_scanned_cutoff_per_query must be at least 10485760 (10 MB, Athena's minimum)."
  }
}

variable "engine_version" {
  description = "Athena engine version of the workgroup."
  type        = string
  default     = "Athena engine version 3"
}

variable "force_destroy" {
  description = "Whether destroying the workgroup also deletes its saved queries and history."
  type        = bool
  default     = false
}

################################################################################
# Tables, named queries and semantic layer
################################################################################

variable "topics" {
  description = "Topics whose per-topic tables the freshness and account queries cover."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for topic in var.topics : can(regex("^[a-z][a-z0-9_]{0,47}$", topic))])
    error_message = "Topic names must match ^[a-z][a-z0-9_]{0,47}$ (schemas/tables.json topic_name.pattern)."
  }
}

variable "operational_query_topics" {
  description = "Topics per part of the per-topic named queries (freshness_per_topic, account_per_topic): above it they come as <name>_01, <name>_02 ... so each stays under Athena's 262,144-byte query string quota (~1 KB per topic with 48-character names)."
  type        = number
  default     = 150

  validation {
    condition     = var.operational_query_topics >= 1 && var.operational_query_topics <= 250 && floor(var.operational_query_topics) == var.operational_query_topics
    error_message = "operational_query_topics must be a whole number from 1 to 250: a part of 250 topics with 48-character names is ~250 KB, near Athena's 262,144-byte query string quota (Athena API reference, NamedQuery QueryString)."
  }
}

variable "schemas_dir" {
  description = "Folder holding tables.json (databases and table names). Null means \"<root module>/schemas\"."
  type        = string
  default     = null
}

variable "semantic_views_dir" {
  description = "Folder of the semantic layer's views (*.sql, one view per file). Null means \"<root module>/semantic/views\"."
  type        = string
  default     = null
}

variable "create_semantic_database" {
  description = "Whether to create the Glue database holding the semantic views."
  type        = bool
  default     = true
}

variable "semantic_database_name" {
  description = "Name of the Glue database of the semantic views."
  type        = string
  default     = "semantic"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,254}$", var.semantic_database_name))
    error_message = "semantic_database_name must be lowercase letters, digits and '_', starting with a letter."
  }
}

################################################################################
# Analysts (analyst_access.tf): the IAM managed policy of the analysts
################################################################################

variable "create_analyst_policy" {
  description = "Whether to create the analysts' IAM managed policy (schemas/tables.json analyst_access: the workgroup, curated topic tables and semantic views; raw, standardized and error tables denied)."
  type        = bool
  default     = true
}

variable "account_id" {
  description = "AWS account id (12 digits): builds the policy's Glue, Athena and KMS ARNs without calling AWS during plan."
  type        = string
  default     = "000000000000"

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits."
  }
}

variable "region" {
  description = "AWS region of the stack, e.g. \"eu-west-1\" (the policy's ARNs)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like an AWS region name, e.g. \"eu-west-1\"."
  }
}

variable "partition" {
  description = "AWS partition of the ARNs (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"

  validation {
    condition     = contains(["aws", "aws-cn", "aws-us-gov"], var.partition)
    error_message = "partition must be aws, aws-cn or aws-us-gov."
  }
}

variable "data_lake_bucket_name" {
  description = "Name of the data lake bucket holding the Iceberg warehouse (the analysts read curated's prefix; raw, standardized and the curated errors table's prefixes are denied)."
  type        = string
  default     = null

  validation {
    condition     = !(var.create && var.create_analyst_policy) || var.data_lake_bucket_name != null
    error_message = "data_lake_bucket_name is required for the analyst policy."
  }
}

variable "warehouse_prefix" {
  description = "Key prefix of the Iceberg warehouse in the data lake bucket (tables at <prefix><database>.db/<table>/)."
  type        = string
  default     = "warehouse/"

  validation {
    condition     = var.warehouse_prefix == "" || endswith(var.warehouse_prefix, "/")
    error_message = "warehouse_prefix must be empty or end with '/'."
  }
}

variable "results_bucket_name_static" {
  description = "The results bucket's name as known at plan (the storage module's static names), so the analyst policy is known at plan and checked offline; null: results_bucket_name."
  type        = string
  default     = null
}

variable "kms_key_alias_name" {
  description = "Alias of the pipeline's KMS key (alias/<name>): the analyst policy's kms:Decrypt and kms:GenerateDataKey name it (kms:ResourceAliases), so the policy is known at plan. Null: no KMS statement."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_alias_name == null || can(regex("^alias/[a-zA-Z0-9/_-]+$", var.kms_key_alias_name))
    error_message = "kms_key_alias_name must look like alias/<name>."
  }
}

################################################################################
# Lake Formation
################################################################################

variable "enable_lake_formation_grants" {
  description = "Whether to grant the pipeline's roles and the analysts Lake Formation permissions (needed when the Data Catalog is managed by Lake Formation; see lake_formation.tf for the table of grants)."
  type        = bool
  default     = false
}

variable "lake_formation_principals" {
  description = "Principals of the Lake Formation grants: the Firehose role, the two Glue job roles, the state machine role (semantic views) and the analysts' IAM roles or users (Athena). Each role of lake_formation_roles needs its ARN here (it may be known only after apply)."
  type = object({
    firehose_role_arn         = optional(string)
    standardized_job_role_arn = optional(string)
    curated_job_role_arn      = optional(string)
    state_machine_role_arn    = optional(string)
    analyst_arns              = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = alltrue([for arn in concat(compact([var.lake_formation_principals.firehose_role_arn, var.lake_formation_principals.standardized_job_role_arn, var.lake_formation_principals.curated_job_role_arn, var.lake_formation_principals.state_machine_role_arn]), var.lake_formation_principals.analyst_arns) : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "Every lake_formation_principals entry must be an IAM role or user ARN (Lake Formation grants to IAM principals)."
  }
}

variable "lake_formation_roles" {
  description = "Which pipeline roles of lake_formation_principals get grants (firehose, standardized_job, curated_job, state_machine). Known at plan, unlike the role ARNs of a fresh stack: the grants' for_each keys come from this list, never from the ARNs (Terraform: for_each keys must be known at plan)."
  type        = list(string)
  default     = ["firehose", "standardized_job", "curated_job", "state_machine"]

  validation {
    condition     = alltrue([for role in var.lake_formation_roles : contains(["firehose", "standardized_job", "curated_job", "state_machine"], role)])
    error_message = "lake_formation_roles entries must be among firehose, standardized_job, curated_job and state_machine."
  }
}

variable "lake_formation_analyst_topics" {
  description = "Topics whose curated table Terraform grants the analysts Lake Formation SELECT and DESCRIBE on (one grant per table, so the curated errors table is never granted). A table must exist when the grant is applied. Optional: the curated job grants the analysts each topic table it creates (modules/processing analyst_grant_principals; lake_formation.tf)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for topic in var.lake_formation_analyst_topics : contains(var.topics, topic)])
    error_message = "Every lake_formation_analyst_topics entry must be one of the stack's topics."
  }
}
