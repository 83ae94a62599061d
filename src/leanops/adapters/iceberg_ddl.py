"""Iceberg DDL from the one definition (leanops.definitions): create tables, evolve their columns.

Tables are format-version 2, merge-on-read for updates, deletes and merges, partitioned as
``tables.json`` says. New standardized body columns and new contract fields become new columns
(``ALTER TABLE ... ADD COLUMNS``); a safe widening (int -> bigint, float -> double, a decimal's
precision) is applied; any other type change is refused with a SchemaConflictError.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from leanops import definitions
from leanops.contracts import Contract
from leanops.exceptions import DefinitionError, SchemaConflictError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

logger = logging.getLogger(__name__)

ICEBERG_TO_SPARK = {
    "string": "string",
    "int": "int",
    "long": "bigint",
    "float": "float",
    "double": "double",
    "boolean": "boolean",
    "date": "date",
    "timestamptz": "timestamp",
    "timestamp": "timestamp_ntz",
    "binary": "binary",
    "uuid": "string",
}
PARTITION_TRANSFORMS = {
    "identity": "{column}",
    "year": "years({column})",
    "month": "months({column})",
    "day": "days({column})",
    "hour": "hours({column})",
}
TABLE_PROPERTIES = {
    "format-version": "2",
    "write.update.mode": "merge-on-read",
    "write.delete.mode": "merge-on-read",
    "write.merge.mode": "merge-on-read",
}
BODY_COLUMNS_TYPE_KEY = "body_columns_type"
SAFE_WIDENINGS = frozenset({("int", "bigint"), ("float", "double")})
_DECIMAL = re.compile(r"decimal\((\d+),(\d+)\)")

Column = tuple[str, str]
"""A column as (name, Spark SQL type)."""


def quote(identifier: str) -> str:
    """Quote one identifier for Spark SQL."""
    return "`" + identifier.replace("`", "``") + "`"


def qualified_name(table: definitions.TableDef, topic: str | None = None) -> str:
    """Return ``<catalog>.<database>.<table>`` as the jobs' Spark SQL names it."""
    return f"{definitions.catalog_name()}.{table.identifier(topic)}"


def spark_type(iceberg_type: str) -> str:
    """Map an Iceberg primitive type (tables.json, events.json) to its Spark SQL type.

    Raises:
        DefinitionError: for a type with no mapping.

    """
    if iceberg_type.startswith("decimal("):
        return iceberg_type.replace(" ", "")
    try:
        return ICEBERG_TO_SPARK[iceberg_type]
    except KeyError as exc:
        raise DefinitionError(
            definitions.TABLES_FILE, f"no Spark type for Iceberg type {iceberg_type!r}"
        ) from exc


def body_columns(names: Sequence[str]) -> list[Column]:
    """Return standardized body columns with the type tables.json gives them (``body_columns_type``)."""
    spec = definitions.load_json(definitions.TABLES_FILE)["tables"][definitions.STANDARDIZED]
    kind = spark_type(spec[BODY_COLUMNS_TYPE_KEY])
    return [(name, kind) for name in names]


def defined_columns(table: definitions.TableDef) -> list[Column]:
    """Return a table's defined columns as (name, Spark type)."""
    return [(column.name, spark_type(column.type)) for column in table.columns]


def contract_columns(contract: Contract) -> list[Column]:
    """Return the curated columns a contract adds, in contract order."""
    return [(spec.name, spec.spark_type) for spec in contract.fields]


def create_table_sql(name: str, table: definitions.TableDef, columns: Sequence[Column]) -> str:
    """Return the ``CREATE TABLE IF NOT EXISTS`` statement of a table."""
    comments = {column.name: column.comment for column in table.columns}
    column_sql = ", ".join(
        f"{quote(column)} {kind}"
        + (f" COMMENT '{_escape(comments[column])}'" if comments.get(column) else "")
        for column, kind in columns
    )
    partitions = ", ".join(
        PARTITION_TRANSFORMS[p.transform].format(column=quote(p.column)) for p in table.partition_by
    )
    partition_sql = f" PARTITIONED BY ({partitions})" if partitions else ""
    properties = ", ".join(f"'{key}'='{value}'" for key, value in TABLE_PROPERTIES.items())
    return (
        f"CREATE TABLE IF NOT EXISTS {name} ({column_sql}) USING iceberg{partition_sql} "
        f"COMMENT '{_escape(table.description)}' TBLPROPERTIES ({properties})"
    )


def ensure_table(
    spark: SparkSession,
    table: definitions.TableDef,
    topic: str | None = None,
    extra_columns: Sequence[Column] = (),
) -> str:
    """Create a table if it does not exist and give it every column it lacks.

    Args:
        spark: the session whose catalog holds the table.
        table: the table's definition.
        topic: the topic, for a per-topic table.
        extra_columns: columns beyond the definition (body columns, contract fields).

    Returns:
        The table's qualified name.

    Raises:
        SchemaConflictError: when an existing column's type cannot evolve to the wanted one.

    """
    name = qualified_name(table, topic)
    columns = _unique(defined_columns(table) + list(extra_columns))
    if not spark.catalog.tableExists(name):
        spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {definitions.catalog_name()}.{quote(table.database)}")
        spark.sql(create_table_sql(name, table, columns))
        logger.info("created table %s", name)
    evolve_columns(spark, name, columns)
    return name


def evolve_columns(spark: SparkSession, name: str, columns: Sequence[Column]) -> list[str]:
    """Add the columns a table lacks and widen those whose type may safely grow.

    Returns:
        The names of the columns added.

    Raises:
        SchemaConflictError: naming the table, the column and both types.

    """
    existing = {field.name: field.dataType.simpleString() for field in spark.table(name).schema.fields}
    missing = [(column, kind) for column, kind in columns if column not in existing]
    for column, kind in columns:
        current = existing.get(column)
        if current is not None and current != kind:
            _widen(spark, name, column, current, kind)
    if missing:
        spark.sql(f"ALTER TABLE {name} ADD COLUMNS ({', '.join(f'{quote(c)} {k}' for c, k in missing)})")
        logger.info("table %s: added columns %s", name, [column for column, _ in missing])
    return [column for column, _ in missing]


def is_safe_widening(existing: str, wanted: str) -> bool:
    """Return True when Iceberg can change a column from ``existing`` to ``wanted`` without loss."""
    if (existing, wanted) in SAFE_WIDENINGS:
        return True
    old, new = _DECIMAL.fullmatch(existing), _DECIMAL.fullmatch(wanted)
    return bool(old and new and old.group(2) == new.group(2) and int(new.group(1)) > int(old.group(1)))


def _widen(spark: SparkSession, name: str, column: str, existing: str, wanted: str) -> None:
    if not is_safe_widening(existing, wanted):
        raise SchemaConflictError(name, column, existing, wanted)
    spark.sql(f"ALTER TABLE {name} ALTER COLUMN {quote(column)} TYPE {wanted}")
    logger.info("table %s: column %s widened from %s to %s", name, column, existing, wanted)


def _unique(columns: Sequence[Column]) -> list[Column]:
    seen: dict[str, str] = {}
    for column, kind in columns:
        seen.setdefault(column, kind)
    return list(seen.items())


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("'", "\\'")
