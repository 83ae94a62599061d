"""What status shows of the drift log: the latest changes per topic, one line each (pure), and its SQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from leanops.cli.drift_report import COLUMNS, TOTAL, change_text, drift_lines, recent_drift_sql
from leanops.exceptions import TopicNameError

AT = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
HEADER = (*COLUMNS, TOTAL)


def _row(
    topic: str,
    at: datetime,
    column: str,
    change: str,
    before: str | None,
    now: str | None,
    example: str | None,
    total: int,
) -> tuple[object, ...]:
    return (topic, at, column, change, before, now, example, total)


@pytest.mark.parametrize(
    ("row", "text"),
    [
        (
            {"column_name": "a", "change": "added", "new_type": "string", "example_message_id": "m1"},
            "a added (string), first message m1",
        ),
        (
            {
                "column_name": "a",
                "change": "retyped",
                "previous_type": "number",
                "new_type": "string",
                "example_message_id": "m2",
            },
            "a retyped: new kind string (before: number), first message m2",
        ),
        (
            {"column_name": "b", "change": "vanished", "previous_type": "number|string"},
            "b vanished (was number|string)",
        ),
        (
            {"column_name": "b", "change": "returned", "new_type": "number", "example_message_id": "m5"},
            "b returned (number), message m5",
        ),
    ],
)
def test_change_text(row: dict[str, object], text: str) -> None:
    assert change_text(row) == text


def test_drift_lines_per_topic_newest_first_with_the_count() -> None:
    rows = [
        _row("orders", AT, "a", "added", None, "string", "m1", 3),
        _row("payments", AT, "x", "added", None, "number", "p1", 1),
        _row("orders", LATER, "b", "vanished", "number", None, None, 3),
        _row("orders", AT, "b", "added", None, "number", "m1", 3),
    ]
    assert drift_lines(HEADER, rows) == {
        "orders": [
            "  drift: 3 changes",
            "    2026-03-09 10:00 UTC  b vanished (was number)",
            "    2026-03-01 10:00 UTC  a added (string), first message m1",
            "    2026-03-01 10:00 UTC  b added (number), first message m1",
        ],
        "payments": ["  drift: 1 change", "    2026-03-01 10:00 UTC  x added (number), first message p1"],
    }


def test_drift_lines_say_when_more_changes_exist_and_leave_quiet_topics_out() -> None:
    rows = [_row("orders", LATER, "b", "vanished", "number", None, None, 12)]
    assert drift_lines(HEADER, rows) == {
        "orders": [
            "  drift: 12 changes, latest 1 (drift --topic orders: all)",
            "    2026-03-09 10:00 UTC  b vanished (was number)",
        ]
    }
    assert drift_lines(HEADER, []) == {}


def test_recent_drift_sql_refuses_a_name_outside_the_topic_rule() -> None:
    with pytest.raises(TopicNameError):
        recent_drift_sql(["orders'; --"])


def test_recent_drift_sql_runs_locally_and_keeps_the_latest_rows_per_topic(tmp_path: Path) -> None:
    from leanops.local.catalog import local_catalog
    from leanops.local.query import run_query

    # GIVEN a drift_log with 3 changes of orders, 1 of payments, 1 of a topic not asked for
    catalog = local_catalog(tmp_path)
    catalog.create_namespace("iceberg_standardized_db")
    rows = [
        _row("orders", AT, "a", "added", None, "string", "m1", 0),
        _row("orders", AT, "b", "added", None, "number", "m1", 0),
        _row("orders", LATER, "b", "vanished", "number", None, None, 0),
        _row("payments", AT, "x", "added", None, "number", "p1", 0),
        _row("other", AT, "y", "added", None, "number", "o1", 0),
    ]
    columns = {name: [row[i] for row in rows] for i, name in enumerate(COLUMNS)}
    table = pa.table(
        {**columns, "detected_at": pa.array(columns["detected_at"], pa.timestamp("us", tz="UTC"))}
    )
    catalog.create_table(("iceberg_standardized_db", "drift_log"), schema=table.schema).append(table)
    # WHEN status asks for the latest 2 per topic of orders and payments
    header, result = run_query(catalog, recent_drift_sql(["payments", "orders"], limit=2))
    # THEN the lines hold the newest 2 of orders with its count, and payments
    assert drift_lines(header, result) == {
        "orders": [
            "  drift: 3 changes, latest 2 (drift --topic orders: all)",
            "    2026-03-09 10:00 UTC  b vanished (was number)",
            "    2026-03-01 10:00 UTC  a added (string), first message m1",
        ],
        "payments": ["  drift: 1 change", "    2026-03-01 10:00 UTC  x added (number), first message p1"],
    }
