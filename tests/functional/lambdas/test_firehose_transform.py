"""firehose_transform handler: every record Ok and routed, or ProcessingFailed with its data unchanged."""

from __future__ import annotations

import base64
import json
from types import ModuleType
from typing import Any

import pytest
from ingest_support import FakeFirehose, LambdaContextStub, load_event, sqs_record

from leanops.ingest.events import firehose_transformation_event, sqs_event

STREAM_ARN = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/leanops-dev-raw"
ENVELOPE: dict[str, Any] = {
    "topic_name": "orders",
    "message_id": "m-1",
    "payload": '{"order_id":"o-1"}',
    "sent_at": "2026-01-01T10:00:00.123000Z",
    "ingested_at": "2026-01-01T10:00:01.000000Z",
    "receive_count": 1,
    "replayed_at": None,
}
DLQ_ROW: dict[str, Any] = {
    "topic_name": "orders",
    "message_id": "m-2",
    "payload": "{",
    "receive_count": 4,
    "error_reason": "not delivered to Firehose after 4 receives",
    "source_queue": "leanops-dev-orders",
    "sent_at": "2026-01-01T10:00:00.123000Z",
    "archived_at": "2026-01-01T11:00:00.000000Z",
}


def _transform(
    handlers: dict[str, ModuleType], context: LambdaContextStub, data: list[bytes]
) -> list[dict[str, Any]]:
    event = firehose_transformation_event(data, STREAM_ARN, 1_767_261_601_000)
    response = handlers["firehose_transform"].lambda_handler(event, context)
    assert [r["recordId"] for r in response["records"]] == [r["recordId"] for r in event["records"]]
    return response["records"]


def _json(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")


def _row(record: dict[str, Any]) -> dict[str, Any]:
    data = base64.b64decode(record["data"])
    assert data.endswith(b"\n")
    return json.loads(data)


def test_sample_event_routes_envelope_and_dlq_row_and_fails_garbage(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN the sample event: an envelope, a dlq_errors row, and text that is not JSON
    event = load_event("firehose_transformation_event.json")
    # WHEN the transform runs
    records = handlers["firehose_transform"].lambda_handler(event, context)["records"]
    # THEN the first two are Ok and routed, the third failed with its data unchanged
    assert [r["result"] for r in records] == ["Ok", "Ok", "ProcessingFailed"]
    assert records[0]["metadata"]["otfMetadata"] == {
        "destinationDatabaseName": "iceberg_raw_db",
        "destinationTableName": "orders",
        "operation": "insert",
    }
    assert records[1]["metadata"]["otfMetadata"]["destinationTableName"] == "dlq_errors"
    assert records[2]["data"] == event["records"][2]["data"]
    assert "metadata" not in records[2]


def test_envelope_row_has_timestamps_in_epoch_microseconds(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    (record,) = _transform(handlers, context, [_json(ENVELOPE)])
    assert _row(record) == {
        **ENVELOPE,
        "sent_at": 1_767_261_600_123_000,
        "ingested_at": 1_767_261_601_000_000,
    }


def test_dlq_row_keeps_columns_and_converts_timestamps(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    (record,) = _transform(handlers, context, [_json(DLQ_ROW)])
    row = _row(record)
    assert row["archived_at"] == 1_767_265_200_000_000
    assert {k: v for k, v in row.items() if not k.endswith("_at")} == {
        k: v for k, v in DLQ_ROW.items() if not k.endswith("_at")
    }


BAD_RECORDS = {
    "not base64": "%%%not-base64%%%",
    "not UTF-8": base64.b64encode(b"\xff\xfe{").decode(),
    "not JSON": base64.b64encode(b"{broken").decode(),
    "JSON array": base64.b64encode(b"[1, 2]").decode(),
    "JSON string": base64.b64encode(b'"text"').decode(),
    "NaN literal": base64.b64encode(_json({**ENVELOPE, "receive_count": float("nan")})).decode(),
    "missing payload": base64.b64encode(
        _json({k: v for k, v in ENVELOPE.items() if k != "payload"})
    ).decode(),
    "extra field": base64.b64encode(_json({**ENVELOPE, "extra": 1})).decode(),
    "topic with capitals": base64.b64encode(_json({**ENVELOPE, "topic_name": "Orders"})).decode(),
    "reserved topic": base64.b64encode(_json({**ENVELOPE, "topic_name": "dlq_errors"})).decode(),
    "timestamp without zone": base64.b64encode(
        _json({**ENVELOPE, "sent_at": "2026-01-01T10:00:00"})
    ).decode(),
    "not a timestamp": base64.b64encode(_json({**ENVELOPE, "ingested_at": "yesterday"})).decode(),
    "receive_count 0": base64.b64encode(_json({**ENVELOPE, "receive_count": 0})).decode(),
    "receive_count text": base64.b64encode(_json({**ENVELOPE, "receive_count": "1"})).decode(),
    "payload not text": base64.b64encode(_json({**ENVELOPE, "payload": {"order_id": "o-1"}})).decode(),
    "empty message_id": base64.b64encode(_json({**ENVELOPE, "message_id": ""})).decode(),
    "dlq row without reason": base64.b64encode(
        _json({k: v for k, v in DLQ_ROW.items() if k != "error_reason"})
    ).decode(),
    "dlq row with unknown column": base64.b64encode(_json({**DLQ_ROW, "flag": True})).decode(),
    "dlq row bad archived_at": base64.b64encode(_json({**DLQ_ROW, "archived_at": "soon"})).decode(),
    "dlq row receive_count text": base64.b64encode(_json({**DLQ_ROW, "receive_count": "4"})).decode(),
    "dlq row bad topic": base64.b64encode(_json({**DLQ_ROW, "topic_name": "9lives"})).decode(),
}


@pytest.mark.parametrize("kind", sorted(BAD_RECORDS))
def test_every_broken_record_fails_alone(
    handlers: dict[str, ModuleType], context: LambdaContextStub, kind: str
) -> None:
    # GIVEN a good envelope, then a broken record
    event = firehose_transformation_event([_json(ENVELOPE), b"placeholder"], STREAM_ARN, 1_767_261_601_000)
    event["records"][1]["data"] = BAD_RECORDS[kind]
    # WHEN the transform runs
    records = handlers["firehose_transform"].lambda_handler(event, context)["records"]
    # THEN the good one is Ok; the broken one failed, its data returned unchanged for firehose-errors/
    assert [r["result"] for r in records] == ["Ok", "ProcessingFailed"]
    assert records[1]["data"] == BAD_RECORDS[kind]


@pytest.mark.usefixtures("ingest_env")
def test_what_sqs_processor_sends_the_transform_accepts(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN sqs_processor delivered messages with awkward bodies (unicode, newlines, not JSON, empty)
    bodies = ['{"a":"ünï ✓ 🚀"}', "line 1\nline 2\r\n", "not json", "", '"\\u0000"']
    firehose = FakeFirehose()
    records = [sqs_record(body, message_id=f"m-{i}") for i, body in enumerate(bodies)]
    handlers["sqs_processor"].lambda_handler(sqs_event(records), context, firehose=firehose)
    # WHEN Firehose hands those records to the transform
    results = _transform(handlers, context, firehose.delivered)
    # THEN all are Ok, routed to orders, bodies verbatim
    assert [r["result"] for r in results] == ["Ok"] * len(bodies)
    assert [_row(r)["payload"] for r in results] == bodies
