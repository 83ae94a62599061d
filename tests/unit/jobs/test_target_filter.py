"""The MERGE target filters (leanops.jobs.iceberg_io.target_filter): what a batch row can match."""

from __future__ import annotations

import pytest

from leanops.jobs.iceberg_io import SentRange, sql_string, target_filter

LOW, HIGH = 1_772_359_200_000_000, 1_772_445_600_000_000
IN_RANGE = f"(t.`sent_at` >= timestamp_micros({LOW}) AND t.`sent_at` <= timestamp_micros({HIGH}))"


@pytest.mark.parametrize(
    ("sent", "topic", "expected"),
    [
        # a batch whose rows all have sent_at: its range only
        (SentRange(LOW, HIGH, has_null=False), None, f"({IN_RANGE})"),
        # some rows without sent_at: the null partition too
        (SentRange(LOW, HIGH, has_null=True), None, f"({IN_RANGE} OR t.`sent_at` IS NULL)"),
        # no row with sent_at: the null partition only
        (SentRange(None, None, has_null=True), None, "(t.`sent_at` IS NULL)"),
        # a shared table: the topic's rows only
        (SentRange(LOW, HIGH, has_null=False), "orders", f"t.`topic_name` = 'orders' AND ({IN_RANGE})"),
    ],
)
def test_target_filter(sent: SentRange, topic: str | None, expected: str) -> None:
    assert target_filter(sent, topic) == expected


def test_sent_range_reads_a_summary_row() -> None:
    summary = {"failed_low": LOW, "failed_high": HIGH, "failed_unsent": 2, "other_low": None}
    assert SentRange.of(summary, "failed") == SentRange(LOW, HIGH, has_null=True)


@pytest.mark.parametrize(
    ("text", "literal"),
    [("orders", "'orders'"), ("o'brien", "'o\\'brien'"), ("back\\slash", "'back\\\\slash'")],
)
def test_sql_string_escapes_quotes_and_backslashes(text: str, literal: str) -> None:
    assert sql_string(text) == literal
