################################################################################
# Lake Formation grants (enable_lake_formation_grants, default false)
#
# When the Data Catalog is managed by Lake Formation (its databases no longer grant
# IAMAllowedPrincipals), IAM policies alone no longer give access to the catalog and the data:
# each role also needs Lake Formation permissions (Lake Formation developer guide, "Granting
# permissions on Data Catalog resources", "Lake Formation permissions reference"):
#
# | principal               | database permission         | table permissions (all tables)            |
# |-------------------------|-----------------------------|-------------------------------------------|
# | Firehose role           | DESCRIBE raw                | SELECT, INSERT, ALTER, DESCRIBE on raw    |
# | Glue standardized role  | DESCRIBE raw, CREATE_TABLE standardized | SELECT, ALTER, DESCRIBE on raw; SELECT, INSERT, DELETE, ALTER, DESCRIBE on standardized |
# | Glue curated role       | DESCRIBE standardized, CREATE_TABLE curated | SELECT, DESCRIBE on standardized; SELECT, INSERT, DELETE, ALTER, DESCRIBE on curated |
# | state machine role      | CREATE_TABLE semantic, DESCRIBE curated | SELECT, DESCRIBE on curated; ALTER, DESCRIBE, DROP on semantic (views) |
# | Athena analysts         | DESCRIBE curated, semantic  | SELECT, DESCRIBE on curated and semantic  |
#
# The data locations (the lake bucket's warehouse prefix) must also be registered with Lake
# Formation by the account's data lake administrator; that is account-level and outside this stack.
################################################################################

locals {
  lf_table_write = ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"]
  lf_table_read  = ["SELECT", "DESCRIBE"]
  lf_principals  = var.lake_formation_principals

  # principal role -> database key (tables.json databases, or "semantic") -> database and table permissions
  lf_grant_specs = {
    firehose = {
      raw = { database = ["DESCRIBE"], tables = ["SELECT", "INSERT", "ALTER", "DESCRIBE"] }
    }
    standardized_job = {
      raw          = { database = ["DESCRIBE"], tables = ["SELECT", "ALTER", "DESCRIBE"] }
      standardized = { database = ["DESCRIBE", "CREATE_TABLE"], tables = local.lf_table_write }
    }
    curated_job = {
      standardized = { database = ["DESCRIBE"], tables = local.lf_table_read }
      curated      = { database = ["DESCRIBE", "CREATE_TABLE"], tables = local.lf_table_write }
    }
    state_machine = {
      curated  = { database = ["DESCRIBE"], tables = local.lf_table_read }
      semantic = { database = ["DESCRIBE", "CREATE_TABLE"], tables = ["ALTER", "DESCRIBE", "DROP"] }
    }
  }

  lf_role_arns = {
    firehose         = local.lf_principals.firehose_role_arn
    standardized_job = local.lf_principals.standardized_job_role_arn
    curated_job      = local.lf_principals.curated_job_role_arn
    state_machine    = local.lf_principals.state_machine_role_arn
  }

  lf_database_names = merge(local.databases, { semantic = var.semantic_database_name })

  lf_grants = local.create && var.enable_lake_formation_grants ? merge(
    merge([
      for role, databases in local.lf_grant_specs : merge([
        for key, grant in databases : {
          "${role}-${key}-database" = { principal = local.lf_role_arns[role], database = local.lf_database_names[key], permissions = grant.database, tables = false }
          "${role}-${key}-tables"   = { principal = local.lf_role_arns[role], database = local.lf_database_names[key], permissions = grant.tables, tables = true }
        }
      ]...) if local.lf_role_arns[role] != null
    ]...),
    merge([
      for index, analyst in local.lf_principals.analyst_arns : merge([
        for key in ["curated", "semantic"] : {
          "analyst-${index}-${key}-database" = { principal = analyst, database = local.lf_database_names[key], permissions = ["DESCRIBE"], tables = false }
          "analyst-${index}-${key}-tables"   = { principal = analyst, database = local.lf_database_names[key], permissions = local.lf_table_read, tables = true }
        }
      ]...)
    ]...),
  ) : {}
}

resource "aws_lakeformation_permissions" "this" {
  for_each = local.lf_grants

  principal   = each.value.principal
  permissions = each.value.permissions

  dynamic "database" {
    for_each = each.value.tables ? [] : [each.value.database]

    content {
      name = database.value
    }
  }

  dynamic "table" {
    for_each = each.value.tables ? [each.value.database] : []

    content {
      database_name = table.value
      wildcard      = true
    }
  }
}
