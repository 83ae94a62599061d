################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to create the ingestion resources (set false to disable the whole module)."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. \"leanops-dev\". At most 27 characters, so '<prefix>-<topic>-dlq' fits SQS's 80."
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

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like an AWS region name, e.g. \"eu-west-1\"."
  }
}

variable "partition" {
  description = "AWS partition of the ARNs (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key encrypting the queues, the stream's S3 output and its logs."
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

variable "tags" {
  description = "Extra tags for this module's resources (common tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}

################################################################################
# Topics: one queue + DLQ + event source mapping each
################################################################################

variable "topic_name_rule" {
  description = "The topic name rule of schemas/tables.json (topic_name): pattern, description and reserved names. Pass jsondecode(file(\".../schemas/tables.json\")).topic_name."
  type = object({
    pattern     = string
    description = string
    reserved    = list(string)
  })
  default = {
    pattern     = "^[a-z][a-z0-9_]{0,47}$"
    description = "see schemas/tables.json topic_name"
    reserved    = []
  }
}

variable "topics" {
  description = "Topic name -> its queue and consumer settings. visibility_timeout_seconds: null derives 6 x the sqs_processor timeout + the batching window (the AWS minimum). maximum_concurrency: null (default) lets the topic use any of sqs_processor's reserved concurrency; a number caps the topic's mapping (2-1000)."
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
    condition     = alltrue([for topic in keys(var.topics) : can(regex(var.topic_name_rule.pattern, topic))])
    error_message = "Invalid topic name(s) ${join(", ", [for topic in keys(var.topics) : "'${topic}'" if !can(regex(var.topic_name_rule.pattern, topic))])}: a topic name must match ${var.topic_name_rule.pattern} (${var.topic_name_rule.description})."
  }

  validation {
    condition     = length(setintersection(keys(var.topics), var.topic_name_rule.reserved)) == 0
    error_message = "Reserved topic name(s) ${join(", ", sort(setintersection(keys(var.topics), var.topic_name_rule.reserved)))}: they collide with shared tables (reserved: ${join(", ", var.topic_name_rule.reserved)})."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.batch_size >= 1 && topic.batch_size <= 10000 && floor(topic.batch_size) == topic.batch_size])
    error_message = "batch_size of topic(s) ${join(", ", [for name, topic in var.topics : name if !(topic.batch_size >= 1 && topic.batch_size <= 10000)])} must be a whole number between 1 and 10000 (SQS event source mapping limit)."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.batch_size <= 10 || topic.maximum_batching_window_seconds >= 1])
    error_message = "A batch_size above 10 needs maximum_batching_window_seconds >= 1 (SQS event source mapping rule)."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.maximum_batching_window_seconds >= 0 && topic.maximum_batching_window_seconds <= 300])
    error_message = "maximum_batching_window_seconds must be between 0 and 300."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.max_receive_count >= 1 && topic.max_receive_count <= 1000])
    error_message = "max_receive_count must be between 1 and 1000."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.message_retention_seconds >= 60 && topic.message_retention_seconds <= 1209600])
    error_message = "message_retention_seconds must be between 60 and 1209600 (14 days)."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.visibility_timeout_seconds == null || try(topic.visibility_timeout_seconds <= 43200, false)])
    error_message = "visibility_timeout_seconds must be at most 43200 (12 hours, the SQS maximum)."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.visibility_timeout_seconds == null || try(topic.visibility_timeout_seconds >= 6 * var.sqs_processor_timeout_seconds + topic.maximum_batching_window_seconds, false)])
    error_message = "visibility_timeout_seconds of topic(s) ${join(", ", [for name, topic in var.topics : "${name} (${topic.visibility_timeout_seconds}s, needs ${6 * var.sqs_processor_timeout_seconds + topic.maximum_batching_window_seconds}s)" if topic.visibility_timeout_seconds != null && !try(topic.visibility_timeout_seconds >= 6 * var.sqs_processor_timeout_seconds + topic.maximum_batching_window_seconds, false)])} is under 6 x the sqs_processor timeout (${var.sqs_processor_timeout_seconds}s) + the batching window (Lambda developer guide, SQS event source mapping: the queue's visibility timeout must be at least six times the function timeout). Leave it null to derive it."
  }

  validation {
    condition     = alltrue([for topic in values(var.topics) : topic.maximum_concurrency == null || try(topic.maximum_concurrency >= 2 && topic.maximum_concurrency <= 1000 && floor(topic.maximum_concurrency) == topic.maximum_concurrency, false)])
    error_message = "maximum_concurrency of topic(s) ${join(", ", [for name, topic in var.topics : name if topic.maximum_concurrency != null && !try(topic.maximum_concurrency >= 2 && topic.maximum_concurrency <= 1000, false)])} must be null or a whole number between 2 and 1000 (Lambda ScalingConfig MaximumConcurrency: minimum 2, maximum 1000)."
  }
}

variable "dlq_message_retention_seconds" {
  description = "How long a DLQ keeps a message (the archiver copies it to dlq_errors long before)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_message_retention_seconds >= 60 && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "kms_data_key_reuse_period_seconds" {
  description = "Seconds SQS reuses a data key before calling KMS again (cost vs. key use)."
  type        = number
  default     = 300

  validation {
    condition     = var.kms_data_key_reuse_period_seconds >= 60 && var.kms_data_key_reuse_period_seconds <= 86400
    error_message = "kms_data_key_reuse_period_seconds must be between 60 and 86400."
  }
}

variable "create_event_source_mappings" {
  description = "Whether to connect the topic queues to sqs_processor (sqs_processor_function_arn is then required)."
  type        = bool
  default     = true
}

