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
# | Athena analysts         | DESCRIBE curated, semantic  | SELECT, DESCRIBE on all semantic views; on each curated.<topic>: by the curated job when it creates it, and here for lake_formation_analyst_topics |
#
# Analysts (schemas/tables.json analyst_access, as the IAM policy of analyst_access.tf): never an
# "all tables" grant on curated, which would include the curated errors table (values as
# received, before pii masking). A table grant names one table or all of a database's
# (TableResource: Name or TableWildcard; no exclusion: Lake Formation API reference,
# "TableResource"), and GrantPermissions on a table that does not exist fails (EntityNotFound:
# Lake Formation developer guide, "Updated error message"). The curated tables are created by the
# curated job on a topic's first cycle, after the apply, so the job grants them: as a table's
# creator its role may grant on it ("Implicit Lake Formation permissions"); the root stack passes
# the analysts to modules/processing (analyst_grant_principals, --LEANOPS_ANALYST_PRINCIPALS) and
# the curated role alone gets lakeformation:GrantPermissions (leanops.adapters.table_grants: once
# per table and principal list, a failure alerted and tried again next cycle). Terraform still
# grants the topics of lake_formation_analyst_topics (tables created before, or to manage a grant
# here); by hand: aws lakeformation grant-permissions --principal DataLakePrincipalIdentifier=<analyst arn>
# --permissions SELECT DESCRIBE --resource '{"Table":{"DatabaseName":"iceberg_curated_db","Name":"<topic>"}}'.
# The semantic database holds only the views (over curated tables), so all its tables are granted.
#
# Why not LF-tag-based access (aws_lakeformation_lf_tag, aws_lakeformation_resource_lf_tags, a
# grant with lf_tag_policy), which would open each new topic's table without a second apply: a
# table inherits its database's LF-tags, and only a tag assigned to the table itself overrides the
# inherited value (Lake Formation developer guide, "Assigning LF-Tags to Data Catalog
# resources"). Tagging the curated database leanops-access=analyst would therefore open every
# curated table, errors included; the errors table is created by the curated job
# (schemas/tables.json created_by "jobs") on the first cycle, so Terraform cannot assign it the
# overriding tag before it exists, and between its creation and that override (or after any
# re-creation) analysts could read it: fail-open. The curated job's named grant on each topic
# table it creates (above) gives the same "no second apply" fail-closed: one grant per topic
# table (by the job, or listed here), never the errors table.
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
          "${role}-${key}-database" = { principal = local.lf_role_arns[role], database = local.lf_database_names[key], permissions = grant.database, tables = false, table = null }
          "${role}-${key}-tables"   = { principal = local.lf_role_arns[role], database = local.lf_database_names[key], permissions = grant.tables, tables = true, table = null }
        }
      ]...) if contains(var.lake_formation_roles, role)
    ]...),
    merge([
      for index, analyst in local.lf_principals.analyst_arns : merge(
        {
          for database in local.analyst_databases : "analyst-${index}-${database}-database" => {
            principal = analyst, database = database, permissions = ["DESCRIBE"], tables = false, table = null
          }
        },
        local.analyst_access.semantic_views ? {
          "analyst-${index}-semantic-tables" = { principal = analyst, database = var.semantic_database_name, permissions = local.lf_table_read, tables = true, table = null }
        } : {},
        {
          for grant in local.lf_analyst_tables : "analyst-${index}-table-${grant.database}.${grant.table}" => {
            principal = analyst, database = grant.database, permissions = local.lf_table_read, tables = true, table = grant.table
          }
        },
      )
    ]...),
  ) : {}

  # One grant per analyst-readable per-topic table of the listed topics (curated.<topic>).
  lf_analyst_tables = flatten([
    for kind in local.analyst_table_kinds : [
      for topic in var.lake_formation_analyst_topics : {
        database = local.databases[local.tables.tables[kind].database]
        table    = replace(local.tables.tables[kind].name, "{topic}", topic)
      }
    ] if local.tables.tables[kind].per_topic
  ])
}

resource "aws_lakeformation_permissions" "this" {
  for_each = local.lf_grants

  principal   = each.value.principal
  permissions = each.value.permissions

  lifecycle {
    precondition {
      condition     = each.value.principal != null
      error_message = "Lake Formation grant ${each.key}: its role is in lake_formation_roles but has no ARN in lake_formation_principals."
    }
  }

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
      name          = each.value.table
      wildcard      = each.value.table == null
    }
  }
}
