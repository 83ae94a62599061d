"""The per-topic record of which column each body key path got (leanops.naming.assign_columns).

Where: the standardized table's own Iceberg table properties, one per column:
``leanops.column-path.<column>`` = the key path as a JSON array (leanops.naming.path_key), e.g.
``leanops.column-path.customer__id`` = ``["customer","id"]``. The record travels with the table
(Glue catalog or the local JDBC catalog alike), needs no other table, and is read by the curated
job (contract paths -> columns) and anyone holding the table (pyiceberg's ``table.properties``:
:func:`mapping_from_properties`).

Why it is safe without being in the data commit: the standardized job records the new entries
(``ALTER TABLE ... SET TBLPROPERTIES``, one metadata commit) *before* it adds their columns and
MERGEs the data, and entries are only ever added, never changed (first naming wins forever). A
crash after recording leaves entries whose columns hold no data yet; the rerun reads them back
and uses the very same columns, so recording is idempotent and data is never written under a
column the record does not name. One job per topic at a time (the orchestration lock) means no
two runs assign at once. Keys are column names (``[a-z0-9_]``, at most 128 characters): within
Glue's 255-character parameter-key limit should the catalog copy properties into Glue table
parameters (AWS Glue API "TableInput", Parameters: key length 1..255, value up to 512000,
docs.aws.amazon.com/glue/latest/webapi/API_TableInput.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from leanops import naming
from leanops.adapters.iceberg_ddl import set_table_properties, table_properties

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PROPERTY_PREFIX = "leanops.column-path."


def mapping_from_properties(properties: Mapping[str, str]) -> dict[naming.KeyPath, str]:
    """Return key path -> column from a standardized table's properties (other properties ignored)."""
    return {
        naming.path_of_key(value): key[len(PROPERTY_PREFIX) :]
        for key, value in properties.items()
        if key.startswith(PROPERTY_PREFIX)
    }


def read_mapping(spark: SparkSession, table: str) -> dict[naming.KeyPath, str]:
    """Return the recorded key path -> column of a standardized table (empty if it has none).

    Args:
        spark: the session whose catalog holds the table.
        table: the table's qualified name.
    """
    return mapping_from_properties(table_properties(spark, table))


def record_mapping(spark: SparkSession, table: str, new: Mapping[naming.KeyPath, str]) -> None:
    """Record new key path -> column entries in the table's properties (nothing for none).

    Args:
        spark: the session whose catalog holds the table.
        table: the table's qualified name.
        new: entries not recorded yet (leanops.naming.assign_columns).
    """
    entries = sorted(new.items(), key=lambda item: item[1])
    set_table_properties(
        spark, table, {PROPERTY_PREFIX + column: naming.path_key(path) for path, column in entries}
    )


def ensure_columns(spark: SparkSession, table: str, paths: list[naming.KeyPath]) -> dict[naming.KeyPath, str]:
    """Return the column of every key path, recording (before any data) those seen for the first time.

    Args:
        spark: the session whose catalog holds the table.
        table: the standardized table's qualified name (it must exist).
        paths: the key paths of a batch.

    Returns:
        key path -> column for exactly ``paths``.
    """
    known = read_mapping(spark, table)
    new = naming.assign_columns(known, paths)
    record_mapping(spark, table, new)
    columns = {**known, **new}
    return {path: columns[path] for path in paths}
