"""The envelope: one RAW row per SQS message, body verbatim (schemas/events.json).

``message_id`` is the SQS message id, or for a message replayed from ``dlq_errors`` the id the
message had originally (attribute ``leanops_original_message_id``), so the replay is deduplicated
downstream; ``sent_at`` is then the original send time (``leanops_original_sent_at``, epoch ms)
and ``replayed_at`` the replay's own SentTimestamp.

Only a real replay keeps the original id: the replay path signs what it keeps with an HMAC KMS key
(``leanops_replay_mac``, :func:`replay_mac_message`: topic, original id, original send time and the
body's SHA-256), and sqs_processor verifies it before trusting the attributes; any other producer
can set the attributes but not the MAC, so its message keeps its own SQS id and send time.
AWS KMS API Reference, "GenerateMac" and "VerifyMac": an HMAC (RFC 2104) over a message of at
most 4,096 bytes with an HMAC KMS key; VerifyMac fails with ``KMSInvalidMacException`` when the
MAC does not match. The key material never leaves KMS: neither code, environment nor logs hold it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leanops.ingest.timestamps import format_iso, millis_to_iso
from leanops.ingest.types import Envelope

ORIGINAL_MESSAGE_ID_ATTRIBUTE = "leanops_original_message_id"
ORIGINAL_SENT_AT_ATTRIBUTE = "leanops_original_sent_at"
REPLAY_MAC_ATTRIBUTE = "leanops_replay_mac"
# GenerateMac / VerifyMac's MacAlgorithm for a key of KeySpec HMAC_256 (AWS KMS API Reference).
REPLAY_MAC_ALGORITHM = "HMAC_SHA_256"
REPLAY_MAC_VERSION = "leanops-replay-v1"
ALIAS_PREFIX = "alias/"
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


class KmsClient(Protocol):
    """The part of boto3's KMS client the replay signature uses."""

    def generate_mac(self, *, Message: bytes, KeyId: str, MacAlgorithm: str) -> Mapping[str, Any]:
        """Return ``{"Mac": bytes, ...}`` (boto3 signature)."""
        ...

    def verify_mac(self, *, Message: bytes, KeyId: str, MacAlgorithm: str, Mac: bytes) -> Mapping[str, Any]:
        """Return ``{"MacValid": True, ...}`` or raise ``KMSInvalidMacException`` (boto3 signature)."""
        ...

    def describe_key(self, *, KeyId: str) -> Mapping[str, Any]:
        """Return ``{"KeyMetadata": {"KeyId": ...}}`` (boto3 signature)."""
        ...


def replay_key_alias(name_prefix: str) -> str:
    """Return the alias of the stack's replay HMAC key (modules/storage, local provisioning)."""
    return f"{ALIAS_PREFIX}{name_prefix}-replay"


def resolve_key_id(kms: KmsClient, key: str) -> str:
    """Return the key id of ``key`` (a key id or ARN as is; an alias through DescribeKey)."""
    if key.startswith(ALIAS_PREFIX) or ":alias/" in key:
        return str(kms.describe_key(KeyId=key)["KeyMetadata"]["KeyId"])
    return key


def replay_mac_message(topic: str, message_id: str, sent_at_millis: str | None, body: str) -> bytes:
    """Return the bytes a replay's MAC covers (well under GenerateMac's 4,096-byte message limit).

    Args:
        topic: the topic whose queue the replay goes to.
        message_id: the original message id the replay keeps.
        sent_at_millis: the original send time it keeps (epoch ms text), or None.
        body: the message body, verbatim (covered by its SHA-256).
    """
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    fields = [REPLAY_MAC_VERSION, topic, message_id, sent_at_millis or "", digest]
    return json.dumps(fields, separators=_JSON_SEPARATORS, ensure_ascii=True).encode("ascii")


def encode_mac(mac: bytes) -> str:
    """Return a MAC as the String message attribute value carrying it (base64)."""
    return base64.b64encode(mac).decode("ascii")


def replay_claim(record: SQSRecord, topic: str) -> tuple[bytes, bytes] | None:
    """Return (MAC message, MAC) a replayed record claims, or None when it carries no usable MAC."""
    message_id = _attribute(record, ORIGINAL_MESSAGE_ID_ATTRIBUTE)
    mac_text = _attribute(record, REPLAY_MAC_ATTRIBUTE)
    if message_id is None or mac_text is None:
        return None
    try:
        mac = base64.b64decode(mac_text, validate=True)
    except ValueError:
        return None
    sent_at = _attribute(record, ORIGINAL_SENT_AT_ATTRIBUTE)
    return replay_mac_message(topic, message_id, sent_at, record.body), mac


def original_message_id(record: SQSRecord, trusted: bool = True) -> str:
    """Return the message id the pipeline knows the message by (the original one when replayed).

    Args:
        record: the SQS record.
        trusted: False when the replay attributes did not verify: the message keeps its own id.
    """
    claimed = _attribute(record, ORIGINAL_MESSAGE_ID_ATTRIBUTE) if trusted else None
    return claimed or record.message_id


def original_sent_at(record: SQSRecord, trusted: bool = True) -> str:
    """Return when the message was first sent, ISO-8601 UTC (the original time when replayed).

    Args:
        record: the SQS record.
        trusted: False when the replay attributes did not verify: its own SentTimestamp counts.

    Raises:
        ValueError: when a timestamp is not a whole number of milliseconds.
    """
    claimed = _attribute(record, ORIGINAL_SENT_AT_ATTRIBUTE) if trusted else None
    return millis_to_iso(claimed or record.attributes.sent_timestamp)


def is_replay(record: SQSRecord) -> bool:
    """Return True when the message was sent back from dlq_errors by DLQ replay."""
    return _attribute(record, ORIGINAL_MESSAGE_ID_ATTRIBUTE) is not None


def build_envelope(
    record: SQSRecord, topic: str, ingested_at: datetime, trusted_replay: bool = True
) -> Envelope:
    """Wrap one SQS message in the envelope; the body is kept verbatim, never parsed.

    Args:
        record: the SQS record of the Lambda event.
        topic: the topic of the record's queue.
        ingested_at: when the message is being wrapped (the same for a whole batch).
        trusted_replay: False when the record's replay attributes did not verify (sqs_processor):
            it is then an ordinary message (own id, own send time, no ``replayed_at``).

    Returns:
        The envelope (RAW row).

    Raises:
        ValueError: when SentTimestamp or leanops_original_sent_at is not epoch milliseconds.
    """
    replayed = trusted_replay and is_replay(record)
    replayed_at = millis_to_iso(record.attributes.sent_timestamp) if replayed else None
    return Envelope(
        topic_name=topic,
        message_id=original_message_id(record, trusted_replay),
        payload=record.body,
        sent_at=original_sent_at(record, trusted_replay),
        ingested_at=format_iso(ingested_at),
        receive_count=int(record.attributes.approximate_receive_count),
        replayed_at=replayed_at,
    )


def encode_row(row: Mapping[str, Any]) -> bytes:
    """Return a row as one Firehose record: compact UTF-8 JSON plus a newline."""
    text = json.dumps(row, separators=_JSON_SEPARATORS, ensure_ascii=False)
    return (text + RECORD_TERMINATOR).encode("utf-8")
