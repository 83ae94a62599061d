"""The SQS event source mapping, locally: real sqs_processor handler, moto SQS with redrive."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest

from leanops import faults
from leanops.local.catalog import local_catalog
from leanops.local.config import SQS_PROCESSOR, ResourceNames, TopicSettings, lambda_environment
from leanops.local.delivery import QueuePoller, sqs_event_record
from leanops.local.firehose import LocalFirehose
from leanops.local.lambda_runtime import lambda_handler_module
from leanops.local.provision import provision_shared, provision_topic

TOPIC = "orders"


@pytest.fixture
def world(aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    names = ResourceNames("test")
    clients = {name: boto3.client(name, region_name="eu-west-1") for name in ("sqs", "s3", "dynamodb", "sns")}
    catalog = local_catalog(tmp_path / "home")
    provision_shared(clients, names, catalog)
    topic_settings = TopicSettings(batch_size=4, max_receive_count=3, visibility_timeout=30)
    queue_url = provision_topic(clients, names, catalog, TOPIC, topic_settings)
    transform = lambda_handler_module("firehose_transform").lambda_handler
    firehose = LocalFirehose(
        names.firehose_stream, tmp_path / "buffer", catalog, clients["s3"], names.data_bucket, transform
    )
    for key, value in lambda_environment(names, SQS_PROCESSOR).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LEANOPS_FIREHOSE_BASE_DELAY_MS", "0")
    return {
        "names": names,
        "sqs": clients["sqs"],
        "queue_url": queue_url,
        "settings": topic_settings,
        "firehose": firehose,
    }


def poller(world: dict[str, Any]) -> QueuePoller:
    names = world["names"]
    return QueuePoller(
        world["sqs"],
        world["queue_url"],
        names.queue_arn(names.queue(TOPIC)),
        world["settings"],
        "test-sqs_processor",
    )


def handler(world: dict[str, Any]) -> Any:
    function = lambda_handler_module(SQS_PROCESSOR).lambda_handler
    return lambda event, context: function(event, context, firehose=world["firehose"])


def queue_depth(sqs: Any, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )
    return sum(int(value) for value in attributes["Attributes"].values())


def test_sqs_event_record_has_the_shape_lambda_receives() -> None:
    message = {
        "MessageId": "id-1",
        "ReceiptHandle": "rh",
        "Body": "{}",
        "MD5OfBody": "md5",
        "Attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1767261600000"},
        "MessageAttributes": {
            "leanops_original_message_id": {"DataType": "String", "StringValue": "orig"},
            "SentTimestamp": {},
        },
    }
    assert sqs_event_record(message, "arn:aws:sqs:eu-west-1:123456789012:q") == {
        "messageId": "id-1",
        "receiptHandle": "rh",
        "body": "{}",
        "attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1767261600000"},
        "messageAttributes": {
            "leanops_original_message_id": {
                "stringValue": "orig",
                "binaryValue": None,
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "String",
            }
        },
        "md5OfBody": "md5",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q",
        "awsRegion": "eu-west-1",
    }


def test_drain_delivers_every_message_in_batches_and_empties_the_queue(world: dict[str, Any]) -> None:
    # GIVEN 10 messages and a batch size of 4
    for index in range(10):
        world["sqs"].send_message(QueueUrl=world["queue_url"], MessageBody=f'{{"n": {index}}}')
    # WHEN the queue is drained through the real handler
    report = poller(world).drain(handler(world))
    # THEN 3 invocations delivered all 10 to Firehose and deleted them
    assert (report.invocations, report.delivered, report.retried) == (3, 10, 0)
    assert len(world["firehose"].buffered()) == 10
    assert queue_depth(world["sqs"], world["queue_url"]) == 0


def test_a_handler_that_always_crashes_sends_messages_to_the_dlq_after_max_receive_count(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the Lambda crashes before its put on every invocation
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.LAMBDA_CRASH_BEFORE_PUT}=1.0")
    world["sqs"].send_message(QueueUrl=world["queue_url"], MessageBody="{}")
    # WHEN the queue is drained
    report = poller(world).drain(handler(world))
    # THEN it was tried max_receive_count times, then SQS's redrive moved it to the DLQ
    assert (report.invocations, report.crashes, report.delivered) == (3, 3, 0)
    names = world["names"]
    dlq_url = world["sqs"].get_queue_url(QueueName=names.dlq(TOPIC))["QueueUrl"]
    assert queue_depth(world["sqs"], world["queue_url"]) == 0
    moved = world["sqs"].receive_message(QueueUrl=dlq_url, AttributeNames=["All"])["Messages"]
    assert [message["Body"] for message in moved] == ["{}"]
    assert world["firehose"].buffered() == []


def test_a_crash_after_the_put_retries_the_batch_and_leaves_duplicates_for_standardized(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the Lambda crashes after its put on some invocations (seeded draw)
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.LAMBDA_CRASH_AFTER_PUT}=0.5;seed=0")
    for index in range(3):
        world["sqs"].send_message(QueueUrl=world["queue_url"], MessageBody=f'{{"n": {index}}}')
    # WHEN the queue is drained
    report = poller(world).drain(handler(world))
    # THEN the crashed invocation was retried, every message delivered, the queue is empty
    assert report.crashes >= 1
    envelopes = [json.loads(base64.b64decode(entry["data"])) for entry in world["firehose"].buffered()]
    assert report.delivered == 3 and queue_depth(world["sqs"], world["queue_url"]) == 0
    assert len({row["message_id"] for row in envelopes}) == 3
    assert len(envelopes) == 3 + 3 * report.crashes


def _envelope_ids(world: dict[str, Any]) -> list[str]:
    return [
        json.loads(base64.b64decode(entry["data"]))["message_id"] for entry in world["firehose"].buffered()
    ]


def test_batches_are_in_flight_together_and_each_message_is_delivered_once(world: dict[str, Any]) -> None:
    # GIVEN 30 messages (batch size 4: 8 batches)
    sent = [
        world["sqs"].send_message(QueueUrl=world["queue_url"], MessageBody=f'{{"n": {index}}}')["MessageId"]
        for index in range(30)
    ]
    # AND a handler whose first two invocations wait for each other (both must be in flight at once)
    meeting = threading.Barrier(2, timeout=60)
    lock, started = threading.Lock(), []
    inner = handler(world)

    def meeting_handler(event: dict[str, Any], context: Any) -> Any:
        with lock:
            started.append(len(event["Records"]))
            position = len(started)
        if position <= 2:
            meeting.wait()
        return inner(event, context)

    # WHEN the queue is drained with the mapping's concurrency (5 batches)
    report = poller(world).drain(meeting_handler)
    # THEN the two met, 8 invocations delivered all 30, each exactly once, and the queue is empty
    assert not meeting.broken
    assert (report.invocations, report.delivered, report.retried, report.crashes) == (8, 30, 0, 0)
    assert sorted(_envelope_ids(world)) == sorted(sent)
    assert queue_depth(world["sqs"], world["queue_url"]) == 0


def test_under_a_fault_plan_one_batch_is_in_flight_at_a_time(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a fault plan (its draws must fall on the same invocations for a seed) and 20 messages
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.LAMBDA_CRASH_BEFORE_PUT}=0.0;seed=3")
    for index in range(20):
        world["sqs"].send_message(QueueUrl=world["queue_url"], MessageBody=f'{{"n": {index}}}')
    lock, active, most = threading.Lock(), [0], [0]
    inner = handler(world)

    def counting_handler(event: dict[str, Any], context: Any) -> Any:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            return inner(event, context)
        finally:
            with lock:
                active[0] -= 1

    # WHEN the queue is drained
    report = poller(world).drain(counting_handler)
    # THEN every message was delivered, one invocation at a time
    assert (report.invocations, report.delivered) == (5, 20)
    assert most[0] == 1
