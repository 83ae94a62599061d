"""Per-topic, per-layer checkpoints (the last source snapshot processed) in DynamoDB.

Table layout (docs/DESIGN_NOTES.md): partition key ``topic`` (S), sort key ``layer`` (S);
attributes ``snapshot_id`` (S), ``run_id`` (S), ``updated_at`` (S, ISO-8601 UTC).

Besides the layers, sort key ``contract_alert`` remembers the last malformed contract version of
the topic that was alerted (``contract_version``): a conditional put claims each version once, so
the jobs (both layers, every cycle, concurrent runs) alert once per version.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from leanops import faults
from leanops.adapters.aws import DYNAMODB_SERVICE
from leanops.exceptions import CheckpointConflictError

logger = logging.getLogger(__name__)

TOPIC_KEY = "topic"
LAYER_KEY = "layer"
SNAPSHOT_ATTRIBUTE = "snapshot_id"
RUN_ID_ATTRIBUTE = "run_id"
UPDATED_AT_ATTRIBUTE = "updated_at"
CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"
CONTRACT_ALERT_KEY = "contract_alert"
CONTRACT_VERSION_ATTRIBUTE = "contract_version"


class CheckpointStore:
    """Reads and advances checkpoints with conditional writes (optimistic concurrency)."""

    def __init__(self, table_name: str, dynamodb_client: Any | None = None) -> None:
        """Open the store.

        Args:
            table_name: the DynamoDB checkpoint table.
            dynamodb_client: a boto3 DynamoDB client; created when None.

        """
        self.table_name = table_name
        self._dynamodb = dynamodb_client or boto3.client(DYNAMODB_SERVICE)

    def get(self, topic: str, layer: str) -> str | None:
        """Return the snapshot id a layer last processed for a topic, or None before its first run."""
        response = self._dynamodb.get_item(
            TableName=self.table_name,
            Key=_key(topic, layer),
            ConsistentRead=True,
        )
        item = response.get("Item") or {}
        value = item.get(SNAPSHOT_ATTRIBUTE, {}).get("S")
        return str(value) if value else None

    def advance(self, topic: str, layer: str, expected: str | None, new: str, run_id: str) -> None:
        """Move a checkpoint from ``expected`` to ``new``, only if nobody moved it meanwhile.

        Args:
            topic: the topic.
            layer: ``standardized`` or ``curated``.
            expected: the value read at the start of the run (None: no checkpoint yet).
            new: the snapshot id processed up to.
            run_id: the run writing it.

        Raises:
            CheckpointConflictError: when the stored value is no longer ``expected``.
            InjectedFaultError: when the ``checkpoint-write-failure`` fault is drawn.

        """
        values: dict[str, Any] = {
            ":new": {"S": new},
            ":run": {"S": run_id},
            ":now": {"S": datetime.now(UTC).isoformat()},
        }
        if expected is None:
            condition = "attribute_not_exists(#snapshot)"
        else:
            condition = "#snapshot = :expected"
            values[":expected"] = {"S": expected}
        faults.maybe_fail(faults.CHECKPOINT_WRITE_FAILURE, f"checkpoint {layer}/{topic}")
        try:
            self._dynamodb.update_item(
                TableName=self.table_name,
                Key=_key(topic, layer),
                UpdateExpression="SET #snapshot = :new, #run = :run, #updated = :now",
                ConditionExpression=condition,
                ExpressionAttributeNames={
                    "#snapshot": SNAPSHOT_ATTRIBUTE,
                    "#run": RUN_ID_ATTRIBUTE,
                    "#updated": UPDATED_AT_ATTRIBUTE,
                },
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == CONDITIONAL_CHECK_FAILED:
                raise CheckpointConflictError(topic, layer, expected) from exc
            raise
        logger.info("checkpoint %s/%s advanced from %s to %s by %s", layer, topic, expected, new, run_id)

    def claim_contract_alert(self, topic: str, version: str, run_id: str) -> bool:
        """Record that a malformed contract version is being alerted; False when it already was.

        Args:
            topic: the topic.
            version: the contract object's version (VersionId or ETag).
            run_id: the run alerting it.

        Raises:
            botocore.exceptions.ClientError: on a DynamoDB failure other than the condition.

        """
        try:
            self._dynamodb.put_item(
                TableName=self.table_name,
                Item={
                    **_key(topic, CONTRACT_ALERT_KEY),
                    CONTRACT_VERSION_ATTRIBUTE: {"S": version},
                    RUN_ID_ATTRIBUTE: {"S": run_id},
                    UPDATED_AT_ATTRIBUTE: {"S": datetime.now(UTC).isoformat()},
                },
                ConditionExpression="attribute_not_exists(#version) OR #version <> :version",
                ExpressionAttributeNames={"#version": CONTRACT_VERSION_ATTRIBUTE},
                ExpressionAttributeValues={":version": {"S": version}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == CONDITIONAL_CHECK_FAILED:
                return False
            raise
        return True


def _key(topic: str, layer: str) -> dict[str, dict[str, str]]:
    return {TOPIC_KEY: {"S": topic}, LAYER_KEY: {"S": layer}}
