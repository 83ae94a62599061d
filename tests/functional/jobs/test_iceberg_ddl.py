"""Iceberg DDL from the one definition: create, add columns, widen safely, refuse conflicts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from leanops import definitions
from leanops.adapters.iceberg_ddl import (
    creation_columns,
    ensure_table,
    glue_created_type,
    glue_type,
    is_safe_widening,
    spark_type,
)
from leanops.exceptions import DefinitionError, SchemaConflictError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _types(spark: SparkSession, name: str) -> dict[str, str]:
    return {field.name: field.dataType.simpleString() for field in spark.table(name).schema.fields}


@pytest.mark.parametrize(
    ("iceberg", "spark_sql"),
    [
        ("timestamptz", "timestamp"),
        ("timestamp", "timestamp_ntz"),
        ("long", "bigint"),
        ("int", "int"),
        ("decimal(12, 2)", "decimal(12,2)"),
        ("string", "string"),
        ("boolean", "boolean"),
    ],
)
def test_iceberg_types_map_to_spark_types(iceberg: str, spark_sql: str) -> None:
    assert spark_type(iceberg) == spark_sql


def test_unknown_iceberg_type_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="no Spark type for Iceberg type 'geometry'"):
        spark_type("geometry")


@pytest.mark.parametrize(
    ("iceberg", "glue", "created"),
    [
        ("timestamptz", "timestamp", "timestamp"),
        ("timestamp", "timestamp", "timestamp"),
        ("long", "bigint", "long"),
        ("int", "int", "int"),
        ("decimal(12, 2)", "decimal(12,2)", "decimal(12,2)"),
        ("string", "string", "string"),
        ("boolean", "boolean", "boolean"),
    ],
)
def test_glue_has_one_timestamp_type(iceberg: str, glue: str, created: str) -> None:
    # Iceberg -> the Glue type modules/catalog sends -> the Iceberg type Glue's CreateTable makes
    assert (glue_type(iceberg), glue_created_type(iceberg)) == (glue, created)


def test_unknown_glue_type_is_a_definition_error() -> None:
    with pytest.raises(DefinitionError, match="no Glue type for Iceberg type 'interval'"):
        glue_type("interval")


def test_creation_columns_are_what_each_creator_makes() -> None:
    # GIVEN RAW (Terraform: Glue CreateTable) and parse_errors (the jobs' DDL)
    raw = creation_columns(definitions.table(definitions.RAW))
    errors = creation_columns(definitions.table(definitions.PARSE_ERRORS))
    # THEN RAW's timestamps lose their zone and every field is optional; parse_errors keeps its definition
    assert {column.name: column.type for column in raw}["sent_at"] == "timestamp"
    assert not any(column.required for column in raw)
    assert errors == definitions.table(definitions.PARSE_ERRORS).columns


@pytest.mark.parametrize(
    ("existing", "wanted", "safe"),
    [
        ("int", "bigint", True),
        ("float", "double", True),
        ("decimal(10,2)", "decimal(12,2)", True),
        ("decimal(12,2)", "decimal(12,3)", False),
        ("bigint", "int", False),
        ("string", "int", False),
    ],
)
def test_only_lossless_widenings_are_safe(existing: str, wanted: str, safe: bool) -> None:
    assert is_safe_widening(existing, wanted) is safe


def test_standardized_table_is_created_from_the_definition(spark: SparkSession, unique_name: str) -> None:
    # WHEN ensuring a topic's standardized table with one body column
    name = ensure_table(
        spark, definitions.table(definitions.STANDARDIZED), unique_name, [("amount", "string")]
    )
    # THEN it has the defined columns then the body column, v2 merge-on-read, partitioned by days(sent_at)
    assert list(_types(spark, name)) == [*definitions.table(definitions.STANDARDIZED).column_names, "amount"]
    assert _types(spark, name)["sent_at"] == "timestamp"
    properties = {row["key"]: row["value"] for row in spark.sql(f"SHOW TBLPROPERTIES {name}").collect()}
    assert properties["write.merge.mode"] == "merge-on-read"
    assert properties["format-version"] == "2"
    described = {row["col_name"]: row["data_type"] for row in spark.sql(f"DESCRIBE {name}").collect()}
    assert described["Part 0"] == "days(sent_at)"


def test_ensure_table_adds_new_columns_and_is_idempotent(spark: SparkSession, unique_name: str) -> None:
    # GIVEN a standardized table with body column a
    table = definitions.table(definitions.STANDARDIZED)
    ensure_table(spark, table, unique_name, [("a", "string")])
    # WHEN ensuring it again with a and b, twice
    ensure_table(spark, table, unique_name, [("a", "string"), ("b", "string")])
    name = ensure_table(spark, table, unique_name, [("b", "string")])
    # THEN b is added once and a is kept
    assert list(_types(spark, name))[-2:] == ["a", "b"]


def test_contract_field_widened_from_int_to_long(spark: SparkSession, unique_name: str) -> None:
    # GIVEN a curated table whose quantity is int
    table = definitions.table(definitions.CURATED)
    ensure_table(spark, table, unique_name, [("quantity", "int")])
    # WHEN the contract now says long  THEN the column is widened
    name = ensure_table(spark, table, unique_name, [("quantity", "bigint")])
    assert _types(spark, name)["quantity"] == "bigint"


def test_incompatible_contract_type_change_is_refused(spark: SparkSession, unique_name: str) -> None:
    # GIVEN a curated table whose amount is a string
    table = definitions.table(definitions.CURATED)
    ensure_table(spark, table, unique_name, [("amount", "string")])
    # WHEN the contract says decimal  THEN SchemaConflictError names the table, the column and both types
    with pytest.raises(
        SchemaConflictError, match=rf"{unique_name}: column 'amount' is string but .* decimal\(12,2\)"
    ):
        ensure_table(spark, table, unique_name, [("amount", "decimal(12,2)")])
