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
# Lake Formation
################################################################################

variable "enable_lake_formation_grants" {
  description = "Whether to grant the pipeline's roles and the analysts Lake Formation permissions (needed when the Data Catalog is managed by Lake Formation; see lake_formation.tf for the table of grants)."
  type        = bool
  default     = false
}

variable "lake_formation_principals" {
  description = "Principals of the Lake Formation grants: the Firehose role, the two Glue job roles, the state machine role (semantic views) and the analysts' IAM roles or users (Athena). A null role gets no grant."
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
