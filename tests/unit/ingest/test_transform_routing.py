"""Routing and validation of firehose_transform, as pure functions."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from leanops import definitions
from leanops.definitions import ColumnDef
from leanops.exceptions import RecordRejectedError
from leanops.ingest.rows import to_iceberg_row
from leanops.ingest.transform import decode_json_object, read_output_row, route

ENVELOPE: dict[str, Any] = {
    "topic_name": "payments",
    "message_id": "m-1",
    "payload": "{}",
    "sent_at": "2026-01-01T10:00:00.123000Z",
    "ingested_at": "2026-01-01T10:00:01Z",
    "receive_count": 2,
}


def _b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def test_envelope_routes_to_its_topic_table_with_every_column() -> None:
    metadata, row = route("r-1", dict(ENVELOPE))
    assert metadata == {
        "destinationDatabaseName": "iceberg_raw_db",
        "destinationTableName": "payments",
        "operation": "insert",
    }
    assert list(row) == list(definitions.table(definitions.RAW).column_names)
    assert row["replayed_at"] is None and row["sent_at"] == 1_767_261_600_123_000


def test_archived_at_routes_to_dlq_errors() -> None:
    document = {
        "topic_name": "orders",
        "message_id": "m",
        "error_reason": "r",
        "archived_at": "2026-01-01T00:00:00Z",
    }
    metadata, row = route("r-1", document)
    assert (metadata["destinationDatabaseName"], metadata["destinationTableName"]) == (
        "iceberg_raw_db",
        "dlq_errors",
    )
    assert row["payload"] is None and row["archived_at"] == 1_767_225_600_000_000


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({**ENVELOPE, "topic_name": "errors"}, "collides with a shared table name"),
        ({**ENVELOPE, "topic_name": "a" * 49}, "/topic_name"),
        ({**ENVELOPE, "receive_count": True}, "/receive_count"),
        ({k: v for k, v in ENVELOPE.items() if k != "message_id"}, "'message_id' is a required property"),
        ({"archived_at": "2026-01-01T00:00:00Z"}, "required column topic_name is missing"),
    ],
)
def test_invalid_documents_name_the_problem(document: dict[str, Any], problem: str) -> None:
    with pytest.raises(RecordRejectedError, match="r-9") as caught:
        route("r-9", document)
    assert problem in caught.value.problem


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("@@", "not base64"),
        (_b64(b"\xc3"), "not base64-encoded UTF-8"),
        (_b64("{"), "not JSON"),
        (_b64('{"a": NaN}'), "not JSON"),
        (_b64("[]"), "a JSON list, not an object"),
        (_b64("null"), "a JSON NoneType, not an object"),
    ],
)
def test_decode_refuses_what_is_not_a_json_object(data: str, problem: str) -> None:
    with pytest.raises(RecordRejectedError) as caught:
        decode_json_object("r-1", data)
    assert problem in caught.value.problem


COLUMNS = (
    ColumnDef("s", "string", True),
    ColumnDef("i", "int"),
    ColumnDef("l", "long"),
    ColumnDef("t", "timestamptz"),
)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"s": "x"}, {"s": "x", "i": None, "l": None, "t": None}),
        ({"s": "", "i": 2**31 - 1, "l": 2**63 - 1}, {"s": "", "i": 2**31 - 1, "l": 2**63 - 1, "t": None}),
        (
            {"s": "x", "t": "2026-01-01T00:00:00.000001+00:00"},
            {"s": "x", "i": None, "l": None, "t": 1_767_225_600_000_001},
        ),
    ],
)
def test_to_iceberg_row_accepts(row: dict[str, Any], expected: dict[str, Any]) -> None:
    assert to_iceberg_row(row, COLUMNS) == expected


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({}, "required column s is missing or null"),
        ({"s": None}, "required column s is missing or null"),
        ({"s": 1}, "column s must be a string"),
        ({"s": "x", "i": 2**31}, "column i must be an integer"),
        ({"s": "x", "i": 1.0}, "column i must be an integer"),
        ({"s": "x", "i": False}, "column i must be an integer"),
        ({"s": "x", "t": 5}, "column t must be an ISO-8601 timestamp string"),
        ({"s": "x", "t": "2026-01-01T00:00:00"}, "has no time zone"),
        ({"s": "x", "z": 1}, "unknown column(s) ['z']"),
    ],
)
def test_to_iceberg_row_refuses(row: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError) as caught:
        to_iceberg_row(row, COLUMNS)
    assert problem in str(caught.value)


def test_read_output_row_gives_destination_and_row() -> None:
    data = base64.b64encode(json.dumps({"a": 1}).encode() + b"\n").decode()
    metadata = {
        "otfMetadata": {"destinationDatabaseName": "db", "destinationTableName": "t", "operation": "insert"}
    }
    assert read_output_row({"recordId": "r", "result": "Ok", "data": data, "metadata": metadata}) == (
        "db",
        "t",
        {"a": 1},
    )  # type: ignore[typeddict-item]
    with pytest.raises(ValueError, match="r is ProcessingFailed"):
        read_output_row({"recordId": "r", "result": "ProcessingFailed", "data": data})
