"""``query``: Athena SQL over the local catalog (DuckDB, ``leanops.local.duckdb_engine``), as CSV.

The CSV has a header and RFC 4180 quoting; NULL is an empty field, booleans ``true``/``false``,
decimals exact (``Decimal`` in plain notation, scale kept: ``120.50``), dates ISO-8601 and
timestamps ISO-8601 with their offset in UTC (``2026-01-01T10:00:00+00:00``; an Iceberg
``timestamp`` without zone holds a UTC wall clock here: ``schemas/tables.json``), binary as
base64, arrays, maps and structs as JSON.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO


def csv_value(value: Any) -> str:
    """Return the CSV text of one value (NULL -> empty, as Athena's CSV output)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple | dict):
        return json.dumps(_plain(value), ensure_ascii=False, default=str)
    if hasattr(value, "asDict"):
        return json.dumps(_plain(value.asDict(recursive=True)), ensure_ascii=False, default=str)
    return str(value)


def _utc(value: datetime) -> datetime:
    """Return a timestamp in UTC with its offset (a zone-less one is a UTC wall clock)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal | datetime | date):
        return csv_value(value)
    return value


def write_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO) -> None:
    """Write a header and rows as RFC 4180 CSV (quotes where needed, newline line ends)."""
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_value(value) for value in row])


def run_query(
    catalog: Any, sql: str, semantic_folder: Path | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one Athena (Trino) statement over the local catalog; return its column names and rows.

    Raises:
        QueryError: a syntax error, an unknown table, an unsupported construct (one line).

    """
    from leanops.local.duckdb_engine import run_sql  # sqlglot + DuckDB: only when a query runs

    return run_sql(catalog, sql, semantic_folder)


def query_csv(catalog: Any, sql: str, semantic_folder: Path | None = None) -> str:
    """Run one Athena statement over the local catalog and return its CSV text."""
    columns, rows = run_query(catalog, sql, semantic_folder)
    buffer = io.StringIO()
    write_csv(columns, rows, buffer)
    return buffer.getvalue()
