locals {
  create = var.create

  # Lambda refuses environments above 4 KB; keep headroom for the Powertools keys.
  lambda_environment_max_bytes = 3800

  service_names = {
    sqs_processor      = "sqs-processor"
    firehose_transform = "firehose-transform"
    dlq_archiver       = "dlq-archiver"
  }

  functions = local.create ? {
    for name, service in local.service_names : name => {
      function_name = "${var.name_prefix}-${service}"
      service       = service
      package_path  = lookup(var.package_paths, name, "build/lambda/${name}.zip")
      sizing        = lookup(var.functions, name, { memory_mb = 256, timeout_seconds = 60, reserved_concurrency = 10 })
    }
  } : {}

  arn_prefix = {
    sqs      = "arn:${var.partition}:sqs:${var.region}:${var.account_id}"
    firehose = "arn:${var.partition}:firehose:${var.region}:${var.account_id}"
    logs     = "arn:${var.partition}:logs:${var.region}:${var.account_id}"
  }

  stream_arns = var.firehose_stream_name == null ? [] : ["${local.arn_prefix.firehose}:deliverystream/${var.firehose_stream_name}"]

  # The queues each function consumes (sqs_processor: topic queues; dlq_archiver: DLQs).
  consumed_queue_arns = {
    sqs_processor      = [for name in sort(keys(var.queue_topics)) : "${local.arn_prefix.sqs}:${name}"]
    firehose_transform = []
    dlq_archiver       = [for name in sort(keys(var.dlq_topics)) : "${local.arn_prefix.sqs}:${name}"]
  }

  # Only the functions that forward records write to Firehose.
  writes_to_stream = {
    sqs_processor      = true
    firehose_transform = false
    dlq_archiver       = true
  }

  stream_environment = var.firehose_stream_name == null ? {} : { LEANOPS_FIREHOSE_STREAM = var.firehose_stream_name }

  environments = {
    sqs_processor      = merge(local.stream_environment, { LEANOPS_QUEUE_TOPICS = jsonencode(var.queue_topics) })
    firehose_transform = {}
    dlq_archiver       = merge(local.stream_environment, { LEANOPS_QUEUE_TOPICS = jsonencode(var.dlq_topics) })
  }
}
