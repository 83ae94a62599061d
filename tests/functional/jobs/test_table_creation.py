"""One creator per table, the same in AWS and locally (tables.json ``created_by``).

Terraform creates the tables Firehose writes (RAW, dlq_errors) with Glue CreateTable from Glue
column types: Glue has one timestamp type, so they have Iceberg ``timestamp`` (no zone) columns,
all optional, and no partition spec. The jobs' DDL creates every other table (timestamptz,
partitioned). These tests build the tables as AWS does and run the jobs over them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from leanops import definitions
from leanops.adapters.iceberg_ddl import (
    CREATED_BY_TERRAFORM,
    created_by,
    defined_columns,
    ensure_table,
    evolve_columns,
    glue_type,
    qualified_name,
    quote,
)
from leanops.exceptions import DefinitionError
from leanops.ingest.rows import to_iceberg_row
from leanops.jobs import iceberg_io, report
from leanops.local.catalog import local_catalog
from leanops.local.rows import arrow_table_for
from leanops.local.tables import (
    ensure_shared_tables,
    ensure_topic_tables,
    table_schema,
    terraform_table_kinds,
)
from leanops.local.tables import ensure_table as ensure_local_table

from .conftest import JobEnvironment
from .helpers import order, order_contract, rows_of, run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# What Glue's Iceberg CreateTable makes of each Glue column type, written out as an oracle
# (Athena user guide, "Supported data types for Iceberg tables in Athena"): Glue "timestamp" is
# Iceberg timestamp without zone, Spark's timestamp_ntz.
GLUE_TO_ICEBERG_ORACLE = {"string": "string", "int": "int", "bigint": "long", "timestamp": "timestamp"}
ICEBERG_TO_SPARK_ORACLE = {"string": "string", "int": "int", "long": "bigint", "timestamp": "timestamp_ntz"}
SENT_AT = datetime(2026, 3, 1, 10, 0, 0, 123456, tzinfo=UTC)


def _as_glue_creates(kind: str) -> list[tuple[str, str]]:
    """Return (column, Iceberg type) of a table as Glue creates it from the catalog module's Glue types."""
    return [
        (column.name, GLUE_TO_ICEBERG_ORACLE[glue_type(column.type)])
        for column in definitions.table(kind).columns
    ]


def _spark_types(spark: SparkSession, name: str) -> dict[str, str]:
    return {field.name: field.dataType.simpleString() for field in spark.table(name).schema.fields}


def test_terraform_creates_exactly_the_tables_firehose_writes() -> None:
    # GIVEN the definition  THEN RAW and dlq_errors are Terraform's; the jobs create the rest
    assert terraform_table_kinds(per_topic=True) == (definitions.RAW,)
    assert terraform_table_kinds(per_topic=False) == (definitions.DLQ_ERRORS,)
    for table in definitions.all_tables():
        if created_by(table) == CREATED_BY_TERRAFORM:
            assert table.partition_by == (), f"{table.kind}: Glue CreateTable gives no partition spec"


@pytest.mark.parametrize("kind", [definitions.RAW, definitions.DLQ_ERRORS])
def test_local_creation_gives_the_schema_glue_creates(kind: str, tmp_path: Path) -> None:
    # GIVEN a fresh local catalog  WHEN the local runner provisions a topic and the shared tables
    catalog = local_catalog(tmp_path / "home")
    ensure_shared_tables(catalog)
    ensure_topic_tables(catalog, "orders")
    table = catalog.load_table(definitions.table(kind).identifier("orders"))
    # THEN the table has Glue's Iceberg types (timestamps without zone), no required field, no partition spec
    fields = [(field.name, str(field.field_type), field.required) for field in table.schema().fields]
    assert fields == [(name, iceberg, False) for name, iceberg in _as_glue_creates(kind)]
    assert table.spec().is_unpartitioned()
    assert table_schema(definitions.table(kind)) == table.schema()


def test_local_provisioning_leaves_the_job_tables_to_the_jobs(tmp_path: Path) -> None:
    # GIVEN a fresh local catalog  WHEN the shared tables are provisioned
    catalog = local_catalog(tmp_path / "home")
    created = ensure_shared_tables(catalog)
    # THEN every database exists and only dlq_errors was created in advance
    assert created == [definitions.table(definitions.DLQ_ERRORS).identifier()]
    for kind in (definitions.PARSE_ERRORS, definitions.CURATED_ERRORS, definitions.DRIFT_LOG):
        assert not catalog.table_exists(definitions.table(kind).identifier())
        # AND creating one locally outside the jobs' DDL is refused
        with pytest.raises(DefinitionError, match="created by the jobs' DDL"):
            ensure_local_table(catalog, kind)
    assert set(definitions.databases().values()) <= {ns[0] for ns in catalog.list_namespaces()}


