################################################################################
# Analysts: one IAM managed policy (attach it to the analysts' roles, groups or users)
#
# What analysts may read is schemas/tables.json "analyst_access" (the one definition; the local
# `query --as analyst` reads it too): the curated topic tables and the semantic views. Every
# other table is denied explicitly: RAW holds the bodies verbatim, standardized and the error
# tables hold the values as received, before any contract "pii" masking (masking applies in
# curated only). An explicit Deny wins over any Allow in any other policy the principal has (IAM
# user guide, "Policy evaluation logic": explicit deny), so attaching a broader policy later does
# not reopen them.
#
# Athena checks the caller's Glue Data Catalog permissions on the catalog, the database and the
# table of every query, views' tables included (Athena user guide, "Configure access to databases
# and tables in the AWS Glue Data Catalog": for a non-delete action, the resource and its
# ancestors; ARNs: Glue developer guide, "Specifying AWS Glue resource ARNs"), and reads the data
# with the caller's S3 permissions; S3 objects encrypted with SSE-KMS need kms:Decrypt and query
# results written with SSE_KMS need kms:GenerateDataKey (Athena user guide, "Permissions to
# encrypted data in Amazon S3" and "Encrypt Athena query results stored in Amazon S3").
################################################################################

resource "aws_iam_policy" "analyst" {
  count = local.create_analyst_policy ? 1 : 0

  name        = "${var.name_prefix}-analyst"
  description = "Lean-Ops ${var.name_prefix} analysts: the Athena workgroup, curated topic tables and semantic views; raw, standardized and error tables denied."
  policy      = local.analyst_policy
  tags        = var.tags
}

locals {
  create_analyst_policy = local.create && var.create_analyst_policy

  analyst_access      = local.tables.analyst_access
  analyst_table_kinds = toset(local.analyst_access.table_kinds)

  # Databases (tables.json keys) holding a table kind analysts read, and those holding none.
  analyst_database_keys = toset([for kind in local.analyst_table_kinds : local.tables.tables[kind].database])
  denied_database_keys  = setsubtract(toset(keys(local.databases)), local.analyst_database_keys)
  # Shared tables (not per topic) in an analyst database that analysts may not read (curated errors).
  denied_shared_tables = {
    for kind, table in local.tables.tables : kind => { database = local.databases[table.database], name = table.name }
    if !table.per_topic && contains(local.analyst_database_keys, table.database) && !contains(local.analyst_table_kinds, kind)
  }

  analyst_databases = concat(
    [for key in local.analyst_database_keys : local.databases[key]],
    local.analyst_access.semantic_views ? [var.semantic_database_name] : [],
  )
  denied_databases = [for key in local.denied_database_keys : local.databases[key]]

  arn = {
    glue   = "arn:${var.partition}:glue:${var.region}:${var.account_id}"
    athena = "arn:${var.partition}:athena:${var.region}:${var.account_id}"
    kms    = "arn:${var.partition}:kms:${var.region}:${var.account_id}"
    s3     = "arn:${var.partition}:s3:::"
  }
  lake_bucket    = coalesce(var.data_lake_bucket_name, "unset-lake-bucket")
  results_bucket = coalesce(var.results_bucket_name_static, var.results_bucket_name, "unset-results-bucket")
  # Iceberg tables the jobs and Firehose create live at <warehouse>/<database>.db/<table>/ (the
  # catalog's default location; modules/processing grants the jobs the same prefixes).
  table_prefix = { for key, database in local.databases : key => "${var.warehouse_prefix}${database}.db/" }

  analyst_glue_read_actions = ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"]
  analyst_glue_deny_actions = concat(local.analyst_glue_read_actions, ["glue:GetTableVersion", "glue:GetTableVersions", "glue:SearchTables", "glue:GetColumnStatisticsForTable"])
  analyst_athena_actions = [
    "athena:GetWorkGroup", "athena:StartQueryExecution", "athena:StopQueryExecution", "athena:GetQueryExecution",
    "athena:GetQueryResults", "athena:GetQueryResultsStream", "athena:BatchGetQueryExecution", "athena:ListQueryExecutions",
    "athena:GetNamedQuery", "athena:BatchGetNamedQuery", "athena:ListNamedQueries",
  ]

  analyst_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "UseTheWorkgroup"
          Effect   = "Allow"
          Action   = local.analyst_athena_actions
          Resource = ["${local.arn.athena}:workgroup/${var.name_prefix}"]
        },
        {
          Sid      = "ReadAnalystCatalog"
          Effect   = "Allow"
          Action   = local.analyst_glue_read_actions
          Resource = concat(["${local.arn.glue}:catalog"], flatten([for database in local.analyst_databases : ["${local.arn.glue}:database/${database}", "${local.arn.glue}:table/${database}/*"]]))
        },
        {
          Sid       = "ListAnalystData"
          Effect    = "Allow"
          Action    = ["s3:ListBucket", "s3:GetBucketLocation"]
          Resource  = ["${local.arn.s3}${local.lake_bucket}"]
          Condition = { StringLike = { "s3:prefix" = [for key in local.analyst_database_keys : "${local.table_prefix[key]}*"] } }
        },
        {
          Sid      = "ReadAnalystData"
          Effect   = "Allow"
          Action   = ["s3:GetObject"]
          Resource = [for key in local.analyst_database_keys : "${local.arn.s3}${local.lake_bucket}/${local.table_prefix[key]}*"]
        },
        {
          Sid      = "QueryResults"
          Effect   = "Allow"
          Action   = ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
          Resource = ["${local.arn.s3}${local.results_bucket}", "${local.arn.s3}${local.results_bucket}/${var.results_prefix}*"]
        },
      ],
      var.kms_key_alias_name == null ? [] : [{
        Sid       = "DecryptDataAndEncryptResults"
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource  = ["${local.arn.kms}:key/*"]
        Condition = { "ForAnyValue:StringEquals" = { "kms:ResourceAliases" = var.kms_key_alias_name } }
      }],
      [
        {
          Sid      = "DenyRawStandardizedAndErrorTables"
          Effect   = "Deny"
          Action   = local.analyst_glue_deny_actions
          Resource = concat(flatten([for database in local.denied_databases : ["${local.arn.glue}:database/${database}", "${local.arn.glue}:table/${database}/*"]]), [for table in values(local.denied_shared_tables) : "${local.arn.glue}:table/${table.database}/${table.name}"])
        },
        {
          Sid      = "DenyRawStandardizedAndErrorData"
          Effect   = "Deny"
          Action   = ["s3:GetObject", "s3:GetObjectVersion"]
          Resource = concat([for key in local.denied_database_keys : "${local.arn.s3}${local.lake_bucket}/${local.table_prefix[key]}*"], [for table in values(local.denied_shared_tables) : "${local.arn.s3}${local.lake_bucket}/${var.warehouse_prefix}${table.database}.db/${table.name}/*"])
        },
      ],
    )
  })
}
