"""PutRecordBatch to Firehose in chunks within its limits, with bounded retries.

Shared by sqs_processor (envelopes) and dlq_archiver (dlq_errors rows). Every record belongs
to one item (an SQS message id); the report names exactly the items that did not get through,
so the handlers can return them as ``batchItemFailures``.

Retried (same :class:`RetryPolicy`): records that PutRecordBatch reports with an ``ErrorCode``,
and whole calls refused for throttling or unavailability. Not retried: a record over the
per-record limit (it can never be sent) and calls refused for any other reason (wrong stream,
missing permission: retrying cannot help; SQS redelivery will try again later).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from leanops.ingest.retry import RetryPolicy
from leanops.ingest.types import FirehoseClient, FirehoseRecordEntry

logger = logging.getLogger(__name__)

KIB = 1024
MIB = 1024 * KIB
MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 4 * MIB
MAX_BYTES_PER_RECORD = 1000 * KIB
RETRYABLE_CALL_ERRORS = frozenset(
    {
        "ServiceUnavailableException",
        "ThrottlingException",
        "Throttling",
        "LimitExceededException",
        "LimitExceeded",
    }
)


@dataclass(frozen=True)
class FirehoseLimits:
    """Firehose's PutRecordBatch limits, in records and bytes of the encoded data."""

    max_records_per_call: int = MAX_RECORDS_PER_CALL
    max_bytes_per_call: int = MAX_BYTES_PER_CALL
    max_bytes_per_record: int = MAX_BYTES_PER_RECORD


DEFAULT_LIMITS = FirehoseLimits()
DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class OutboundRecord:
    """One Firehose record and the item (SQS message id) it belongs to."""

    item_id: str
    data: bytes


@dataclass(frozen=True)
class DeliveryReport:
    """What reached Firehose: delivered item ids and failed item id -> last reason."""

    delivered: tuple[str, ...]
    failed: Mapping[str, str] = field(default_factory=dict)
    calls: int = 0

    @property
    def all_delivered(self) -> bool:
        """True when no record failed."""
        return not self.failed


def oversize_reason(size: int, limits: FirehoseLimits = DEFAULT_LIMITS) -> str | None:
    """Return why a record of ``size`` bytes cannot be sent, or None when it fits."""
    if size <= limits.max_bytes_per_record:
        return None
    return (
        f"record of {size} bytes exceeds Firehose's {limits.max_bytes_per_record // KIB:,} KiB record limit"
    )


def chunk_records(
    records: Sequence[OutboundRecord], limits: FirehoseLimits = DEFAULT_LIMITS
) -> list[list[OutboundRecord]]:
    """Split records, in order, into PutRecordBatch calls within the count and byte limits.

    Raises:
        ValueError: when a record alone exceeds the per-record limit (filter those first).
    """
    chunks: list[list[OutboundRecord]] = []
    current: list[OutboundRecord] = []
    current_bytes = 0
    for record in records:
        size = len(record.data)
        if (reason := oversize_reason(size, limits)) is not None:
            raise ValueError(f"item {record.item_id}: {reason}")
        full = len(current) == limits.max_records_per_call or current_bytes + size > limits.max_bytes_per_call
        if current and full:
            chunks.append(current)
            current, current_bytes = [], 0
        current.append(record)
        current_bytes += size
    if current:
        chunks.append(current)
    return chunks


