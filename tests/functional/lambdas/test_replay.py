"""DLQ replay against moto's SQS: rows go back to the queue and come out under their original ids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import boto3
import pytest
from ingest_support import REGION, FakeFirehose, LambdaContextStub, client_error

from leanops.ingest.envelope import replay_key_alias
from leanops.ingest.events import sqs_event, sqs_record_from_message
from leanops.ingest.replay import ReplayResult, ReplaySigner, send_replay
from leanops.local.config import ResourceNames
from leanops.local.provision import ensure_replay_key

QUEUE = "leanops-dev-orders"


def _row(message_id: str, payload: str | None = '{"order_id":"o-1"}', **extra: Any) -> dict[str, Any]:
    return {
        "topic_name": "orders",
        "message_id": message_id,
        "payload": payload,
        "sent_at": "2026-01-01T10:00:00.123000Z",
        "error_reason": "not delivered to Firehose after 3 receives",
        **extra,
    }


def _receive_all(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
    ).get("Messages", []):
        messages += batch
    return messages


@pytest.fixture
def queue(aws: None) -> tuple[Any, str, str]:
    """Return (client, url, arn) of a fresh moto queue."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs, url, arn


@pytest.fixture
def signer(aws: None) -> ReplaySigner:
    """Return a signer of a fresh moto HMAC key, created as the local provisioning creates it."""
    kms = boto3.client("kms", region_name=REGION)
    key_id = ensure_replay_key(kms, ResourceNames("leanops-dev"))
    assert ensure_replay_key(kms, ResourceNames("leanops-dev")) == key_id  # idempotent
    return ReplaySigner.for_key(kms, replay_key_alias("leanops-dev"))


def _through_sqs_processor(
    sqs: Any, url: str, arn: str, handlers: dict[str, ModuleType], context: LambdaContextStub
) -> list[dict[str, Any]]:
    records = [sqs_record_from_message(message, arn) for message in _receive_all(sqs, url)]
    firehose = FakeFirehose()
    kms = boto3.client("kms", region_name=REGION)
    handlers["sqs_processor"].lambda_handler(sqs_event(records), context, firehose=firehose, kms=kms)
    return sorted(firehose.delivered_rows(), key=lambda row: row["message_id"])


@pytest.mark.usefixtures("ingest_env")
def test_replayed_rows_flow_through_sqs_processor_under_their_original_ids(
    queue: tuple[Any, str, str],
    signer: ReplaySigner,
    handlers: dict[str, ModuleType],
    context: LambdaContextStub,
) -> None:
    # GIVEN two archived rows, one with sent_at as a datetime (as a table reader returns it)
    sqs, url, arn = queue
    rows = [_row("orig-1"), _row("orig-2", sent_at=datetime(2026, 1, 1, 10, 0, 0, 123000, tzinfo=UTC))]
    # WHEN they are replayed, signed with moto's HMAC key (GenerateMac), and the queue's messages
    # go through sqs_processor (which finds the key by its alias and calls VerifyMac)
    result = send_replay(sqs, url, rows, signer=signer)
    envelopes = _through_sqs_processor(sqs, url, arn, handlers, context)
    # THEN both were sent, and their envelopes carry the original id and send time, marked replayed
    assert result == ReplayResult(sent=("orig-1", "orig-2"))
    assert [row["message_id"] for row in envelopes] == ["orig-1", "orig-2"]
    assert {row["sent_at"] for row in envelopes} == {"2026-01-01T10:00:00.123000Z"}
    assert all(row["replayed_at"] is not None for row in envelopes)
    assert {row["payload"] for row in envelopes} == {'{"order_id":"o-1"}'}


