################################################################################
# KMS: one customer managed key for the pipeline's data, queues, topics and logs
################################################################################

resource "aws_kms_key" "this" {
  count = local.create ? 1 : 0

  description             = "Lean-Ops ${var.name_prefix}: data lake, queues, streams, topics, tables and logs"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = local.kms_key_policy
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  count = local.create ? 1 : 0

  name          = local.kms_alias_name
  target_key_id = aws_kms_key.this[0].key_id
}

locals {
  # A key policy's "*" resource means this key. Root delegates to IAM policies.
  kms_root_statement = {
    Sid       = "EnableAccountRootAdministration"
    Effect    = "Allow"
    Principal = { AWS = local.account_root_arn }
    Action    = "kms:*"
    Resource  = "*"
  }

  kms_usage_actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
  kms_publish_actions = ["kms:Decrypt", "kms:GenerateDataKey*"]

  # Publishers whose KMS calls carry no aws:SourceAccount / aws:SourceArn (EventBridge).
  source_conditions_unsupported = ["events.amazonaws.com"]
  unconditioned_publishers      = [for principal in var.kms_publishing_service_principals : principal if contains(local.source_conditions_unsupported, principal)]
  conditioned_publishers        = [for principal in var.kms_publishing_service_principals : principal if !contains(local.source_conditions_unsupported, principal)]

  kms_key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        local.kms_root_statement,
        {
          Sid       = "AllowCloudWatchLogsOfThisAccount"
          Effect    = "Allow"
          Principal = { Service = "logs.${var.region}.amazonaws.com" }
          Action    = local.kms_usage_actions
          Resource  = "*"
          Condition = {
            ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:*" }
          }
        },
        {
          Sid       = "AllowUseThroughPipelineServices"
          Effect    = "Allow"
          Principal = { AWS = local.account_root_arn }
          Action    = local.kms_usage_actions
          Resource  = "*"
          Condition = {
            StringEquals = {
              "kms:ViaService"    = [for service in var.kms_via_services : "${service}.${var.region}.amazonaws.com"]
              "kms:CallerAccount" = var.account_id
            }
          }
        },
      ],
      # Services publishing to the CMK-encrypted alert topic and queues (SNS developer guide,
      # "Managing Amazon SNS encryption keys", compatibility between event sources from AWS
      # services and encrypted topics). CloudWatch alarms are scoped to this account.
      length(local.conditioned_publishers) == 0 ? [] : [{
        Sid       = "AllowServicesPublishingToEncryptedTopicsAndQueues"
        Effect    = "Allow"
        Principal = { Service = local.conditioned_publishers }
        Action    = local.kms_publish_actions
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
      }],
      # EventBridge rules (the failed-Glue-run alert) publishing to a CMK-encrypted topic fail when
      # the key policy statement carries aws:SourceAccount / aws:SourceArn conditions: EventBridge
      # is given the actions without them (SNS developer guide, encryption at rest, EventBridge).
      length(local.unconditioned_publishers) == 0 ? [] : [{
        Sid       = "AllowEventBridgeRulesPublishingToEncryptedTopics"
        Effect    = "Allow"
        Principal = { Service = local.unconditioned_publishers }
        Action    = local.kms_publish_actions
        Resource  = "*"
      }],
      # A state machine encrypted with this key that logs to CloudWatch Logs needs the log delivery
      # service to decrypt its execution data (Step Functions developer guide, "Data at rest
      # encryption", CloudWatch Logs with a customer managed key).
      var.allow_state_machine_log_delivery ? [{
        Sid       = "AllowLogDeliveryOfEncryptedStateMachines"
        Effect    = "Allow"
        Principal = { Service = "delivery.logs.amazonaws.com" }
        Action    = ["kms:Decrypt"]
        Resource  = "*"
      }] : [],
      length(var.kms_key_administrator_arns) == 0 ? [] : [{
        Sid       = "AllowKeyAdministrators"
        Effect    = "Allow"
        Principal = { AWS = var.kms_key_administrator_arns }
        Action = [
          "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
          "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource",
          "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
        ]
        Resource = "*"
      }]
    )
  })
}

################################################################################
# KMS: the HMAC key that signs DLQ replays (only a real replay keeps an original message id)
################################################################################

