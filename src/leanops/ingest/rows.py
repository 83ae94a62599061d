"""Row checks by column definition (schemas/tables.json) and conversion to Firehose's Iceberg form.

Firehose's Iceberg destination takes timestamp columns as epoch microseconds ("For Timestamp
data types, you must always send in microseconds", Firehose developer guide, Iceberg supported
data types); :func:`to_iceberg_row` converts the ISO-8601 text of the envelope and of dlq_errors
rows accordingly, and checks every other value against its column type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from leanops.definitions import ColumnDef
from leanops.ingest.timestamps import iso_to_epoch_micros

INT_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)
_INTEGER_RANGES = {"int": INT_RANGE, "long": LONG_RANGE}
TIMESTAMP_TYPES = frozenset({"timestamptz", "timestamp"})


def _convert(column: ColumnDef, value: Any) -> Any:
    """Return the value in Firehose's form for its column; raise ValueError naming the problem."""
    if column.type == "string":
        if not isinstance(value, str):
            raise ValueError(f"column {column.name} must be a string, got {type(value).__name__}")
        return value
    if column.type in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[column.type]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"column {column.name} must be an integer within {low}..{high}, got {value!r}")
        return value
    if column.type in TIMESTAMP_TYPES:
        if not isinstance(value, str):
            raise ValueError(f"column {column.name} must be an ISO-8601 timestamp string, got {value!r}")
        try:
            return iso_to_epoch_micros(value)
        except ValueError as exc:
            raise ValueError(f"column {column.name}: {exc}") from exc
    raise ValueError(f"column {column.name} has type {column.type}, which the ingest path does not write")


def to_iceberg_row(row: Mapping[str, Any], columns: Sequence[ColumnDef]) -> dict[str, Any]:
    """Check a row against its columns and return it in Firehose's Iceberg form, in column order.

    Args:
        row: the JSON object of one record.
        columns: the table's columns.

    Returns:
        Every column (absent optional ones as None), timestamps as epoch microseconds.

    Raises:
        ValueError: naming the first unknown column, missing required column or wrong value.
    """
    names = {column.name for column in columns}
    unknown = sorted(set(row) - names)
    if unknown:
        raise ValueError(f"unknown column(s) {unknown}; expected only {sorted(names)}")
    converted: dict[str, Any] = {}
    for column in columns:
        value = row.get(column.name)
        if value is None:
            if column.required:
                raise ValueError(f"required column {column.name} is missing or null")
            converted[column.name] = None
            continue
        converted[column.name] = _convert(column, value)
    return converted
