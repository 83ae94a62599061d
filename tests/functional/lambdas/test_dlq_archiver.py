"""dlq_archiver handler: one dlq_errors row per DLQ message, reasons, truncation, partial failures."""

from __future__ import annotations

import base64
import hashlib
from types import ModuleType
from typing import Any

import boto3
import pytest
from ingest_support import (
    NAME_PREFIX,
    REGION,
    FakeFirehose,
    LambdaContextStub,
    load_event,
    queue_arn,
    sqs_record,
)

from leanops.definitions import DLQ_ERRORS
from leanops.exceptions import BatchFailedError
from leanops.ingest.delivery import MAX_BYTES_PER_RECORD
from leanops.ingest.dlq_archiver import is_truncated
from leanops.ingest.events import firehose_transformation_event, sqs_event
from leanops.ingest.replay import ReplaySigner, send_replay
from leanops.ingest.streams import stream_for
from leanops.local.config import ResourceNames
from leanops.local.provision import ensure_replay_key

pytestmark = pytest.mark.usefixtures("dlq_env")
DLQ = "leanops-dev-orders-dlq"
SOURCE = {"DeadLetterQueueSourceArn": queue_arn("leanops-dev-orders")}


def _archive(
    handlers: dict[str, ModuleType],
    context: LambdaContextStub,
    records: list[dict[str, Any]],
    firehose: FakeFirehose,
) -> Any:
    return handlers["dlq_archiver"].lambda_handler(sqs_event(records), context, firehose=firehose)


