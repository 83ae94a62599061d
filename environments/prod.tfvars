# Production. account_id is a placeholder: set yours.
project     = "leanops"
environment = "prod"
region      = "eu-west-1"
account_id  = "333333333333"

topics = {
  orders = {
    batch_size                      = 100
    maximum_batching_window_seconds = 10
    maximum_concurrency             = 10
  }
  payments = {
    batch_size                      = 100
    maximum_batching_window_seconds = 10
    maximum_concurrency             = 5
    max_receive_count               = 5
  }
  refunds = { shard = "finance" }
}

topics_per_job_run  = 50
schedule_expression = "rate(15 minutes)"
max_parallel_shards = 4
alert_emails        = ["data-platform-oncall@example.com"]

log_retention_days = 365
log_level          = "INFO"

lambda_tracing_mode = "Active"
lambda_functions = {
  sqs_processor      = { memory_mb = 512, timeout_seconds = 60, reserved_concurrency = 50 }
  firehose_transform = { memory_mb = 512, timeout_seconds = 120, reserved_concurrency = 20 }
  dlq_archiver       = { memory_mb = 256, timeout_seconds = 60, reserved_concurrency = 2 }
}

# Two streams: 10 MiB/s of envelopes in eu-west-1 (5 MiB/s each, Firehose quotas).
firehose_stream_count               = 2
firehose_buffering_size_mb          = 128
firehose_buffering_interval_seconds = 300

glue_worker_type       = "G.2X"
glue_number_of_workers = 4
glue_timeout_minutes   = 45

force_destroy                      = false
kms_key_deletion_window_in_days    = 30
firehose_errors_expiration_days    = 180
noncurrent_version_expiration_days = 30
deletion_protection                = true

tags = {
  CostCenter = "data-platform"
}
