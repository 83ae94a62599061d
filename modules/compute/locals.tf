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

  stream_arns = [for name in var.firehose_stream_names : "${local.arn_prefix.firehose}:deliverystream/${name}"]

  # The queues each function consumes, by the stack's name pattern (not one ARN per topic, so the
  # policy's size does not grow with the topics: IAM quotas, inline role policies total 10,240
  # characters). Topic names have no "-", so "<prefix>-*-dlq" are exactly the DLQs; sqs_processor
  # is denied them explicitly.
  queue_arn_pattern = var.queue_name_prefix == null ? null : "${local.arn_prefix.sqs}:${var.queue_name_prefix}-*"
  dlq_arn_pattern   = var.queue_name_prefix == null ? null : "${local.arn_prefix.sqs}:${var.queue_name_prefix}-*-dlq"
  consumed_queue_arns = {
    sqs_processor      = compact([local.queue_arn_pattern])
    firehose_transform = []
    dlq_archiver       = compact([local.dlq_arn_pattern])
  }
  denied_queue_arns = {
    sqs_processor      = compact([local.dlq_arn_pattern])
    firehose_transform = []
    dlq_archiver       = []
  }

  # Only the functions that forward records write to Firehose.
  writes_to_stream = {
    sqs_processor      = true
    firehose_transform = false
    dlq_archiver       = true
  }

  # No per-topic entry: a queue's topic is derived from its name (LEANOPS_NAME_PREFIX), a topic's
  # stream is computed from the stream names (leanops.ingest.streams), so the environment stays far
  # under Lambda's 4 KB whatever the number of topics (Lambda quotas).
  ingest_environment = merge(
    length(var.firehose_stream_names) == 0 ? {} : { LEANOPS_FIREHOSE_STREAMS = join(",", var.firehose_stream_names) },
    var.queue_name_prefix == null ? {} : { LEANOPS_NAME_PREFIX = var.queue_name_prefix },
  )

  # The two readers of the replay attributes verify replay MACs (leanops.ingest.replay_trust):
  # the key id, a few bytes.
  replay_environment = var.replay_key_id == null ? {} : { LEANOPS_REPLAY_KEY_ID = var.replay_key_id }
  verifies_replays   = toset(["sqs_processor", "dlq_archiver"])
  environments = {
    sqs_processor      = merge(local.ingest_environment, local.replay_environment)
    firehose_transform = {}
    dlq_archiver       = merge(local.ingest_environment, local.replay_environment)
  }
}
