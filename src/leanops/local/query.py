"""``query``: Spark SQL over the local catalog, printed as CSV with a header (NULL = empty field)."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO


def csv_value(value: Any) -> str:
    """Return the CSV text of one Spark value (NULL -> empty, as Athena's CSV output)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
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


def run_query(spark: Any, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one SQL statement; return its column names and rows."""
    frame = spark.sql(sql)
    return list(frame.columns), [tuple(row) for row in frame.collect()]


def query_csv(spark: Any, sql: str) -> str:
    """Run one SQL statement and return its CSV text."""
    columns, rows = run_query(spark, sql)
    buffer = io.StringIO()
    write_csv(columns, rows, buffer)
    return buffer.getvalue()
