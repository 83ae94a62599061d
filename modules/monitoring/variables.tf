################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to create the alarms, the Glue failure rule and the dashboard."
  type        = bool
  default     = true
}

variable "name_prefix" {
  description = "Prefix of every alarm, rule and dashboard name, e.g. \"leanops-dev\"."
  type        = string
  default     = "leanops"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and '-', starting with a letter and not ending with '-'."
  }
}

variable "region" {
  description = "AWS region shown by the dashboard widgets, e.g. \"eu-west-1\"."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must look like an AWS region name, e.g. \"eu-west-1\"."
  }
}

variable "alarm_topic_arn" {
  description = "ARN of the SNS topic every alarm (ALARM and OK) and the Glue failure rule notify."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:.+$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be an SNS topic ARN."
  }

  validation {
    condition     = !var.create || var.alarm_topic_arn != null
    error_message = "alarm_topic_arn is required when create is true."
  }
}

variable "tags" {
  description = "Extra tags for this module's resources (common tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}

################################################################################
# Monitored resources
################################################################################

variable "queues" {
  description = "Topic -> its SQS queue and DLQ names."
  type = map(object({
    queue_name = string
    dlq_name   = string
  }))
  default = {}
}

variable "lambda_function_names" {
  description = "Role -> Lambda function name (sqs_processor, firehose_transform, dlq_archiver, cycle_planner, ...)."
  type        = map(string)
  default     = {}
}

variable "firehose_stream_names" {
  description = "Names of the Firehose delivery streams writing to Iceberg (one or many): each gets a failed-rows and a freshness alarm. Names must be known at plan (built from the name prefix)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.firehose_stream_names) == length(distinct(var.firehose_stream_names))
    error_message = "firehose_stream_names must not repeat a stream."
  }

  validation {
    condition     = alltrue([for name in var.firehose_stream_names : can(regex("^[a-zA-Z0-9_.-]{1,64}$", name))])
    error_message = "Each firehose_stream_names entry must be a Firehose stream name: 1-64 letters, digits, '_', '.' or '-' (Firehose API, CreateDeliveryStream DeliveryStreamName)."
  }
}

variable "glue_job_names" {
  description = "Names of the Glue jobs (standardized, curated) whose failed runs raise an alert."
  type        = list(string)
  default     = []
}

variable "state_machine_arn" {
  description = "ARN of the cycle state machine (ExecutionsFailed and pipeline freshness alarms); the orchestration module's state_machine_arn_static."
  type        = string
  default     = null
}

variable "create_state_machine_alarms" {
  description = "Whether to create the failed-cycle and pipeline-freshness alarms (needs state_machine_arn)."
  type        = bool
  default     = true

  validation {
    condition     = !var.create || !var.create_state_machine_alarms || var.state_machine_arn != null
    error_message = "state_machine_arn is required when create_state_machine_alarms is true."
  }
}

################################################################################
# Thresholds
################################################################################

variable "alarm_period_seconds" {
  description = "Period of the metric alarms, in seconds."
  type        = number
  default     = 300

  validation {
    condition     = contains([60, 300, 900, 3600], var.alarm_period_seconds)
    error_message = "alarm_period_seconds must be 60, 300, 900 or 3600."
  }
}

variable "dlq_depth_threshold" {
  description = "Alarm when a DLQ holds more visible messages than this."
  type        = number
  default     = 0

  validation {
    condition     = var.dlq_depth_threshold >= 0
    error_message = "dlq_depth_threshold must be 0 or more."
  }
}

variable "oldest_message_age_threshold_seconds" {
  description = "Alarm when a topic queue's oldest message is older than this (consumers are stuck)."
  type        = number
  default     = 900

  validation {
    condition     = var.oldest_message_age_threshold_seconds >= 60 && var.oldest_message_age_threshold_seconds <= 1209600
    error_message = "oldest_message_age_threshold_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "lambda_errors_threshold" {
  description = "Alarm when a Lambda reports more errors than this in one period."
  type        = number
  default     = 0

  validation {
    condition     = var.lambda_errors_threshold >= 0
    error_message = "lambda_errors_threshold must be 0 or more."
  }
}

variable "lambda_throttles_threshold" {
  description = "Alarm when a Lambda is throttled more than this in one period."
  type        = number
  default     = 0

  validation {
    condition     = var.lambda_throttles_threshold >= 0
    error_message = "lambda_throttles_threshold must be 0 or more."
  }
}

variable "firehose_failed_rows_threshold" {
  description = "Alarm when a stream fails to deliver more rows than this to Iceberg in one period (DeliveryToIceberg.FailedRowCount, Sum)."
  type        = number
  default     = 0

  validation {
    condition     = var.firehose_failed_rows_threshold >= 0
    error_message = "firehose_failed_rows_threshold must be 0 or more."
  }
}

variable "firehose_freshness_threshold_seconds" {
  description = "Alarm when the oldest record waiting in Firehose is older than this (DeliveryToIceberg.DataFreshness)."
  type        = number
  default     = 900

  validation {
    condition     = var.firehose_freshness_threshold_seconds >= 60 && var.firehose_freshness_threshold_seconds <= 86400
    error_message = "firehose_freshness_threshold_seconds must be between 60 and 86400."
  }
}

variable "executions_failed_threshold" {
  description = "Alarm when more cycles than this fail in one period."
  type        = number
  default     = 0

  validation {
    condition     = var.executions_failed_threshold >= 0
    error_message = "executions_failed_threshold must be 0 or more."
  }
}

variable "freshness_max_missed_cycles" {
  description = "Pipeline freshness: alarm when no cycle has succeeded for this many consecutive periods of freshness_period_seconds (missing data counts as breaching)."
  type        = number
  default     = 3

  validation {
    condition     = var.freshness_max_missed_cycles >= 1 && var.freshness_max_missed_cycles <= 96
    error_message = "freshness_max_missed_cycles must be between 1 and 96."
  }
}

variable "freshness_period_seconds" {
  description = "Period of the pipeline freshness alarm; set it to the schedule's interval (900 for rate(15 minutes))."
  type        = number
  default     = 900

  validation {
    condition     = var.freshness_period_seconds >= 60 && var.freshness_period_seconds % 60 == 0
    error_message = "freshness_period_seconds must be a multiple of 60, at least 60."
  }
}

################################################################################
# Dashboard
################################################################################

variable "create_dashboard" {
  description = "Whether to create the CloudWatch dashboard."
  type        = bool
  default     = true
}

variable "create_glue_failure_rule" {
  description = "Whether an EventBridge rule sends Glue Job State Change events (FAILED, TIMEOUT, ERROR) to the alarm topic."
  type        = bool
  default     = true
}
