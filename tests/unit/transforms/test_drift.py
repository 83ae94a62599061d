"""Drift detection: added, vanished and retyped columns; JSON null ignored; drift_log rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leanops import definitions
from leanops.transforms.drift import DriftChange, detect_drift, drift_rows, merge_observed, normalize_type

DETECTED_AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("known", "observed", "expected"),
    [
        ({}, {"a": ("string", "m1")}, [DriftChange("a", "added", None, "string", "m1")]),
        ({"a": "string"}, {"a": ("string", "m1")}, []),
        ({"a": "string"}, {}, [DriftChange("a", "vanished", "string", None, None)]),
        ({"a": "number"}, {"a": ("string", "m2")}, [DriftChange("a", "retyped", "number", "string", "m2")]),
        (
            {"a": "number"},
            {"a": ("string|number", "m2")},
            [DriftChange("a", "retyped", "number", "number|string", "m2")],
        ),
        ({"a": "number|string"}, {"a": ("string|number", "m2")}, []),
        # JSON null says nothing about a type: not added, not retyped
        ({}, {"a": ("null", "m1")}, []),
        ({"a": "number"}, {"a": ("null|number", "m1")}, []),
        (
            {"z": "boolean", "b": "object"},
            {"a": ("array", "m9"), "b": ("object", "m1")},
            [
                DriftChange("a", "added", None, "array", "m9"),
                DriftChange("z", "vanished", "boolean", None, None),
            ],
        ),
    ],
)
def test_detect_drift(
    known: dict[str, str], observed: dict[str, tuple[str, str]], expected: list[DriftChange]
) -> None:
    assert detect_drift(known, observed) == expected


@pytest.mark.parametrize(
    ("json_type", "expected"),
    [("string", "string"), ("string|null|number", "number|string"), ("null", None), (None, None), ("", None)],
)
def test_normalize_type_drops_null_and_sorts(json_type: str | None, expected: str | None) -> None:
    assert normalize_type(json_type) == expected


def test_merge_observed_folds_types_per_column_and_keeps_the_smallest_example() -> None:
    rows = [("a", "string", "m5"), ("a", "number", "m2"), ("b", "null", "m1"), ("c", "boolean", None)]
    assert merge_observed(rows) == {"a": ("number|string", "m2"), "c": ("boolean", None)}


def test_drift_rows_have_the_drift_log_columns_in_order() -> None:
    changes = [DriftChange("a", "retyped", "number", "string", "m2")]
    rows = drift_rows(changes, "orders", "run-1", DETECTED_AT)
    assert rows == [
        {
            "topic_name": "orders",
            "column_name": "a",
            "change": "retyped",
            "previous_type": "number",
            "new_type": "string",
            "example_message_id": "m2",
            "run_id": "run-1",
            "detected_at": DETECTED_AT,
        }
    ]
    assert tuple(rows[0]) == definitions.table(definitions.DRIFT_LOG).column_names
