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

output "queue_topics" {
  description = "Queue name -> topic: LEANOPS_QUEUE_TOPICS of sqs_processor."
  value       = local.create ? { for topic, name in local.queue_names : name => topic } : {}
}

output "dlq_topics" {
  description = "DLQ name -> topic: LEANOPS_QUEUE_TOPICS of dlq_archiver."
  value       = local.create ? { for topic, name in local.dlq_names : name => topic } : {}
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

output "firehose_delivery_stream_name" {
  description = "Name of the Firehose stream (LEANOPS_FIREHOSE_STREAM)."
  value       = local.create_firehose ? local.stream_name : null
}

output "firehose_delivery_stream_arn" {
  description = "ARN of the Firehose stream."
  value       = try(aws_kinesis_firehose_delivery_stream.this[0].arn, null)
}

output "firehose_delivery_stream_arn_static" {
  description = "ARN of the Firehose stream built from its name (breaks Lambda role <-> stream cycles)."
  value       = local.create_firehose ? local.stream_arn : null
}

output "firehose_role_arn" {
  description = "ARN of the IAM role Firehose assumes."
  value       = try(aws_iam_role.firehose[0].arn, null)
}

output "firehose_log_group_name" {
  description = "Name of the Firehose delivery log group."
  value       = try(aws_cloudwatch_log_group.firehose[0].name, null)
}
