################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to create the orchestration resources (set false to disable the whole module)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"leanops-dev\"."
  type        = string
  default     = "leanops"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and '-', starting with a letter and not ending with '-'."
  }
}

variable "account_id" {
  description = "AWS account id the stack is deployed to; used to build ARNs without calling AWS during plan."
  type        = string
  default     = null

  validation {
    condition     = var.account_id == null || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits."
  }

  validation {
    condition     = !var.create || var.account_id != null
    error_message = "account_id is required when create is true."
  }
}

variable "region" {
  description = "AWS region of the stack (e.g. \"eu-west-1\"); used to build Glue catalog ARNs."
  type        = string
  default     = null

  validation {
    condition     = var.region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like an AWS region name, e.g. \"eu-west-1\"."
  }

  validation {
    condition     = !var.create || var.region != null
    error_message = "region is required when create is true."
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

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the DynamoDB tables, the SNS topic, the log groups and the Lambda environment. Its key policy must allow logs.<region>.amazonaws.com, sns, events and cloudwatch."
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

variable "kms_key_alias_name" {
  description = "Alias of that key (alias/<name>). The SNS topic names the key through it, so its encryption is known at plan time (checkable offline) and stable across key rotation; null uses kms_key_arn."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_alias_name == null || can(regex("^alias/[a-zA-Z0-9/_-]+$", var.kms_key_alias_name))
    error_message = "kms_key_alias_name must look like alias/<name>."
  }
}

variable "schemas_dir" {
  description = "Folder holding tables.json (database names). Null means \"<root module>/schemas\"."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for this module's resources (common tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}

################################################################################
# Cycle: shards, schedule, lock
################################################################################

variable "shards" {
  description = "Shard name -> topics the shard's Glue job runs handle. One cycle starts at most one standardized and one curated run per shard with work."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.shards) : can(regex("^[a-z][a-z0-9-]{0,31}$", name))])
    error_message = "Each shard name must be 1-32 characters of lowercase letters, digits and '-', starting with a letter."
  }

  validation {
    condition     = alltrue([for topics in values(var.shards) : length(topics) > 0])
    error_message = "Every shard must list at least one topic."
  }

  validation {
    condition     = length(flatten(values(var.shards))) == length(distinct(flatten(values(var.shards))))
    error_message = "A topic may belong to one shard only (two cycles would otherwise race on it)."
  }

  validation {
    condition     = alltrue([for topic in flatten(values(var.shards)) : can(regex("^[a-z][a-z0-9_]{0,47}$", topic))])
    error_message = "Topic names must match ^[a-z][a-z0-9_]{0,47}$ (schemas/tables.json topic_name.pattern)."
  }
}

variable "schedule_expression" {
  description = "EventBridge Scheduler expression starting a cycle: rate(...) or cron(...)."
  type        = string
  default     = "rate(15 minutes)"

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|cron\\([^)]+\\))$", var.schedule_expression))
    error_message = "schedule_expression must be rate(<n> minute(s)|hour(s)|day(s)) or cron(<6 fields>)."
  }
}

variable "schedule_timezone" {
  description = "IANA time zone of cron schedule expressions."
  type        = string
  default     = "UTC"
}

variable "schedule_enabled" {
  description = "Whether the schedule starts cycles (set false to pause the pipeline without destroying it)."
  type        = bool
  default     = true
}

variable "max_concurrency" {
  description = "How many shards a cycle processes at the same time (Map MaxConcurrency)."
  type        = number
  default     = 2

  validation {
    condition     = var.max_concurrency >= 1 && var.max_concurrency <= 40 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be a whole number between 1 and 40."
  }
}

