"""Iceberg DDL from the one definition (leanops.definitions): create tables, evolve their columns.

Every table has one creator, the same in AWS and locally (``tables.json`` ``created_by``):

* ``jobs``: the jobs create it here, format-version 2, merge-on-read for updates, deletes and
  merges, with the types and partitioning of ``tables.json`` (timestamps as ``timestamptz``).
* ``terraform``: the tables Firehose writes (RAW, dlq_errors). modules/catalog creates them with
  Glue CreateTable from Glue column types, and Glue has one timestamp type: the table Glue makes
  has Iceberg ``timestamp`` (without zone) columns, all optional, and no partition spec.
  :func:`creation_columns` gives those columns from the same mapping Terraform uses
  (``tables.json`` ``glue_catalog_types``), so local creation matches AWS's.

New standardized body columns and new contract fields become new columns (``ALTER TABLE ... ADD
COLUMNS``); a safe widening (int -> bigint, float -> double, a decimal's precision) is applied; a
``timestamp_ntz`` column where ``timestamp`` is wanted is accepted as is (a Glue-created column:
UTC wall clock, see docs/DESIGN_NOTES.md); any other type change is refused with a
SchemaConflictError.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

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
# Iceberg's names of the transforms (PartitionField.transform().toString()) -> PARTITION_TRANSFORMS
ICEBERG_TRANSFORM_TO_SPARK = {name: name for name in ("identity", "year", "month", "day", "hour")}
VOID_TRANSFORM = "void"  # a field dropped from a v1 table's spec
SAFE_WIDENINGS = frozenset({("int", "bigint"), ("float", "double")})
# (existing, wanted) Spark types taken as the same column: a Glue-created timestamp (no zone)
# holds UTC wall clock, the instant the definition's timestamptz means. Iceberg cannot change
# timestamp to timestamptz, and Spark writes instants into it in the session time zone (UTC).
UTC_WALL_CLOCK_EQUIVALENTS = frozenset({("timestamp_ntz", "timestamp")})
CREATED_BY_KEY = "created_by"
CREATED_BY_TERRAFORM = "terraform"
CREATED_BY_JOBS = "jobs"
GLUE_TYPES_KEY = "glue_catalog_types"
ICEBERG_TO_GLUE_KEY = "iceberg_to_glue"
GLUE_TO_ICEBERG_KEY = "glue_to_iceberg"
DECIMAL_PREFIX = "decimal("
_DECIMAL = re.compile(r"decimal\((\d+),(\d+)\)")

Column = tuple[str, str]
"""A column as (name, Spark SQL type)."""


def quote(identifier: str) -> str:
    """Quote one identifier for Spark SQL."""
    return "`" + identifier.replace("`", "``") + "`"


def qualified_name(table: definitions.TableDef, topic: str | None = None) -> str:
    """Return ``<catalog>.<database>.<table>`` as the jobs' Spark SQL names it."""
    return f"{definitions.catalog_name()}.{table.identifier(topic)}"


def created_by(table: definitions.TableDef) -> str:
    """Return who creates a table: ``terraform`` (Glue CreateTable) or ``jobs`` (this module).

    Raises:
        DefinitionError: when tables.json names no known creator for the table.

    """
    creator = definitions.load_json(definitions.TABLES_FILE)["tables"][table.kind].get(CREATED_BY_KEY)
    if creator not in (CREATED_BY_TERRAFORM, CREATED_BY_JOBS):
        raise DefinitionError(
            definitions.TABLES_FILE,
            f"table {table.kind}: created_by must be {CREATED_BY_TERRAFORM!r} or {CREATED_BY_JOBS!r}, "
            f"got {creator!r}",
        )
    return str(creator)


def _glue_types(direction: str) -> dict[str, str]:
    return dict(definitions.load_json(definitions.TABLES_FILE)[GLUE_TYPES_KEY][direction])


def glue_type(iceberg_type: str) -> str:
    """Return the Glue column type of an Iceberg type, as modules/catalog sends it to Glue.

    Raises:
        DefinitionError: for a type with no Glue equivalent.

    """
    return _mapped(iceberg_type, _glue_types(ICEBERG_TO_GLUE_KEY), "Glue type for Iceberg type")


def glue_created_type(iceberg_type: str) -> str:
    """Return the Iceberg type Glue's Iceberg CreateTable gives a column declared ``iceberg_type``.

    The round trip through Glue's one timestamp type: ``timestamptz`` -> ``timestamp``.

    Raises:
        DefinitionError: for a type with no Glue equivalent.

    """
    return _mapped(glue_type(iceberg_type), _glue_types(GLUE_TO_ICEBERG_KEY), "Iceberg type for Glue type")


def _mapped(type_name: str, mapping: dict[str, str], what: str) -> str:
    if type_name.startswith(DECIMAL_PREFIX):
        return type_name.replace(" ", "")
    try:
        return mapping[type_name]
    except KeyError as exc:
        raise DefinitionError(definitions.TABLES_FILE, f"no {what} {type_name!r}") from exc


def creation_columns(table: definitions.TableDef) -> tuple[definitions.ColumnDef, ...]:
    """Return a table's columns with the Iceberg types and nullability its creator gives them.

    A table the jobs create keeps its definition. A table Terraform creates gets what Glue makes
    of its Glue columns: types through :func:`glue_created_type`, every field optional.
    """
    if created_by(table) == CREATED_BY_JOBS:
        return table.columns
    return tuple(
        replace(column, type=glue_created_type(column.type), required=False) for column in table.columns
    )


def spark_type(iceberg_type: str) -> str:
    """Map an Iceberg primitive type (tables.json, events.json) to its Spark SQL type.

    Raises:
        DefinitionError: for a type with no mapping.

    """
    return _mapped(iceberg_type, ICEBERG_TO_SPARK, "Spark type for Iceberg type")


