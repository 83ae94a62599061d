"""sqs_processor's logic: wrap every SQS message in an envelope and put it to Firehose.

A record whose queue has no topic, or whose envelope is over Firehose's record limit, fails
alone (it goes back to the queue and, after ``max_receive_count`` receives, to the DLQ where
dlq_archiver records why). Everything else is put with :func:`leanops.ingest.delivery.deliver`;
what still fails after the retries is reported in ``batchItemFailures``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leanops import faults
from leanops.exceptions import RecordRejectedError
from leanops.ingest.batch import BatchOutcome
from leanops.ingest.config import IngestSettings
from leanops.ingest.delivery import DEFAULT_LIMITS, DeliveryReport, FirehoseLimits, OutboundRecord, deliver
from leanops.ingest.envelope import build_envelope, encode_row, queue_name_from_arn
from leanops.ingest.timestamps import utc_now
from leanops.ingest.types import FirehoseClient

PROCESSOR_NAME = "sqs_processor"


def envelope_record(record: SQSRecord, config: IngestSettings, ingested_at: datetime) -> OutboundRecord:
    """Return the Firehose record (encoded envelope) of one SQS message.

    Raises:
        RecordRejectedError: when the queue has no topic or the SQS attributes are unusable.
    """
    queue = queue_name_from_arn(record.event_source_arn)
    topic = config.topic_of_queue(queue)
    if topic is None:
        raise RecordRejectedError(record.message_id, config.unknown_queue_reason(queue))
    try:
        envelope = build_envelope(record, topic, ingested_at)
    except (ValueError, KeyError) as exc:
        raise RecordRejectedError(record.message_id, f"unusable SQS attributes: {exc}") from exc
    return OutboundRecord(item_id=record.message_id, data=encode_row(envelope))


def _put(
    firehose: FirehoseClient,
    config: IngestSettings,
    outbound: Sequence[OutboundRecord],
    limits: FirehoseLimits,
) -> DeliveryReport:
    faults.maybe_fail(faults.LAMBDA_CRASH_BEFORE_PUT, f"{PROCESSOR_NAME} before PutRecordBatch")
    report = deliver(firehose, config.firehose_stream, outbound, config.retry, limits)
    if report.all_delivered:
        faults.maybe_fail(faults.LAMBDA_CRASH_AFTER_PUT, f"{PROCESSOR_NAME} after PutRecordBatch")
    return report


def process_sqs_batch(
    records: Sequence[SQSRecord],
    config: IngestSettings,
    firehose: FirehoseClient,
    ingested_at: datetime | None = None,
    limits: FirehoseLimits = DEFAULT_LIMITS,
) -> BatchOutcome:
    """Deliver a batch of SQS messages to Firehose and report the messages that did not get there.

    Args:
        records: the SQS records of one Lambda event.
        config: stream, queue -> topic mapping and retry policy.
        firehose: a Firehose client.
        ingested_at: the batch's ingestion time (default: now).
        limits: Firehose's limits.

    Returns:
        The outcome: failed SQS message id -> reason (``outcome.response()`` gives
        ``batchItemFailures`` naming exactly those ids).

    Raises:
        InjectedFaultError: when a configured fault point fires (the invocation fails).
    """
    moment = ingested_at or utc_now()
    failures: dict[str, str] = {}
    outbound: list[OutboundRecord] = []
    for record in records:
        try:
            outbound.append(envelope_record(record, config, moment))
        except RecordRejectedError as exc:
            failures[record.message_id] = exc.problem
    if outbound:
        failures.update(_put(firehose, config, outbound, limits).failed)
    return BatchOutcome(PROCESSOR_NAME, tuple(r.message_id for r in records), failures)
