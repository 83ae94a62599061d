################################################################################
# Alerts: one KMS-encrypted SNS topic (cycle failures, alarms, failed Glue runs)
################################################################################

resource "aws_sns_topic" "alerts" {
  count = local.create ? 1 : 0

  name              = local.alert_topic
  kms_master_key_id = local.sns_kms_key
  tags              = var.tags
}

locals {
  alert_topic_policy = local.create ? jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowAlarmsAndEventsOfThisAccount"
        Effect    = "Allow"
        Action    = "sns:Publish"
        Principal = { Service = ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }
        Resource  = aws_sns_topic.alerts[0].arn
        Condition = { StringEquals = { "aws:SourceAccount" = var.account_id } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Action    = "sns:Publish"
        Principal = "*"
        Resource  = aws_sns_topic.alerts[0].arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  }) : null
}

resource "aws_sns_topic_policy" "alerts" {
  count = local.create ? 1 : 0

  arn    = aws_sns_topic.alerts[0].arn
  policy = local.alert_topic_policy
}

resource "aws_sns_topic_subscription" "email" {
  for_each = local.create ? toset(var.alert_emails) : toset([])

  topic_arn = aws_sns_topic.alerts[0].arn
  protocol  = "email"
  endpoint  = each.value
}
