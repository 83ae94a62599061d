locals {
  create = var.create

  scripts_prefix  = "glue/scripts/"
  packages_prefix = "glue/packages/"
  temp_prefix     = "tmp/"

  lake_bucket    = coalesce(var.data_lake_bucket_name, "unset-lake-bucket")
  assets_bucket  = coalesce(var.glue_assets_bucket_name, "unset-assets-bucket")
  schemas_bucket = coalesce(var.schemas_bucket_name, "unset-schemas-bucket")
  warehouse_uri  = "s3://${local.lake_bucket}/${var.warehouse_prefix}"
  contracts_uri  = "s3://${local.schemas_bucket}/${var.contracts_prefix}"
  package_key    = "${local.packages_prefix}${basename(var.package_path)}"
  wheel_keys     = { for path in var.wheel_paths : path => "${local.packages_prefix}wheels/${basename(path)}" }
  wheel_arguments = length(var.wheel_paths) == 0 ? {} : {
    "--additional-python-modules" = join(",", [for path in sort(var.wheel_paths) : "s3://${local.assets_bucket}/${local.wheel_keys[path]}"])
  }

  # Each layer's job reads one database and writes another (its error and drift tables included).
  jobs = local.create ? {
    standardized = {
      name        = "${var.name_prefix}-standardized"
      script_path = var.standardized_script_path
      reads       = var.database_names["raw"]
      writes      = var.database_names["standardized"]
      # RAW is Terraform's and Firehose's (docs/DESIGN_NOTES.md, "Who creates which table"): the
      # job only reads it, and never alters its metadata while Firehose commits to it.
      evolves = []
    }
    curated = {
      name        = "${var.name_prefix}-curated"
      script_path = var.curated_script_path
      reads       = var.database_names["standardized"]
      writes      = var.database_names["curated"]
      evolves     = []
    }
  } : {}

  catalog_prefix = "spark.sql.catalog.${var.catalog_name}"
  spark_conf = join(" --conf ", [
    "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    "${local.catalog_prefix}=org.apache.iceberg.spark.SparkCatalog",
    "${local.catalog_prefix}.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog",
    "${local.catalog_prefix}.io-impl=org.apache.iceberg.aws.s3.S3FileIO",
    "${local.catalog_prefix}.warehouse=${local.warehouse_uri}",
    "${local.catalog_prefix}.glue.id=${var.account_id}",
    "spark.sql.defaultCatalog=${var.catalog_name}",
    "spark.sql.session.timeZone=UTC",
    # Above 8,000 bytecode bytes HotSpot does not JIT-compile a method: fall back from whole-stage
    # codegen before that (Spark configuration docs; leanops.local.deployed.GLUE_SHARED_SPARK_CONF).
    "spark.sql.codegen.hugeMethodLimit=8000",
  ])

  # Keys of src/leanops/settings.py (tests/terraform checks they exist there). LEANOPS_TOPICS is
  # passed per run by Step Functions (one shard's comma list).
  leanops_arguments = merge(
    {
      "--LEANOPS_CONTRACTS_URI"     = local.contracts_uri
      "--LEANOPS_LOCK_TTL_SECONDS"  = tostring(var.lock_ttl_seconds)
      "--LEANOPS_DRIFT_VANISH_DAYS" = tostring(var.drift_vanish_days)
    },
    var.checkpoint_table_name == null ? {} : { "--LEANOPS_CHECKPOINT_TABLE" = var.checkpoint_table_name },
    var.lock_table_name == null ? {} : { "--LEANOPS_LOCK_TABLE" = var.lock_table_name },
    var.alert_topic_arn == null ? {} : { "--LEANOPS_ALERT_TOPIC_ARN" = var.alert_topic_arn },
    # The key of pii hash fields (an alias, not a secret): only the curated role may use it (iam.tf).
    var.pii_key_alias_name == null ? {} : { "--LEANOPS_PII_KEY_ID" = var.pii_key_alias_name },
  )

  # The curated job's own: whom it grants read on the topic tables it creates (iam.tf).
  job_arguments = {
    standardized = {}
    curated = length(var.analyst_grant_principals) == 0 ? {} : {
      "--LEANOPS_ANALYST_PRINCIPALS" = join(",", var.analyst_grant_principals)
    }
  }

  # No --enable-continuous-cloudwatch-log (nor its --continuous-log-* companions): continuous
  # logging is a Glue 4.0-and-earlier option; Glue 5.0 logs in real time to CloudWatch for every
  # job (AWS Glue developer guide, "Enabling continuous logging for AWS Glue 4.0 and earlier jobs"
  # and "Logging for AWS Glue jobs"). variables.tf rejects them in extra_job_arguments.

  default_arguments = merge(
    {
      "--job-language"                 = "python"
      "--datalake-formats"             = "iceberg"
      "--conf"                         = local.spark_conf
      "--extra-py-files"               = "s3://${local.assets_bucket}/${local.package_key}"
      "--enable-metrics"               = "true"
      "--enable-observability-metrics" = "true"
      "--job-bookmark-option"          = "job-bookmark-disable"
      "--TempDir"                      = "s3://${local.assets_bucket}/${local.temp_prefix}"
    },
    local.leanops_arguments,
    local.wheel_arguments,
    var.extra_job_arguments,
  )

  arn = {
    glue_catalog = "arn:${var.partition}:glue:${var.region}:${var.account_id}:catalog"
    glue         = "arn:${var.partition}:glue:${var.region}:${var.account_id}"
    logs         = "arn:${var.partition}:logs:${var.region}:${var.account_id}"
    dynamodb     = "arn:${var.partition}:dynamodb:${var.region}:${var.account_id}"
    s3           = "arn:${var.partition}:s3:::"
  }
}