def test_jobs_run_over_raw_as_glue_creates_it(
    spark: SparkSession, iceberg_catalog: Any, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a RAW table created as Glue creates it, holding what Firehose writes (epoch micros)
    ensure_topic_tables(iceberg_catalog, unique_name)
    raw = iceberg_catalog.load_table(definitions.table(definitions.RAW).identifier(unique_name))
    bodies = {"m1": json.dumps(order("o1", "1.00", "2026-03-01T10:00:00Z")), "m2": "not json"}
    envelopes = [
        {
            "topic_name": unique_name,
            "message_id": message_id,
            "payload": body,
            "sent_at": SENT_AT.isoformat(),
            "ingested_at": SENT_AT.isoformat(),
            "receive_count": 1,
        }
        for message_id, body in bodies.items()
    ]
    columns = definitions.table(definitions.RAW).columns
    arrow, rejected = arrow_table_for(raw.schema(), [to_iceberg_row(row, columns) for row in envelopes])
    assert rejected == []
    raw.append(arrow)
    raw_name = qualified_name(definitions.table(definitions.RAW), unique_name)
    assert _spark_types(spark, raw_name)["sent_at"] == "timestamp_ntz"
    # WHEN standardized (the layer that reads RAW) runs with the topic's contract
    job_env.put_contract(unique_name, order_contract(unique_name))
    std = run(spark, definitions.STANDARDIZED, job_env.with_topics(unique_name), job_env.clients)
    # THEN it processes RAW with no schema conflict, sent_at is the same instant, the bad body is a parse error
    assert std.outcome(unique_name).status == report.PROCESSED, std.outcome(unique_name).message
    standardized = rows_of(spark, definitions.STANDARDIZED, unique_name)
    assert [row["sent_at"].astimezone(UTC) for row in standardized] == [SENT_AT]
    assert [row["message_id"] for row in rows_of(spark, definitions.PARSE_ERRORS, unique_name)] == ["m2"]
    # AND the job-created shared table has the jobs' types and partitioning (not Glue's)
    errors = ensure_table(spark, definitions.table(definitions.PARSE_ERRORS))
    assert _spark_types(spark, errors)["recorded_at"] == "timestamp"
    described = {row["col_name"]: row["data_type"] for row in spark.sql(f"DESCRIBE {errors}").collect()}
    assert described["Part 0"] == "days(sent_at)"  # tables.json: the MERGE prunes by it


def test_raw_timestamps_are_read_as_utc_in_any_session_zone(spark: SparkSession) -> None:
    # GIVEN a Glue-created timestamp (no zone): UTC wall clock, and a session in another zone
    frame = spark.sql("SELECT timestamp_ntz'2026-03-01 10:00:00.123456' AS sent_at, 1 AS n")
    zone = str(spark.conf.get("spark.sql.session.timeZone"))
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:
        # WHEN the jobs read it
        instants = iceberg_io.utc_instants(frame).selectExpr("unix_micros(sent_at) AS micros", "n").first()
    finally:
        spark.conf.set("spark.sql.session.timeZone", zone)
    # THEN it is the instant of that wall clock in UTC; other columns are untouched
    assert instants is not None
    assert (instants["micros"], instants["n"]) == (int(SENT_AT.timestamp() * 1_000_000), 1)


def test_glue_created_shared_table_evolves_and_takes_writes_without_conflict(
    spark: SparkSession, unique_name: str
) -> None:
    # GIVEN an error table as Glue creates it (timestamps without zone, unpartitioned), e.g. a
    # parse_errors created by an earlier Terraform version
    table = definitions.table(definitions.PARSE_ERRORS)
    name = f"{definitions.catalog_name()}.{quote(table.database)}.{quote(unique_name)}"
    glue_columns = ", ".join(
        f"{quote(column)} {ICEBERG_TO_SPARK_ORACLE[iceberg]}"
        for column, iceberg in _as_glue_creates(definitions.PARSE_ERRORS)
    )
    spark.sql(f"CREATE TABLE {name} ({glue_columns}) USING iceberg TBLPROPERTIES ('format-version'='2')")
    # WHEN the jobs' DDL evolves it to the definition  THEN nothing conflicts and nothing is added
    assert evolve_columns(spark, name, defined_columns(table)) == []
    # AND the jobs' rows (instants) are stored as their UTC wall clock
    rows = spark.createDataFrame(
        [(unique_name, "m1", "bad", "why", SENT_AT, SENT_AT, "run", SENT_AT)],
        schema=", ".join(f"{quote(column)} {kind}" for column, kind in defined_columns(table)),
    )
    iceberg_io.merge_insert_only(spark, name, rows, ["topic_name", "message_id"])
    stored = spark.table(name).first()
    assert stored is not None and stored["recorded_at"] == SENT_AT.replace(tzinfo=None)
