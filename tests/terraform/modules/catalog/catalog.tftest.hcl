# terraform test for modules/catalog with a mocked AWS provider (no account, no network).
mock_provider "aws" {
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:eu-west-1:123456789012:mock", url = "https://sqs.eu-west-1.amazonaws.com/123456789012/mock" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mock" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock" }
  }
  mock_resource "aws_kinesis_firehose_delivery_stream" {
    defaults = { arn = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/mock" }
  }
  mock_resource "aws_glue_catalog_database" {
    defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:database/mock" }
  }
  mock_resource "aws_glue_catalog_table" {
    defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:table/mock/mock" }
  }
  mock_resource "aws_glue_job" {
    defaults = { arn = "arn:aws:glue:eu-west-1:123456789012:job/mock" }
  }
}

variables {
  account_id            = "123456789012"
  tables_json           = file("schemas/tables.json")
  envelope_json         = file("schemas/events.json")
  topics                = ["orders", "payments"]
  data_lake_bucket_name = "leanops-test-lake-123456789012"
}

run "databases_and_iceberg_tables_come_from_tables_json" {
  command = apply

  assert {
    condition     = toset([for database in values(aws_glue_catalog_database.this) : database.name]) == toset(values(jsondecode(file("schemas/tables.json")).databases))
    error_message = "The three databases must be those of tables.json."
  }

  assert {
    condition     = toset(keys(aws_glue_catalog_table.this)) == toset(["raw/orders", "raw/payments", "dlq_errors"])
    error_message = "The module must create exactly the tables Firehose writes (RAW of each topic, dlq_errors); parse_errors, errors, drift_log and the standardized/curated tables are created by the jobs' DDL."
  }

  assert {
    condition     = toset(output.created_table_kinds) == toset([for kind, spec in jsondecode(file("schemas/tables.json")).tables : kind if spec.created_by == "terraform"])
    error_message = "created_table_kinds must be the kinds tables.json says Terraform creates."
  }

  assert {
    condition     = aws_glue_catalog_table.this["dlq_errors"].name == "dlq_errors" && aws_glue_catalog_table.this["dlq_errors"].database_name == "iceberg_raw_db"
    error_message = "dlq_errors must be iceberg_raw_db.dlq_errors."
  }

  assert {
    condition     = alltrue([for table in values(aws_glue_catalog_table.this) : table.open_table_format_input[0].iceberg_input[0].metadata_operation == "CREATE" && table.open_table_format_input[0].iceberg_input[0].version == "2"])
    error_message = "Every table must be created as an Iceberg v2 table."
  }

  assert {
    condition     = aws_glue_catalog_table.this["raw/orders"].storage_descriptor[0].location == "s3://leanops-test-lake-123456789012/warehouse/iceberg_raw_db.db/orders"
    error_message = "A RAW table must live at <warehouse><database>.db/<table>, where Iceberg's GlueCatalog puts it."
  }
}

run "raw_columns_are_the_envelope_in_file_order_with_glue_types" {
  command = apply

  assert {
    condition     = [for column in aws_glue_catalog_table.this["raw/orders"].storage_descriptor[0].columns : column.name] == ["topic_name", "message_id", "payload", "sent_at", "ingested_at", "receive_count", "replayed_at"]
    error_message = "RAW columns must be the envelope's properties in events.json order."
  }

  assert {
    condition     = [for column in aws_glue_catalog_table.this["raw/orders"].storage_descriptor[0].columns : column.type] == ["string", "string", "string", "timestamp", "timestamp", "int", "timestamp"]
    error_message = "x-iceberg-type must map to Glue types (timestamptz -> timestamp, int -> int)."
  }

  assert {
    condition     = [for column in aws_glue_catalog_table.this["dlq_errors"].storage_descriptor[0].columns : column.name] == [for column in jsondecode(file("schemas/tables.json")).tables.dlq_errors.columns : column.name]
    error_message = "dlq_errors columns must be those of tables.json, in order."
  }

  assert {
    condition     = [for column in output.created_iceberg_columns["raw"] : column.type] == ["string", "string", "string", "timestamp", "timestamp", "int", "timestamp"]
    error_message = "Glue's Iceberg CreateTable makes every Glue timestamp an Iceberg timestamp without zone: created_iceberg_columns must say so."
  }

  assert {
    condition     = [for column in output.created_iceberg_columns["dlq_errors"] : column.type] == [for column in jsondecode(file("schemas/tables.json")).tables.dlq_errors.columns : column.type == "timestamptz" ? "timestamp" : column.type]
    error_message = "dlq_errors' Iceberg types as Glue creates them: timestamptz -> timestamp, the others unchanged."
  }

  assert {
    condition     = output.raw_table_names == ["dlq_errors", "orders", "payments"] || toset(output.raw_table_names) == toset(["dlq_errors", "orders", "payments"])
    error_message = "raw_table_names must list every table Firehose writes (topics and dlq_errors)."
  }
}

run "an_unknown_column_type_is_refused_with_its_name" {
  command = plan

  variables {
    tables_json = replace(file("schemas/tables.json"), "\"type\": \"int\"", "\"type\": \"interval\"")
  }

  expect_failures = [aws_glue_catalog_table.this]
}

run "a_changed_description_never_updates_a_live_iceberg_table" {
  # GIVEN the tables created by the first runs (state carries over between runs)
  # WHEN tables.json changes the RAW and dlq_errors descriptions and events.json a column comment
  command = plan

  variables {
    tables_json   = replace(replace(file("schemas/tables.json"), "Append-only landing table of one topic", "Changed description"), "Messages that exhausted their receives", "Changed too")
    envelope_json = replace(file("schemas/events.json"), "the SQS body, verbatim", "changed comment")
  }

  # THEN no table is updated: an UpdateTable would send the metadata_location read at refresh and
  # could roll back a Firehose commit made in between (create-only, ignore_changes = all)
  assert {
    condition     = startswith(aws_glue_catalog_table.this["raw/orders"].description, "Append-only landing table of one topic")
    error_message = "A description change must not plan an UpdateTable of a live RAW table."
  }

  assert {
    condition     = startswith(aws_glue_catalog_table.this["dlq_errors"].description, "Messages that exhausted their receives")
    error_message = "A description change must not plan an UpdateTable of the live dlq_errors table."
  }

  assert {
    condition     = [for column in aws_glue_catalog_table.this["raw/orders"].storage_descriptor[0].columns : column.comment if column.name == "payload"] == ["the SQS body, verbatim"]
    error_message = "A column comment change must not plan an UpdateTable of a live RAW table."
  }
}

run "a_table_terraform_creates_cannot_be_partitioned" {
  command = plan

  variables {
    tables_json = replace(file("schemas/tables.json"), "\"columns_from\": \"events.json\",\n      \"partition_by\": []", "\"columns_from\": \"events.json\",\n      \"partition_by\": [{\"transform\": \"day\", \"column\": \"sent_at\"}]")
  }

  expect_failures = [var.tables_json]
}

run "every_table_names_its_creator" {
  command = plan

  variables {
    tables_json = replace(file("schemas/tables.json"), "\"created_by\": \"jobs\",", "")
  }

  expect_failures = [var.tables_json]
}
