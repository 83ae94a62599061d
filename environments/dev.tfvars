# Development: small, cheap, easy to tear down. account_id is a placeholder: set yours.
project     = "leanops"
environment = "dev"
region      = "eu-west-1"
account_id  = "111111111111"

topics = {
  orders = {
    batch_size                      = 10
    maximum_batching_window_seconds = 5
  }
  payments = {
    max_receive_count = 5
  }
}

topics_per_job_run  = 25
schedule_expression = "rate(15 minutes)"
max_parallel_shards = 1
alert_emails        = []

log_retention_days = 14
log_level          = "DEBUG"

lambda_tracing_mode = "Active"
lambda_functions = {
  sqs_processor      = { memory_mb = 256, timeout_seconds = 60, reserved_concurrency = 5 }
  firehose_transform = { memory_mb = 256, timeout_seconds = 60, reserved_concurrency = 5 }
  dlq_archiver       = { memory_mb = 256, timeout_seconds = 60, reserved_concurrency = 2 }
}

firehose_buffering_size_mb          = 16
firehose_buffering_interval_seconds = 60

glue_worker_type       = "G.1X"
glue_number_of_workers = 2
glue_timeout_minutes   = 30

force_destroy                      = true
kms_key_deletion_window_in_days    = 7
firehose_errors_expiration_days    = 30
noncurrent_version_expiration_days = 7
deletion_protection                = false

tags = {
  CostCenter = "data-platform-dev"
}
