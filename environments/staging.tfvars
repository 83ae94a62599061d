# Staging: production-shaped, smaller. account_id is a placeholder: set yours.
project     = "leanops"
environment = "staging"
region      = "eu-west-1"
account_id  = "222222222222"

topics = {
  orders   = {}
  payments = {}
  refunds  = { shard = "finance" }
}

topics_per_job_run  = 25
schedule_expression = "rate(15 minutes)"
max_parallel_shards = 2
alert_emails        = ["data-platform-staging@example.com"]

log_retention_days = 90
log_level          = "INFO"

lambda_tracing_mode = "Active"
lambda_functions = {
  sqs_processor      = { memory_mb = 512, timeout_seconds = 60, reserved_concurrency = 10 }
  firehose_transform = { memory_mb = 256, timeout_seconds = 60, reserved_concurrency = 10 }
  dlq_archiver       = { memory_mb = 256, timeout_seconds = 60, reserved_concurrency = 2 }
}

firehose_buffering_size_mb          = 64
firehose_buffering_interval_seconds = 300

glue_worker_type       = "G.1X"
glue_number_of_workers = 2
glue_timeout_minutes   = 45

force_destroy                      = false
kms_key_deletion_window_in_days    = 30
firehose_errors_expiration_days    = 90
noncurrent_version_expiration_days = 30
deletion_protection                = true

tags = {
  CostCenter = "data-platform-staging"
}

# Snowflake reads the curated tables (docs/SNOWFLAKE.md). Example values: replace them with what
# DESC CATALOG INTEGRATION / DESC EXTERNAL VOLUME print in your Snowflake account, or remove.
snowflake = {
  principal_arn = "arn:aws:iam::999999999999:user/leanops-example-snowflake"
  external_ids  = ["EXAMPLE_GLUE_EXTERNAL_ID", "EXAMPLE_STORAGE_EXTERNAL_ID"]
}