@pytest.mark.usefixtures("ingest_env")
def test_forged_replay_attributes_keep_the_message_s_own_id_and_send_time(
    queue: tuple[Any, str, str],
    signer: ReplaySigner,
    handlers: dict[str, ModuleType],
    context: LambdaContextStub,
) -> None:
    # GIVEN a producer that sets the replay attributes itself: no MAC, a made-up MAC, and a real
    # MAC of another message (copied from a genuine replay) on a different body
    sqs, url, arn = queue
    claim = {
        "leanops_original_message_id": {"DataType": "String", "StringValue": "victim"},
        "leanops_original_sent_at": {"DataType": "Number", "StringValue": "1767261600123"},
    }
    stolen = signer.mac("orders", "victim", "1767261600123", '{"order_id":"o-1"}')
    forged_macs = {"no-mac": None, "made-up": "AAAA", "stolen": stolen}
    for body, mac in forged_macs.items():
        attributes = dict(claim)
        if mac is not None:
            attributes["leanops_replay_mac"] = {"DataType": "String", "StringValue": mac}
        sqs.send_message(QueueUrl=url, MessageBody=f'{{"forged":"{body}"}}', MessageAttributes=attributes)
    # WHEN they go through sqs_processor
    envelopes = _through_sqs_processor(sqs, url, arn, handlers, context)
    # THEN none is dropped and none takes the victim's id, send time or the replay mark
    assert len(envelopes) == len(forged_macs)
    assert all(row["message_id"] != "victim" for row in envelopes)
    assert all(row["sent_at"] != "2026-01-01T10:00:00.123000Z" for row in envelopes)
    assert all(row["replayed_at"] is None for row in envelopes)


def test_23_rows_are_sent_in_batches_of_ten(queue: tuple[Any, str, str]) -> None:
    sqs, url, _ = queue
    result = send_replay(sqs, url, [_row(f"m-{i}") for i in range(23)])
    assert result.sent == tuple(f"m-{i}" for i in range(23))
    assert len(_receive_all(sqs, url)) == 23


def test_rows_that_cannot_be_replayed_are_rejected_not_sent(queue: tuple[Any, str, str]) -> None:
    # GIVEN a queue that takes messages of at most 1,024 bytes, and rows that cannot go back
    sqs, url, _ = queue
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "1024"})
    rows = [
        _row("ok"),
        _row("no-payload", payload=None),
        _row("empty", payload=""),
        _row("cut", error_reason="body of 2000000 bytes ...; payload truncated to its first 10 of 20 bytes"),
        _row("too-big", payload="x" * 1024),
    ]
    # WHEN they are replayed
    result = send_replay(sqs, url, rows)
    # THEN only the good one was sent; each other one is rejected with its reason
    assert result.sent == ("ok",)
    assert sorted(result.rejected) == ["cut", "empty", "no-payload", "too-big"]
    assert "1024-byte limit" in result.rejected["too-big"]
    assert len(_receive_all(sqs, url)) == 1


class RefusingSqs:
    """An SQS client that refuses chosen entry ids, or whole calls."""

    def __init__(self, refused_ids: Sequence[str] = (), refuse_calls: int = 0) -> None:
        self.refused_ids = set(refused_ids)
        self.refuse_calls = refuse_calls
        self.batches: list[list[str]] = []

    def send_message_batch(self, *, QueueUrl: str, Entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Refuse as configured."""
        if self.refuse_calls:
            self.refuse_calls -= 1
            raise client_error("AWS.SimpleQueueService.NonExistentQueue", "SendMessageBatch")
        self.batches.append([entry["Id"] for entry in Entries])
        failed = [
            {"Id": e["Id"], "Code": "InternalError", "SenderFault": False, "Message": "try again"}
            for e in Entries
            if e["Id"] in self.refused_ids
        ]
        return {"Successful": [], "Failed": failed}

    def get_queue_attributes(self, *, QueueUrl: str, AttributeNames: Sequence[str]) -> dict[str, Any]:
        """Report a 256 KiB queue."""
        return {"Attributes": {"MaximumMessageSize": "262144"}}


def test_entries_sqs_refuses_are_reported_by_message_id() -> None:
    # GIVEN SQS refuses the 2nd entry, and the whole second call
    sqs = RefusingSqs(refused_ids=["1"])
    rows = [_row(f"m-{i}") for i in range(12)]
    first = send_replay(sqs, "https://queue", rows[:10])
    sqs.refuse_calls = 1
    second = send_replay(sqs, "https://queue", rows[10:])
    # THEN the failures name exactly the refused messages
    assert dict(first.failed) == {"m-1": "SQS InternalError: try again"}
    assert len(first.sent) == 9
    assert sorted(second.failed) == ["m-10", "m-11"] and second.sent == ()
