"""sqs_processor's logic: wrap every SQS message in an envelope and put it to Firehose.

A record whose queue is not one of the stack's topic queues (its topic is derived from the queue
name), or whose envelope is over Firehose's record limit, fails alone (it goes back to the queue
and, after ``max_receive_count`` receives, to the DLQ where dlq_archiver records why). Everything
else is put, each topic to its stream (:meth:`IngestSettings.stream_of_table`), with
:func:`leanops.ingest.delivery.deliver_to_streams`; what still fails after the retries is reported
in ``batchItemFailures``.

A message carrying the replay attributes (``leanops_original_message_id``...) keeps the original id
and send time only when its MAC verifies (KMS VerifyMac, :mod:`leanops.ingest.replay_trust`; one
call per replayed message, and replays are rare). A missing or invalid MAC: the message keeps its own id
and send time and a warning names it; it is never dropped. A KMS error that may pass (throttling,
access) fails that message alone, so SQS retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leanops import definitions, faults
from leanops.exceptions import RecordRejectedError
from leanops.ingest.batch import BatchOutcome
from leanops.ingest.config import IngestSettings
from leanops.ingest.delivery import (
    DEFAULT_LIMITS,
    DeliveryReport,
    FirehoseLimits,
    OutboundRecord,
    deliver_to_streams,
)
from leanops.ingest.envelope import KmsClient, build_envelope, encode_row, queue_name_from_arn
from leanops.ingest.replay_trust import sort_batch
from leanops.ingest.timestamps import utc_now
from leanops.ingest.types import FirehoseClient

logger = logging.getLogger(__name__)

PROCESSOR_NAME = "sqs_processor"


def envelope_record(
    record: SQSRecord, topic: str, config: IngestSettings, ingested_at: datetime, trusted_replay: bool
) -> tuple[str, OutboundRecord]:
    """Return the stream and the Firehose record (encoded envelope) of one SQS message.

    Args:
        record: the SQS record.
        topic: the topic of its queue.
        config: the Lambda's settings.
        ingested_at: the batch's ingestion time.
        trusted_replay: True when the record's replay MAC verified (it keeps the original id).

    Raises:
        RecordRejectedError: when the SQS attributes are unusable.
    """
    try:
        envelope = build_envelope(record, topic, ingested_at, trusted_replay)
    except (ValueError, KeyError) as exc:
        raise RecordRejectedError(record.message_id, f"unusable SQS attributes: {exc}") from exc
    stream = config.stream_of_table(definitions.table(definitions.RAW).name(topic))
    return stream, OutboundRecord(item_id=record.message_id, data=encode_row(envelope))


def _topic(record: SQSRecord, config: IngestSettings) -> str:
    """Return the topic of the record's queue.

    Raises:
        RecordRejectedError: when the queue is not a topic queue of the stack.
    """
    queue = queue_name_from_arn(record.event_source_arn)
    topic = config.topic_of_queue(queue)
    if topic is None:
        raise RecordRejectedError(record.message_id, config.unknown_queue_reason(queue))
    return topic


def _put(
    firehose: FirehoseClient,
    config: IngestSettings,
    routed: Mapping[str, Sequence[OutboundRecord]],
    limits: FirehoseLimits,
) -> DeliveryReport:
    faults.maybe_fail(faults.LAMBDA_CRASH_BEFORE_PUT, f"{PROCESSOR_NAME} before PutRecordBatch")
    report = deliver_to_streams(firehose, routed, config.retry, limits)
    if report.all_delivered:
        faults.maybe_fail(faults.LAMBDA_CRASH_AFTER_PUT, f"{PROCESSOR_NAME} after PutRecordBatch")
    return report


def process_sqs_batch(
    records: Sequence[SQSRecord],
    config: IngestSettings,
    firehose: FirehoseClient,
    ingested_at: datetime | None = None,
    limits: FirehoseLimits = DEFAULT_LIMITS,
    kms: KmsClient | None = None,
) -> BatchOutcome:
    """Deliver a batch of SQS messages to Firehose and report the messages that did not get there.

    Args:
        records: the SQS records of one Lambda event.
        config: streams, name prefix (queue -> topic) and retry policy.
        firehose: a Firehose client.
        ingested_at: the batch's ingestion time (default: now).
        limits: Firehose's limits.
        kms: a KMS client, used only to verify replayed messages' MACs.

    Returns:
        The outcome: failed SQS message id -> reason (``outcome.response()`` gives
        ``batchItemFailures`` naming exactly those ids).

    Raises:
        InjectedFaultError: when a configured fault point fires (the invocation fails).
    """
    moment = ingested_at or utc_now()
    routed: dict[str, list[OutboundRecord]] = {}
    topics, trusted, failures = sort_batch(
        records, lambda record: _topic(record, config), kms, config.replay_key_id
    )
    for record, topic in topics:
        try:
            stream, outbound = envelope_record(record, topic, config, moment, record.message_id in trusted)
        except RecordRejectedError as exc:
            failures[record.message_id] = exc.problem
            continue
        routed.setdefault(stream, []).append(outbound)
    if routed:
        failures.update(_put(firehose, config, routed, limits).failed)
    return BatchOutcome(PROCESSOR_NAME, tuple(r.message_id for r in records), failures)
