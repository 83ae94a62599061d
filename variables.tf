################################################################################
# Stack
################################################################################

variable "project" {
  description = "Project name: the first part of every resource name (<project>-<environment>-...)."
  type        = string
  default     = "leanops"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.project))
    error_message = "project must be 2-12 lowercase letters or digits, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (dev, staging, prod, or a short personal one): the second part of every resource name."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,9}$", var.environment))
    error_message = "environment must be 2-10 lowercase letters or digits, starting with a letter (<project>-<environment> must stay within 27 characters so '<prefix>-<topic>-dlq' fits SQS's 80)."
  }
}

variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like an AWS region name, e.g. \"eu-west-1\"."
  }
}

variable "account_id" {
  description = "AWS account id (12 digits) the stack deploys to. ARNs are built from it, so plan never calls AWS to look it up."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits (the AWS account the stack deploys to)."
  }
}

variable "tags" {
  description = "Tags added to every resource (through the provider's default_tags), besides Project, Environment and ManagedBy."
  type        = map(string)
  default     = {}
}

variable "build_dir" {
  description = "Folder of the build outputs (scripts/build_lambdas.sh, scripts/build_glue.sh). Relative paths are relative to this root module. Plans work before a build; apply needs the files."
  type        = string
  default     = "build"
}

################################################################################
# Topics
################################################################################

variable "topics" {
  description = "Topic name -> its queue and consumer settings. Each topic gets an SQS queue + DLQ, an event source mapping to sqs_processor and a RAW Iceberg table. Names follow schemas/tables.json topic_name. visibility_timeout_seconds: null (default) derives 6 x the sqs_processor timeout + the batching window. maximum_concurrency: null (default) shares sqs_processor's reserved concurrency among the topics; a number (2-1000) caps the topic's mapping."
  type = map(object({
    batch_size                      = optional(number, 10)
    maximum_batching_window_seconds = optional(number, 5)
    max_receive_count               = optional(number, 8)
    message_retention_seconds       = optional(number, 345600)
    visibility_timeout_seconds      = optional(number)
    maximum_concurrency             = optional(number)
    shard                           = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for topic in keys(var.topics) : can(regex(local.topic_name_rule.pattern, topic))])
    error_message = "Invalid topic name(s) ${join(", ", [for topic in keys(var.topics) : "'${topic}'" if !can(regex(local.topic_name_rule.pattern, topic))])}: a topic name must match ${local.topic_name_rule.pattern} (${local.topic_name_rule.description})."
  }

  validation {
    condition     = length(setintersection(keys(var.topics), local.topic_name_rule.reserved)) == 0
    error_message = "Reserved topic name(s) ${join(", ", sort(setintersection(keys(var.topics), local.topic_name_rule.reserved)))}: they collide with shared tables (reserved in schemas/tables.json: ${join(", ", local.topic_name_rule.reserved)})."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.batch_size >= 1 && topic.batch_size <= 10000 && floor(topic.batch_size) == topic.batch_size])
    error_message = "batch_size of topic(s) ${join(", ", [for name, topic in var.topics : name if !(topic.batch_size >= 1 && topic.batch_size <= 10000)])} must be a whole number between 1 and 10000 (SQS event source mapping limit)."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.shard == null || can(regex("^[a-z][a-z0-9-]{0,31}$", topic.shard))])
    error_message = "A topic's shard must be 1-32 characters of lowercase letters, digits and '-', starting with a letter."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.shard == null || !startswith(coalesce(topic.shard, "-"), local.auto_shard_prefix)])
    error_message = "Shard names starting with 'auto-' are reserved for the shards built from topics_per_job_run."
  }
}

variable "topics_per_job_run" {
  description = "Most topics one Glue job run handles. Topics without an explicit shard are grouped by name into shards of this size; a cycle starts at most one run per shard and layer, so job runs per cycle stay bounded."
  type        = number
  default     = 25

  validation {
    condition     = var.topics_per_job_run >= 1 && var.topics_per_job_run <= 500 && floor(var.topics_per_job_run) == var.topics_per_job_run
    error_message = "topics_per_job_run must be a whole number between 1 and 500."
  }
}