variable "cycle_lock_ttl_seconds" {
  description = "How long the cycle lock lives, and the execution's TimeoutSeconds; a crashed cycle's lock expires after this. Null derives it from the worst-case cycle (output worst_case_cycle_seconds); a value must not be shorter than that worst case."
  type        = number
  default     = null

  validation {
    condition     = var.cycle_lock_ttl_seconds == null || try(var.cycle_lock_ttl_seconds >= 300 && var.cycle_lock_ttl_seconds <= 31536000, false)
    error_message = "cycle_lock_ttl_seconds must be null (derived) or between 300 and 31536000 (one year: the longest a Standard workflow execution may run, Step Functions service quotas)."
  }
}

################################################################################
# Glue jobs (created by the Glue module)
################################################################################

variable "standardized_job_name" {
  description = "Name of the Glue job that builds the standardized layer."
  type        = string
  default     = null

  validation {
    condition     = !var.create || var.standardized_job_name != null
    error_message = "standardized_job_name is required when create is true."
  }
}

variable "curated_job_name" {
  description = "Name of the Glue job that builds the curated layer."
  type        = string
  default     = null

  validation {
    condition     = !var.create || var.curated_job_name != null
    error_message = "curated_job_name is required when create is true."
  }
}

variable "job_timeout_minutes" {
  description = "Timeout of the Glue job runs in minutes (the processing module's timeout_minutes): a run polls until it ends, at the latest after this. Drives the worst-case cycle (lock TTL, history events)."
  type        = number
  default     = 2880

  validation {
    condition     = var.job_timeout_minutes >= 1 && var.job_timeout_minutes <= 10080 && floor(var.job_timeout_minutes) == var.job_timeout_minutes
    error_message = "job_timeout_minutes must be a whole number from 1 to 10080 (Glue jobs must have a timeout under 7 days; Glue's default is 2880)."
  }
}

variable "job_poll_interval_seconds" {
  description = "Seconds between two GetJobRun polls of a running Glue job. Null derives it: at least 60 s, and long enough that the worst-case cycle stays within the history-event budget (output worst_case_history_events)."
  type        = number
  default     = null

  validation {
    condition     = var.job_poll_interval_seconds == null || try(var.job_poll_interval_seconds >= 5 && var.job_poll_interval_seconds <= 3600, false)
    error_message = "job_poll_interval_seconds must be null (derived) or between 5 and 3600."
  }
}

variable "glue_api_retry_max_attempts" {
  description = "How often a startJobRun or getJobRun call that failed transiently (Glue.ThrottlingException, Glue.InternalServiceException, Glue.OperationTimeoutException on polls) is retried by its own task."
  type        = number
  default     = 5

  validation {
    condition     = var.glue_api_retry_max_attempts >= 1 && var.glue_api_retry_max_attempts <= 10 && floor(var.glue_api_retry_max_attempts) == var.glue_api_retry_max_attempts
    error_message = "glue_api_retry_max_attempts must be a whole number between 1 and 10."
  }
}

variable "glue_api_retry_interval_seconds" {
  description = "Seconds before the first retry of a transiently failed Glue API call (doubled for each next retry)."
  type        = number
  default     = 2

  validation {
    condition     = var.glue_api_retry_interval_seconds >= 1 && var.glue_api_retry_interval_seconds <= 60 && floor(var.glue_api_retry_interval_seconds) == var.glue_api_retry_interval_seconds
    error_message = "glue_api_retry_interval_seconds must be a whole number between 1 and 60 (ASL: IntervalSeconds is a positive integer)."
  }
}

variable "job_retry_max_attempts" {
  description = "How many times a failed Glue job run of a shard is retried before the shard counts as failed."
  type        = number
  default     = 2

  validation {
    condition     = var.job_retry_max_attempts >= 0 && var.job_retry_max_attempts <= 10
    error_message = "job_retry_max_attempts must be between 0 and 10."
  }
}

variable "job_retry_interval_seconds" {
  description = "Seconds before the first retry of a failed Glue job run (doubled for each next retry)."
  type        = number
  default     = 60

  validation {
    condition     = var.job_retry_interval_seconds >= 1 && var.job_retry_interval_seconds <= 3600
    error_message = "job_retry_interval_seconds must be between 1 and 3600."
  }
}