variable "create_dlq_event_source_mappings" {
  description = "Whether to connect the DLQs to dlq_archiver (dlq_archiver_function_arn is then required)."
  type        = bool
  default     = true
}

variable "sqs_processor_function_arn" {
  description = "ARN of the sqs_processor Lambda consuming the topic queues."
  type        = string
  default     = null
}

variable "sqs_processor_timeout_seconds" {
  description = "Timeout of sqs_processor: the topic queues' visibility timeout is at least 6 x this + the batching window."
  type        = number
  default     = 60

  validation {
    condition     = var.sqs_processor_timeout_seconds >= 1 && var.sqs_processor_timeout_seconds <= 900
    error_message = "sqs_processor_timeout_seconds must be between 1 and 900 (the Lambda maximum)."
  }
}

variable "dlq_archiver_timeout_seconds" {
  description = "Timeout of dlq_archiver: the DLQs' visibility timeout is 6 x this."
  type        = number
  default     = 60

  validation {
    condition     = var.dlq_archiver_timeout_seconds >= 1 && var.dlq_archiver_timeout_seconds <= 900
    error_message = "dlq_archiver_timeout_seconds must be between 1 and 900 (the Lambda maximum)."
  }
}

variable "dlq_archiver_function_arn" {
  description = "ARN of the dlq_archiver Lambda consuming the DLQs."
  type        = string
  default     = null
}

variable "dlq_archiver_batch_size" {
  description = "Messages per dlq_archiver invocation."
  type        = number
  default     = 10

  validation {
    condition     = var.dlq_archiver_batch_size >= 1 && var.dlq_archiver_batch_size <= 10
    error_message = "dlq_archiver_batch_size must be between 1 and 10."
  }
}

################################################################################
# Firehose -> Iceberg (RAW)
################################################################################

variable "create_firehose" {
  description = "Whether to create the Firehose stream writing to the RAW Iceberg tables."
  type        = bool
  default     = true
}

variable "firehose_stream_count" {
  description = "How many Firehose streams share the topics (each topic, and dlq_errors, goes to one, chosen by the Lambdas by rendezvous hashing). One Direct PUT stream takes 5 MiB/s in us-east-1, us-west-2 and eu-west-1, 1 MiB/s elsewhere (Firehose quotas)."
  type        = number
  default     = 1

  validation {
    condition     = var.firehose_stream_count >= 1 && var.firehose_stream_count <= 50 && floor(var.firehose_stream_count) == var.firehose_stream_count
    error_message = "firehose_stream_count must be a whole number between 1 and 50 (Amazon Data Firehose quota: 50 streams per Region by default, shared with the account's other stacks; the stream names also travel in the Lambdas' 4 KB environment)."
  }
}

variable "data_lake_bucket_arn" {
  description = "ARN of the data lake bucket (Iceberg warehouse and the Firehose error prefix)."
  type        = string
  default     = null
}

variable "warehouse_prefix" {
  description = "Prefix of the Iceberg warehouse in the data lake bucket."
  type        = string
  default     = "warehouse/"
}

variable "firehose_errors_prefix" {
  description = "Prefix where Firehose writes records it could not deliver (transform failures, Iceberg errors)."
  type        = string
  default     = "firehose-errors/"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]*/$", var.firehose_errors_prefix))
    error_message = "firehose_errors_prefix must be one path segment ending with '/'."
  }
}

variable "raw_database_name" {
  description = "Glue database of the RAW tables (tables.json databases.raw)."
  type        = string
  default     = "iceberg_raw_db"
}

variable "enable_transform" {
  description = "Whether Firehose hands records to the transform Lambda (it routes each record to its RAW table; without it no record has a destination)."
  type        = bool
  default     = true
}

variable "firehose_transform_function_arn" {
  description = "ARN of the firehose_transform Lambda routing each record to its RAW table."
  type        = string
  default     = null
}

variable "firehose_buffering_size_mb" {
  description = "Firehose buffer size in MB before a delivery to Iceberg."
  type        = number
  default     = 64

  validation {
    condition     = var.firehose_buffering_size_mb >= 1 && var.firehose_buffering_size_mb <= 128
    error_message = "firehose_buffering_size_mb must be between 1 and 128."
  }
}

variable "firehose_buffering_interval_seconds" {
  description = "Firehose buffer time in seconds before a delivery to Iceberg."
  type        = number
  default     = 300

  validation {
    condition     = var.firehose_buffering_interval_seconds >= 0 && var.firehose_buffering_interval_seconds <= 900
    error_message = "firehose_buffering_interval_seconds must be between 0 and 900."
  }
}

variable "firehose_retry_duration_seconds" {
  description = "How long Firehose retries a failed Iceberg delivery before writing it to the error prefix."
  type        = number
  default     = 300

  validation {
    condition     = var.firehose_retry_duration_seconds >= 0 && var.firehose_retry_duration_seconds <= 7200
    error_message = "firehose_retry_duration_seconds must be between 0 and 7200."
  }
}

variable "transform_buffer_size_mb" {
  description = "Size of the batches Firehose hands to the transform Lambda, in MB."
  type        = number
  default     = 1

  validation {
    condition     = var.transform_buffer_size_mb >= 0.2 && var.transform_buffer_size_mb <= 3
    error_message = "transform_buffer_size_mb must be between 0.2 and 3."
  }
}

variable "transform_buffer_interval_seconds" {
  description = "Seconds Firehose waits to fill a batch for the transform Lambda."
  type        = number
  default     = 60

  validation {
    condition     = var.transform_buffer_interval_seconds >= 0 && var.transform_buffer_interval_seconds <= 900
    error_message = "transform_buffer_interval_seconds must be between 0 and 900."
  }
}

variable "log_retention_days" {
  description = "Retention of the Firehose delivery log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}
