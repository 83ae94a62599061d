"""sqs_processor handler end to end: SQS event in, Firehose records out, exact batchItemFailures."""

from __future__ import annotations

import copy
import json
import os
from types import ModuleType
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from ingest_support import (
    NAME_PREFIX,
    REGION,
    SENT_MS,
    STREAM,
    FakeFirehose,
    LambdaContextStub,
    load_event,
    sqs_record,
)

from leanops.exceptions import BatchFailedError, InjectedFaultError
from leanops.ingest.config import IngestSettings
from leanops.ingest.delivery import MAX_BYTES_PER_RECORD
from leanops.ingest.events import sqs_event
from leanops.ingest.replay import ReplaySigner
from leanops.ingest.sqs_processor import process_sqs_batch
from leanops.ingest.streams import stream_for
from leanops.local.config import ResourceNames
from leanops.local.provision import ensure_replay_key

pytestmark = pytest.mark.usefixtures("ingest_env")


def _run(
    handlers: dict[str, ModuleType], event: dict[str, Any], context: LambdaContextStub, firehose: Any
) -> Any:
    return handlers["sqs_processor"].lambda_handler(event, context, firehose=firehose)


def _failed_ids(response: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_sample_event_lands_in_firehose_verbatim_with_moto(
    aws: None, handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN a real (moto) Firehose stream delivering to S3, and the sample SQS event
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="raw", CreateBucketConfiguration={"LocationConstraint": REGION})
    firehose = boto3.client("firehose", region_name=REGION)
    firehose.create_delivery_stream(
        DeliveryStreamName=STREAM,
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/fh",
            "BucketARN": "arn:aws:s3:::raw",
        },
    )
    event = load_event("sqs_event.json")
    # WHEN the handler runs
    response = _run(handlers, event, context, firehose)
    # THEN nothing failed and S3 holds one envelope per message, bodies verbatim
    assert response == {"batchItemFailures": []}
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket="raw")["Contents"]]
    lines = (
        b"".join(s3.get_object(Bucket="raw", Key=key)["Body"].read() for key in keys)
        .decode("utf-8")
        .splitlines()
    )
    envelopes = {row["message_id"]: row for row in map(json.loads, lines)}
    for record in event["Records"]:
        assert envelopes[record["messageId"]]["payload"] == record["body"]
    assert envelopes["2e1424d4-f796-459a-8184-9c92662be6da"]["topic_name"] == "payments"
    assert envelopes["2e1424d4-f796-459a-8184-9c92662be6da"]["receive_count"] == 2


def test_record_that_keeps_failing_is_the_only_batch_item_failure(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN Firehose rejects every put of message m-2
    records = [sqs_record(f'{{"n":{i}}}', message_id=f"m-{i}") for i in range(1, 4)]
    firehose = FakeFirehose(record_failures={'"m-2"': -1})
    # WHEN the handler runs
    response = _run(handlers, sqs_event(records), context, firehose)
    # THEN exactly m-2 is reported, the others were delivered once each
    assert _failed_ids(response) == ["m-2"]
    assert sorted(row["message_id"] for row in firehose.delivered_rows()) == ["m-1", "m-3"]
    assert len(firehose.calls) == 3  # LEANOPS_FIREHOSE_MAX_ATTEMPTS


def test_transient_record_failure_is_retried_until_delivered(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN Firehose rejects message m-1 twice, then accepts it
    records = [sqs_record("a", message_id="m-1"), sqs_record("b", message_id="m-2")]
    firehose = FakeFirehose(record_failures={'"m-1"': 2})
    # WHEN the handler runs
    response = _run(handlers, sqs_event(records), context, firehose)
    # THEN nothing fails, m-1 went out on the third call alone, nothing was sent twice
    assert response == {"batchItemFailures": []}
    assert [len(call) for call in firehose.calls] == [1, 0, 1]
    assert sorted(row["message_id"] for row in firehose.delivered_rows()) == ["m-1", "m-2"]


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "ServiceUnavailableException", "LimitExceededException"]
)
def test_throttled_calls_are_retried_then_succeed(
    handlers: dict[str, ModuleType], context: LambdaContextStub, code: str
) -> None:
    # GIVEN the first two PutRecordBatch calls are refused as a whole
    records = [sqs_record("x", message_id="m-1"), sqs_record("y", message_id="m-2")]
    firehose = FakeFirehose(call_errors=[code, code])
    # WHEN the handler runs
    response = _run(handlers, sqs_event(records), context, firehose)
    # THEN the third call delivered both
    assert response == {"batchItemFailures": []}
    assert len(firehose.delivered) == 2


