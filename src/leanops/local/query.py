"""``query``: Athena SQL over the local catalog (DuckDB, ``leanops.local.duckdb_engine``), as CSV.

The CSV has a header and RFC 4180 quoting; NULL is an empty field, booleans ``true``/``false``,
decimals exact (``Decimal`` in plain notation, scale kept: ``120.50``), dates ISO-8601 and
timestamps ISO-8601 with their offset in UTC (``2026-01-01T10:00:00+00:00``; an Iceberg
``timestamp`` without zone holds a UTC wall clock here: ``schemas/tables.json``), binary as
base64, arrays, maps and structs as JSON.

``--as analyst`` reads as the analysts do in AWS (modules/analytics: their IAM policy and Lake
Formation grants): only the tables of ``schemas/tables.json`` ``analyst_access`` (the curated
topic tables) and the semantic views, with every table a view reads checked too (Athena checks
the caller's access to a view's tables). Standardized, RAW and the error tables hold values as
received, before any ``pii`` masking: a statement naming one is refused, in one line.
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

from leanops import definitions
from leanops.exceptions import QueryError

OPERATOR = "operator"
ANALYST = "analyst"
READERS = (OPERATOR, ANALYST)


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


def analyst_refusal(database: str, name: str) -> str | None:
    """Return why analysts may not read ``database.name`` (a catalog table), or None when they may.

    A table of no known database is left to the engine (it says which tables exist).
    """
    kinds = definitions.analyst_table_kinds()
    per_topic = {table.database: table for table in definitions.all_tables() if table.per_topic}
    shared = {
        (table.database, table.name()): table for table in definitions.all_tables() if not table.per_topic
    }
    table = shared.get((database, name)) or per_topic.get(database)
    if table is None or table.kind in kinds:
        return None
    readable = ", ".join(f"{definitions.table(kind).database}.<topic>" for kind in kinds)
    rule = f"schemas/tables.json {definitions.ANALYST_ACCESS_KEY}"
    return (
        f"{database}.{name} is not for analysts ({table.kind}: values as received, before pii masking); "
        f"analysts read {readable} and the semantic views ({rule})"
    )


def _semantic_views_allowed() -> bool:
    access = definitions.load_json(definitions.TABLES_FILE)[definitions.ANALYST_ACCESS_KEY]
    return bool(access.get("semantic_views", False))


def check_analyst_access(sql: str, semantic_folder: Path | None = None) -> None:
    """Refuse a statement that reads (itself or through a semantic view) a table analysts may not.

    Raises:
        QueryError: kind ``access_denied``, one line naming the table (and the view that reads it).
    """
    from leanops.local.semantic import SEMANTIC_DATABASE, view_definitions
    from leanops.local.sql_dialect import ShowTables, TableRef, parse_show, translate

    show = parse_show(sql)
    if show is not None:
        database = show.database if isinstance(show, ShowTables) else None
        per_topic = {table.database: table.kind for table in definitions.all_tables() if table.per_topic}
        if database is not None and database != SEMANTIC_DATABASE and database in per_topic:
            if per_topic[database] not in definitions.analyst_table_kinds():
                raise QueryError("access_denied", f"database {database} is not for analysts", sql)
        return
    views: dict[str, str] | None = None
    pending: list[tuple[TableRef, str]] = [(table, "") for table in translate(sql).tables]
    seen: set[TableRef] = set()
    while pending:
        table, via = pending.pop()
        if table in seen:
            continue
        seen.add(table)
        if table.database == SEMANTIC_DATABASE:
            if not _semantic_views_allowed():
                raise QueryError("access_denied", f"{table}: the semantic views are not for analysts", sql)
            views = view_definitions(semantic_folder) if views is None else views
            if table.name in views:  # an unknown view: the engine says which exist
                through = f"semantic view {table}"
                pending += [(read, through) for read in translate(views[table.name]).tables]
            continue
        refusal = analyst_refusal(table.database, table.name)
        if refusal is not None:
            raise QueryError("access_denied", f"{via} reads {refusal}" if via else refusal, sql)


def run_query(
    catalog: Any, sql: str, semantic_folder: Path | None = None, reader: str = OPERATOR
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one Athena (Trino) statement over the local catalog; return its column names and rows.

    Args:
        catalog: the local pyiceberg catalog.
        sql: one Athena statement.
        semantic_folder: the semantic folder (default: leanops.local.semantic.semantic_dir()).
        reader: ``operator`` (every table) or ``analyst`` (check_analyst_access first).

    Raises:
        QueryError: a syntax error, an unknown table, an unsupported construct, a table the reader
            may not read (one line).

    """
    from leanops.local.duckdb_engine import run_sql  # sqlglot + DuckDB: only when a query runs

    if reader not in READERS:
        raise QueryError("usage", f"unknown reader {reader!r}; use one of {', '.join(READERS)}", sql)
    if reader == ANALYST:
        check_analyst_access(sql, semantic_folder)
    columns, rows = run_sql(catalog, sql, semantic_folder)
    if reader == ANALYST:
        rows = _analyst_listing(sql, rows)
    return columns, rows


def _analyst_listing(sql: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Return the rows of a SHOW TABLES without the tables analysts may not read (curated errors)."""
    from leanops.local.sql_dialect import ShowTables, parse_show

    show = parse_show(sql)
    if not isinstance(show, ShowTables) or show.database is None:
        return rows
    database = show.database
    return [row for row in rows if analyst_refusal(database, str(row[0])) is None]


def query_csv(catalog: Any, sql: str, semantic_folder: Path | None = None, reader: str = OPERATOR) -> str:
    """Run one Athena statement over the local catalog and return its CSV text."""
    columns, rows = run_query(catalog, sql, semantic_folder, reader)
    buffer = io.StringIO()
    write_csv(columns, rows, buffer)
    return buffer.getvalue()
