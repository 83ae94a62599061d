################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to create the Glue jobs (set false to disable the whole module)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"leanops-dev\"."
  type        = string
  default     = "leanops"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,25}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-27 characters of lowercase letters, digits and '-', starting with a letter and not ending with '-'."
  }
}

variable "account_id" {
  description = "AWS account id (12 digits), to build ARNs without calling AWS during plan."
  type        = string
  default     = "000000000000"

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits."
  }
}

variable "region" {
  description = "AWS region of the stack, e.g. \"eu-west-1\"."
  type        = string
  default     = "eu-west-1"
}

variable "partition" {
  description = "AWS partition of the ARNs (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key (job output, logs and bookmarks encryption; the lake, tables and topic use it)."
  type        = string
  default     = null
}

variable "kms_key_alias_name" {
  description = "Alias of that key (alias/<name>). IAM statements name the key through it (kms:ResourceAliases), so policies are known at plan time and checkable offline."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_alias_name == null || can(regex("^alias/[a-zA-Z0-9/_-]+$", var.kms_key_alias_name))
    error_message = "kms_key_alias_name must look like alias/<name>."
  }
}

variable "pii_key_alias_name" {
  description = "Alias of the HMAC KMS key of pii hash fields (modules/storage): the jobs' --LEANOPS_PII_KEY_ID; the curated role alone gets kms:GenerateMac and kms:DescribeKey on it (by kms:ResourceAliases). Null: a contract field with pii hash fails its topic (never stored in clear)."
  type        = string
  default     = null

  validation {
    condition     = var.pii_key_alias_name == null || can(regex("^alias/[a-zA-Z0-9/_-]+$", var.pii_key_alias_name))
    error_message = "pii_key_alias_name must be a KMS alias name: \"alias/\" followed by letters, digits, '/', '_' or '-' (KMS CreateAlias AliasName rule)."
  }
}

variable "analyst_grant_principals" {
  description = "IAM roles or users the curated job grants Lake Formation SELECT and DESCRIBE on each analyst-readable topic table it creates (--LEANOPS_ANALYST_PRINCIPALS; the curated role alone gets lakeformation:GrantPermissions). Empty: no grants (the Data Catalog not managed by Lake Formation)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.analyst_grant_principals : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "Every analyst_grant_principals entry must be an IAM role or user ARN (Lake Formation grants to IAM principals)."
  }
}

variable "tags" {
  description = "Extra tags for this module's resources (common tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}

################################################################################
# Jobs
################################################################################

variable "glue_version" {
  description = "Glue version of the jobs: 5.0 (Spark 3.5, Python 3.11, Java 17), what the code is tested against."
  type        = string
  default     = "5.0"

  validation {
    condition     = var.glue_version == "5.0"
    error_message = "glue_version must be \"5.0\": the jobs are built and tested for Spark 3.5 / Python 3.11."
  }
}

variable "worker_type" {
  description = "Glue worker type of the jobs (G.1X: 4 vCPU / 16 GB; G.2X: 8 vCPU / 32 GB; ...)."
  type        = string
  default     = "G.1X"

  validation {
    condition     = contains(["G.025X", "G.1X", "G.2X", "G.4X", "G.8X"], var.worker_type)
    error_message = "worker_type must be one of G.025X, G.1X, G.2X, G.4X, G.8X."
  }
}

variable "number_of_workers" {
  description = "Workers per job run (at least 2: one driver, one executor)."
  type        = number
  default     = 2

  validation {
    condition     = var.number_of_workers >= 2 && var.number_of_workers <= 299 && floor(var.number_of_workers) == var.number_of_workers
    error_message = "number_of_workers must be a whole number between 2 and 299."
  }
}

variable "timeout_minutes" {
  description = "Minutes after which a job run is stopped (keep it below the cycle lock TTL)."
  type        = number
  default     = 45

  validation {
    condition     = var.timeout_minutes >= 1 && var.timeout_minutes <= 2880
    error_message = "timeout_minutes must be between 1 and 2880."
  }
}

variable "max_concurrent_runs" {
  description = "Runs of one job at the same time: one per shard of a cycle."
  type        = number
  default     = 1

  validation {
    condition     = var.max_concurrent_runs >= 1 && var.max_concurrent_runs <= 1000
    error_message = "max_concurrent_runs must be between 1 and 1000."
  }
}

variable "lock_ttl_seconds" {
  description = "LEANOPS_LOCK_TTL_SECONDS: expiry of a topic lock taken by a run."
  type        = number
  default     = 3600

  validation {
    condition     = var.lock_ttl_seconds >= 60
    error_message = "lock_ttl_seconds must be at least 60."
  }
}

variable "drift_vanish_days" {
  description = "LEANOPS_DRIFT_VANISH_DAYS: a field with no value in the messages sent in the last this many days (before the topic's newest message) is logged vanished in drift_log."
  type        = number
  default     = 7

  validation {
    condition     = var.drift_vanish_days >= 1 && floor(var.drift_vanish_days) == var.drift_vanish_days
    error_message = "drift_vanish_days must be a whole number of days, at least 1 (leanops.settings refuses anything else: LEANOPS_DRIFT_VANISH_DAYS)."
  }
}

variable "extra_job_arguments" {
  description = "More default arguments for both jobs (\"--KEY\" = \"value\"); they override the module's."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.extra_job_arguments) : startswith(key, "--")])
    error_message = "extra_job_arguments keys must start with \"--\" (Glue job argument names)."
  }

  validation {
    condition     = length(setintersection(keys(var.extra_job_arguments), ["--enable-continuous-cloudwatch-log", "--enable-continuous-log-filter", "--continuous-log-logGroup", "--continuous-log-logStreamPrefix", "--continuous-log-conversionPattern"])) == 0
    error_message = "extra_job_arguments must not set continuous logging (--enable-continuous-cloudwatch-log, --continuous-log-*): it is a Glue 4.0-and-earlier option; Glue 5.0 jobs log in real time (AWS Glue developer guide, \"Enabling continuous logging for AWS Glue 4.0 and earlier jobs\")."
  }
}

