"""What Terraform deploys, as the emulation uses it: the one place of the local runner's settings.

Every value here is one the local runner acts on: the queues it provisions, the event source
mapping its poller plays, the Lambda context its workers get, the Firehose transform batches, the
Glue job arguments and Spark settings it runs the jobs with. ``tests/terraform/
test_plan_matches_emulation.py`` plans ``dev`` offline and fails on any difference between these
and the plan (``terraform show -json``): a setting changed in Terraform alone fails the suite.
Where AWS and the emulation must differ (the catalog implementation, AWS-only job options), the
difference is declared here with its reason, and the test holds it to exactly that.
"""

from __future__ import annotations

from typing import Final

# Lambda (modules/compute: timeout, memory_size of the three functions).
LAMBDA_TIMEOUT_SECONDS: Final = 60
LAMBDA_MEMORY_MB: Final = 256

# SQS event source mapping of sqs_processor (modules/ingestion: aws_lambda_event_source_mapping.this).
ESM_BATCH_SIZE: Final = 10
# Locally every message already waits when the poller runs: batches fill without waiting.
ESM_BATCHING_WINDOW_SECONDS: Final = 5
ESM_FUNCTION_RESPONSE_TYPES: Final = ("ReportBatchItemFailures",)
# The DLQ mappings of dlq_archiver (aws_lambda_event_source_mapping.dlq): scaling_config
# maximum_concurrency, the batches of one DLQ in flight at once (the local DLQ drain keeps as many).
DLQ_ARCHIVER_MAXIMUM_CONCURRENCY: Final = 2

# The HMAC KMS keys (modules/storage): aws_kms_key.replay signs DLQ replays, aws_kms_key.pii
# derives the key of contract fields with pii "hash" (the same spec and usage).
REPLAY_KEY_SPEC: Final = "HMAC_256"
REPLAY_KEY_USAGE: Final = "GENERATE_VERIFY_MAC"

# Queues (modules/ingestion: aws_sqs_queue.this / .dlq). Visibility: AWS's rule for a Lambda event
# source, at least 6 x the function timeout (+ the batching window for the topic queues).
MAX_RECEIVE_COUNT: Final = 8
QUEUE_VISIBILITY_TIMEOUT_SECONDS: Final = 6 * LAMBDA_TIMEOUT_SECONDS + ESM_BATCHING_WINDOW_SECONDS
QUEUE_RETENTION_SECONDS: Final = 4 * 24 * 3600
DLQ_VISIBILITY_TIMEOUT_SECONDS: Final = 6 * LAMBDA_TIMEOUT_SECONDS
DLQ_RETENTION_SECONDS: Final = 14 * 24 * 3600

# Firehose (modules/ingestion: iceberg_configuration). The transform Lambda gets batches of at most
# BufferSizeInMBs; the destination buffer only sets when Firehose commits (locally: at the end of
# each delivery, time being compressed).
FIREHOSE_BUFFERING_INTERVAL_SECONDS: Final = 60
FIREHOSE_BUFFERING_SIZE_MIB: Final = 16
FIREHOSE_TRANSFORM_BUFFER_SIZE_MIB: Final = 1
FIREHOSE_TRANSFORM_BUFFER_INTERVAL_SECONDS: Final = 60

# Glue jobs (modules/processing: default_arguments).
GLUE_LOCK_TTL_SECONDS: Final = 3600
# Table maintenance (modules/orchestration maintenance.tf: the arguments the daily schedule starts
# the maintenance job with; root variables snapshot_retention_hours, maintenance_parallelism).
MAINTENANCE_SNAPSHOT_RETENTION_HOURS: Final = 24
MAINTENANCE_PARALLELISM: Final = 1
# dev's glue_timeout_minutes (the job's longest run) and its schedule_expression, rate(15 minutes).
MAINTENANCE_LONGEST_JOB_MINUTES: Final = 30
MAINTENANCE_CYCLE_INTERVAL_SECONDS: Final = 15 * 60
# The drift log's vanish window (drift_vanish_days -> --LEANOPS_DRIFT_VANISH_DAYS).
GLUE_DRIFT_VANISH_DAYS: Final = 7
GLUE_DATALAKE_FORMATS: Final = "iceberg"
GLUE_BUNDLE_NAME: Final = "leanops.zip"
# Spark settings of the jobs that are the same in both places (Terraform's --conf).
GLUE_SHARED_SPARK_CONF: Final = {
    "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    "spark.sql.session.timeZone": "UTC",
    # Whole-stage code generation falls back to interpreted operators for a method above this many
    # bytecode bytes. HotSpot does not JIT-compile a method above 8,000 bytes
    # (-XX:+DontCompileHugeMethods), so the contract checks of a wide topic, generated as one huge
    # method, could otherwise run interpreted: Spark's configuration docs
    # (spark.sql.codegen.hugeMethodLimit) advise 8000 on HotSpot. Measured at 100k events: one
    # run gave curated 6.8 s against 9.8 s without it, a back-to-back pair 11.9 s against 11.6 s:
    # no gain the benchmark can tell from this machine's noise at that size.
    "spark.sql.codegen.hugeMethodLimit": "8000",
}
# Catalog settings that differ by design: key suffix (after spark.sql.catalog.<name>) ->
# (AWS value or prefix, local value or prefix, why).
GLUE_CATALOG_DIFFERENCES: Final = {
    "catalog-impl": (
        "org.apache.iceberg.aws.glue.GlueCatalog",
        "org.apache.iceberg.jdbc.JdbcCatalog",
        "the Glue Data Catalog is emulated by Iceberg's JDBC catalog on SQLite, shared with pyiceberg",
    ),
    "io-impl": ("org.apache.iceberg.aws.s3.S3FileIO", None, "local files through Hadoop's file system"),
    "warehouse": ("s3://", "file://", "the warehouse is a local folder"),
    "glue.id": ("", None, "no Glue catalog id locally"),
}
# Job options with no local counterpart, with the value Terraform must keep and why.
GLUE_AWS_ONLY_ARGUMENTS: Final = {
    "--job-language": ("python", "the worker runs the Python entry script"),
    "--enable-metrics": ("true", "CloudWatch job metrics"),
    "--enable-observability-metrics": ("true", "CloudWatch observability metrics"),
    "--job-bookmark-option": ("job-bookmark-disable", "the jobs keep their own checkpoints (DynamoDB)"),
    "--TempDir": ("s3://", "Glue's scratch space"),
}