################################################################################
# Schedule and alerts
################################################################################

variable "schedule_expression" {
  description = "EventBridge Scheduler expression starting a cycle (schema gate -> standardized -> curated)."
  type        = string
  default     = "rate(15 minutes)"
}

variable "schedule_enabled" {
  description = "Whether the schedule starts cycles (false pauses the pipeline)."
  type        = bool
  default     = true
}

variable "snapshot_retention_hours" {
  description = "Table maintenance (daily): snapshots older than this are expired, never one a checkpoint still needs. Longer than the cycle interval and than a Snowflake refresh (docs/SNOWFLAKE.md)."
  type        = number
  default     = 24

  validation {
    # 1 h is above a Snowflake refresh (300 s); the cycle interval is checked against
    # schedule_expression by modules/orchestration (a precondition of the maintenance schedule).
    condition     = floor(var.snapshot_retention_hours) == var.snapshot_retention_hours && var.snapshot_retention_hours >= 1 && var.snapshot_retention_hours <= 8760
    error_message = "snapshot_retention_hours must be a whole number of hours from 1 to 8760, longer than the cycle interval (schedule_expression) and than a Snowflake refresh (REFRESH_INTERVAL_SECONDS = 300, docs/SNOWFLAKE.md): expire_snapshots must never drop a snapshot a cycle or a Snowflake refresh still reads (Iceberg docs, \"Spark Procedures\": expire_snapshots)."
  }
}

variable "maintenance_parallelism" {
  description = "Table maintenance (daily): how many topics one maintenance run maintains at the same time, each in its own Spark job thread under its own topic lock (LEANOPS_MAINTENANCE_PARALLELISM)."
  type        = number
  default     = 1

  validation {
    condition     = floor(var.maintenance_parallelism) == var.maintenance_parallelism && var.maintenance_parallelism >= 1 && var.maintenance_parallelism <= 8
    error_message = "maintenance_parallelism must be a whole number from 1 to 8 (src/leanops/maintenance_plan.py MAX_PARALLELISM: more threads than that only queue on one run's executors)."
  }
}

variable "max_parallel_shards" {
  description = "How many shards a cycle processes at the same time."
  type        = number
  default     = 2
}

variable "alert_emails" {
  description = "E-mail addresses subscribed to the alert topic (each must confirm)."
  type        = list(string)
  default     = []
}

################################################################################
# Logs
################################################################################

variable "log_retention_days" {
  description = "Retention of every log group of the stack, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "log_level" {
  description = "Log level of the Lambdas (POWERTOOLS_LOG_LEVEL)."
  type        = string
  default     = "INFO"
}

################################################################################
# Lambdas and Firehose
################################################################################

variable "lambda_functions" {
  description = "Function (sqs_processor, firehose_transform, dlq_archiver) -> memory, timeout and reserved concurrency. sqs_processor's reserved concurrency must cover the sum of the topics' maximum_concurrency."
  type = map(object({
    memory_mb            = optional(number, 256)
    timeout_seconds      = optional(number, 60)
    reserved_concurrency = optional(number, 10)
  }))
  default = {
    sqs_processor      = {}
    firehose_transform = {}
    dlq_archiver       = { reserved_concurrency = 2 }
  }

  validation {
    condition     = lookup(var.lambda_functions, "sqs_processor", null) == null || try(var.lambda_functions["sqs_processor"].reserved_concurrency, 0) >= sum(concat([0], [for topic in values(var.topics) : topic.maximum_concurrency if topic.maximum_concurrency != null]))
    error_message = "lambda_functions.sqs_processor.reserved_concurrency (${try(var.lambda_functions["sqs_processor"].reserved_concurrency, "unset")}) is below the sum of the topics' maximum_concurrency (${sum(concat([0], [for topic in values(var.topics) : topic.maximum_concurrency if topic.maximum_concurrency != null]))}): the event source mappings would be throttled. Leave maximum_concurrency unset (null) on topics that may share the function's concurrency."
  }
}

variable "lambda_tracing_mode" {
  description = "X-Ray tracing of the Lambdas: Active or PassThrough."
  type        = string
  default     = "Active"
}

