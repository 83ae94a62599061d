"""CSV values of ``query``: Athena's CSV conventions, whatever engine produced the value."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from leanops.local.query import csv_value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (Decimal("120.50"), "120.50"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.0000001"), "0.0000001"),
        (date(2026, 1, 2), "2026-01-02"),
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05+00:00"),
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05+00:00"),  # Iceberg timestamp: a UTC wall clock
        (datetime(2026, 1, 2, 3, 0, tzinfo=timezone(timedelta(hours=2))), "2026-01-02T01:00:00+00:00"),
        (datetime(2026, 1, 2, 3, 0, 0, 123456, tzinfo=UTC), "2026-01-02T03:00:00.123456+00:00"),
        ([1, Decimal("2.50")], '[1, "2.50"]'),
        ({"a": None}, '{"a": null}'),
        (b"\x00\x01", "AAE="),
        (2.5, "2.5"),
    ],
)
def test_csv_value(value: Any, text: str) -> None:
    assert csv_value(value) == text