def test_throttling_that_never_ends_fails_the_whole_batch(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN every call is throttled
    records = [sqs_record("x", message_id="m-1"), sqs_record("y", message_id="m-2")]
    firehose = FakeFirehose(call_errors=["ThrottlingException"] * 3)
    # WHEN / THEN the invocation raises (powertools semantics: SQS retries the whole batch)
    with pytest.raises(BatchFailedError, match="all 2 record"):
        _run(handlers, sqs_event(records), context, firehose)


def test_non_retryable_call_error_is_not_retried(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN the stream does not exist
    firehose = FakeFirehose(call_errors=["ResourceNotFoundException"])
    # WHEN / THEN the batch fails after a single call
    with pytest.raises(BatchFailedError, match="ResourceNotFoundException"):
        _run(handlers, sqs_event([sqs_record("x", message_id="m-1")]), context, firehose)
    assert firehose.call_errors == []
    assert firehose.calls == []


def test_oversized_message_fails_alone_and_is_never_sent(
    handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN a body whose envelope exceeds Firehose's 1,000 KiB record limit
    big = sqs_record("x" * MAX_BYTES_PER_RECORD, message_id="big")
    small = sqs_record("ok", message_id="small")
    firehose = FakeFirehose()
    # WHEN the handler runs
    response = _run(handlers, sqs_event([small, big]), context, firehose)
    # THEN only the big message is reported and Firehose never saw it
    assert _failed_ids(response) == ["big"]
    assert [row["message_id"] for row in firehose.delivered_rows()] == ["small"]


@pytest.mark.parametrize(
    ("queue", "reason"),
    [
        ("leanops-staging-orders", "is not a topic queue of this stack"),
        ("leanops-dev-orders-dlq", "must match"),
        ("leanops-dev-Orders", "must match"),
        ("leanops-dev-dlq_errors", "collides with a shared table name"),
    ],
)
def test_message_from_a_queue_outside_the_stack_fails_alone_with_a_clear_reason(
    handlers: dict[str, ModuleType], context: LambdaContextStub, queue: str, reason: str
) -> None:
    # GIVEN one record from another stack's queue, a DLQ, a bad or a reserved topic name
    known = sqs_record("ok", message_id="known")
    stray = sqs_record("lost?", message_id="stray", queue=queue)
    firehose = FakeFirehose()
    # WHEN the handler runs (LEANOPS_NAME_PREFIX=leanops-dev)
    outcome = process_sqs_batch(
        list(SQSEvent(sqs_event([known, stray])).records),
        IngestSettings.from_mapping(os.environ),
        firehose,
    )
    response = _run(handlers, sqs_event([known, stray]), context, FakeFirehose())
    # THEN only the stray record fails, with a reason naming the queue and the rule
    assert _failed_ids(response) == ["stray"]
    assert list(outcome.failures) == ["stray"]
    assert f"queue {queue!r}" in outcome.failures["stray"] and reason in outcome.failures["stray"]
    assert [row["topic_name"] for row in firehose.delivered_rows()] == ["orders"]


def test_each_topic_goes_to_its_stream(
    handlers: dict[str, ModuleType],
    context: LambdaContextStub,
    three_streams: list[str],
) -> None:
    # GIVEN three streams and messages of two topics (assigned to two streams) in one event
    streams = three_streams
    records = [
        sqs_record(str(i), message_id=f"{topic}-{i}", queue=f"leanops-dev-{topic}")
        for i in range(3)
        for topic in ("orders", "refunds")
    ]
    firehose = FakeFirehose()
    # WHEN the handler runs
    response = _run(handlers, sqs_event(records), context, firehose)
    # THEN every record reached the stream its topic is assigned to, and only that one
    assert response == {"batchItemFailures": []}
    assert stream_for("orders", streams) != stream_for("refunds", streams)
    assert {
        stream: [row["topic_name"] for row in rows] for stream, rows in firehose.rows_by_stream().items()
    } == {stream_for("orders", streams): ["orders"] * 3, stream_for("refunds", streams): ["refunds"] * 3}


def test_501_messages_take_two_calls(handlers: dict[str, ModuleType], context: LambdaContextStub) -> None:
    # GIVEN 501 messages (Firehose takes at most 500 records per call)
    records = [sqs_record(str(i), message_id=f"m-{i}") for i in range(501)]
    firehose = FakeFirehose()
    # WHEN the handler runs
    response = _run(handlers, sqs_event(records), context, firehose)
    # THEN two calls of 500 and 1 delivered everything, in order
    assert response == {"batchItemFailures": []}
    assert [len(call) for call in firehose.calls] == [500, 1]
    assert [row["message_id"] for row in firehose.delivered_rows()] == [f"m-{i}" for i in range(501)]


def test_replayed_message_keeps_its_original_id_and_sent_at_only_when_signed(
    aws: None, handlers: dict[str, ModuleType], context: LambdaContextStub
) -> None:
    # GIVEN the sample replay event (message attributes carry the original id and send time),
    # once as a producer could send it (no MAC) and once signed by the replay path
    kms = boto3.client("kms", region_name=REGION)
    signer = ReplaySigner(kms, ensure_replay_key(kms, ResourceNames(NAME_PREFIX)))
    unsigned = load_event("sqs_replay_event.json")
    signed = copy.deepcopy(unsigned)
    record = signed["Records"][0]
    original = record["messageAttributes"]["leanops_original_message_id"]["stringValue"]
    sent_at = record["messageAttributes"]["leanops_original_sent_at"]["stringValue"]
    mac = signer.mac("orders", original, sent_at, record["body"])
    record["messageAttributes"]["leanops_replay_mac"] = {"stringValue": mac, "dataType": "String"}
    # WHEN the handler runs on each
    rows = {}
    for name, event in (("unsigned", unsigned), ("signed", signed)):
        firehose = FakeFirehose()
        response = handlers["sqs_processor"].lambda_handler(event, context, firehose=firehose, kms=kms)
        assert response == {"batchItemFailures": []}
        (rows[name],) = firehose.delivered_rows()
    # THEN the signed one is the original message, marked as replayed
    assert rows["signed"]["message_id"] == "059f36b4-87a3-44ab-83d2-661975830a7d"
    assert rows["signed"]["sent_at"] == "2026-01-01T10:00:00.123000Z"
    assert rows["signed"]["replayed_at"] == "2026-01-02T10:00:00.000000Z"
    # AND the unsigned one keeps its own id and send time: it is not dropped, nor trusted
    assert rows["unsigned"]["message_id"] == record["messageId"]
    assert rows["unsigned"]["sent_at"] == "2026-01-02T10:00:00.000000Z"
    assert rows["unsigned"]["replayed_at"] is None


def test_empty_event_reports_nothing(handlers: dict[str, ModuleType], context: LambdaContextStub) -> None:
    firehose = FakeFirehose()
    assert _run(handlers, {"Records": []}, context, firehose) == {"batchItemFailures": []}
    assert firehose.calls == []


def test_crash_before_put_sends_nothing(
    handlers: dict[str, ModuleType], context: LambdaContextStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the fault point before the put always fires
    monkeypatch.setenv("LEANOPS_FAULTS", "lambda-crash-before-put=1")
    firehose = FakeFirehose()
    # WHEN / THEN the invocation fails and Firehose got nothing
    with pytest.raises(InjectedFaultError):
        _run(handlers, sqs_event([sqs_record("x", sent_ms=SENT_MS)]), context, firehose)
    assert firehose.calls == []


def test_crash_after_put_fails_the_invocation_after_delivery(
    handlers: dict[str, ModuleType], context: LambdaContextStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the fault point after a successful put always fires
    monkeypatch.setenv("LEANOPS_FAULTS", "lambda-crash-after-put=1")
    firehose = FakeFirehose()
    # WHEN / THEN the invocation fails although the record reached Firehose (SQS will redeliver it)
    with pytest.raises(InjectedFaultError):
        _run(handlers, sqs_event([sqs_record("x", message_id="m-1")]), context, firehose)
    assert [row["message_id"] for row in firehose.delivered_rows()] == ["m-1"]