variable "firehose_stream_count" {
  description = "How many Firehose streams carry the topics to RAW (each topic and dlq_errors on one stream, chosen by rendezvous hashing in the Lambdas). One Direct PUT stream takes 5 MiB/s in us-east-1, us-west-2 and eu-west-1, 1 MiB/s elsewhere (Amazon Data Firehose quotas): a stack carries firehose_stream_count x that. Adding a stream moves about 1/N of the topics."
  type        = number
  default     = 1
}

variable "firehose_buffering_size_mb" {
  description = "Firehose buffer size (MB) before a delivery to the RAW tables."
  type        = number
  default     = 64
}

variable "firehose_buffering_interval_seconds" {
  description = "Firehose buffer time (seconds) before a delivery to the RAW tables: the RAW latency."
  type        = number
  default     = 300
}

################################################################################
# Glue jobs
################################################################################

variable "glue_worker_type" {
  description = "Glue worker type of the standardized and curated jobs."
  type        = string
  default     = "G.1X"
}

variable "glue_number_of_workers" {
  description = "Workers per Glue job run."
  type        = number
  default     = 2
}

variable "glue_timeout_minutes" {
  description = "Minutes after which a Glue job run is stopped."
  type        = number
  default     = 45
}

variable "drift_vanish_days" {
  description = "Days without a value after which a field is logged vanished in drift_log (LEANOPS_DRIFT_VANISH_DAYS; whole days, at least 1, checked by modules/processing)."
  type        = number
  default     = 7
}

################################################################################
# Storage
################################################################################

variable "force_destroy" {
  description = "Whether destroy may delete non-empty buckets and Athena history (never in prod)."
  type        = bool
  default     = false
}

variable "kms_key_deletion_window_in_days" {
  description = "Days a deleted KMS key waits before it is destroyed."
  type        = number
  default     = 30
}

variable "firehose_errors_expiration_days" {
  description = "Days the records under firehose-errors/ are kept."
  type        = number
  default     = 90
}

variable "noncurrent_version_expiration_days" {
  description = "Days non-current object versions are kept in the buckets."
  type        = number
  default     = 30
}

################################################################################
# Protection
################################################################################

variable "deletion_protection" {
  description = "Whether the DynamoDB checkpoint and lock tables are protected from deletion."
  type        = bool
  default     = true
}

################################################################################
# Lake Formation (catalogs managed by Lake Formation)
################################################################################

variable "enable_lake_formation_grants" {
  description = "Whether to grant the Firehose role, the Glue job roles, the state machine role and lake_formation_analyst_arns Lake Formation permissions (needed when the Data Catalog is managed by Lake Formation; modules/analytics/lake_formation.tf lists them)."
  type        = bool
  default     = false
}

variable "lake_formation_analyst_arns" {
  description = "IAM roles or users of the analysts querying curated and semantic with Athena (Lake Formation SELECT and DESCRIBE)."
  type        = list(string)
  default     = []
}

variable "lake_formation_analyst_topics" {
  description = "Optional: topics whose curated table Terraform itself grants lake_formation_analyst_arns Lake Formation SELECT and DESCRIBE on, one table each (never all of curated: its errors table is not for analysts). Not needed for new topics: with enable_lake_formation_grants the curated job grants the analysts each topic table it creates, on its first cycle (modules/analytics/lake_formation.tf). A listed topic's table must exist when applied."
  type        = list(string)
  default     = []
}

################################################################################
# Snowflake (optional): a read-only role for its Glue catalog integration and external volume
################################################################################

variable "snowflake" {
  description = "Snowflake's IAM user ARN and external ids (DESC CATALOG INTEGRATION / DESC EXTERNAL VOLUME, docs/SNOWFLAKE.md); null: no Snowflake role."
  type = object({
    principal_arn = string
    external_ids  = list(string)
  })
  default = null
}

variable "semantic_dir" {
  description = "The team's semantic layer: a folder with views/<name>.sql (one SELECT each, Athena SQL) and metrics.json, relative to the root or absolute; locally the same folder is LEANOPS_SEMANTIC_DIR."
  type        = string
  default     = "semantic"
}
