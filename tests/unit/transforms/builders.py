"""Builders of small DataFrames and shared constants of the transform tests."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from leanops import definitions
from leanops.contracts import Contract, parse_contract

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
ENVELOPE_DEFAULTS: dict[str, Any] = {
    "topic_name": "orders",
    "sent_at": T0,
    "ingested_at": T0,
    "receive_count": 1,
}
_SPARK_TYPES = {"string": "string", "int": "int", "timestamptz": "timestamp"}


def table_ddl(kind: str) -> str:
    """Return a tables.json table's columns as a Spark DDL schema."""
    columns = definitions.table(kind).columns
    return ", ".join(f"{column.name} {_SPARK_TYPES[column.type]}" for column in columns)


def raw_frame(spark: SparkSession, rows: Sequence[Mapping[str, Any]]) -> DataFrame:
    """Build RAW envelope rows: each dict overrides the defaults of one realistic envelope."""
    names = definitions.table(definitions.RAW).column_names
    data = [tuple({**ENVELOPE_DEFAULTS, **row}.get(name) for name in names) for row in rows]
    return spark.createDataFrame(data, table_ddl(definitions.RAW))


def standardized_frame(
    spark: SparkSession, rows: Sequence[Mapping[str, Any]], body_columns: list[str]
) -> DataFrame:
    """Build standardized rows: system columns with defaults, then the given string body columns."""
    names = [*definitions.table(definitions.STANDARDIZED).column_names, *body_columns]
    defaults = {**ENVELOPE_DEFAULTS, "run_id": "run-std", "standardized_at": T0}
    data = [tuple({**defaults, **row}.get(name) for name in names) for row in rows]
    ddl = ", ".join([table_ddl(definitions.STANDARDIZED), *(f"{name} string" for name in body_columns)])
    return spark.createDataFrame(data, ddl)


def micros(at: datetime) -> int:
    """Return microseconds since the epoch of an aware datetime (compare with F.unix_micros)."""
    return int(at.timestamp()) * 1_000_000 + at.microsecond


def keyed_contract(fields: Mapping[str, Any], topic: str = "orders") -> Contract:
    """Return a contract with key ``k`` (string) ordered by ``ts`` (timestamp), both required, then ``fields``."""
    required = {"k": {"type": "string", "required": True}, "ts": {"type": "timestamp", "required": True}}
    text = json.dumps({"topic": topic, "key": ["k"], "order_by": "ts", "fields": {**required, **fields}})
    return parse_contract(text, f"{topic}.json")
