"""Typed shapes of the ingest path: AWS client protocols, Firehose and SQS payloads.

Clients are described by ``Protocol`` so that boto3 clients, moto-backed clients and small test
fakes all fit without importing boto3 stubs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NotRequired, Protocol, TypedDict

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse, PartialItemFailures

__all__ = [
    "DlqErrorRow",
    "Envelope",
    "FirehoseClient",
    "FirehoseRecordEntry",
    "OtfMetadata",
    "PartialItemFailureResponse",
    "PartialItemFailures",
    "ReplayEntry",
    "SqsClient",
    "TransformationRecord",
    "TransformationResponse",
    "TransformResult",
]

TransformResult = Literal["Ok", "ProcessingFailed", "Dropped"]


class FirehoseRecordEntry(TypedDict):
    """One entry of PutRecordBatch's ``Records``."""

    Data: bytes


class FirehoseClient(Protocol):
    """The part of boto3's Firehose client the ingest path uses."""

    def put_record_batch(
        self, *, DeliveryStreamName: str, Records: Sequence[FirehoseRecordEntry]
    ) -> Mapping[str, Any]:
        """Send up to 500 records in one call (boto3 signature)."""
        ...


class SqsClient(Protocol):
    """The part of boto3's SQS client DLQ replay uses."""

    def send_message_batch(self, *, QueueUrl: str, Entries: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
        """Send up to 10 messages in one call (boto3 signature)."""
        ...

    def get_queue_attributes(self, *, QueueUrl: str, AttributeNames: Sequence[str]) -> Mapping[str, Any]:
        """Return queue attributes (boto3 signature)."""
        ...


class Envelope(TypedDict):
    """One RAW row, as sqs_processor sends it (schemas/events.json)."""

    topic_name: str
    message_id: str
    payload: str
    sent_at: str
    ingested_at: str
    receive_count: int
    replayed_at: str | None


class DlqErrorRow(TypedDict):
    """One ``iceberg_raw_db.dlq_errors`` row, as dlq_archiver sends it (schemas/tables.json)."""

    topic_name: str
    message_id: str
    payload: str | None
    receive_count: int | None
    error_reason: str
    source_queue: str | None
    sent_at: str | None
    archived_at: str


class OtfMetadata(TypedDict):
    """Where Firehose's Iceberg destination writes a record."""

    destinationDatabaseName: str
    destinationTableName: str
    operation: Literal["insert", "update", "delete"]


class TransformationMetadata(TypedDict):
    """The ``metadata`` of one transformed record."""

    otfMetadata: OtfMetadata


class TransformationRecord(TypedDict):
    """One record of a Firehose data-transformation response."""

    recordId: str
    result: TransformResult
    data: str
    metadata: NotRequired[TransformationMetadata]


class TransformationResponse(TypedDict):
    """The response of a Firehose data-transformation Lambda."""

    records: list[TransformationRecord]


class MessageAttributeValue(TypedDict):
    """An SQS message attribute as SendMessageBatch takes it."""

    DataType: str
    StringValue: str


class ReplayEntry(TypedDict):
    """One SendMessageBatch entry replaying a dlq_errors row."""

    Id: str
    MessageBody: str
    MessageAttributes: dict[str, MessageAttributeValue]
