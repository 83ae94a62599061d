"""DLQ replay: send dlq_errors rows back to their topic's queue so they flow through again.

Each replayed message carries ``leanops_original_message_id`` and ``leanops_original_sent_at``
(epoch ms): sqs_processor then writes the envelope under the original ``message_id`` and
``sent_at`` (and sets ``replayed_at``), so standardized deduplicates a replay of a message that
did arrive after all. Reading dlq_errors is the CLI's job; this module turns rows into
SendMessageBatch entries and sends them.

sqs_processor keeps those only when ``leanops_replay_mac`` verifies: :class:`ReplaySigner` signs
(topic, original id, original send time, SHA-256 of the body) with the stack's HMAC KMS key
(GenerateMac, AWS KMS API Reference). The operator who replays needs ``kms:GenerateMac`` (and, to
find the key by its alias, ``kms:DescribeKey``) on that key (modules/storage README). Without a
signer the messages go unsigned and arrive as new messages under their own ids (a warning says so).

Limits: 10 entries per call; a message (body + attribute names, types and values) within the
queue's ``MaximumMessageSize`` (at most 1 MiB); a call's messages within 1 MiB in total.
Rows that cannot be replayed (no or empty payload, payload truncated by the archiver, too large)
are reported as rejected, never sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from leanops.exceptions import ReplayRowError
from leanops.ingest.delivery import MIB
from leanops.ingest.dlq_archiver import is_truncated
from leanops.ingest.envelope import (
    ORIGINAL_MESSAGE_ID_ATTRIBUTE,
    ORIGINAL_SENT_AT_ATTRIBUTE,
    REPLAY_MAC_ALGORITHM,
    REPLAY_MAC_ATTRIBUTE,
    KmsClient,
    encode_mac,
    replay_mac_message,
    resolve_key_id,
)
from leanops.ingest.timestamps import datetime_to_millis, iso_to_millis
from leanops.ingest.types import MessageAttributeValue, ReplayEntry, SqsClient

logger = logging.getLogger(__name__)

MAX_ENTRIES_PER_BATCH = 10
MAX_MESSAGE_BYTES = 1 * MIB
MAX_BATCH_BYTES = 1 * MIB
MAXIMUM_MESSAGE_SIZE_ATTRIBUTE = "MaximumMessageSize"


@dataclass(frozen=True)
class ReplaySigner:
    """Signs what a replay keeps with the stack's HMAC KMS key (GenerateMac).

    Attributes:
        kms: a KMS client.
        key_id: the key's id or ARN (an alias is resolved by :meth:`for_key`).
    """

    kms: KmsClient
    key_id: str

    @classmethod
    def for_key(cls, kms: KmsClient, key: str) -> ReplaySigner:
        """Return a signer of ``key`` (key id, ARN or alias)."""
        return cls(kms, resolve_key_id(kms, key))

    def mac(self, topic: str, message_id: str, sent_at_millis: str | None, body: str) -> str:
        """Return the attribute value of the MAC over what the replay keeps."""
        message = replay_mac_message(topic, message_id, sent_at_millis, body)
        response = self.kms.generate_mac(
            Message=message, KeyId=self.key_id, MacAlgorithm=REPLAY_MAC_ALGORITHM
        )
        return encode_mac(response["Mac"])


@dataclass(frozen=True)
class ReplayResult:
    """Outcome of a replay, by original message id.

    Attributes:
        sent: message ids accepted by SQS.
        failed: message id -> why SQS refused it (retrying may help).
        rejected: message id -> why the row cannot be replayed (retrying will not help).
    """

    sent: tuple[str, ...] = ()
    failed: Mapping[str, str] = field(default_factory=dict)
    rejected: Mapping[str, str] = field(default_factory=dict)


def _sent_at_millis(message_id: str, sent_at: Any) -> int | None:
    if sent_at is None:
        # A replay keeps the original id only with the original send time: every copy of a
        # message carries one sent_at, by which the MERGEs prune (leanops.jobs.iceberg_io.SentRange).
        raise ReplayRowError(
            message_id, "the row has no sent_at: a replay keeps its id only with the original send time"
        )
    try:
        if isinstance(sent_at, datetime):
            return datetime_to_millis(sent_at)
        if isinstance(sent_at, str):
            return iso_to_millis(sent_at)
    except ValueError as exc:
        raise ReplayRowError(message_id, f"sent_at {sent_at!r}: {exc}") from exc
    raise ReplayRowError(
        message_id, f"sent_at must be a datetime or ISO-8601 text, got {type(sent_at).__name__}"
    )


def replay_entry(row: Mapping[str, Any], entry_id: str, signer: ReplaySigner | None = None) -> ReplayEntry:
    """Return the SendMessageBatch entry replaying one dlq_errors row.

    Args:
        row: a dlq_errors row (``topic_name``, ``message_id``, ``payload``, ``sent_at``...).
        entry_id: the entry's id, unique within its batch.
        signer: signs what the entry keeps (None: unsigned, it arrives as a new message).

    Raises:
        ReplayRowError: when the row has no message id or no usable payload (or, to be signed,
            no topic).
    """
    message_id = row.get("message_id")
    if not isinstance(message_id, str) or not message_id:
        raise ReplayRowError(str(message_id), "the row has no message_id")
    payload = row.get("payload")
    if not isinstance(payload, str) or not payload:
        raise ReplayRowError(message_id, "the row has no payload (SQS refuses empty bodies)")
    if is_truncated(row):
        raise ReplayRowError(
            message_id, "its payload was truncated by the archiver; the original body is not stored"
        )
    attributes = {
        ORIGINAL_MESSAGE_ID_ATTRIBUTE: MessageAttributeValue(DataType="String", StringValue=message_id)
    }
    millis = _sent_at_millis(message_id, row.get("sent_at"))
    sent_at = None if millis is None else str(millis)
    if sent_at is not None:
        attributes[ORIGINAL_SENT_AT_ATTRIBUTE] = MessageAttributeValue(DataType="Number", StringValue=sent_at)
    if signer is not None:
        topic = row.get("topic_name")
        if not isinstance(topic, str) or not topic:
            raise ReplayRowError(message_id, "the row has no topic_name to sign the replay for")
        attributes[REPLAY_MAC_ATTRIBUTE] = MessageAttributeValue(
            DataType="String", StringValue=signer.mac(topic, message_id, sent_at, payload)
        )
    return ReplayEntry(Id=entry_id, MessageBody=payload, MessageAttributes=attributes)


def replay_entries(rows: Iterable[Mapping[str, Any]]) -> list[ReplayEntry]:
    """Return one SendMessageBatch entry per row, with ids ``"0"``, ``"1"``... in row order.

    Raises:
        ReplayRowError: on the first row that cannot be replayed.
    """
    return [replay_entry(row, str(index)) for index, row in enumerate(rows)]


def message_size(entry: ReplayEntry) -> int:
    """Return an entry's size as SQS counts it: body plus attribute names, types and values."""
    size = len(entry["MessageBody"].encode("utf-8"))
    for name, value in entry["MessageAttributes"].items():
        size += sum(len(part.encode("utf-8")) for part in (name, value["DataType"], value["StringValue"]))
    return size


