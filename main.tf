################################################################################
# Lean-Ops: App -> SQS (+DLQ) -> sqs_processor -> Firehose (+firehose_transform) -> RAW Iceberg
#           -> Glue standardized -> Glue curated -> Athena; Step Functions every 15 minutes.
################################################################################

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "terraform"
    })
  }
}

locals {
  name_prefix = "${var.project}-${var.environment}"
  partition   = "aws"

  # The one definition of tables and topic names (schemas/tables.json, schemas/events.json).
  tables_json       = file("${path.module}/schemas/tables.json")
  envelope_json     = file("${path.module}/schemas/events.json")
  tables            = jsondecode(local.tables_json)
  topic_name_rule   = local.tables.topic_name
  topic_names       = sort(keys(var.topics))
  auto_shard_prefix = "auto-"

  build_dir = startswith(var.build_dir, "/") ? var.build_dir : "${path.module}/${var.build_dir}"
  lambda_packages = {
    for function in ["sqs_processor", "firehose_transform", "dlq_archiver"] : function => "${local.build_dir}/lambda/${function}.zip"
  }

  # Shards: explicit ones from the topics' `shard`, the rest grouped by name, topics_per_job_run each.
  auto_sharded_topics = sort([for topic, settings in var.topics : topic if settings.shard == null])
  explicit_shards = {
    for shard in distinct(compact([for settings in values(var.topics) : settings.shard])) :
    shard => sort([for topic, settings in var.topics : topic if settings.shard == shard])
  }
  auto_shards = {
    for index, chunk in chunklist(local.auto_sharded_topics, var.topics_per_job_run) :
    format("%s%02d", local.auto_shard_prefix, index + 1) => chunk
  }
  shards = merge(local.auto_shards, local.explicit_shards)

  # Names known at plan time, so IAM policies are known at plan time (and checked offline).
  bucket_names    = module.storage.bucket_names_static
  bucket_arns     = { for role, name in local.bucket_names : role => "arn:${local.partition}:s3:::${name}" }
  alert_topic_arn = try("arn:${local.partition}:sns:${var.region}:${var.account_id}:${module.orchestration.alert_topic_name}", null)
}

################################################################################
# Storage: KMS key, lake / schemas / glue assets / athena results / access-log buckets
################################################################################

module "storage" {
  source = "./modules/storage"

  name_prefix                        = local.name_prefix
  account_id                         = var.account_id
  region                             = var.region
  partition                          = local.partition
  force_destroy                      = var.force_destroy
  kms_key_deletion_window_in_days    = var.kms_key_deletion_window_in_days
  firehose_errors_expiration_days    = var.firehose_errors_expiration_days
  noncurrent_version_expiration_days = var.noncurrent_version_expiration_days
}

################################################################################
# Catalog: Glue databases, RAW tables per topic and dlq_errors (Firehose's); the jobs create the rest
################################################################################

module "catalog" {
  source = "./modules/catalog"

  account_id            = var.account_id
  tables_json           = local.tables_json
  envelope_json         = local.envelope_json
  topics                = local.topic_names
  data_lake_bucket_name = module.storage.data_lake_bucket_name
  warehouse_prefix      = module.storage.warehouse_prefix
}

################################################################################
# Compute: sqs_processor, firehose_transform, dlq_archiver
################################################################################

module "compute" {
  source = "./modules/compute"

  name_prefix        = local.name_prefix
  account_id         = var.account_id
  region             = var.region
  partition          = local.partition
  kms_key_arn        = module.storage.kms_key_arn
  kms_key_alias_name = module.storage.kms_alias_name
  # Replays keep their original message id only when their MAC verifies (modules/storage).
  replay_key_id         = module.storage.replay_key_id
  replay_key_alias_name = module.storage.replay_key_alias_name
  package_paths         = local.lambda_packages
  functions             = var.lambda_functions
  tracing_mode          = var.lambda_tracing_mode
  log_level             = var.log_level
  log_retention_days    = var.log_retention_days
  # No per-topic input: the Lambdas derive a queue's topic from its name and IAM names the
  # stack's queues by pattern, so nothing here grows with the topics.
  firehose_stream_names = module.ingestion.firehose_stream_names
  queue_name_prefix     = module.ingestion.queue_name_prefix
}

