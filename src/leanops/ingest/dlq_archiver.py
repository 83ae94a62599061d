"""dlq_archiver's logic: one ``iceberg_raw_db.dlq_errors`` row per message of a topic's DLQ.

The row names the topic, the message (its original id when it was a replay), the body verbatim,
and why it was not delivered. A body whose envelope exceeds Firehose's record limit is the one
cause the archiver can see for itself; any other cause is in sqs_processor's logs, which the
reason points to by SQS message id.

Oversized rows: SQS allows 1 MiB bodies but Firehose takes at most 1,000 KiB per record, so a
dlq_errors row can be too large too. Its payload is then cut to the longest prefix (whole UTF-8
characters) that fits, and the reason says so, with the full body's size and SHA-256
(``TRUNCATION_NOTE``): nothing is truncated silently, and replay refuses such rows
(:func:`is_truncated`).

``receive_count`` is SQS's ApproximateReceiveCount as the archiver sees it (receives in the
source queue, plus the archiver's own receives of the DLQ copy).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leanops import definitions
from leanops.exceptions import RecordRejectedError
from leanops.ingest.batch import BatchOutcome
from leanops.ingest.config import IngestSettings
from leanops.ingest.delivery import DEFAULT_LIMITS, KIB, FirehoseLimits, OutboundRecord, deliver
from leanops.ingest.envelope import (
    KmsClient,
    build_envelope,
    encode_row,
    original_message_id,
    original_sent_at,
    queue_name_from_arn,
)
from leanops.ingest.replay_trust import sort_batch
from leanops.ingest.timestamps import format_iso, utc_now
from leanops.ingest.types import DlqErrorRow, FirehoseClient

logger = logging.getLogger(__name__)

ARCHIVER_NAME = "dlq_archiver"
TRUNCATION_NOTE = "payload truncated to its first"


def is_truncated(row: Mapping[str, Any]) -> bool:
    """Return True when a dlq_errors row's payload is only a prefix of the body."""
    return TRUNCATION_NOTE in str(row.get("error_reason") or "")


def undelivered_reason(record: SQSRecord, topic: str, moment: datetime, limits: FirehoseLimits) -> str:
    """Return why a DLQ message was not delivered, as far as the archiver can tell."""
    body_bytes = len(record.body.encode("utf-8"))
    envelope_bytes = len(encode_row(build_envelope(record, topic, moment)))
    if envelope_bytes > limits.max_bytes_per_record:
        limit_kib = limits.max_bytes_per_record // KIB
        return (
            f"body of {body_bytes} bytes exceeds Firehose's {limit_kib:,} KiB record limit"
            f" (its envelope is {envelope_bytes} bytes)"
        )
    receives = record.attributes.approximate_receive_count
    return (
        f"not delivered to Firehose after {receives} receives"
        f" (see sqs_processor logs for {record.message_id})"
    )


def _truncated(row: DlqErrorRow, encoded_body: bytes, keep: int, digest: str) -> DlqErrorRow:
    """Return the row, its payload cut to at most ``keep`` bytes of whole characters, noted in the reason."""
    prefix = encoded_body[:keep].decode("utf-8", errors="ignore")
    kept = len(prefix.encode("utf-8"))
    note = f"; {TRUNCATION_NOTE} {kept} of {len(encoded_body)} bytes (sha256 of the full body: {digest})"
    return DlqErrorRow(**{**row, "payload": prefix, "error_reason": row["error_reason"] + note})


def _fit_payload(row: DlqErrorRow, limit: int) -> DlqErrorRow:
    """Return the row, its payload cut to the longest prefix that fits (and the reason saying so).

    Raises:
        RecordRejectedError: when the row does not fit even with an empty payload.
    """
    if len(encode_row(row)) <= limit:
        return row
    encoded_body = (row["payload"] or "").encode("utf-8")
    digest = hashlib.sha256(encoded_body).hexdigest()
    shortest, longest = 0, len(encoded_body)
    while shortest < longest:  # binary search: JSON escaping makes the encoded size non-linear
        middle = (shortest + longest + 1) // 2
        if len(encode_row(_truncated(row, encoded_body, middle, digest))) <= limit:
            shortest = middle
        else:
            longest = middle - 1
    candidate = _truncated(row, encoded_body, shortest, digest)
    if len(encode_row(candidate)) > limit:
        raise RecordRejectedError(
            row["message_id"], f"dlq_errors row exceeds {limit} bytes even without its payload"
        )
    return candidate


