################################################################################
# Module
################################################################################

variable "create" {
  description = "Whether to create the storage resources (set false to disable the whole module)."
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
  description = "AWS account id (12 digits): makes bucket names unique and builds ARNs without calling AWS during plan."
  type        = string
  default     = "000000000000"

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits."
  }
}

variable "region" {
  description = "AWS region of the stack, e.g. \"eu-west-1\" (used in the KMS key policy's service conditions)."
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

variable "tags" {
  description = "Extra tags for this module's resources (common tags come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}

################################################################################
# KMS
################################################################################

variable "kms_key_deletion_window_in_days" {
  description = "Days a deleted KMS key waits before it is destroyed (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30
    error_message = "kms_key_deletion_window_in_days must be between 7 and 30."
  }
}

variable "kms_key_administrator_arns" {
  description = "IAM principals (besides the account root) allowed to administer the key. Empty: the account root only, delegated through IAM."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.kms_key_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "Every kms_key_administrator_arns entry must be an IAM role or user ARN."
  }
}

variable "kms_via_services" {
  description = "Services (short names) through which principals of the account may use the key (kms:ViaService condition)."
  type        = list(string)
  default     = ["sqs", "sns", "firehose", "glue", "s3", "dynamodb", "lambda", "athena", "states"]
}

variable "kms_publishing_service_principals" {
  description = "Service principals that publish to KMS-encrypted SNS topics or queues of this account (CloudWatch alarms, EventBridge rules). events.amazonaws.com gets its statement without aws:SourceAccount/aws:SourceArn conditions, which EventBridge cannot satisfy."
  type        = list(string)
  default     = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]

  validation {
    condition     = alltrue([for principal in var.kms_publishing_service_principals : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", principal))])
    error_message = "Every kms_publishing_service_principals entry must be a service principal (<service>.amazonaws.com)."
  }
}

variable "allow_state_machine_log_delivery" {
  description = "Whether delivery.logs.amazonaws.com may kms:Decrypt with the key: required when a state machine encrypted with it logs to CloudWatch Logs (Step Functions developer guide, data at rest encryption)."
  type        = bool
  default     = true
}

################################################################################
# Buckets
################################################################################

variable "force_destroy" {
  description = "Whether `terraform destroy` may delete non-empty buckets (never true in prod)."
  type        = bool
  default     = false
}

variable "warehouse_prefix" {
  description = "Prefix of the Iceberg warehouse in the data lake bucket (ends with '/')."
  type        = string
  default     = "warehouse/"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]*/$", var.warehouse_prefix))
    error_message = "warehouse_prefix must be one path segment of lowercase letters, digits, '-' or '_' ending with '/'."
  }
}

variable "firehose_errors_prefix" {
  description = "Prefix of the records Firehose could not deliver (ends with '/')."
  type        = string
  default     = "firehose-errors/"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]*/$", var.firehose_errors_prefix))
    error_message = "firehose_errors_prefix must be one path segment ending with '/'."
  }
}

variable "contracts_prefix" {
  description = "Prefix of the topic contracts ({topic}.json) in the schemas bucket (ends with '/')."
  type        = string
  default     = "contracts/"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]*/$", var.contracts_prefix))
    error_message = "contracts_prefix must be one path segment ending with '/'."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days a non-current object version is kept (Iceberg snapshot expiry removes current versions)."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1
    error_message = "abort_incomplete_multipart_upload_days must be at least 1."
  }
}

variable "firehose_errors_expiration_days" {
  description = "Days the records under the Firehose error prefix are kept (inspect or replay them before)."
  type        = number
  default     = 90

  validation {
    condition     = var.firehose_errors_expiration_days >= 1
    error_message = "firehose_errors_expiration_days must be at least 1."
  }
}

variable "athena_results_expiration_days" {
  description = "Days Athena query results are kept."
  type        = number
  default     = 30

  validation {
    condition     = var.athena_results_expiration_days >= 1
    error_message = "athena_results_expiration_days must be at least 1."
  }
}

variable "glue_temp_expiration_days" {
  description = "Days the Glue jobs' temporary files (glue assets bucket, tmp/) are kept."
  type        = number
  default     = 7

  validation {
    condition     = var.glue_temp_expiration_days >= 1
    error_message = "glue_temp_expiration_days must be at least 1."
  }
}

variable "access_log_expiration_days" {
  description = "Days the S3 server access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_expiration_days >= 1
    error_message = "access_log_expiration_days must be at least 1."
  }
}

variable "replay_operator_arns" {
  description = "IAM roles or users that may replay DLQ messages (kms:GenerateMac on the replay HMAC key, granted in its key policy). Empty: grant it through the operators' IAM policies."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.replay_operator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "Every replay_operator_arns entry must be an IAM role or user ARN (a key policy Principal; no \"*\")."
  }
}
