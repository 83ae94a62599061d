################################################################################
# Athena workgroup: enforced settings, KMS-encrypted results, bytes-scanned cutoff
################################################################################

resource "aws_athena_workgroup" "this" {
  count = local.create ? 1 : 0

  name          = var.name_prefix
  description   = "Lean-Ops: analysts read curated topic tables and semantic views (analyst policy); operators also the error tables."
  state         = "ENABLED"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query
    requester_pays_enabled             = false

    engine_version {
      selected_engine_version = var.engine_version
    }

    result_configuration {
      output_location = local.results_location

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }

      acl_configuration {
        s3_acl_option = "BUCKET_OWNER_FULL_CONTROL"
      }
    }
  }

  tags = var.tags
}

################################################################################
# Named queries: operational queries + one per semantic view
################################################################################

locals {
  semantic_view_queries = {
    for name, select in local.semantic_views : "semantic_${name}" => {
      description = "Creates or refreshes the semantic view ${var.semantic_database_name}.${name} (semantic/views/${name}.sql)."
      database    = var.semantic_database_name
      query       = "CREATE OR REPLACE VIEW ${var.semantic_database_name}.${name} AS\n${select}"
    }
  }

  named_queries = merge(local.operational_queries, local.semantic_view_queries)

  # Athena API reference, NamedQuery / StartQueryExecution: QueryString at most 262,144 bytes.
  athena_query_max_bytes = 262144
}

resource "aws_athena_named_query" "this" {
  for_each = local.named_queries

  name        = "${var.name_prefix}-${each.key}"
  description = each.value.description
  workgroup   = aws_athena_workgroup.this[0].id
  database    = each.value.database
  query       = each.value.query

  lifecycle {
    precondition {
      condition     = length(local.missing_columns) == 0
      error_message = "The analytics queries name columns tables.json does not define: ${join(", ", local.missing_columns)} (update modules/analytics/queries.tf)."
    }

    precondition {
      condition     = length(each.value.query) <= local.athena_query_max_bytes
      error_message = "Athena quota: a query string holds at most ${local.athena_query_max_bytes} bytes (Athena API reference, NamedQuery QueryString; not adjustable). The named query ${each.key} has ${length(each.value.query)} characters: lower operational_query_topics (per-topic queries) or shorten the view (semantic views)."
    }
  }
}

################################################################################
# Glue database of the semantic views
################################################################################

resource "aws_glue_catalog_database" "semantic" {
  count = local.create && var.create_semantic_database ? 1 : 0

  name        = var.semantic_database_name
  description = "Lean-Ops semantic layer: named business views over the curated tables (semantic/views/*.sql)."
  tags        = var.tags
}