################################################################################
# Semantic views (Athena), refreshed after every cycle with work
################################################################################

variable "semantic_view_statements" {
  description = "View name -> its idempotent CREATE OR REPLACE VIEW statement (the analytics module's semantic_view_statements). After every cycle with work the state machine runs each one in athena_workgroup_name; a view whose tables do not exist yet fails quietly and is created by a later cycle."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for statement in values(var.semantic_view_statements) : startswith(statement, "CREATE OR REPLACE VIEW ")])
    error_message = "Every semantic_view_statements entry must be an idempotent CREATE OR REPLACE VIEW statement."
  }
}

variable "athena_workgroup_name" {
  description = "Athena workgroup the semantic views are (re)created in (the analysts' workgroup; its enforced settings give the results location and encryption)."
  type        = string
  default     = null
}

variable "semantic_database_name" {
  description = "Glue database of the semantic views (the state machine role may create and replace tables there only)."
  type        = string
  default     = "semantic"
}

variable "athena_results_bucket_arn" {
  description = "ARN of the bucket of the workgroup's query results (the DDL statements write their result files there)."
  type        = string
  default     = null
}

################################################################################
# Cycle planner Lambda
################################################################################

variable "planner_zip_path" {
  description = "Path of the planner Lambda zip built by scripts/build_lambdas.sh (build/lambda/cycle_planner.zip)."
  type        = string
  default     = null

  validation {
    condition     = !var.create || var.planner_zip_path != null
    error_message = "planner_zip_path is required when create is true."
  }
}

variable "contracts_uri" {
  description = "S3 URI of the topic contracts (s3://<bucket>/<prefix>/): a topic's gate is open when <uri><topic>.json exists."
  type        = string
  default     = null

  validation {
    condition     = var.contracts_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(.+/)?$", var.contracts_uri))
    error_message = "contracts_uri must be s3://<bucket>/<optional prefix ending with '/'>."
  }

  validation {
    condition     = !var.create || var.contracts_uri != null
    error_message = "contracts_uri is required when create is true."
  }
}

variable "warehouse_bucket_arn" {
  description = "ARN of the Iceberg warehouse bucket; the planner reads table metadata files there."
  type        = string
  default     = null

  validation {
    condition     = var.warehouse_bucket_arn == null || can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.warehouse_bucket_arn))
    error_message = "warehouse_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>)."
  }

  validation {
    condition     = !var.create || var.warehouse_bucket_arn != null
    error_message = "warehouse_bucket_arn is required when create is true."
  }
}

variable "lambda_runtime" {
  description = "Lambda runtime of the planner."
  type        = string
  default     = "python3.11"
}

variable "lambda_architecture" {
  description = "Lambda architecture of the planner (the build scripts bundle x86_64 wheels)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 (the bundled wheels are manylinux2014_x86_64)."
  }
}

variable "planner_timeout_seconds" {
  description = "Timeout of the planner Lambda (hundreds of topics cost a few metadata calls each)."
  type        = number
  default     = 120

  validation {
    condition     = var.planner_timeout_seconds >= 10 && var.planner_timeout_seconds <= 900
    error_message = "planner_timeout_seconds must be between 10 and 900."
  }
}

variable "planner_memory_mb" {
  description = "Memory of the planner Lambda in MB."
  type        = number
  default     = 256

  validation {
    condition     = var.planner_memory_mb >= 128 && var.planner_memory_mb <= 10240
    error_message = "planner_memory_mb must be between 128 and 10240."
  }
}

variable "planner_reserved_concurrency" {
  description = "Reserved concurrency of the planner Lambda (one invocation per cycle; 2 leaves room for a manual cycle next to the scheduled one)."
  type        = number
  default     = 2

  validation {
    condition     = var.planner_reserved_concurrency >= 1 && var.planner_reserved_concurrency <= 10 && floor(var.planner_reserved_concurrency) == var.planner_reserved_concurrency
    error_message = "planner_reserved_concurrency must be a whole number between 1 and 10 (0 would disable the planner; Lambda developer guide, \"Configuring reserved concurrency for a function\")."
  }
}