def body_columns(names: Sequence[str]) -> list[Column]:
    """Return standardized body columns with the type tables.json gives them (``body_columns_type``)."""
    spec = definitions.load_json(definitions.TABLES_FILE)["tables"][definitions.STANDARDIZED]
    kind = spark_type(spec[BODY_COLUMNS_TYPE_KEY])
    return [(name, kind) for name in names]


def defined_columns(table: definitions.TableDef) -> list[Column]:
    """Return a table's defined columns as (name, Spark type), as its creator makes them."""
    return [(column.name, spark_type(column.type)) for column in creation_columns(table)]


def contract_columns(contract: Contract) -> list[Column]:
    """Return the curated columns a contract adds, in contract order (pii: hash a string, drop none)."""
    return [(spec.name, spec.curated_spark_type) for spec in contract.curated_fields]


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


def replace_table_as_select_sql(
    name: str, table: definitions.TableDef, view: str, extra_properties: Mapping[str, str] | None = None
) -> str:
    """Return the ``CREATE OR REPLACE TABLE ... AS SELECT * FROM <view>`` of a jobs-created table.

    One atomic commit that keeps the table's history (Iceberg docs, "Spark DDL", REPLACE TABLE
    ... AS SELECT: "Atomic table replacement creates a new snapshot with the results of the
    SELECT query, but keeps table history"): the columns and types are the view's, the
    partitioning and properties those :func:`create_table_sql` gives (other existing properties
    are kept: REPLACE merges them), plus ``extra_properties``. Column comments come from the
    view's column metadata.
    """
    partitions = ", ".join(
        PARTITION_TRANSFORMS[p.transform].format(column=quote(p.column)) for p in table.partition_by
    )
    partition_sql = f" PARTITIONED BY ({partitions})" if partitions else ""
    wanted = {**TABLE_PROPERTIES, **(extra_properties or {})}
    properties = ", ".join(f"'{_escape(key)}'='{_escape(value)}'" for key, value in wanted.items())
    return (
        f"CREATE OR REPLACE TABLE {name} USING iceberg{partition_sql} "
        f"COMMENT '{_escape(table.description)}' TBLPROPERTIES ({properties}) "
        f"AS SELECT * FROM {quote(view)}"
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
    elif created_by(table) == CREATED_BY_JOBS:
        evolve_partitioning(spark, name, table)
    evolve_columns(spark, name, columns)
    return name


def _partition_sql(partition: definitions.PartitionField) -> str:
    return PARTITION_TRANSFORMS[partition.transform].format(column=quote(partition.column))


def _comparable(transform: str) -> str:
    return transform.replace("`", "").replace(" ", "")


def partitioning(spark: SparkSession, name: str) -> list[str]:
    """Return a table's current partition fields as Spark DDL transforms (``days(sent_at)``), in order.

    Read from the table's Iceberg metadata (its current spec): no Spark job runs.
    """
    jvm: Any = spark._jvm
    table = jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, name)
    schema, found = table.schema(), []
    for field in table.spec().fields():
        column = quote(str(schema.findColumnName(field.sourceId())))
        transform = str(field.transform().toString())
        if transform in ICEBERG_TRANSFORM_TO_SPARK:
            found.append(PARTITION_TRANSFORMS[ICEBERG_TRANSFORM_TO_SPARK[transform]].format(column=column))
        elif transform != VOID_TRANSFORM:  # bucket[16], truncate[4]: as Iceberg names them
            found.append(f"{transform}({column})")
    return found


def evolve_partitioning(spark: SparkSession, name: str, table: definitions.TableDef) -> bool:
    """Give an existing jobs-created table the partitioning tables.json defines (partition evolution).

    A table created before its ``partition_by`` changed (the error tables went from
    ``days(recorded_at)`` to ``days(sent_at)``) gets the new fields added and the old ones
    dropped: metadata only. Files written before keep their spec and are read as they are
    (Iceberg docs, "Partition evolution"); new writes use the new spec. A query-only check (no
    Spark job) when the spec already matches.

    Returns:
        True when the spec was changed.
    """
    current = partitioning(spark, name)
    wanted = [_partition_sql(p) for p in table.partition_by]
    have = {_comparable(transform) for transform in current}
    want = {_comparable(transform) for transform in wanted}
    if have == want:
        return False
    for transform in wanted:
        if _comparable(transform) not in have:
            spark.sql(f"ALTER TABLE {name} ADD PARTITION FIELD {transform}")
    for transform in current:
        if _comparable(transform) not in want:
            spark.sql(f"ALTER TABLE {name} DROP PARTITION FIELD {transform}")
    logger.info("table %s: partitioning %s -> %s", name, current, wanted)
    return True


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
        if current is not None and current != kind and (current, kind) not in UTC_WALL_CLOCK_EQUIVALENTS:
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


def sql_string(text: str) -> str:
    """Return a Spark SQL string literal of any text (backslash and quote escaped)."""
    return f"'{_escape(text)}'"


def table_properties(spark: SparkSession, table: str) -> dict[str, str]:
    """Return a table's properties (``SHOW TBLPROPERTIES``: metadata only)."""
    rows = spark.sql(f"SHOW TBLPROPERTIES {table}").collect()
    return {str(row["key"]): str(row["value"]) for row in rows}


def set_table_properties(spark: SparkSession, table: str, properties: Mapping[str, str]) -> None:
    """Set table properties in one metadata commit (``ALTER TABLE ... SET TBLPROPERTIES``; none: nothing)."""
    if not properties:
        return
    pairs = ", ".join(f"{sql_string(key)} = {sql_string(value)}" for key, value in properties.items())
    spark.sql(f"ALTER TABLE {table} SET TBLPROPERTIES ({pairs})")