def batch_entries(
    entries: Sequence[ReplayEntry], max_batch_bytes: int = MAX_BATCH_BYTES
) -> list[list[ReplayEntry]]:
    """Split entries, in order, into batches of at most 10 entries and ``max_batch_bytes``."""
    batches: list[list[ReplayEntry]] = []
    current: list[ReplayEntry] = []
    current_bytes = 0
    for entry in entries:
        size = message_size(entry)
        if current and (len(current) == MAX_ENTRIES_PER_BATCH or current_bytes + size > max_batch_bytes):
            batches.append(current)
            current, current_bytes = [], 0
        current.append(entry)
        current_bytes += size
    if current:
        batches.append(current)
    return batches


def queue_message_limit(sqs: SqsClient, queue_url: str) -> int:
    """Return the largest message the queue accepts (its MaximumMessageSize, at most 1 MiB)."""
    response = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=[MAXIMUM_MESSAGE_SIZE_ATTRIBUTE])
    configured = response.get("Attributes", {}).get(MAXIMUM_MESSAGE_SIZE_ATTRIBUTE)
    return min(int(configured), MAX_MESSAGE_BYTES) if configured else MAX_MESSAGE_BYTES


def _send_batch(sqs: SqsClient, queue_url: str, batch: Sequence[ReplayEntry]) -> dict[str, str]:
    """Send one batch; return entry id -> reason for the entries SQS refused."""
    try:
        response = sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
    except (ClientError, BotoCoreError) as exc:
        return {entry["Id"]: f"SendMessageBatch to {queue_url} failed: {exc}" for entry in batch}
    return {
        item["Id"]: f"SQS {item.get('Code', 'Error')}: {item.get('Message', '')}".strip()
        for item in response.get("Failed", [])
    }


def send_replay(
    sqs: SqsClient,
    queue_url: str,
    rows: Iterable[Mapping[str, Any]],
    max_message_bytes: int | None = None,
    signer: ReplaySigner | None = None,
) -> ReplayResult:
    """Send dlq_errors rows back to a topic's queue.

    Args:
        sqs: an SQS client.
        queue_url: URL of the topic's source queue.
        rows: dlq_errors rows of that topic.
        max_message_bytes: the queue's message size limit (default: read from the queue).
        signer: signs each replay so that sqs_processor keeps its original id (None: unsigned).

    Returns:
        Sent, failed and rejected message ids (failed and rejected with reasons).
    """
    limit = max_message_bytes or queue_message_limit(sqs, queue_url)
    if signer is None:
        logger.warning("replay to %s is not signed: the messages arrive under new ids", queue_url)
    entries: list[ReplayEntry] = []
    message_ids: dict[str, str] = {}
    rejected: dict[str, str] = {}
    for index, row in enumerate(rows):
        try:
            entry = replay_entry(row, str(index), signer)
        except ReplayRowError as exc:
            rejected[exc.message_id] = exc.problem
            continue
        if (size := message_size(entry)) > limit:
            rejected[row["message_id"]] = f"message of {size} bytes exceeds the queue's {limit}-byte limit"
            continue
        entries.append(entry)
        message_ids[entry["Id"]] = row["message_id"]
    failed: dict[str, str] = {}
    for batch in batch_entries(entries):
        for entry_id, reason in _send_batch(sqs, queue_url, batch).items():
            failed[message_ids[entry_id]] = reason
    sent = tuple(message_ids[e["Id"]] for e in entries if message_ids[e["Id"]] not in failed)
    logger.info(
        "replay to %s: %d sent, %d failed, %d rejected", queue_url, len(sent), len(failed), len(rejected)
    )
    return ReplayResult(sent=sent, failed=failed, rejected=rejected)
