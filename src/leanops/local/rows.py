"""Converts JSON rows (as Firehose's Iceberg destination receives them) to an Arrow table.

Timestamps arrive as ISO-8601 text or epoch microseconds; a row whose values do not fit the
table's schema is rejected with its reason rather than dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.schema import Schema

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _timestamp(value: Any) -> datetime:
    if isinstance(value, bool):
        raise ValueError(f"not a timestamp: {value!r}")
    if isinstance(value, int):
        return _EPOCH + timedelta(microseconds=value)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"not a timestamp: {value!r}")


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"not a whole number: {value!r}")
    return int(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"not a boolean: {value!r}")
    return value


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    return value


def _converter(type_text: str) -> Callable[[Any], Any]:
    simple: dict[str, Callable[[Any], Any]] = {
        "string": _string,
        "int": _integer,
        "long": _integer,
        "double": float,
        "boolean": _boolean,
        "date": lambda value: date.fromisoformat(str(value)),
        "timestamptz": _timestamp,
        "timestamp": lambda value: _timestamp(value).replace(tzinfo=None),
    }
    if type_text in simple:
        return simple[type_text]
    if type_text.startswith("decimal"):
        return lambda value: Decimal(str(value))
    raise ValueError(f"unsupported column type {type_text}")


def convert_row(schema: Schema, row: Any) -> dict[str, Any]:
    """Return ``row`` with each column converted to the schema's type.

    Raises:
        ValueError: naming the column that is missing, required or of the wrong type.

    """
    if not isinstance(row, dict):
        raise ValueError(f"a row must be a JSON object, got {type(row).__name__}")
    converted: dict[str, Any] = {}
    for column in schema.fields:
        value = row.get(column.name)
        if value is None:
            if column.required:
                raise ValueError(f"required column {column.name} is missing or null")
            converted[column.name] = None
            continue
        try:
            converted[column.name] = _converter(str(column.field_type))(value)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise ValueError(f"column {column.name}: {exc}") from exc
    return converted


def arrow_table_for(schema: Schema, rows: list[Any]) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Convert rows to an Arrow table of the schema.

    Returns:
        The table of the rows that fit, and (index, reason) of every row that did not.

    """
    import pyarrow as pa

    fitting: list[dict[str, Any]] = []
    rejected: list[tuple[int, str]] = []
    for index, row in enumerate(rows):
        try:
            fitting.append(convert_row(schema, row))
        except ValueError as exc:
            rejected.append((index, str(exc)))
    return pa.Table.from_pylist(fitting, schema=schema.as_arrow()), rejected
