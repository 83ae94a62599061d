"""Which replayed SQS messages may keep their original id: those whose replay MAC verifies.

A message carrying the replay attributes (``leanops_original_message_id``...) was either sent back
from dlq_errors by DLQ replay, which signs what it keeps with the stack's HMAC KMS key
(GenerateMac, :class:`leanops.ingest.replay.ReplaySigner`), or set by any producer. Both Lambdas
that read those attributes (sqs_processor, dlq_archiver) trust them only after VerifyMac (AWS KMS
API Reference, "VerifyMac"): one call per replayed message, and replays are rare.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import BotoCoreError, ClientError

from leanops.exceptions import RecordRejectedError
from leanops.ingest.envelope import (
    REPLAY_MAC_ALGORITHM,
    KmsClient,
    is_replay,
    original_message_id,
    replay_claim,
    resolve_key_id,
)

logger = logging.getLogger(__name__)

# VerifyMac's answer to a MAC that does not match (AWS KMS API Reference, "VerifyMac": Errors).
INVALID_MAC_ERRORS = frozenset({"KMSInvalidMacException"})
# Errors that no retry fixes: the key is absent, disabled or not an HMAC key.
KEY_UNUSABLE_ERRORS = frozenset(
    {"NotFoundException", "DisabledException", "KMSInvalidStateException", "InvalidKeyUsageException"}
)


def _verify(kms: KmsClient, key_id: str, record: SQSRecord, topic: str) -> str:
    """Return "" when the record's replay MAC verifies, else why its original id is not kept.

    Raises:
        RecordRejectedError: on a KMS error a retry may fix (the record goes back to its queue).
    """
    claim = replay_claim(record, topic)
    if claim is None:
        return "no valid leanops_replay_mac attribute"
    message, mac = claim
    try:
        kms.verify_mac(Message=message, KeyId=key_id, MacAlgorithm=REPLAY_MAC_ALGORITHM, Mac=mac)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in INVALID_MAC_ERRORS:
            return "its replay MAC does not verify"
        if code in KEY_UNUSABLE_ERRORS:
            return f"the replay key {key_id} is unusable ({code})"
        raise RecordRejectedError(record.message_id, f"VerifyMac failed, will retry: {exc}") from exc
    except BotoCoreError as exc:
        raise RecordRejectedError(record.message_id, f"VerifyMac failed, will retry: {exc}") from exc
    return ""


def _replay_key(kms: KmsClient | None, key: str) -> tuple[str, str]:
    """Return (key id, "") of the replay key, or ("", why replays cannot be verified)."""
    if kms is None:
        return "", "no KMS client is configured to verify replays"
    try:
        return resolve_key_id(kms, key), ""
    except (ClientError, BotoCoreError) as exc:
        return "", f"the replay key {key} is unusable: {exc}"


def trusted_replays(
    records: Sequence[tuple[SQSRecord, str]], kms: KmsClient | None, key: str
) -> tuple[set[str], dict[str, str]]:
    """Return the SQS ids of the replayed records whose MAC verifies, and the failed ones' reasons.

    A replayed record that does not verify keeps its own id and send time; a warning names it.

    Args:
        records: (record, topic) pairs of the batch.
        kms: a KMS client (None: no replay can be verified).
        key: the replay key (id, ARN or alias).
    """
    trusted: set[str] = set()
    failures: dict[str, str] = {}
    replays = [(record, topic) for record, topic in records if is_replay(record)]
    if not replays:
        return trusted, failures
    key_id, problem = _replay_key(kms, key)
    for record, topic in replays:
        try:
            reason = problem if problem or kms is None else _verify(kms, key_id, record, topic)
        except RecordRejectedError as exc:
            failures[record.message_id] = exc.problem
            continue
        if reason:
            logger.warning(
                "message %s claims to replay %s but %s: it keeps its own id and send time",
                record.message_id,
                original_message_id(record),
                reason,
            )
        else:
            trusted.add(record.message_id)
    return trusted, failures


def sort_batch(
    records: Sequence[SQSRecord],
    topic_of: Callable[[SQSRecord], str],
    kms: KmsClient | None,
    key: str,
) -> tuple[list[tuple[SQSRecord, str]], set[str], dict[str, str]]:
    """Split a Lambda batch into its usable records (with their topics) and its failures.

    Args:
        records: the batch.
        topic_of: a record's topic (raises RecordRejectedError for a queue not of the stack).
        kms: a KMS client (None: no replay can be verified).
        key: the replay key (id, ARN or alias).

    Returns:
        (record, topic) of each record to process, the SQS ids of the trusted replays among them,
        and message id -> reason of the records that fail (a foreign queue, a VerifyMac to retry).
    """
    failures: dict[str, str] = {}
    topics: list[tuple[SQSRecord, str]] = []
    for record in records:
        try:
            topics.append((record, topic_of(record)))
        except RecordRejectedError as exc:
            failures[record.message_id] = exc.problem
    trusted, unverified = trusted_replays(topics, kms, key)
    failures.update(unverified)
    usable = [(record, topic) for record, topic in topics if record.message_id not in unverified]
    return usable, trusted, failures
