"""Envelope building: ids, replay attributes, timestamps, bodies verbatim."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leanops.ingest.envelope import build_envelope, encode_row, queue_name_from_arn
from leanops.ingest.timestamps import format_iso, iso_to_epoch_micros, millis_to_iso

RecordFactory = Callable[..., SQSRecord]
INGESTED = datetime(2026, 1, 1, 10, 0, 1, tzinfo=UTC)
REPLAY_ATTRIBUTES = {
    "leanops_original_message_id": {"DataType": "String", "StringValue": "orig-1"},
    "leanops_original_sent_at": {"DataType": "Number", "StringValue": "1767000000000"},
}


def test_envelope_of_a_plain_message(make_record: RecordFactory) -> None:
    record = make_record(body='{"a":1}', message_id="m-9", receive_count=3)
    assert build_envelope(record, "orders", INGESTED) == {
        "topic_name": "orders",
        "message_id": "m-9",
        "payload": '{"a":1}',
        "sent_at": "2026-01-01T10:00:00.123000Z",
        "ingested_at": "2026-01-01T10:00:01.000000Z",
        "receive_count": 3,
        "replayed_at": None,
    }


def test_envelope_of_a_replay_keeps_the_original_id_and_send_time(make_record: RecordFactory) -> None:
    record = make_record(message_id="replay-7", message_attributes=REPLAY_ATTRIBUTES)
    envelope = build_envelope(record, "orders", INGESTED)
    assert envelope["message_id"] == "orig-1"
    assert envelope["sent_at"] == "2025-12-29T09:20:00.000000Z"
    assert envelope["replayed_at"] == "2026-01-01T10:00:00.123000Z"


def test_sample_replay_event(sample_event: Any) -> None:
    (record,) = SQSEvent(sample_event("sqs_replay_event.json")).records
    envelope = build_envelope(record, "orders", INGESTED)
    assert (envelope["message_id"], envelope["sent_at"]) == (
        "059f36b4-87a3-44ab-83d2-661975830a7d",
        "2026-01-01T10:00:00.123000Z",
    )


@pytest.mark.parametrize(
    "body",
    [
        "",
        "plain text",
        "line 1\nline 2\r\nline 3",
        'ünïcödé ✓ 🚀 "quoted" \\ backslash \t tab',
        '{"nested": {"a": [1, 2, {"b": null}]}}',
        '{"dup": 1, "dup": 2}',
        "\u2028\u2029 separators",
        '"\\ud800" escaped lone surrogate text',
    ],
)
def test_body_is_kept_verbatim_through_encoding(make_record: RecordFactory, body: str) -> None:
    data = encode_row(build_envelope(make_record(body=body), "orders", INGESTED))
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    assert json.loads(data)["payload"] == body


def test_encoding_is_compact_utf8() -> None:
    assert encode_row({"a": "é", "b": [1, 2]}) == '{"a":"é","b":[1,2]}\n'.encode()


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:sqs:eu-west-1:123456789012:leanops-dev-orders", "leanops-dev-orders"),
        ("arn:aws:sqs:eu-west-1:123456789012:q.fifo", "q.fifo"),
        ("plain-name", "plain-name"),
    ],
)
def test_queue_name_from_arn(arn: str, name: str) -> None:
    assert queue_name_from_arn(arn) == name


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01T00:00:00.000000Z"),
        (datetime(2026, 1, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))), "2025-12-31T23:30:00.000000Z"),
        (datetime(2026, 1, 1, 0, 0, 0, 7), "2026-01-01T00:00:00.000007Z"),
    ],
)
def test_format_iso_is_utc_with_microseconds(moment: datetime, text: str) -> None:
    assert format_iso(moment) == text


@pytest.mark.parametrize(
    ("millis", "text"),
    [(0, "1970-01-01T00:00:00.000000Z"), ("1767261600123", "2026-01-01T10:00:00.123000Z")],
)
def test_millis_to_iso(millis: int | str, text: str) -> None:
    assert millis_to_iso(millis) == text


@pytest.mark.parametrize(
    ("text", "micros"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("2026-01-01T10:00:00.123000Z", 1_767_261_600_123_000),
        ("2026-01-01T12:00:00.123456+02:00", 1_767_261_600_123_456),
        ("1969-12-31T23:59:59.999999Z", -1),
    ],
)
def test_iso_to_epoch_micros(text: str, micros: int) -> None:
    assert iso_to_epoch_micros(text) == micros


@pytest.mark.parametrize("text", ["2026-01-01T10:00:00", "2026-01-01", "yesterday", ""])
def test_iso_to_epoch_micros_refuses_text_without_zone_or_date(text: str) -> None:
    with pytest.raises(ValueError):
        iso_to_epoch_micros(text)
