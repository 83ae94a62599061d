################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to create the Lambdas (set false to disable the whole module)."
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
  description = "ARN of the customer managed KMS key: Lambda environment, log groups, and the encrypted queues the functions read."
  type        = string
  default     = null
}

variable "replay_key_id" {
  description = "Id of the HMAC KMS key that signs DLQ replays (modules/storage): sqs_processor's LEANOPS_REPLAY_KEY_ID, verified with kms:VerifyMac. Null: no replay keeps its original id."
  type        = string
  default     = null
}

variable "replay_key_alias_name" {
  description = "Alias of the replay HMAC key (alias/<name>): sqs_processor's kms:VerifyMac names the key through it (kms:ResourceAliases), so the policy is known at plan time."
  type        = string
  default     = null

  validation {
    condition     = var.replay_key_alias_name == null || can(regex("^alias/[a-zA-Z0-9/_-]+$", var.replay_key_alias_name))
    error_message = "replay_key_alias_name must be a KMS alias name: \"alias/\" followed by letters, digits, '/', '_' or '-' (KMS CreateAlias AliasName rule)."
  }
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
# Functions
################################################################################

variable "package_paths" {
  description = "Function (sqs_processor, firehose_transform, dlq_archiver) -> path of its zip from scripts/build_lambdas.sh. A missing file still plans (its hash is unknown until built); apply needs the zips."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setsubtract(keys(var.package_paths), ["sqs_processor", "firehose_transform", "dlq_archiver"])) == 0
    error_message = "package_paths keys must be among sqs_processor, firehose_transform and dlq_archiver."
  }
}

variable "functions" {
  description = "Function -> its sizing. reserved_concurrency caps the function (and protects the account's pool); sqs_processor's must cover the sum of the topics' maximum_concurrency."
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
    condition     = alltrue([for name in keys(var.functions) : contains(["sqs_processor", "firehose_transform", "dlq_archiver"], name)])
    error_message = "functions keys must be among sqs_processor, firehose_transform and dlq_archiver."
  }

  validation {
    condition     = alltrue([for fn in values(var.functions) : fn.memory_mb >= 128 && fn.memory_mb <= 10240])
    error_message = "memory_mb must be between 128 and 10240."
  }

  validation {
    condition     = alltrue([for fn in values(var.functions) : fn.timeout_seconds >= 1 && fn.timeout_seconds <= 900])
    error_message = "timeout_seconds must be between 1 and 900."
  }

  validation {
    condition     = alltrue([for fn in values(var.functions) : fn.reserved_concurrency >= 1])
    error_message = "reserved_concurrency must be at least 1 (0 would stop the function)."
  }
}

variable "handler" {
  description = "Handler of every function inside its zip (module.function)."
  type        = string
  default     = "handler.lambda_handler"
}

variable "runtime" {
  description = "Lambda runtime (Python 3.11 like Glue 5.0)."
  type        = string
  default     = "python3.11"
}

variable "architecture" {
  description = "Lambda architecture (the build scripts bundle x86_64 wheels)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64"], var.architecture)
    error_message = "architecture must be x86_64 (the bundled wheels are manylinux2014_x86_64)."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing of the functions: Active or PassThrough."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "log_level" {
  description = "POWERTOOLS_LOG_LEVEL of the functions."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "log_retention_days" {
  description = "Retention of the functions' log groups, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

################################################################################
# What the functions read and write
################################################################################

variable "firehose_stream_names" {
  description = "Names of the Firehose streams sqs_processor and dlq_archiver write to (LEANOPS_FIREHOSE_STREAMS); the functions may write to these only."
  type        = list(string)
  default     = []
}

variable "queue_name_prefix" {
  description = "Prefix of the stack's queue names (<prefix>-<topic>, <prefix>-<topic>-dlq: LEANOPS_NAME_PREFIX). sqs_processor may consume <prefix>-* except the DLQs, dlq_archiver <prefix>-*-dlq. null: no queue access."
  type        = string
  default     = null

  validation {
    condition     = var.queue_name_prefix == null || can(regex("^[a-z][a-z0-9-]{1,25}[a-z0-9]$", var.queue_name_prefix))
    error_message = "queue_name_prefix must be 3-27 characters of lowercase letters, digits and '-', starting with a letter and not ending with '-'."
  }
}
