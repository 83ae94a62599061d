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
  kms_usage_actions = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]

  kms_key_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          # A key policy's "*" resource means this key. Root delegates to IAM policies.
          Sid       = "EnableAccountRootAdministration"
          Effect    = "Allow"
          Principal = { AWS = local.account_root_arn }
          Action    = "kms:*"
          Resource  = "*"
        },
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
        {
          Sid       = "AllowServicesPublishingToEncryptedTopicsAndQueues"
          Effect    = "Allow"
          Principal = { Service = var.kms_publishing_service_principals }
          Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
          Resource  = "*"
          Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
        },
      ],
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
