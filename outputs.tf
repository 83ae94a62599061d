################################################################################
# What producers, operators and tests/e2e/production_emulation.sh (deployed mode) need
################################################################################

output "name_prefix" {
  description = "Prefix of every resource name (<project>-<environment>)."
  value       = local.name_prefix
}

output "region" {
  description = "AWS region of the stack."
  value       = var.region
}

output "kms_key_arn" {
  description = "ARN of the stack's customer managed KMS key (producers need kms:GenerateDataKey on it to send to the queues)."
  value       = module.storage.kms_key_arn
}

output "queue_urls" {
  description = "Topic -> URL of its SQS queue: where applications send messages."
  value       = module.ingestion.queue_urls
}

output "dlq_urls" {
  description = "Topic -> URL of its dead-letter queue."
  value       = module.ingestion.dlq_urls
}

output "queue_name_prefix" {
  description = "Prefix of the queue names: a topic's queue is <prefix>-<topic>, its DLQ <prefix>-<topic>-dlq (LEANOPS_NAME_PREFIX of the ingest Lambdas)."
  value       = module.ingestion.queue_name_prefix
}

output "firehose_stream_names" {
  description = "Names of the Firehose streams writing the RAW Iceberg tables (LEANOPS_FIREHOSE_STREAMS)."
  value       = module.ingestion.firehose_stream_names
}

output "firehose_delivery_stream_name" {
  description = "Name of the first Firehose stream (kept for compatibility; see firehose_stream_names)."
  value       = module.ingestion.firehose_delivery_stream_name
}

output "lambda_function_names" {
  description = "Function (sqs_processor, firehose_transform, dlq_archiver) -> Lambda name."
  value       = module.compute.function_names
}

output "bucket_names" {
  description = "Bucket role (data_lake, schemas, glue_assets, athena_results, access_logs) -> name."
  value       = module.storage.bucket_names
}

output "warehouse_uri" {
  description = "s3:// URI of the Iceberg warehouse."
  value       = module.storage.warehouse_uri
}

output "contracts_uri" {
  description = "s3:// URI of the topic contracts: upload {topic}.json here to open a topic's schema gate."
  value       = module.storage.contracts_uri
}

output "database_names" {
  description = "Layer (raw, standardized, curated) -> Glue database."
  value       = module.catalog.database_names
}

output "glue_job_names" {
  description = "Layer (standardized, curated) -> Glue job name."
  value       = module.processing.job_names
}

output "shards" {
  description = "Shard -> the topics one Glue job run of that shard handles (--LEANOPS_TOPICS)."
  value       = local.shards
}

output "state_machine_arn" {
  description = "ARN of the cycle state machine (start an execution to run a cycle now)."
  value       = module.orchestration.state_machine_arn
}

output "checkpoint_table_name" {
  description = "DynamoDB checkpoint table (LEANOPS_CHECKPOINT_TABLE)."
  value       = module.orchestration.checkpoint_table_name
}

output "lock_table_name" {
  description = "DynamoDB lock table (LEANOPS_LOCK_TABLE)."
  value       = module.orchestration.lock_table_name
}

output "alert_topic_arn" {
  description = "SNS topic of the alerts."
  value       = module.orchestration.alert_topic_arn
}

output "replay_key_alias_name" {
  description = "Alias of the HMAC KMS key replays are signed with (the operator running replay needs kms:GenerateMac on it)."
  value       = module.storage.replay_key_alias_name
}

output "athena_workgroup_name" {
  description = "Athena workgroup for analysts (results encrypted in the athena results bucket)."
  value       = module.analytics.workgroup_name
}

output "analyst_policy_arn" {
  description = "IAM managed policy of the analysts (attach it to their roles, groups or users): the Athena workgroup, the curated topic tables and the semantic views; raw, standardized and the error tables denied (schemas/tables.json analyst_access)."
  value       = module.analytics.analyst_policy_arn
}

output "pii_key_alias_name" {
  description = "Alias of the HMAC KMS key the curated job derives the key of pii hash fields from (only the curated job's role may use it)."
  value       = module.storage.pii_key_alias_name
}

output "snowflake" {
  description = "What Snowflake's catalog integration and external volume need (docs/SNOWFLAKE.md); role_arn null until var.snowflake is set."
  value = {
    role_arn         = module.snowflake_access.role_arn
    storage_base_url = module.snowflake_access.storage_base_url
    glue_catalog_id  = module.snowflake_access.glue_catalog_id
    region           = var.region
  }
}
