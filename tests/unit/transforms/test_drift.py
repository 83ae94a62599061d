"""The drift log means what it says: added once, retyped once per new kind, vanished after a window, returned.

The pure logic of leanops.transforms.drift, driven over several runs the way the standardized job
drives it: the state from the log rows written so far, the batch's sightings, the table (every
message so far) for the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pytest

from leanops import definitions
from leanops.transforms.drift import (
    ADDED,
    MICROS_PER_DAY,
    RETURNED,
    RETYPED,
    VANISHED,
    DriftChange,
    FieldState,
    Sighting,
    detect_drift,
    drift_rows,
    field_states,
    fold_sightings,
    vanish_candidates,
    window_start,
)

DETECTED_AT = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW_DAYS = 7
DAY = MICROS_PER_DAY

Message = tuple[str, int, dict[str, str]]  # message id, sent_at (micros), field -> JSON kind


class Topic:
    """A topic over runs: its drift_log rows and its table, as the job keeps them."""

    def __init__(self) -> None:
        self.log: list[dict[str, object]] = []
        self.table: list[Message] = []
        self.runs = 0

    def run(self, batch: Iterable[Message]) -> list[tuple[str, str, str | None, str | None, str | None]]:
        """Process one batch: return its changes (column, change, previous, new, example) and log them."""
        batch = list(batch)
        self.runs += 1
        states = field_states(self.log)
        observed = fold_sightings(
            (field, kind, message_id, sent_at, sent_at)
            for message_id, sent_at, fields in batch
            for field, kind in fields.items()
        )
        newest = max(sent_at for _, sent_at, _ in [*self.table, *batch])
        since = window_start(newest, WINDOW_DAYS)
        candidates = vanish_candidates(states, observed, since)
        seen = {field for _, sent_at, fields in self.table if sent_at >= since for field in fields}
        changes = detect_drift(states, observed, since, [c for c in candidates if c not in seen])
        self.table.extend(batch)
        self.log.extend(
            {
                "column_name": c.column_name,
                "change": c.change,
                "new_type": c.new_type,
                "detected_at": self.runs,
            }
            for c in changes
        )
        return [(c.column_name, c.change, c.previous_type, c.new_type, c.example_message_id) for c in changes]


def test_added_is_the_first_appearance_ever_with_its_first_message() -> None:
    topic = Topic()
    # the first message is the earliest sent_at, not the smallest id
    assert topic.run([("m9", 1, {"a": "string"}), ("m1", 2, {"a": "string", "b": "number"})]) == [
        ("a", ADDED, None, "string", "m9"),
        ("b", ADDED, None, "number", "m1"),
    ]
    # seen again, later: nothing
    assert topic.run([("m3", 3, {"a": "string", "b": "number"})]) == []


def test_a_one_message_replay_lacking_fields_marks_nothing_vanished() -> None:
    topic = Topic()
    topic.run([("m1", 10 * DAY, {"a": "string", "b": "number", "c": "boolean"})])
    # a replayed message keeps its old sent_at and has only a: b and c were seen within the window
    assert topic.run([("old", 1 * DAY, {"a": "string"})]) == []
    # and a new message lacking them a day later: still within the window
    assert topic.run([("m2", 11 * DAY, {"a": "string"})]) == []


def test_a_field_alternating_between_two_kinds_is_retyped_once() -> None:
    topic = Topic()
    topic.run([("m1", 1, {"a": "number"})])
    assert topic.run([("m2", 2, {"a": "string"})]) == [("a", RETYPED, "number", "string", "m2")]
    assert topic.run([("m3", 3, {"a": "number"})]) == []
    assert topic.run([("m4", 4, {"a": "string"}), ("m5", 5, {"a": "number"})]) == []
    # a third kind is one more change, once, naming the kinds seen before
    assert topic.run([("m6", 6, {"a": "array"}), ("m7", 7, {"a": "array"})]) == [
        ("a", RETYPED, "number|string", "array", "m6")
    ]
    assert topic.run([("m8", 8, {"a": "array"})]) == []


def test_two_new_kinds_in_one_batch_are_one_row_each_with_their_own_first_message() -> None:
    topic = Topic()
    topic.run([("m1", 1, {"a": "number"})])
    assert topic.run([("m3", 2, {"a": "object"}), ("m2", 3, {"a": "boolean"})]) == [
        ("a", RETYPED, "number", "boolean", "m2"),
        ("a", RETYPED, "number", "object", "m3"),
    ]


def test_vanished_once_after_the_window_then_returned_then_vanished_again() -> None:
    topic = Topic()
    topic.run([("m1", 0, {"a": "string", "b": "number"})])
    # b missing for less than the window: nothing
    assert topic.run([("m2", 7 * DAY, {"a": "string"})]) == []
    # b missing for more than the window: vanished, once
    assert topic.run([("m3", 7 * DAY + 1, {"a": "string"})]) == [("b", VANISHED, "number", None, None)]
    assert topic.run([("m4", 30 * DAY, {"a": "string"})]) == []
    # an old message with b replayed: not a return (sent before the window)
    assert topic.run([("m0", 1, {"b": "number"})]) == []
    # b back in a new message: returned (not added again), with the kinds it had
    assert topic.run([("m5", 31 * DAY, {"a": "string", "b": "number"})]) == [
        ("b", RETURNED, "number", "number", "m5")
    ]
    assert topic.run([("m6", 32 * DAY, {"a": "string", "b": "number"})]) == []
    # and it can vanish again
    assert topic.run([("m7", 40 * DAY, {"a": "string"})]) == [("b", VANISHED, "number", None, None)]


def test_a_field_returning_with_a_new_kind_is_returned_and_retyped() -> None:
    states = {"b": FieldState(frozenset({"number"}), vanished=True)}
    observed = {"b": {"string": Sighting("m5", 10, 10)}}
    assert detect_drift(states, observed, 5, []) == [
        DriftChange("b", RETURNED, "number", "string", "m5"),
        DriftChange("b", RETYPED, "number", "string", "m5"),
    ]


def test_json_null_is_not_a_sighting() -> None:
    topic = Topic()
    topic.run([("m1", 0, {"a": "string", "b": "number"})])
    # weeks later, b sent as null only: null is no kind and no sighting
    assert topic.run([("m2", 2 * DAY, {"a": "string", "b": "null"})]) == []
    assert topic.run([("m3", 20 * DAY, {"a": "string", "b": "null"})]) == [
        ("b", VANISHED, "number", None, None)
    ]


def test_states_read_the_earlier_log_where_a_field_was_added_again_after_vanishing() -> None:
    rows: list[dict[str, object]] = [
        {"column_name": "a", "change": ADDED, "new_type": "number", "detected_at": 1},
        {"column_name": "a", "change": VANISHED, "new_type": None, "detected_at": 2},
        {"column_name": "a", "change": ADDED, "new_type": "number|string", "detected_at": 3},
        {"column_name": "b", "change": ADDED, "new_type": "boolean", "detected_at": 1},
        {"column_name": "b", "change": RETYPED, "new_type": "string", "detected_at": 3},
        {"column_name": "b", "change": VANISHED, "new_type": None, "detected_at": 2},
    ]
    assert field_states(reversed(rows)) == {
        "a": FieldState(frozenset({"number", "string"}), vanished=False),
        "b": FieldState(frozenset({"boolean", "string"}), vanished=True),
    }


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("a", "string", "m5", 5, 5), ("a", "string", "m2", 2, 3)], {"a": {"string": Sighting("m2", 2, 5)}}),
        # equal sent_at: the smaller message id is first
        ([("a", "number", "m7", 2, 9), ("a", "number", "m3", 2, 2)], {"a": {"number": Sighting("m3", 2, 9)}}),
        ([("a", "null", "m1", 1, 1), ("b", None, "m1", 1, 1)], {}),
    ],
)
def test_fold_sightings_keeps_the_first_message_and_the_last_sent_at(
    rows: list[tuple[str, str | None, str, int, int]], expected: dict[str, dict[str, Sighting]]
) -> None:
    assert fold_sightings(rows) == expected


def test_drift_rows_have_the_drift_log_columns_in_order() -> None:
    changes = [DriftChange("a", RETYPED, "number", "string", "m2")]
    rows = drift_rows(changes, "orders", "run-1", DETECTED_AT)
    assert rows == [
        {
            "topic_name": "orders",
            "column_name": "a",
            "change": RETYPED,
            "previous_type": "number",
            "new_type": "string",
            "example_message_id": "m2",
            "run_id": "run-1",
            "detected_at": DETECTED_AT,
        }
    ]
    assert tuple(rows[0]) == definitions.table(definitions.DRIFT_LOG).column_names
