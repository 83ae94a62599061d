"""Processing locks with expiry in DynamoDB (``topic#<topic>``, ``cycle#<state machine>``).

Table layout (docs/DESIGN_NOTES.md): partition key ``lock_id`` (S); attributes ``owner`` (S)
and ``expires_at`` (N, epoch seconds, the table's TTL attribute). A lock whose ``expires_at``
has passed belongs to a run that died: the next run takes it over.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import boto3
from botocore.exceptions import ClientError

from leanops.adapters.aws import DYNAMODB_SERVICE
from leanops.adapters.checkpoints import CONDITIONAL_CHECK_FAILED
from leanops.exceptions import LockHeldError

logger = logging.getLogger(__name__)

LOCK_ID_KEY = "lock_id"
OWNER_ATTRIBUTE = "owner"
EXPIRES_AT_ATTRIBUTE = "expires_at"
TOPIC_LOCK_PREFIX = "topic#"
CYCLE_LOCK_PREFIX = "cycle#"


def topic_lock_id(topic: str) -> str:
    """Return the lock id of a topic (``topic#<topic>``)."""
    return f"{TOPIC_LOCK_PREFIX}{topic}"


def cycle_lock_id(state_machine_name: str) -> str:
    """Return the lock id of a stack's cycle (``cycle#<state machine>``, modules/orchestration)."""
    return f"{CYCLE_LOCK_PREFIX}{state_machine_name}"


class LockStore:
    """Acquires and releases expiring locks with conditional writes."""

    def __init__(self, table_name: str, dynamodb_client: Any | None = None) -> None:
        """Open the store.

        Args:
            table_name: the DynamoDB lock table.
            dynamodb_client: a boto3 DynamoDB client; created when None.

        """
        self.table_name = table_name
        self._dynamodb = dynamodb_client or boto3.client(DYNAMODB_SERVICE)

    def acquire(self, lock_id: str, owner: str, ttl_seconds: int) -> None:
        """Take a lock that is free or expired.

        Args:
            lock_id: the lock (``topic#orders``).
            owner: the run taking it.
            ttl_seconds: how long the lock holds if its owner never releases it.

        Raises:
            LockHeldError: when another owner holds it and it has not expired.

        """
        now = int(time.time())
        try:
            response = self._dynamodb.put_item(
                TableName=self.table_name,
                Item={
                    LOCK_ID_KEY: {"S": lock_id},
                    OWNER_ATTRIBUTE: {"S": owner},
                    EXPIRES_AT_ATTRIBUTE: {"N": str(now + ttl_seconds)},
                },
                ConditionExpression="attribute_not_exists(#lock_id) OR #expires_at < :now",
                ExpressionAttributeNames={"#lock_id": LOCK_ID_KEY, "#expires_at": EXPIRES_AT_ATTRIBUTE},
                ExpressionAttributeValues={":now": {"N": str(now)}},
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != CONDITIONAL_CHECK_FAILED:
                raise
            holder, expires_at = self._holder(lock_id)
            raise LockHeldError(lock_id, holder, expires_at) from exc
        previous = response.get("Attributes")
        if previous:
            logger.warning(
                "lock %s taken over by %s from %s, whose lock expired at %s",
                lock_id,
                owner,
                previous.get(OWNER_ATTRIBUTE, {}).get("S"),
                previous.get(EXPIRES_AT_ATTRIBUTE, {}).get("N"),
            )

    def release(self, lock_id: str, owner: str) -> bool:
        """Release a lock if ``owner`` still holds it.

        Returns:
            True when released; False when another run had taken it over (logged, not raised,
            so that releasing in a ``finally`` never hides the run's own error).

        """
        try:
            self._dynamodb.delete_item(
                TableName=self.table_name,
                Key={LOCK_ID_KEY: {"S": lock_id}},
                ConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": OWNER_ATTRIBUTE},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != CONDITIONAL_CHECK_FAILED:
                raise
            logger.warning(
                "lock %s is no longer held by %s (taken over after expiry); not released", lock_id, owner
            )
            return False
        return True

    def _holder(self, lock_id: str) -> tuple[str, float]:
        item = self._dynamodb.get_item(
            TableName=self.table_name, Key={LOCK_ID_KEY: {"S": lock_id}}, ConsistentRead=True
        )
        attributes = item.get("Item") or {}
        owner = attributes.get(OWNER_ATTRIBUTE, {}).get("S", "unknown")
        expires_at = float(attributes.get(EXPIRES_AT_ATTRIBUTE, {}).get("N", "0"))
        return owner, expires_at
