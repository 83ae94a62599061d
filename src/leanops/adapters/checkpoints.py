"""Per-topic, per-layer checkpoints (the last source snapshot processed) in DynamoDB.

Table layout (docs/DESIGN_NOTES.md): partition key ``topic`` (S), sort key ``layer`` (S);
attributes ``snapshot_id`` (S), ``run_id`` (S), ``updated_at`` (S, ISO-8601 UTC).

Besides the layers, sort key ``contract_alert`` remembers the last malformed contract version of
the topic that was alerted (``contract_version``): a conditional put claims each version once, so
the jobs (both layers, every cycle, concurrent runs) alert once per version.

Sort key ``rebuild`` is a pending rebuild of the topic's curated layer (``schema --rebuild``, or
the curated job's ``--LEANOPS_REBUILD_TOPICS``): ``request_id`` (S), ``contract_version`` (S, the
contract object the request was made for), ``requested_by`` (S), ``requested_at`` (S). The
curated job rebuilds the topic from the whole standardized table while the item exists, and
deletes it only after the rebuild committed and the checkpoint advanced, on the condition that it
is still the request it read: a crash anywhere leaves it pending, so the next run rebuilds again
(the rebuild replaces what it writes: nothing doubles), and a request made during a rebuild is
kept for the next run. The planner reads it in the same Query as the checkpoints.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
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
REBUILD_KEY = "rebuild"
REQUEST_ID_ATTRIBUTE = "request_id"
REQUESTED_BY_ATTRIBUTE = "requested_by"
REQUESTED_AT_ATTRIBUTE = "requested_at"


@dataclass(frozen=True)
class RebuildRequest:
    """A pending rebuild of a topic's curated layer.

    Attributes:
        topic: the topic.
        request_id: identifies this request (a newer request replaces it).
        contract_version: the contract object (VersionId or ETag) the request was made for; None
            when unknown.
        requested_by: who asked (``schema --rebuild``, a job argument).
        requested_at: when (ISO-8601 UTC).

    """

    topic: str
    request_id: str
    contract_version: str | None
    requested_by: str
    requested_at: str

    def describe(self) -> str:
        """Return ``requested by <who> at <when> for contract version <v>``."""
        return (
            f"requested by {self.requested_by} at {self.requested_at} "
            f"for contract version {self.contract_version or 'unknown'}"
        )

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> RebuildRequest:
        """Build it from its DynamoDB item (the checkpoint table's ``rebuild`` item of a topic)."""

        def text(name: str) -> str:
            return str(item.get(name, {}).get("S", ""))

        return cls(
            topic=text(TOPIC_KEY),
            request_id=text(REQUEST_ID_ATTRIBUTE),
            contract_version=text(CONTRACT_VERSION_ATTRIBUTE) or None,
            requested_by=text(REQUESTED_BY_ATTRIBUTE),
            requested_at=text(REQUESTED_AT_ATTRIBUTE),
        )


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

    def request_rebuild(self, topic: str, contract_version: str | None, requested_by: str) -> RebuildRequest:
        """Record that the topic's curated layer must be rebuilt from the whole standardized table.

        A request already pending is replaced (the newer one is for the newer contract; one
        rebuild serves both).

        Args:
            topic: the topic.
            contract_version: the contract object the rebuild is for (VersionId or ETag), if known.
            requested_by: who asks, for the logs and the job's report.

        """
        request = RebuildRequest(
            topic=topic,
            request_id=uuid.uuid4().hex,
            contract_version=contract_version,
            requested_by=requested_by,
            requested_at=datetime.now(UTC).isoformat(),
        )
        item = {
            **_key(topic, REBUILD_KEY),
            REQUEST_ID_ATTRIBUTE: {"S": request.request_id},
            REQUESTED_BY_ATTRIBUTE: {"S": requested_by},
            REQUESTED_AT_ATTRIBUTE: {"S": request.requested_at},
        }
        if contract_version:
            item[CONTRACT_VERSION_ATTRIBUTE] = {"S": contract_version}
        self._dynamodb.put_item(TableName=self.table_name, Item=item)
        logger.info("rebuild of curated/%s %s", topic, request.describe())
        return request

    def rebuild_request(self, topic: str) -> RebuildRequest | None:
        """Return the topic's pending rebuild request, or None."""
        response = self._dynamodb.get_item(
            TableName=self.table_name, Key=_key(topic, REBUILD_KEY), ConsistentRead=True
        )
        item = response.get("Item")
        return RebuildRequest.from_item(item) if item else None

    def clear_rebuild(self, request: RebuildRequest) -> bool:
        """Delete a rebuild request once it is done, only if it is still the pending one.

        Returns:
            True when it was deleted (or was already gone); False when a newer request replaced
            it meanwhile: that one stays pending.

        Raises:
            botocore.exceptions.ClientError: on a DynamoDB failure other than the condition.

        """
        try:
            self._dynamodb.delete_item(
                TableName=self.table_name,
                Key=_key(request.topic, REBUILD_KEY),
                ConditionExpression="attribute_not_exists(#request) OR #request = :request",
                ExpressionAttributeNames={"#request": REQUEST_ID_ATTRIBUTE},
                ExpressionAttributeValues={":request": {"S": request.request_id}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == CONDITIONAL_CHECK_FAILED:
                logger.info("rebuild of curated/%s: a newer request came meanwhile: it stays", request.topic)
                return False
            raise
        logger.info("rebuild of curated/%s done: request %s cleared", request.topic, request.request_id)
        return True


def _key(topic: str, layer: str) -> dict[str, dict[str, str]]:
    return {TOPIC_KEY: {"S": topic}, LAYER_KEY: {"S": layer}}