################################################################################
# Ingestion: queues + DLQs, event source mappings, the Firehose stream to RAW Iceberg
################################################################################

module "ingestion" {
  source = "./modules/ingestion"

  name_prefix                   = local.name_prefix
  account_id                    = var.account_id
  region                        = var.region
  partition                     = local.partition
  kms_key_arn                   = module.storage.kms_key_arn
  kms_key_alias_name            = module.storage.kms_alias_name
  topic_name_rule               = local.topic_name_rule
  topics                        = var.topics
  sqs_processor_function_arn    = module.compute.sqs_processor_function_arn
  dlq_archiver_function_arn     = module.compute.dlq_archiver_function_arn
  sqs_processor_timeout_seconds = module.compute.function_timeouts["sqs_processor"]
  dlq_archiver_timeout_seconds  = module.compute.function_timeouts["dlq_archiver"]
  # Known at plan time, but the stream waits for the function it invokes (the output depends on it).
  firehose_transform_function_arn     = module.compute.firehose_transform_function_arn
  firehose_stream_count               = var.firehose_stream_count
  data_lake_bucket_arn                = local.bucket_arns["data_lake"]
  warehouse_prefix                    = module.storage.warehouse_prefix
  firehose_errors_prefix              = module.storage.firehose_errors_prefix
  raw_database_name                   = local.tables.databases.raw
  firehose_buffering_size_mb          = var.firehose_buffering_size_mb
  firehose_buffering_interval_seconds = var.firehose_buffering_interval_seconds
  log_retention_days                  = var.log_retention_days

  # The stream writes to the bucket and the RAW tables: create them first.
  depends_on = [module.storage, module.catalog]
}

################################################################################
# Processing: Glue 5.0 jobs standardized and curated
################################################################################

module "processing" {
  source = "./modules/processing"

  name_prefix              = local.name_prefix
  account_id               = var.account_id
  region                   = var.region
  partition                = local.partition
  kms_key_arn              = module.storage.kms_key_arn
  kms_key_alias_name       = module.storage.kms_alias_name
  pii_key_alias_name       = module.storage.pii_key_alias_name
  worker_type              = var.glue_worker_type
  number_of_workers        = var.glue_number_of_workers
  timeout_minutes          = var.glue_timeout_minutes
  drift_vanish_days        = var.drift_vanish_days
  max_concurrent_runs      = max(1, length(local.shards))
  standardized_script_path = "${local.build_dir}/glue/standardized_processor.py"
  curated_script_path      = "${local.build_dir}/glue/curated_processor.py"
  maintenance_script_path  = "${local.build_dir}/glue/maintenance_processor.py"
  package_path             = "${local.build_dir}/glue/leanops.zip"
  wheel_paths              = [for wheel in fileset("${local.build_dir}/glue/wheels", "*.whl") : "${local.build_dir}/glue/wheels/${wheel}"]
  catalog_name             = local.tables.catalog_name
  database_names           = local.tables.databases
  data_lake_bucket_name    = local.bucket_names["data_lake"]
  warehouse_prefix         = module.storage.warehouse_prefix
  glue_assets_bucket_name  = local.bucket_names["glue_assets"]
  schemas_bucket_name      = local.bucket_names["schemas"]
  contracts_prefix         = module.storage.contracts_prefix
  checkpoint_table_name    = module.orchestration.checkpoint_table_name
  lock_table_name          = module.orchestration.lock_table_name
  alert_topic_arn          = local.alert_topic_arn
  # The curated job grants these analysts read on each topic table it creates (no second apply).
  analyst_grant_principals = var.enable_lake_formation_grants ? var.lake_formation_analyst_arns : []

  depends_on = [module.storage, module.catalog]
}

################################################################################
# Orchestration: schedule -> Step Functions (gate, standardized, curated), checkpoints, locks, alerts
################################################################################

module "orchestration" {
  source = "./modules/orchestration"

