################################################################################
# Queues: one per topic, each with its DLQ
################################################################################

resource "aws_sqs_queue" "dlq" {
  for_each = local.topics

  name                              = local.dlq_names[each.key]
  message_retention_seconds         = var.dlq_message_retention_seconds
  visibility_timeout_seconds        = local.dlq_visibility_timeout
  kms_master_key_id                 = local.sqs_kms_key
  kms_data_key_reuse_period_seconds = var.kms_data_key_reuse_period_seconds
  tags                              = merge(var.tags, { "leanops:topic" = each.key, "leanops:queue-role" = "dlq" })
}

resource "aws_sqs_queue" "this" {
  for_each = local.topics

  name                              = local.queue_names[each.key]
  message_retention_seconds         = each.value.message_retention_seconds
  visibility_timeout_seconds        = local.visibility_timeouts[each.key]
  kms_master_key_id                 = local.sqs_kms_key
  kms_data_key_reuse_period_seconds = var.kms_data_key_reuse_period_seconds

  # The DLQ ARN is built from its name (known at plan time); depends_on keeps the DLQ first.
  redrive_policy = jsonencode({
    deadLetterTargetArn = local.dlq_arns[each.key]
    maxReceiveCount     = each.value.max_receive_count
  })

  tags = merge(var.tags, { "leanops:topic" = each.key, "leanops:queue-role" = "topic" })

  depends_on = [aws_sqs_queue.dlq]
}

resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  for_each = local.topics

  queue_url = aws_sqs_queue.dlq[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [local.queue_arns[each.key]]
  })
}

resource "aws_sqs_queue_policy" "this" {
  for_each = merge(
    { for topic in keys(local.topics) : "${topic}/topic" => { url = aws_sqs_queue.this[topic].id, arn = local.queue_arns[topic] } },
    { for topic in keys(local.topics) : "${topic}/dlq" => { url = aws_sqs_queue.dlq[topic].id, arn = local.dlq_arns[topic] } },
  )

  queue_url = each.value.url
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "sqs:*"
      Resource  = each.value.arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

################################################################################
# Event source mappings: topic queue -> sqs_processor, DLQ -> dlq_archiver
################################################################################

resource "aws_lambda_event_source_mapping" "this" {
  for_each = local.create_sqs_mappings ? local.topics : {}

  event_source_arn                   = aws_sqs_queue.this[each.key].arn
  function_name                      = var.sqs_processor_function_arn
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.maximum_batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  # Optional per topic: without it the topics share sqs_processor's reserved concurrency.
  dynamic "scaling_config" {
    for_each = each.value.maximum_concurrency == null ? [] : [each.value.maximum_concurrency]

    content {
      maximum_concurrency = scaling_config.value
    }
  }

  lifecycle {
    precondition {
      condition     = var.sqs_processor_function_arn != null
      error_message = "create_event_source_mappings is true but sqs_processor_function_arn is not set."
    }
  }
}

resource "aws_lambda_event_source_mapping" "dlq" {
  for_each = local.create_dlq_mappings ? local.topics : {}

  event_source_arn        = aws_sqs_queue.dlq[each.key].arn
  function_name           = var.dlq_archiver_function_arn
  batch_size              = var.dlq_archiver_batch_size
  function_response_types = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = local.dlq_archiver_maximum_concurrency
  }

  lifecycle {
    precondition {
      condition     = var.dlq_archiver_function_arn != null
      error_message = "create_dlq_event_source_mappings is true but dlq_archiver_function_arn is not set."
    }
  }
}
