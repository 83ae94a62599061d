"""The envelope: one RAW row per SQS message, body verbatim (schemas/events.json).

``message_id`` is the SQS message id, or for a message replayed from ``dlq_errors`` the id the
message had originally (attribute ``leanops_original_message_id``), so the replay is deduplicated
downstream; ``sent_at`` is then the original send time (``leanops_original_sent_at``, epoch ms)
and ``replayed_at`` the replay's own SentTimestamp.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leanops.ingest.timestamps import format_iso, millis_to_iso
from leanops.ingest.types import Envelope

ORIGINAL_MESSAGE_ID_ATTRIBUTE = "leanops_original_message_id"
ORIGINAL_SENT_AT_ATTRIBUTE = "leanops_original_sent_at"
ARN_SEPARATOR = ":"
RECORD_TERMINATOR = "\n"
_JSON_SEPARATORS = (",", ":")


def queue_name_from_arn(queue_arn: str) -> str:
    """Return the queue name at the end of an SQS ARN (``arn:aws:sqs:r:a:name`` -> ``name``)."""
    return queue_arn.rsplit(ARN_SEPARATOR, 1)[-1]


def _attribute(record: SQSRecord, name: str) -> str | None:
    attribute = record.message_attributes[name]
    if attribute is None:
        return None
    return attribute.string_value or None


def original_message_id(record: SQSRecord) -> str:
    """Return the message id the pipeline knows the message by (the original one when replayed)."""
    return _attribute(record, ORIGINAL_MESSAGE_ID_ATTRIBUTE) or record.message_id


def original_sent_at(record: SQSRecord) -> str:
    """Return when the message was first sent, ISO-8601 UTC (the original time when replayed).

    Raises:
        ValueError: when a timestamp is not a whole number of milliseconds.
    """
    return millis_to_iso(_attribute(record, ORIGINAL_SENT_AT_ATTRIBUTE) or record.attributes.sent_timestamp)


def is_replay(record: SQSRecord) -> bool:
    """Return True when the message was sent back from dlq_errors by DLQ replay."""
    return _attribute(record, ORIGINAL_MESSAGE_ID_ATTRIBUTE) is not None


def build_envelope(record: SQSRecord, topic: str, ingested_at: datetime) -> Envelope:
    """Wrap one SQS message in the envelope; the body is kept verbatim, never parsed.

    Args:
        record: the SQS record of the Lambda event.
        topic: the topic of the record's queue.
        ingested_at: when the message is being wrapped (the same for a whole batch).

    Returns:
        The envelope (RAW row).

    Raises:
        ValueError: when SentTimestamp or leanops_original_sent_at is not epoch milliseconds.
    """
    replayed_at = millis_to_iso(record.attributes.sent_timestamp) if is_replay(record) else None
    return Envelope(
        topic_name=topic,
        message_id=original_message_id(record),
        payload=record.body,
        sent_at=original_sent_at(record),
        ingested_at=format_iso(ingested_at),
        receive_count=int(record.attributes.approximate_receive_count),
        replayed_at=replayed_at,
    )


def encode_row(row: Mapping[str, Any]) -> bytes:
    """Return a row as one Firehose record: compact UTF-8 JSON plus a newline."""
    text = json.dumps(row, separators=_JSON_SEPARATORS, ensure_ascii=False)
    return (text + RECORD_TERMINATOR).encode("utf-8")
