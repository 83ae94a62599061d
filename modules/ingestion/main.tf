################################################################################
# Queues: one per topic, each with its DLQ
################################################################################

# The queue policy (TLS only) and the DLQ's redrive-allow policy are arguments of the queues, not
# aws_sqs_queue_policy / aws_sqs_queue_redrive_allow_policy resources: every ARN is built from a
# name known at plan time, so there is no cycle to break, and three fewer resources per topic keep
# the 1,000-topic plan within minutes (Terraform's plan and its apply-graph check grow faster than
# linearly with the resource instances).

resource "aws_sqs_queue" "dlq" {
  for_each = local.topics

  name                              = local.dlq_names[each.key]
  message_retention_seconds         = var.dlq_message_retention_seconds
  visibility_timeout_seconds        = local.dlq_visibility_timeout
  kms_master_key_id                 = local.sqs_kms_key
  kms_data_key_reuse_period_seconds = var.kms_data_key_reuse_period_seconds
  policy                            = local.tls_only_policies[local.dlq_arns[each.key]]

  # Only the topic's own queue may redrive into its DLQ.
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [local.queue_arns[each.key]]
  })

  tags = merge(var.tags, { "leanops:topic" = each.key, "leanops:queue-role" = "dlq" })
}

resource "aws_sqs_queue" "this" {
  for_each = local.topics

  name                              = local.queue_names[each.key]
  message_retention_seconds         = each.value.message_retention_seconds
  visibility_timeout_seconds        = local.visibility_timeouts[each.key]
  kms_master_key_id                 = local.sqs_kms_key
  kms_data_key_reuse_period_seconds = var.kms_data_key_reuse_period_seconds
  policy                            = local.tls_only_policies[local.queue_arns[each.key]]

  # The DLQ ARN is built from its name, so the redrive policy is known at plan time.
  redrive_policy = jsonencode({
    deadLetterTargetArn = local.dlq_arns[each.key]
    maxReceiveCount     = each.value.max_receive_count
  })

  tags = merge(var.tags, { "leanops:topic" = each.key, "leanops:queue-role" = "topic" })

  # SQS refuses a redrive policy whose DLQ does not exist yet: the DLQs come first. Through the
  # local (one graph node), not depends_on = [aws_sqs_queue.dlq], which makes every queue instance
  # wait for every DLQ instance: topics^2 edges in the apply graph Terraform builds at plan
  # (400 topics: 116 s of plan instead of 85 s).
  depends_on = [local.created_dlq_arns]
}

################################################################################
# Event source mappings: topic queue -> sqs_processor, DLQ -> dlq_archiver
################################################################################

resource "aws_lambda_event_source_mapping" "this" {
  for_each = local.create_sqs_mappings ? local.topics : {}

  event_source_arn                   = local.created_queue_arns[each.key]
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

  event_source_arn        = local.created_dlq_arns[each.key]
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