def test_sample_dlq_message_becomes_a_dlq_errors_row(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN the sample DLQ event (a message that was received 4 times)
    firehose = FakeFirehose()
    # WHEN the archiver runs
    response = handlers["dlq_archiver"].lambda_handler(
        load_event("sqs_dlq_event.json"), context, firehose=firehose
    )
    # THEN one row describes it, pointing to sqs_processor's logs
    assert response == {"batchItemFailures": []}
    (row,) = firehose.delivered_rows()
    message_id = "c80e8021-a70a-42c7-a470-796e1186f753"
    assert {k: v for k, v in row.items() if k != "archived_at"} == {
        "topic_name": "orders",
        "message_id": message_id,
        "payload": '{"order_id":"o-3"',
        "receive_count": 4,
        "error_reason": f"not delivered to Firehose after 4 receives (see sqs_processor logs for {message_id})",  # noqa: E501
        "source_queue": "leanops-dev-orders",
        "sent_at": "2026-01-01T10:00:02.789000Z",
    }
    assert row["archived_at"].endswith("Z")


def test_oversized_body_is_named_as_the_reason(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN a DLQ message whose body is under the record limit but its envelope is over it
    body = "é" * ((MAX_BYTES_PER_RECORD - 100) // 2)
    firehose = FakeFirehose()
    # WHEN the archiver runs
    _archive(
        handlers, context, [sqs_record(body, queue=DLQ, message_id="big", extra_attributes=SOURCE)], firehose
    )
    # THEN the reason names the size and the limit; the row (larger than the envelope) is cut visibly
    (row,) = firehose.delivered_rows()
    assert row["error_reason"].startswith(
        f"body of {len(body.encode())} bytes exceeds Firehose's 1,000 KiB record limit"
    )
    assert body.startswith(row["payload"])
    assert is_truncated(row)


def test_body_too_large_even_for_a_row_is_truncated_visibly(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN a 1 MiB body of multi-byte characters (SQS allows it, Firehose does not)
    body = "✓" * (1024 * 1024 // 3)
    firehose = FakeFirehose()
    # WHEN the archiver runs
    response = _archive(handlers, context, [sqs_record(body, queue=DLQ, message_id="huge")], firehose)
    # THEN the row fits Firehose, holds a prefix of whole characters, and its reason says so with the hash
    assert response == {"batchItemFailures": []}
    (data,) = firehose.delivered
    assert len(data) <= MAX_BYTES_PER_RECORD
    (row,) = firehose.delivered_rows()
    assert body.startswith(row["payload"]) and len(row["payload"]) < len(body)
    assert is_truncated(row)
    assert hashlib.sha256(body.encode()).hexdigest() in row["error_reason"]
    assert f"of {len(body.encode())} bytes" in row["error_reason"]
    # AND the transform accepts the row, and replay refuses it
    event = firehose_transformation_event(
        [data], "arn:aws:firehose:eu-west-1:123456789012:deliverystream/s", 0
    )
    (result,) = handlers["firehose_transform"].lambda_handler(event, context)["records"]
    assert result["result"] == "Ok"
    assert base64.b64decode(result["data"])
    replay = send_replay(None, "unused", [row], max_message_bytes=1024 * 1024)  # type: ignore[arg-type]
    assert list(replay.rejected) == ["huge"]


def test_a_replayed_message_is_archived_under_its_original_id_only_when_signed(
    aws: None, handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN two DLQ messages claiming to replay original-1: one signed by the replay path, one
    # forged by a producer (same attributes, no MAC)
    kms = boto3.client("kms", region_name=REGION)
    signer = ReplaySigner(kms, ensure_replay_key(kms, ResourceNames(NAME_PREFIX)))
    claim = {
        "leanops_original_message_id": {"DataType": "String", "StringValue": "original-1"},
        "leanops_original_sent_at": {"DataType": "Number", "StringValue": "1767261600123"},
    }
    mac = signer.mac("orders", "original-1", "1767261600123", "{}")
    signed = {**claim, "leanops_replay_mac": {"DataType": "String", "StringValue": mac}}
    firehose = FakeFirehose()
    # WHEN the archiver runs on both
    response = handlers["dlq_archiver"].lambda_handler(
        sqs_event(
            [
                sqs_record("{}", queue=DLQ, message_id="replay-1", message_attributes=signed),
                sqs_record("{}", queue=DLQ, message_id="forged-1", message_attributes=claim),
            ]
        ),
        context,
        firehose=firehose,
        kms=kms,
    )
    # THEN the signed one keeps the original id and send time; the forged one keeps its own id
    # (archived under "original-1", the next replay would sign another message's id)
    assert response == {"batchItemFailures": []}
    signed_row, forged_row = firehose.delivered_rows()
    assert (signed_row["message_id"], signed_row["sent_at"]) == ("original-1", "2026-01-01T10:00:00.123000Z")
    assert signed_row["error_reason"].endswith("(see sqs_processor logs for replay-1)")
    assert forged_row["message_id"] == "forged-1"


def test_unknown_dlq_and_firehose_failures_are_reported_exactly(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN one message from an unconfigured DLQ, one Firehose keeps refusing, one fine
    records = [
        sqs_record("a", queue=DLQ, message_id="fine"),
        sqs_record("b", queue="other-dlq", message_id="stray"),
        sqs_record("c", queue=DLQ, message_id="refused"),
    ]
    firehose = FakeFirehose(record_failures={'"refused"': -1})
    # WHEN the archiver runs
    response = _archive(handlers, context, records, firehose)
    # THEN exactly the two failures are reported, in event order
    assert response == {"batchItemFailures": [{"itemIdentifier": "stray"}, {"itemIdentifier": "refused"}]}
    assert [row["message_id"] for row in firehose.delivered_rows()] == ["fine"]


def test_a_topic_queue_is_not_taken_for_its_dlq(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN a message that comes from the topic queue, not from its DLQ
    records = [sqs_record("a", queue="leanops-dev-orders", message_id="not-from-a-dlq")]
    # WHEN the archiver runs
    # THEN the whole batch fails (its only record): the archiver archives DLQ messages only
    with pytest.raises(BatchFailedError, match="'leanops-dev-orders' is not a DLQ of this stack"):
        _archive(handlers, context, records, FakeFirehose())


def test_dlq_rows_of_every_topic_go_to_the_one_stream_of_dlq_errors(
    handlers: dict[str, ModuleType],
    context: LambdaContextStub,
    three_streams: list[str],
) -> None:
    # GIVEN three streams and DLQ messages of two topics
    streams = three_streams
    records = [
        sqs_record("a", queue="leanops-dev-orders-dlq", message_id="o"),
        sqs_record("b", queue="leanops-dev-refunds-dlq", message_id="r"),
    ]
    firehose = FakeFirehose()
    # WHEN the archiver runs
    response = _archive(handlers, context, records, firehose)
    # THEN both rows went to the stream of the dlq_errors table (one writer per Iceberg table)
    assert response == {"batchItemFailures": []}
    assert set(firehose.streams) == {stream_for(DLQ_ERRORS, streams)}
    assert [row["topic_name"] for row in firehose.delivered_rows()] == ["orders", "refunds"]
