################################################################################
# One role per function, each with only what that function does
################################################################################

resource "aws_iam_role" "this" {
  for_each = local.functions

  name = each.value.function_name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  for_each = local.functions

  name   = each.value.function_name
  role   = aws_iam_role.this[each.key].id
  policy = local.function_policies[each.key]
}

# X-Ray actions support no resource-level permissions: AWS's managed policy is the narrowest grant.
resource "aws_iam_role_policy_attachment" "xray" {
  for_each = var.tracing_mode == "Active" ? local.functions : {}

  role       = aws_iam_role.this[each.key].name
  policy_arn = "arn:${var.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

locals {
  function_policies = {
    for name, fn in local.functions : name => jsonencode({
      Version = "2012-10-17"
      Statement = concat(
        [{
          Sid      = "WriteOwnLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = ["${local.arn_prefix.logs}:log-group:/aws/lambda/${fn.function_name}:*"]
        }],
        length(local.consumed_queue_arns[name]) == 0 ? [] : [{
          Sid      = "ConsumeOwnQueues"
          Effect   = "Allow"
          Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
          Resource = local.consumed_queue_arns[name]
        }],
        length(local.denied_queue_arns[name]) == 0 ? [] : [{
          Sid      = "NotTheDeadLetterQueues"
          Effect   = "Deny"
          Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
          Resource = local.denied_queue_arns[name]
        }],
        local.writes_to_stream[name] && length(local.stream_arns) > 0 ? [{
          Sid      = "PutToStream"
          Effect   = "Allow"
          Action   = ["firehose:PutRecordBatch", "firehose:PutRecord"]
          Resource = local.stream_arns
        }] : [],
        # VerifyMac of replayed messages' MACs, on the replay HMAC key only (AWS KMS API Reference,
        # "VerifyMac": required permission kms:VerifyMac, key policy or IAM policy).
        contains(local.verifies_replays, name) && var.replay_key_alias_name != null ? [{
          Sid       = "VerifyReplayMacs"
          Effect    = "Allow"
          Action    = ["kms:VerifyMac"]
          Resource  = ["arn:${var.partition}:kms:${var.region}:${var.account_id}:key/*"]
          Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.replay_key_alias_name } }
        }] : [],
        var.kms_key_alias_name == null ? [] : [{
          Sid       = "UseKmsKeyThroughItsAlias"
          Effect    = "Allow"
          Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
          Resource  = ["arn:${var.partition}:kms:${var.region}:${var.account_id}:key/*"]
          Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.kms_key_alias_name } }
        }]
      )
    })
  }
}
