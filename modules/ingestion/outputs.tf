################################################################################
# Queues
################################################################################

output "queue_arns" {
  description = "Topic -> ARN of its queue."
  value       = { for topic, queue in aws_sqs_queue.this : topic => queue.arn }
}

output "queue_urls" {
  description = "Topic -> URL of its queue (what producers send to)."
  value       = { for topic, queue in aws_sqs_queue.this : topic => queue.url }
}

output "dlq_arns" {
  description = "Topic -> ARN of its dead-letter queue."
  value       = { for topic, queue in aws_sqs_queue.dlq : topic => queue.arn }
}

output "dlq_urls" {
  description = "Topic -> URL of its dead-letter queue."
  value       = { for topic, queue in aws_sqs_queue.dlq : topic => queue.url }
}

output "queue_names" {
  description = "Topic -> its queue and DLQ names (built from the inputs; no dependency on the resources)."
  value       = local.create ? { for topic in keys(var.topics) : topic => { queue_name = local.queue_names[topic], dlq_name = local.dlq_names[topic] } } : {}
}

output "queue_arns_static" {
  description = "Topic -> queue ARN built from its name (breaks Lambda role <-> queue cycles)."
  value       = local.create ? local.queue_arns : {}
}

output "dlq_arns_static" {
  description = "Topic -> DLQ ARN built from its name."
  value       = local.create ? local.dlq_arns : {}
}

output "queue_name_prefix" {
  description = "Prefix of the queue names (<prefix>-<topic>, <prefix>-<topic>-dlq): LEANOPS_NAME_PREFIX of sqs_processor and dlq_archiver, which derive a queue's topic from its name."
  value       = local.create ? var.name_prefix : null
}

output "queue_arn_patterns" {
  description = "ARN patterns of the stack's topic queues and DLQs (role policies name these, not one ARN per topic)."
  value = local.create ? {
    queues = "arn:${var.partition}:sqs:${var.region}:${var.account_id}:${var.name_prefix}-*"
    dlqs   = "arn:${var.partition}:sqs:${var.region}:${var.account_id}:${var.name_prefix}-*-dlq"
  } : null
}

output "visibility_timeouts" {
  description = "Topic -> its queue's visibility timeout in seconds (set, or derived: 6 x the sqs_processor timeout + the batching window)."
  value       = local.create ? local.visibility_timeouts : {}
}

output "event_source_mapping_uuids" {
  description = "Topic -> UUID of the queue -> sqs_processor mapping."
  value       = { for topic, mapping in aws_lambda_event_source_mapping.this : topic => mapping.uuid }
}

output "dlq_event_source_mapping_uuids" {
  description = "Topic -> UUID of the DLQ -> dlq_archiver mapping."
  value       = { for topic, mapping in aws_lambda_event_source_mapping.dlq : topic => mapping.uuid }
}

################################################################################
# Firehose
################################################################################

output "firehose_stream_names" {
  description = "Names of the Firehose streams (LEANOPS_FIREHOSE_STREAMS, comma-separated): one alarm set per stream."
  value       = local.create_firehose ? local.stream_names : []
}

output "firehose_delivery_stream_name" {
  description = "Name of the first Firehose stream (<prefix>-raw; kept for compatibility: use firehose_stream_names)."
  value       = local.create_firehose ? local.stream_names[0] : null
}

output "firehose_delivery_stream_arns" {
  description = "ARNs of the Firehose streams."
  value       = aws_kinesis_firehose_delivery_stream.this[*].arn
}

output "firehose_delivery_stream_arns_static" {
  description = "ARNs of the Firehose streams built from their names (break Lambda role <-> stream cycles)."
  value       = local.create_firehose ? local.stream_arns : []
}

output "firehose_role_arn" {
  description = "ARN of the IAM role Firehose assumes."
  value       = try(aws_iam_role.firehose[0].arn, null)
}

output "firehose_log_group_names" {
  description = "Names of the Firehose delivery log groups, one per stream."
  value       = aws_cloudwatch_log_group.firehose[*].name
}
