locals {
  create = var.create

  alarm_actions = local.create ? [var.alarm_topic_arn] : []

  queues           = local.create ? var.queues : {}
  lambda_functions = local.create ? var.lambda_function_names : {}
  firehose_streams = local.create ? var.firehose_stream_names : {}
  watch_machine    = local.create && var.create_state_machine_alarms

  glue_failure_states = ["FAILED", "TIMEOUT", "ERROR"]
}