# The replay path (CLI `replay`, leanops.ingest.replay) calls GenerateMac over (topic, original
# message id, original sent_at, SHA-256 of the body); sqs_processor calls VerifyMac before it keeps
# the original id (AWS KMS API Reference, "GenerateMac", "VerifyMac"; Developer Guide, "HMAC keys in
# AWS KMS": KeySpec HMAC_256 with KeyUsage GENERATE_VERIFY_MAC). The key material never leaves KMS.
# Automatic rotation is not applicable: KMS supports it only for symmetric encryption keys, not for
# HMAC keys (AWS KMS API Reference, "EnableKeyRotation"), so enable_key_rotation stays false.
resource "aws_kms_key" "replay" {
  #checkov:skip=CKV_AWS_7:Automatic rotation is supported only on symmetric encryption keys, not on HMAC keys (AWS KMS API Reference, EnableKeyRotation).
  count = local.create ? 1 : 0

  description              = "Lean-Ops ${var.name_prefix}: signs DLQ replays (original message ids)"
  customer_master_key_spec = "HMAC_256"
  key_usage                = "GENERATE_VERIFY_MAC"
  enable_key_rotation      = false
  deletion_window_in_days  = var.kms_key_deletion_window_in_days
  policy                   = local.replay_key_policy
  tags                     = var.tags
}

resource "aws_kms_alias" "replay" {
  count = local.create ? 1 : 0

  name          = local.replay_key_alias_name
  target_key_id = aws_kms_key.replay[0].key_id
}

locals {
  replay_key_alias_name = "alias/${var.name_prefix}-replay"

  # Least privilege: the account root delegates to IAM (sqs_processor's role gets kms:VerifyMac,
  # modules/compute); the operators who replay get kms:GenerateMac (and DescribeKey, to find the
  # key by its alias) here or through their own IAM policies. No statement grants VerifyMac or
  # GenerateMac to every principal, and no service principal may use the key.
  replay_key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [local.kms_root_statement],
      length(var.replay_operator_arns) == 0 ? [] : [{
        Sid       = "AllowOperatorsToSignReplays"
        Effect    = "Allow"
        Principal = { AWS = var.replay_operator_arns }
        Action    = ["kms:GenerateMac", "kms:DescribeKey"]
        Resource  = "*"
      }]
    )
  })
}

################################################################################
# KMS: the HMAC key of personal data (contract fields with "pii": "hash")
################################################################################

# The curated job derives its hashing key once per run with one GenerateMac over a fixed, versioned
# message (leanops.adapters.pii_key): GenerateMac returns the raw RFC 2104 HMAC, usable "to
# implement HMAC-based algorithms such as key derivation functions" (AWS KMS API Reference,
# "GenerateMac"). A key of its own, not the replay key: the curated role may call GenerateMac on
# it, and with the replay key it could forge replays. Same spec and usage as the replay key
# (Developer Guide, "HMAC keys in AWS KMS"); no automatic rotation for HMAC keys (API Reference,
# "EnableKeyRotation"), and none wanted: a new key changes every hash (a rebuild of every topic
# with hashed fields).
resource "aws_kms_key" "pii" {
  #checkov:skip=CKV_AWS_7:Automatic rotation is supported only on symmetric encryption keys, not on HMAC keys (AWS KMS API Reference, EnableKeyRotation).
  count = local.create ? 1 : 0

  description              = "Lean-Ops ${var.name_prefix}: derives the key of pii hash fields (curated)"
  customer_master_key_spec = "HMAC_256"
  key_usage                = "GENERATE_VERIFY_MAC"
  enable_key_rotation      = false
  deletion_window_in_days  = var.kms_key_deletion_window_in_days
  policy                   = local.pii_key_policy
  tags                     = var.tags
}

resource "aws_kms_alias" "pii" {
  count = local.create ? 1 : 0

  name          = local.pii_key_alias_name
  target_key_id = aws_kms_key.pii[0].key_id
}

locals {
  pii_key_alias_name = "alias/${var.name_prefix}-pii"

  # Least privilege: the account root delegates to IAM; the curated job's role alone gets
  # kms:GenerateMac and kms:DescribeKey on it, by alias (modules/processing). No principal is
  # named here, so no one else (operators included) can derive the hashing key.
  pii_key_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [local.kms_root_statement]
  })
}