def _dlq_topic(record: SQSRecord, config: IngestSettings) -> str:
    """Return the topic of a DLQ message's queue.

    Raises:
        RecordRejectedError: when the queue is not a DLQ of the stack.
    """
    queue = queue_name_from_arn(record.event_source_arn)
    topic = config.topic_of_queue(queue, dlq=True)
    if topic is None:
        raise RecordRejectedError(record.message_id, config.unknown_queue_reason(queue, dlq=True))
    return topic


def build_dlq_row(
    record: SQSRecord,
    config: IngestSettings,
    archived_at: datetime,
    limits: FirehoseLimits,
    trusted_replay: bool = False,
) -> DlqErrorRow:
    """Return the dlq_errors row of one DLQ message.

    The row keeps a replayed message's original id and send time only when its replay MAC
    verified (``trusted_replay``, :mod:`leanops.ingest.replay_trust`): otherwise a forged replay
    attribute would be archived, then signed by the next replay under another message's id.

    Raises:
        RecordRejectedError: when the queue is not a DLQ of the stack or the SQS attributes are
            unusable.
    """
    topic = _dlq_topic(record, config)
    source_arn = record.attributes.dead_letter_queue_source_arn
    try:
        row = DlqErrorRow(
            topic_name=topic,
            message_id=original_message_id(record, trusted=trusted_replay),
            payload=record.body,
            receive_count=int(record.attributes.approximate_receive_count),
            error_reason=undelivered_reason(record, topic, archived_at, limits),
            source_queue=queue_name_from_arn(source_arn) if source_arn else None,
            sent_at=original_sent_at(record, trusted=trusted_replay),
            archived_at=format_iso(archived_at),
        )
    except (ValueError, KeyError) as exc:
        raise RecordRejectedError(record.message_id, f"unusable SQS attributes: {exc}") from exc
    return _fit_payload(row, limits.max_bytes_per_record)


def archive_dlq_batch(
    records: Sequence[SQSRecord],
    config: IngestSettings,
    firehose: FirehoseClient,
    archived_at: datetime | None = None,
    limits: FirehoseLimits = DEFAULT_LIMITS,
    kms: KmsClient | None = None,
) -> BatchOutcome:
    """Send one dlq_errors row per DLQ message to Firehose; report the messages not archived.

    Args:
        records: the SQS records of one Lambda event from a topic's DLQ.
        config: streams, name prefix (DLQ name -> topic) and retry policy.
        firehose: a Firehose client.
        archived_at: the batch's archive time (default: now).
        limits: Firehose's limits.
        kms: a KMS client, used only to verify replayed messages' MACs.

    Returns:
        The outcome: failed DLQ message id -> reason (``outcome.response()`` gives
        ``batchItemFailures`` naming exactly those ids).
    """
    moment = archived_at or utc_now()
    outbound: list[OutboundRecord] = []
    topics, trusted, failures = sort_batch(
        records, lambda record: _dlq_topic(record, config), kms, config.replay_key_id
    )
    for record, _topic in topics:
        try:
            row = build_dlq_row(record, config, moment, limits, record.message_id in trusted)
        except RecordRejectedError as exc:
            failures[record.message_id] = exc.problem
            continue
        if row["payload"] != record.body:
            logger.warning(
                "%s: message %s archived with a truncated payload", ARCHIVER_NAME, record.message_id
            )
        outbound.append(OutboundRecord(item_id=record.message_id, data=encode_row(row)))
    if outbound:
        stream = config.stream_of_table(definitions.table(definitions.DLQ_ERRORS).name())
        failures.update(deliver(firehose, stream, outbound, config.retry, limits).failed)
    return BatchOutcome(ARCHIVER_NAME, tuple(r.message_id for r in records), failures)
