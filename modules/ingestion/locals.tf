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

  stream_name       = "${var.name_prefix}-raw"
  stream_arn        = "arn:${var.partition}:firehose:${var.region}:${var.account_id}:deliverystream/${local.stream_name}"
  stream_log_group  = "/aws/kinesisfirehose/${local.stream_name}"
  stream_log_stream = "DestinationDelivery"

  glue_catalog_arn = "arn:${var.partition}:glue:${var.region}:${var.account_id}:catalog"
  raw_database_arn = "arn:${var.partition}:glue:${var.region}:${var.account_id}:database/${var.raw_database_name}"
  raw_table_arns   = [for table in var.raw_table_names : "arn:${var.partition}:glue:${var.region}:${var.account_id}:table/${var.raw_database_name}/${table}"]
}