def _put_chunk(
    firehose: FirehoseClient, stream: str, chunk: Sequence[OutboundRecord]
) -> tuple[list[OutboundRecord], dict[str, str], dict[str, str]]:
    """Send one chunk; return (records to retry, their reasons, final failures)."""
    entries = [FirehoseRecordEntry(Data=record.data) for record in chunk]
    try:
        response: Mapping[str, Any] = firehose.put_record_batch(DeliveryStreamName=stream, Records=entries)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
        reason = f"PutRecordBatch to {stream} refused: {code}: {exc}"
        if code in RETRYABLE_CALL_ERRORS:
            return list(chunk), {r.item_id: reason for r in chunk}, {}
        return [], {}, {r.item_id: reason for r in chunk}
    except BotoCoreError as exc:
        reason = f"PutRecordBatch to {stream} failed: {exc}"
        return list(chunk), {r.item_id: reason for r in chunk}, {}
    if not response.get("FailedPutCount"):
        return [], {}, {}
    retry: list[OutboundRecord] = []
    reasons: dict[str, str] = {}
    for record, result in zip(chunk, response["RequestResponses"], strict=True):
        if result.get("ErrorCode"):
            retry.append(record)
            reasons[record.item_id] = (
                f"Firehose {result['ErrorCode']}: {result.get('ErrorMessage', '')}".strip()
            )
    return retry, reasons, {}


def deliver(
    firehose: FirehoseClient,
    stream: str,
    records: Sequence[OutboundRecord],
    policy: RetryPolicy = DEFAULT_RETRY,
    limits: FirehoseLimits = DEFAULT_LIMITS,
) -> DeliveryReport:
    """Put every record to the stream, retrying what fails, and report per item.

    Args:
        firehose: a Firehose client (boto3 or a fake).
        stream: the delivery stream name.
        records: the records; an item fails if any of its records fails.
        policy: retry attempts and backoff.
        limits: Firehose's limits.

    Returns:
        Delivered item ids (in input order) and failed item id -> reason.
    """
    failed: dict[str, str] = {}
    pending: list[OutboundRecord] = []
    for record in records:
        reason = oversize_reason(len(record.data), limits)
        if reason is None:
            pending.append(record)
        else:
            failed[record.item_id] = reason
    calls = 0
    for attempt in range(1, policy.max_attempts + 1):
        retry: list[OutboundRecord] = []
        reasons: dict[str, str] = {}
        for chunk in chunk_records(pending, limits):
            calls += 1
            chunk_retry, chunk_reasons, chunk_failed = _put_chunk(firehose, stream, chunk)
            retry += chunk_retry
            reasons.update(chunk_reasons)
            failed.update(chunk_failed)
        pending = retry
        if not pending:
            break
        logger.warning(
            "Firehose put attempt %d/%d left %d record(s) undelivered",
            attempt,
            policy.max_attempts,
            len(pending),
            extra={"stream": stream, "reasons": sorted(set(reasons.values()))[:5]},
        )
        if attempt < policy.max_attempts:
            policy.wait_after(attempt)
    for record in pending:
        failed[record.item_id] = f"{reasons[record.item_id]} (after {policy.max_attempts} attempts)"
    delivered = tuple(dict.fromkeys(r.item_id for r in records if r.item_id not in failed))
    return DeliveryReport(delivered=delivered, failed=failed, calls=calls)


def deliver_to_streams(
    firehose: FirehoseClient,
    routed: Mapping[str, Sequence[OutboundRecord]],
    policy: RetryPolicy = DEFAULT_RETRY,
    limits: FirehoseLimits = DEFAULT_LIMITS,
) -> DeliveryReport:
    """Put each stream's records with :func:`deliver` and report per item over all the streams.

    Args:
        firehose: a Firehose client (boto3 or a fake).
        routed: stream name -> its records (see :func:`leanops.ingest.streams.stream_for`).
        policy: retry attempts and backoff, per stream.
        limits: Firehose's limits.

    Returns:
        Delivered item ids (stream by stream, in input order) and failed item id -> reason.
    """
    reports = [deliver(firehose, stream, records, policy, limits) for stream, records in routed.items()]
    failed = {item: reason for report in reports for item, reason in report.failed.items()}
    delivered = tuple(
        dict.fromkeys(item for report in reports for item in report.delivered if item not in failed)
    )
    return DeliveryReport(delivered=delivered, failed=failed, calls=sum(r.calls for r in reports))