  name_prefix         = local.name_prefix
  account_id          = var.account_id
  region              = var.region
  kms_key_arn         = module.storage.kms_key_arn
  kms_key_alias_name  = module.storage.kms_alias_name
  shards              = local.shards
  schedule_expression = var.schedule_expression
  schedule_enabled    = var.schedule_enabled
  max_concurrency     = var.max_parallel_shards
  job_timeout_minutes = var.glue_timeout_minutes
  # The cycle (re)creates the semantic views in the analysts' workgroup after every cycle with work.
  semantic_view_statements  = module.analytics.semantic_view_statements
  athena_workgroup_name     = local.name_prefix
  athena_results_bucket_arn = local.bucket_arns["athena_results"]
  standardized_job_name     = module.processing.standardized_job_name
  curated_job_name          = module.processing.curated_job_name
  maintenance_job_name      = module.processing.maintenance_job_name
  snapshot_retention_hours  = var.snapshot_retention_hours
  maintenance_parallelism   = var.maintenance_parallelism
  planner_zip_path          = "${local.build_dir}/lambda/cycle_planner.zip"
  contracts_uri             = module.storage.contracts_uri
  warehouse_bucket_arn      = local.bucket_arns["data_lake"]
  log_level                 = var.log_level
  log_retention_days        = var.log_retention_days
  deletion_protection       = var.deletion_protection
  alert_emails              = var.alert_emails
}

################################################################################
# Monitoring: alarms on DLQ depth, Lambda errors, Firehose delivery, Glue failures, freshness
################################################################################

module "monitoring" {
  source = "./modules/monitoring"

  name_prefix     = local.name_prefix
  region          = var.region
  alarm_topic_arn = module.orchestration.alert_topic_arn
  queues          = module.ingestion.queue_names
  lambda_function_names = merge(
    module.compute.function_names,
    { cycle_planner = module.orchestration.planner_function_name },
  )
  firehose_stream_names = module.ingestion.firehose_stream_names
  glue_job_names        = values(module.processing.job_names_static)
  state_machine_arn     = module.orchestration.state_machine_arn_static
}

################################################################################
# Analytics: Athena workgroup, semantic views
################################################################################

module "analytics" {
  source = "./modules/analytics"

  name_prefix         = local.name_prefix
  kms_key_arn         = module.storage.kms_key_arn
  results_bucket_name = module.storage.athena_results_bucket_name
  force_destroy       = var.force_destroy
  topics              = local.topic_names
  # The analysts' IAM policy: ARNs and prefixes known at plan (schemas/tables.json analyst_access).
  account_id                 = var.account_id
  region                     = var.region
  partition                  = local.partition
  data_lake_bucket_name      = local.bucket_names["data_lake"]
  results_bucket_name_static = local.bucket_names["athena_results"]
  warehouse_prefix           = module.storage.warehouse_prefix
  kms_key_alias_name         = module.storage.kms_alias_name
  # The team's own semantic layer: the same folder the local query reads (LEANOPS_SEMANTIC_DIR).
  semantic_views_dir = "${startswith(var.semantic_dir, "/") ? var.semantic_dir : "${path.module}/${var.semantic_dir}"}/views"

  enable_lake_formation_grants = var.enable_lake_formation_grants
  lake_formation_principals = {
    firehose_role_arn         = module.ingestion.firehose_role_arn
    standardized_job_role_arn = try(module.processing.role_arns["standardized"], null)
    curated_job_role_arn      = try(module.processing.role_arns["curated"], null)
    state_machine_role_arn    = module.orchestration.state_machine_role_arn
    analyst_arns              = var.lake_formation_analyst_arns
  }
  lake_formation_analyst_topics = var.lake_formation_analyst_topics
}

################################################################################
# Snowflake (optional): read-only access to the curated tables (docs/SNOWFLAKE.md)
################################################################################

module "snowflake_access" {
  source = "./modules/snowflake_access"

  create                  = var.snowflake != null
  name_prefix             = local.name_prefix
  account_id              = var.account_id
  region                  = var.region
  partition               = local.partition
  curated_database_name   = local.tables.databases["curated"]
  denied_table_names      = lookup(module.analytics.analyst_denied_shared_tables, local.tables.databases["curated"], [])
  data_lake_bucket_name   = local.bucket_names["data_lake"]
  warehouse_prefix        = module.storage.warehouse_prefix
  kms_key_alias_name      = module.storage.kms_alias_name
  snowflake_principal_arn = try(var.snowflake.principal_arn, null)
  external_ids            = try(var.snowflake.external_ids, [])
}
