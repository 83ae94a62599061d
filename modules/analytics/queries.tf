################################################################################
# Operational queries analysts need: errors, freshness and the per-topic account
#
# Table names come from tables.json; the columns the SQL names are checked against it below.
################################################################################

locals {
  # Every error table with the column dating its rows.
  error_sources = {
    parse_errors   = { layer = "standardized", time_column = "recorded_at" }
    curated_errors = { layer = "curated", time_column = "recorded_at" }
    dlq_errors     = { layer = "dlq", time_column = "archived_at" }
  }

  error_selects = [
    for kind, source in local.error_sources :
    "SELECT topic_name, '${source.layer}' AS layer, error_reason, ${source.time_column} AS seen_at FROM ${local.table_ids[kind]}"
  ]

  errors_by_topic_and_reason = <<-SQL
    -- Errors of every layer, grouped by topic and reason (most frequent first).
    SELECT topic_name, layer, error_reason, COUNT(*) AS errors, MIN(seen_at) AS first_seen, MAX(seen_at) AS last_seen
    FROM (
    ${join("\nUNION ALL\n", local.error_selects)}
    )
    GROUP BY topic_name, layer, error_reason
    ORDER BY errors DESC
  SQL

  # Column that dates a row in each per-topic layer.
  layer_write_columns = { raw = "ingested_at", standardized = "standardized_at", curated = "curated_at" }

  # A query string holds at most 262,144 bytes, a hard quota (Athena API reference, NamedQuery
  # "QueryString ... Maximum length of 262144"; AWS knowledge center "athena-query-string-length":
  # not adjustable, split long queries). The per-topic queries grow ~650 bytes per topic, so above
  # operational_query_topics topics they come in parts: <name>_01, <name>_02 ... (one part keeps the
  # plain name). A precondition on the named queries checks the quota.
  topic_chunks = chunklist(var.topics, var.operational_query_topics)
  chunk_suffixes = [
    for index in range(length(local.topic_chunks)) : length(local.topic_chunks) == 1 ? "" : format("_%02d", index + 1)
  ]

  freshness_selects = {
    for topic in var.topics : topic => join("\n", concat(
      ["SELECT '${topic}' AS topic_name"],
      [for layer, column in local.layer_write_columns : ", (SELECT MAX(${column}) FROM ${local.per_topic_database[layer]}.${topic}) AS ${layer}_last_write"],
      [for layer, column in local.layer_write_columns : ", date_diff('minute', (SELECT MAX(${column}) FROM ${local.per_topic_database[layer]}.${topic}), current_timestamp) AS ${layer}_minutes_ago"],
    ))
  }

  account_selects = {
    for topic in var.topics : topic => join("\n", [
      "SELECT '${topic}' AS topic_name",
      ", (SELECT COUNT(DISTINCT message_id) FROM ${local.per_topic_database.raw}.${topic}) AS raw_messages",
      ", (SELECT COUNT(*) FROM ${local.per_topic_database.raw}.${topic}) AS raw_rows",
      ", (SELECT COUNT(*) FROM ${local.per_topic_database.standardized}.${topic}) AS standardized_rows",
      ", (SELECT COUNT(*) FROM ${local.table_ids.parse_errors} WHERE topic_name = '${topic}') AS parse_errors",
      ", (SELECT COUNT(*) FROM ${local.per_topic_database.curated}.${topic}) AS curated_rows",
      ", (SELECT COUNT(*) FROM ${local.table_ids.curated_errors} WHERE topic_name = '${topic}') AS curated_errors",
      ", (SELECT COUNT(*) FROM ${local.table_ids.dlq_errors} WHERE topic_name = '${topic}') AS dlq_errors",
    ])
  }

  # name -> { description, query } of the per-topic queries, one entry per part.
  per_topic_queries = merge([
    for index, chunk in local.topic_chunks : {
      "freshness_per_topic${local.chunk_suffixes[index]}" = {
        description = "Last write per topic and layer (RAW, standardized, curated) and its age in minutes${local.chunk_suffixes[index] == "" ? "" : " (part ${index + 1} of ${length(local.topic_chunks)}: ${chunk[0]} to ${chunk[length(chunk) - 1]})"}."
        query       = <<-SQL
          -- Last write per topic and layer, and how many minutes ago it was.
          ${join("\nUNION ALL\n", [for topic in chunk : local.freshness_selects[topic]])}
          ORDER BY topic_name
        SQL
      }
      "account_per_topic${local.chunk_suffixes[index]}" = {
        description = "Per-topic account: messages and rows per layer, parse errors, curated errors and DLQ errors${local.chunk_suffixes[index] == "" ? "" : " (part ${index + 1} of ${length(local.topic_chunks)}: ${chunk[0]} to ${chunk[length(chunk) - 1]})"}."
        query       = <<-SQL
          -- The per-topic account: messages and rows in each layer and in each error table.
          ${join("\nUNION ALL\n", [for topic in chunk : local.account_selects[topic]])}
          ORDER BY topic_name
        SQL
      }
    }
  ]...)

  # Columns the SQL above names, per table kind (checked against tables.json by a precondition).
  referenced_columns = merge(
    { for kind, source in local.error_sources : kind => ["topic_name", "error_reason", source.time_column] },
    { for layer, column in local.layer_write_columns : layer => [column, "message_id"] },
  )

  missing_columns = flatten([
    for kind, columns in local.referenced_columns : [for column in columns : "${kind}.${column}" if !contains(local.table_columns[kind], column)]
  ])

  operational_queries = local.create ? merge(
    {
      errors_by_topic_and_reason = {
        description = "Errors of every layer (parse_errors, curated errors, dlq_errors) grouped by topic and reason."
        database    = local.databases.curated
        query       = local.errors_by_topic_and_reason
      }
    },
    { for name, query in local.per_topic_queries : name => merge(query, { database = local.databases.curated }) },
  ) : {}
}
