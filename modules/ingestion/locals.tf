locals {
  create          = var.create
  create_firehose = local.create && var.create_firehose
  topics          = local.create ? var.topics : {}

  queue_names = { for topic in keys(var.topics) : topic => "${var.name_prefix}-${topic}" }
  dlq_names   = { for topic in keys(var.topics) : topic => "${var.name_prefix}-${topic}-dlq" }
  queue_arns  = { for topic, name in local.queue_names : topic => "arn:${var.partition}:sqs:${var.region}:${var.account_id}:${name}" }
  dlq_arns    = { for topic, name in local.dlq_names : topic => "arn:${var.partition}:sqs:${var.region}:${var.account_id}:${name}" }

  # SQS accepts the key's alias: known at plan time (checkable offline) and stable across key rotation.
  sqs_kms_key = var.kms_key_alias_name != null ? var.kms_key_alias_name : var.kms_key_arn

  create_sqs_mappings = local.create && var.create_event_source_mappings
  create_dlq_mappings = local.create && var.create_dlq_event_source_mappings

  # The smallest concurrency SQS mappings allow: DLQ traffic is rare and archiving is cheap.
  dlq_archiver_maximum_concurrency = 2

  # "Set the source queue's visibility timeout to at least six times the timeout that you configure
  # on your function" (+ the batching window, during which Lambda already holds the messages):
  # Lambda developer guide, "Creating and configuring an Amazon SQS event source mapping".
  visibility_timeout_factor = 6
  minimum_visibility_timeouts = {
    for topic, settings in var.topics : topic => local.visibility_timeout_factor * var.sqs_processor_timeout_seconds + settings.maximum_batching_window_seconds
  }
  visibility_timeouts = {
    for topic, settings in var.topics : topic => coalesce(settings.visibility_timeout_seconds, local.minimum_visibility_timeouts[topic])
  }
  # The DLQ mappings have no batching window.
  dlq_visibility_timeout = local.visibility_timeout_factor * var.dlq_archiver_timeout_seconds

  # Streams: the first keeps the one-stream name (<prefix>-raw), the others are <prefix>-raw-2 ...
  # Which topic goes to which stream is computed by the Lambdas (leanops.ingest.streams.stream_for).
  stream_name_prefix = "${var.name_prefix}-raw"
  stream_names       = [for index in range(var.firehose_stream_count) : index == 0 ? local.stream_name_prefix : "${local.stream_name_prefix}-${index + 1}"]
  stream_arns        = [for name in local.stream_names : "arn:${var.partition}:firehose:${var.region}:${var.account_id}:deliverystream/${name}"]
  stream_log_groups  = [for name in local.stream_names : "/aws/kinesisfirehose/${name}"]
  stream_log_stream  = "DestinationDelivery"

  # IAM names the stack's streams, log groups and RAW tables by pattern, so the policies' size does
  # not grow with the topics or streams (IAM quotas: inline role policies total 10,240 characters).
  glue_catalog_arn       = "arn:${var.partition}:glue:${var.region}:${var.account_id}:catalog"
  raw_database_arn       = "arn:${var.partition}:glue:${var.region}:${var.account_id}:database/${var.raw_database_name}"
  raw_tables_arn_pattern = "arn:${var.partition}:glue:${var.region}:${var.account_id}:table/${var.raw_database_name}/*"
  stream_log_groups_arn  = "arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:/aws/kinesisfirehose/${local.stream_name_prefix}*:*"

  # Every queue and DLQ denies requests without TLS ("aws:SecureTransport" = "false").
  tls_only_policies = {
    for arn in concat(values(local.queue_arns), values(local.dlq_arns)) : arn => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }]
    })
  }

  # The created queues' ARNs, read once. Every per-topic resource reads these maps, never
  # aws_sqs_queue.x[each.key]: Terraform evaluates a reference to one instance of a for_each
  # resource by decoding every instance, so per-instance references cost O(topics) each and the
  # plan O(topics^2) (1,000 topics: minutes of plan). A local is evaluated once, after the queues.
  created_queue_arns = { for topic, queue in aws_sqs_queue.this : topic => queue.arn }
  created_dlq_arns   = { for topic, queue in aws_sqs_queue.dlq : topic => queue.arn }
}
