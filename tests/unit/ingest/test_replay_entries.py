"""DLQ replay entries: attributes that deduplicate downstream, SQS size accounting, batching."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from leanops.exceptions import ReplayRowError
from leanops.ingest.replay import MAX_BATCH_BYTES, batch_entries, message_size, replay_entries, replay_entry
from leanops.ingest.types import ReplayEntry


def _row(message_id: str = "m-1", **extra: Any) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "payload": "body ✓",
        "sent_at": "2026-01-01T10:00:00.123Z",
        "error_reason": "r",
        **extra,
    }


def test_entry_carries_original_id_and_send_time() -> None:
    assert replay_entry(_row(), "7") == {
        "Id": "7",
        "MessageBody": "body ✓",
        "MessageAttributes": {
            "leanops_original_message_id": {"DataType": "String", "StringValue": "m-1"},
            "leanops_original_sent_at": {"DataType": "Number", "StringValue": "1767261600123"},
        },
    }


@pytest.mark.parametrize(
    "sent_at",
    [
        "2026-01-01T10:00:00.123Z",
        "2026-01-01T11:00:00.123+01:00",
        datetime(2026, 1, 1, 10, 0, 0, 123000, tzinfo=UTC),
    ],
)
def test_send_time_forms_agree(sent_at: Any) -> None:
    entry = replay_entry(_row(sent_at=sent_at), "0")
    assert entry["MessageAttributes"]["leanops_original_sent_at"]["StringValue"] == "1767261600123"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (_row(message_id=""), "no message_id"),
        (_row(payload=None), "no payload"),
        (_row(payload=""), "no payload"),
        (_row(error_reason="x; payload truncated to its first 1 of 9 bytes"), "truncated"),
        (_row(sent_at="not a time"), "sent_at 'not a time'"),
        # without its send time a replay would carry the original id with a new sent_at
        (_row(sent_at=None), "no sent_at"),
        (_row(sent_at=1767261600123), "must be a datetime or ISO-8601 text"),
    ],
)
def test_rows_that_cannot_be_replayed(row: dict[str, Any], problem: str) -> None:
    with pytest.raises(ReplayRowError) as caught:
        replay_entry(row, "0")
    assert problem in caught.value.problem


def test_replay_entries_numbers_ids_in_order() -> None:
    assert [entry["Id"] for entry in replay_entries([_row("a"), _row("b"), _row("c")])] == ["0", "1", "2"]


def test_message_size_counts_body_and_attributes_in_utf8_bytes() -> None:
    entry = replay_entry(_row(), "0")
    body = len("body ✓".encode())
    attributes = len("leanops_original_message_id") + len("String") + len("m-1")
    attributes += len("leanops_original_sent_at") + len("Number") + len("1767261600123")
    assert message_size(entry) == body + attributes


def _entry(entry_id: str, size: int) -> ReplayEntry:
    return ReplayEntry(Id=entry_id, MessageBody="x" * size, MessageAttributes={})


@pytest.mark.parametrize(("count", "shape"), [(1, [1]), (10, [10]), (11, [10, 1]), (25, [10, 10, 5])])
def test_batches_hold_at_most_ten_entries(count: int, shape: list[int]) -> None:
    assert [len(b) for b in batch_entries([_entry(str(i), 1) for i in range(count)])] == shape


def test_batches_hold_at_most_one_mib() -> None:
    half = MAX_BATCH_BYTES // 2
    assert [len(b) for b in batch_entries([_entry("0", half), _entry("1", half), _entry("2", 1)])] == [2, 1]
    assert [len(b) for b in batch_entries([_entry("0", half), _entry("1", half + 1)])] == [1, 1]