variable "log_level" {
  description = "POWERTOOLS_LOG_LEVEL of the planner Lambda."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "log_retention_days" {
  description = "Retention of the state machine and planner log groups, in days (a year by default; environments may keep less to save cost)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "encrypt_state_machine" {
  description = "Whether execution data of the state machine is encrypted with kms_key_arn (the key policy must allow kms:ViaService states)."
  type        = bool
  default     = true
}

variable "state_machine_log_level" {
  description = "Step Functions logging level (ALL, ERROR, FATAL or OFF): ALL keeps the execution history of every state in the log group."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.state_machine_log_level)
    error_message = "state_machine_log_level must be ALL, ERROR, FATAL or OFF."
  }
}

variable "state_machine_log_execution_data" {
  description = "Whether the state machine's logs include execution data (inputs, outputs: shards, topics, run ids and failure summaries) in the KMS-encrypted log group."
  type        = bool
  default     = true
}

variable "state_machine_tracing_enabled" {
  description = "Whether the state machine sends X-Ray traces (its role gets the X-Ray write actions)."
  type        = bool
  default     = true
}

################################################################################
# DynamoDB: checkpoints and locks
################################################################################

variable "point_in_time_recovery" {
  description = "Whether the checkpoint and lock tables keep point-in-time recovery backups."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Whether the checkpoint and lock tables are protected from deletion."
  type        = bool
  default     = true
}

################################################################################
# Alerts
################################################################################

variable "alert_emails" {
  description = "E-mail addresses subscribed to the alert topic (each must confirm its subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for email in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", email))])
    error_message = "Every alert_emails entry must be an e-mail address."
  }
}

################################################################################
# Table maintenance (maintenance.tf)
################################################################################

variable "maintenance_job_name" {
  description = "Name of the table maintenance Glue job (the processing module's maintenance_job_name); null: no maintenance schedule."
  type        = string
  default     = null
}

variable "maintenance_schedule_expression" {
  description = "EventBridge Scheduler expression starting table maintenance (daily by default, at a quiet hour)."
  type        = string
  default     = "cron(30 3 * * ? *)"

  validation {
    condition     = can(regex("^(rate\\([1-9][0-9]* (hour|hours|day|days)\\)|cron\\([^)]+\\))$", var.maintenance_schedule_expression))
    error_message = "maintenance_schedule_expression must be rate(<n> hour(s)|day(s)) or cron(<6 fields>) (EventBridge Scheduler schedule types)."
  }
}

variable "maintenance_parallelism" {
  description = "How many topics one maintenance run maintains at the same time (LEANOPS_MAINTENANCE_PARALLELISM, 1-8)."
  type        = number
  default     = 1

  validation {
    condition     = floor(var.maintenance_parallelism) == var.maintenance_parallelism && var.maintenance_parallelism >= 1 && var.maintenance_parallelism <= 8
    error_message = "maintenance_parallelism must be a whole number from 1 to 8 (src/leanops/maintenance_plan.py MAX_PARALLELISM)."
  }
}

variable "snapshot_retention_hours" {
  description = "Snapshots older than this are expired by maintenance, except those a checkpoint still needs (LEANOPS_SNAPSHOT_RETENTION_HOURS). Must exceed the cycle interval and the Snowflake refresh interval (docs/SNOWFLAKE.md)."
  type        = number
  default     = 24

  validation {
    condition     = var.snapshot_retention_hours >= 1 && var.snapshot_retention_hours <= 8760 && floor(var.snapshot_retention_hours) == var.snapshot_retention_hours
    error_message = "snapshot_retention_hours must be a whole number from 1 to 8760: longer than a Snowflake refresh (REFRESH_INTERVAL_SECONDS, 300 s in docs/SNOWFLAKE.md) plus its longest query, and than the cycle interval (checked against schedule_expression)."
  }
}