################################################################################
# Code (scripts/build_glue.sh)
################################################################################

variable "standardized_script_path" {
  description = "Local path of the standardized entry script (build/glue/standardized_processor.py)."
  type        = string
  default     = "build/glue/standardized_processor.py"
}

variable "curated_script_path" {
  description = "Local path of the curated entry script (build/glue/curated_processor.py)."
  type        = string
  default     = "build/glue/curated_processor.py"
}

variable "package_path" {
  description = "Local path of the shared leanops package zip for --extra-py-files (build/glue/leanops.zip)."
  type        = string
  default     = "build/glue/leanops.zip"
}

variable "wheel_paths" {
  description = "Local paths of the compiled dependency wheels (build/glue/wheels/*.whl): uploaded and installed with --additional-python-modules, since Python cannot import compiled modules from the --extra-py-files zip."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for path in var.wheel_paths : endswith(path, ".whl")])
    error_message = "Every wheel_paths entry must be a .whl file."
  }
}

################################################################################
# Catalog, storage and state the jobs use
################################################################################

variable "catalog_name" {
  description = "Spark catalog name of the Glue Data Catalog (tables.json catalog_name)."
  type        = string
  default     = "glue_catalog"
}

variable "database_names" {
  description = "Layer (raw, standardized, curated) -> Glue database name (tables.json databases)."
  type        = map(string)
  default = {
    raw          = "iceberg_raw_db"
    standardized = "iceberg_standardized_db"
    curated      = "iceberg_curated_db"
  }

  validation {
    condition     = length(setsubtract(["raw", "standardized", "curated"], keys(var.database_names))) == 0
    error_message = "database_names must name the raw, standardized and curated databases."
  }
}

variable "data_lake_bucket_name" {
  description = "Name of the data lake bucket (Iceberg warehouse)."
  type        = string
  default     = null
}

variable "warehouse_prefix" {
  description = "Prefix of the Iceberg warehouse in the data lake bucket (ends with '/')."
  type        = string
  default     = "warehouse/"
}

variable "glue_assets_bucket_name" {
  description = "Name of the bucket receiving the scripts and the package (and the jobs' temporary files)."
  type        = string
  default     = null
}

variable "schemas_bucket_name" {
  description = "Name of the bucket holding the topic contracts."
  type        = string
  default     = null
}

variable "contracts_prefix" {
  description = "Prefix of the topic contracts in the schemas bucket (ends with '/')."
  type        = string
  default     = "contracts/"
}

variable "checkpoint_table_name" {
  description = "DynamoDB checkpoint table (LEANOPS_CHECKPOINT_TABLE)."
  type        = string
  default     = null
}

variable "lock_table_name" {
  description = "DynamoDB lock table (LEANOPS_LOCK_TABLE)."
  type        = string
  default     = null
}

variable "alert_topic_arn" {
  description = "SNS topic the jobs alert on (LEANOPS_ALERT_TOPIC_ARN); null: no alerts from the jobs."
  type        = string
  default     = null
}

################################################################################
# Table maintenance (maintenance.tf)
################################################################################

variable "maintenance_script_path" {
  description = "Local path of the maintenance entry script (build/glue/maintenance_processor.py); null: no maintenance job."
  type        = string
  default     = null
}
