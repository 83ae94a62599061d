"""Cycle planner: which shards and topics have work this cycle, at the cost of metadata calls only.

A topic has work when its schema gate is open (its contract exists and is valid) and either RAW
holds a snapshot the standardized checkpoint has not reached, or standardized holds a snapshot
the curated checkpoint has not reached, or a rebuild of its curated layer is pending (the
checkpoint table's ``rebuild`` item, read by the same Query as the checkpoints). Everything else
is skipped with a reason, so a cycle with no new data costs a few metadata calls per topic and
never a Glue job run.

The current snapshot of a table comes from its catalog entry (Glue: the ``metadata_location``
table parameter). Reading the snapshot id out of that metadata file costs one S3 GET, so the
planner remembers, per topic, the metadata location it last read and the snapshot id found
there, in the checkpoint table under layer ``planner``; an unchanged location costs no S3 read.

Compaction is not new data. Table maintenance commits ``replace`` snapshots, which hold the same
rows as their parent (Iceberg table spec, snapshot summary ``operation``: "replace -- Data and
delete files were added and removed without changing table data; i.e., compaction"). The same
metadata file lists every snapshot with its parent and operation, so the planner also notes the
ancestors of the current snapshot reached through ``replace`` snapshots only
(:attr:`TableState.replaced_from`): a checkpoint among them has nothing new to read, and the topic
costs no Glue run. This is exact (the operation is required in every snapshot summary of a format
version 2 table) and free: no request beyond the metadata read the planner already makes.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict

from botocore.exceptions import ClientError

from leanops import definitions
from leanops.adapters.checkpoints import (
    LAYER_KEY,
    REBUILD_KEY,
    SNAPSHOT_ATTRIBUTE,
    TOPIC_KEY,
    RebuildRequest,
)
from leanops.adapters.contract_store import ContractStore, split_s3_uri
from leanops.exceptions import ContractError, LeanOpsError

logger = logging.getLogger(__name__)

PLANNER_LAYER = "planner"
METADATA_LOCATION_PARAMETER = "metadata_location"
RAW_LOCATION_ATTRIBUTE = "metadata_location"
STANDARDIZED_LOCATION_ATTRIBUTE = "standardized_metadata_location"
STANDARDIZED_SNAPSHOT_ATTRIBUTE = "standardized_snapshot_id"
OBSERVED_AT_ATTRIBUTE = "observed_at"
STANDARDIZED_REPLACED_ATTRIBUTE = "standardized_replaced_from"
RAW_REPLACED_ATTRIBUTE = "replaced_from"
CURRENT_SNAPSHOT_KEY = "current-snapshot-id"
SNAPSHOTS_KEY = "snapshots"
SNAPSHOT_ID_KEY = "snapshot-id"
PARENT_ID_KEY = "parent-snapshot-id"
SUMMARY_KEY = "summary"
OPERATION_KEY = "operation"
REPLACE_OPERATION = "replace"
NO_SNAPSHOT_IDS = frozenset({None, -1})
GZIP_SUFFIX = ".gz"
GLUE_TABLE_MISSING = "EntityNotFoundException"
TOPIC_SEPARATOR = ","
GATE_CLOSED = "gate closed"
INVALID_CONTRACT = "invalid contract"
UP_TO_DATE = "up to date"
ONLY_COMPACTED = "up to date: only compaction since the checkpoint"


@dataclass(frozen=True)
class Lineage:
    """One snapshot of a table's metadata: its id, its parent's, and its operation."""

    snapshot_id: str
    parent_id: str | None
    operation: str | None


@dataclass(frozen=True)
class TableState:
    """Where a table's current metadata is and which snapshot it points to (None: no snapshot).

    ``replaced_from``: the ancestors of the current snapshot that hold the same rows as it, i.e.
    reached from it through ``replace`` snapshots only (nearest first; usually empty).
    """

    metadata_location: str
    snapshot_id: str | None
    replaced_from: tuple[str, ...] = ()

    def nothing_new_after(self, checkpoint: str | None) -> bool:
        """Return True when a reader at ``checkpoint`` has every row of the current snapshot."""
        return checkpoint is not None and (checkpoint == self.snapshot_id or checkpoint in self.replaced_from)


def replaced_from(current: str, snapshots: Sequence[Lineage]) -> tuple[str, ...]:
    """Return the ancestors of ``current`` reached through ``replace`` snapshots only, nearest first.

    A snapshot whose operation is ``replace`` holds its parent's rows; the walk stops at the first
    other operation, or at a parent the metadata no longer lists (expired: its operation unknown,
    but its id is still one with the same rows).
    """
    by_id = {snapshot.snapshot_id: snapshot for snapshot in snapshots}
    ancestors: list[str] = []
    snapshot = by_id.get(current)
    while snapshot is not None and snapshot.operation == REPLACE_OPERATION and snapshot.parent_id:
        if snapshot.parent_id in ancestors:  # a cycle would be corrupt metadata: stop, stay exact
            break
        ancestors.append(snapshot.parent_id)
        snapshot = by_id.get(snapshot.parent_id)
    return tuple(ancestors)


def _lineage_of_json(metadata: Mapping[str, Any]) -> list[Lineage]:
    """Read the snapshots of an Iceberg metadata file (the JSON of the table spec)."""
    lineage = []
    for snapshot in metadata.get(SNAPSHOTS_KEY) or []:
        parent = snapshot.get(PARENT_ID_KEY)
        lineage.append(
            Lineage(
                snapshot_id=str(snapshot[SNAPSHOT_ID_KEY]),
                parent_id=None if parent in NO_SNAPSHOT_IDS else str(parent),
                operation=(snapshot.get(SUMMARY_KEY) or {}).get(OPERATION_KEY),
            )
        )
    return lineage


class TableStateReader(Protocol):
    """Reads a table's current state from its catalog."""

    def read(self, database: str, table: str, cached: TableState | None) -> TableState | None:
        """Return the table's state, or None when the table does not exist.

        ``cached`` is the state read at an earlier cycle; when the metadata location has not
        moved, the reader returns it without reading the metadata file again.
        """


class GlueTableStateReader:
    """Reads Iceberg table state from the Glue Data Catalog and the metadata file in S3."""

    def __init__(self, glue_client: Any, s3_client: Any) -> None:
        """Keep the clients.

        Args:
            glue_client: a boto3 Glue client (glue:GetTable).
            s3_client: a boto3 S3 client (s3:GetObject on the warehouse).
        """
        self._glue = glue_client
        self._s3 = s3_client

    def read(self, database: str, table: str, cached: TableState | None) -> TableState | None:
        """Return the table's state, or None when Glue has no such table (see TableStateReader)."""
        try:
            response = self._glue.get_table(DatabaseName=database, Name=table)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == GLUE_TABLE_MISSING:
                return None
            raise
        location = response["Table"].get("Parameters", {}).get(METADATA_LOCATION_PARAMETER)
        if not location:
            raise LeanOpsError(
                f"Glue table {database}.{table} has no {METADATA_LOCATION_PARAMETER}: not Iceberg"
            )
        return _current_state(location, cached, lambda: self._snapshots_in(location))

    def _snapshots_in(self, metadata_location: str) -> tuple[object, list[Lineage]]:
        bucket, key = split_s3_uri(metadata_location)
        body = self._s3.get_object(Bucket=bucket, Key=key.rstrip("/"))["Body"].read()
        if metadata_location.endswith(GZIP_SUFFIX):
            body = gzip.decompress(body)
        metadata = json.loads(body)
        return metadata.get(CURRENT_SNAPSHOT_KEY), _lineage_of_json(metadata)


class CatalogTableStateReader:
    """Reads Iceberg table state through a pyiceberg catalog (e.g. the local runner's SQLite catalog).

    Duck-typed on pyiceberg's ``Catalog`` (``table_exists``, ``load_table``), so this module never
    imports pyiceberg and stays importable in the Lambda bundle.
    """

    def __init__(self, catalog: Any) -> None:
        """Keep the catalog (a ``pyiceberg.catalog.Catalog``)."""
        self._catalog = catalog

    def read(self, database: str, table: str, cached: TableState | None) -> TableState | None:
        """Return the table's state, or None when the catalog has no such table (see TableStateReader)."""
        identifier = f"{database}.{table}"
        if not self._catalog.table_exists(identifier):
            return None
        loaded = self._catalog.load_table(identifier)
        return _current_state(loaded.metadata_location, cached, lambda: _catalog_snapshots(loaded.metadata))


def _catalog_snapshots(metadata: Any) -> tuple[object, list[Lineage]]:
    """Read the current snapshot id and the snapshots of a pyiceberg ``TableMetadata``."""
    lineage = []
    for snapshot in metadata.snapshots:
        operation = snapshot.summary.operation if snapshot.summary is not None else None
        lineage.append(
            Lineage(
                snapshot_id=str(snapshot.snapshot_id),
                parent_id=None
                if snapshot.parent_snapshot_id in NO_SNAPSHOT_IDS
                else str(snapshot.parent_snapshot_id),
                operation=getattr(operation, "value", operation),
            )
        )
    return metadata.current_snapshot_id, lineage


def _current_state(
    location: str, cached: TableState | None, snapshots_at: Callable[[], tuple[object, list[Lineage]]]
) -> TableState:
    """Return ``cached`` when the metadata has not moved, else the state read with ``snapshots_at``."""
    if cached is not None and cached.metadata_location == location:
        return cached
    snapshot_id, lineage = snapshots_at()
    if snapshot_id in NO_SNAPSHOT_IDS:
        return TableState(location, None)
    return TableState(location, str(snapshot_id), replaced_from(str(snapshot_id), lineage))


class TopicCheckpoints:
    """All layers' checkpoints of one topic, read with one DynamoDB Query."""

    def __init__(self, items: Sequence[Mapping[str, Any]]) -> None:
        """Index the items of the checkpoint table by layer."""
        self._by_layer = {item[LAYER_KEY]["S"]: item for item in items}

    def snapshot(self, layer: str) -> str | None:
        """Return the snapshot id a layer has processed up to (None before its first run)."""
        return _text(self._by_layer.get(layer, {}), SNAPSHOT_ATTRIBUTE)

    def rebuild(self) -> RebuildRequest | None:
        """Return the pending rebuild of the topic's curated layer, or None."""
        item = self._by_layer.get(REBUILD_KEY)
        return RebuildRequest.from_item(dict(item)) if item else None

    def cached_state(
        self, location_attribute: str, snapshot_attribute: str, replaced_attribute: str
    ) -> TableState | None:
        """Return a table state the planner remembered, or None."""
        item = self._by_layer.get(PLANNER_LAYER, {})
        location = _text(item, location_attribute)
        if not location:
            return None
        replaced = tuple(str(entry["S"]) for entry in item.get(replaced_attribute, {}).get("L", []))
        return TableState(location, _text(item, snapshot_attribute), replaced)


def _text(item: Mapping[str, Any], attribute: str) -> str | None:
    value = item.get(attribute, {}).get("S")
    return str(value) if value else None


class TopicPlan(TypedDict):
    """One topic's decision: has it work, and why (or why not)."""

    work: bool
    reason: str


class ShardPlan(TypedDict):
    """One shard with work: its name and its topics with work, comma separated (Glue argument)."""

    name: str
    topics: str


class CyclePlan(TypedDict):
    """The planner's answer: shards with work, every skipped topic with its reason, and the clock."""

    shards: list[ShardPlan]
    skipped: dict[str, str]
    work: dict[str, str]
    planned_at: int


class CyclePlanner:
    """Decides, per topic, whether a cycle has work for it."""

    def __init__(
        self,
        contracts: ContractStore,
        checkpoint_table: str,
        dynamodb_client: Any,
        tables: TableStateReader,
    ) -> None:
        """Wire the planner.

        Args:
            contracts: the contract store (the schema gate).
            checkpoint_table: the DynamoDB checkpoint table (topic HASH, layer RANGE).
            dynamodb_client: a boto3 DynamoDB client.
            tables: where current table states come from (Glue in AWS).
        """
        self._contracts = contracts
        self._checkpoint_table = checkpoint_table
        self._dynamodb = dynamodb_client
        self._tables = tables

    def plan_topic(self, topic: str) -> TopicPlan:
        """Decide one topic; problems with one topic skip that topic only.

        Returns:
            ``{"work": bool, "reason": text}``.
        """
        try:
            return self._plan_topic(topic)
        except ContractError as exc:
            logger.warning("topic %s skipped: %s", topic, exc)
            return TopicPlan(work=False, reason=f"{GATE_CLOSED}: {INVALID_CONTRACT}: {exc}")
        except (ClientError, LeanOpsError, ValueError, OSError) as exc:
            logger.exception("planning topic %s failed", topic)
            return TopicPlan(work=False, reason=f"planner error: {exc}")

    def _plan_topic(self, topic: str) -> TopicPlan:
        if self._contracts.load(topic) is None:
            return TopicPlan(
                work=False, reason=f"{GATE_CLOSED}: no contract at {self._contracts.uri_of(topic)}"
            )
        checkpoints = self._checkpoints(topic)
        raw_cached = checkpoints.cached_state(
            RAW_LOCATION_ATTRIBUTE, SNAPSHOT_ATTRIBUTE, RAW_REPLACED_ATTRIBUTE
        )
        standardized_cached = checkpoints.cached_state(
            STANDARDIZED_LOCATION_ATTRIBUTE, STANDARDIZED_SNAPSHOT_ATTRIBUTE, STANDARDIZED_REPLACED_ATTRIBUTE
        )
        raw = self._read_state(definitions.RAW, topic, raw_cached)
        if raw is None or raw.snapshot_id is None:
            return TopicPlan(work=False, reason="no data: RAW table absent or empty")
        raw_checkpoint = checkpoints.snapshot(definitions.STANDARDIZED)
        if not raw.nothing_new_after(raw_checkpoint):
            self._remember(topic, (raw_cached, standardized_cached), (raw, standardized_cached))
            return TopicPlan(work=True, reason=f"new RAW snapshot {raw.snapshot_id}")
        standardized = self._read_state(definitions.STANDARDIZED, topic, standardized_cached)
        self._remember(topic, (raw_cached, standardized_cached), (raw, standardized))
        rebuild = checkpoints.rebuild()
        if rebuild is not None:
            return TopicPlan(work=True, reason=f"rebuild of curated {rebuild.describe()}")
        curated_checkpoint = checkpoints.snapshot(definitions.CURATED)
        if (
            standardized is not None
            and standardized.snapshot_id is not None
            and not standardized.nothing_new_after(curated_checkpoint)
        ):
            return TopicPlan(
                work=True, reason=f"curated behind standardized snapshot {standardized.snapshot_id}"
            )
        compacted = raw_checkpoint != raw.snapshot_id or (
            standardized is not None
            and standardized.snapshot_id is not None
            and curated_checkpoint != standardized.snapshot_id
        )
        return TopicPlan(work=False, reason=ONLY_COMPACTED if compacted else UP_TO_DATE)

    def _checkpoints(self, topic: str) -> TopicCheckpoints:
        response = self._dynamodb.query(
            TableName=self._checkpoint_table,
            KeyConditionExpression=f"{TOPIC_KEY} = :topic",
            ExpressionAttributeValues={":topic": {"S": topic}},
            ConsistentRead=True,
        )
        return TopicCheckpoints(response.get("Items", []))

    def _read_state(self, kind: str, topic: str, cached: TableState | None) -> TableState | None:
        table = definitions.table(kind)
        return self._tables.read(table.database, table.name(topic), cached)

    def _remember(
        self,
        topic: str,
        cached: tuple[TableState | None, TableState | None],
        current: tuple[TableState, TableState | None],
    ) -> None:
        """Store the (RAW, standardized) states read this cycle, when they differ from the cache."""
        if cached == current:
            return
        raw, standardized = current
        item: dict[str, Any] = {
            TOPIC_KEY: {"S": topic},
            LAYER_KEY: {"S": PLANNER_LAYER},
            RAW_LOCATION_ATTRIBUTE: {"S": raw.metadata_location},
            OBSERVED_AT_ATTRIBUTE: {"N": str(int(time.time()))},
        }
        if raw.snapshot_id is not None:
            item[SNAPSHOT_ATTRIBUTE] = {"S": raw.snapshot_id}
        if raw.replaced_from:
            item[RAW_REPLACED_ATTRIBUTE] = _id_list(raw.replaced_from)
        if standardized is not None:
            item[STANDARDIZED_LOCATION_ATTRIBUTE] = {"S": standardized.metadata_location}
            if standardized.snapshot_id is not None:
                item[STANDARDIZED_SNAPSHOT_ATTRIBUTE] = {"S": standardized.snapshot_id}
            if standardized.replaced_from:
                item[STANDARDIZED_REPLACED_ATTRIBUTE] = _id_list(standardized.replaced_from)
        self._dynamodb.put_item(TableName=self._checkpoint_table, Item=item)

    def plan(self, shards: Mapping[str, Sequence[str]], clock: Callable[[], float] = time.time) -> CyclePlan:
        """Plan a cycle.

        Args:
            shards: shard name -> its topics, as configured (Terraform's ``shards``).
            clock: returns the epoch seconds the plan is dated with (the cycle lock uses it).

        Returns:
            Only shards with work, each with only its topics with work; every other topic in
            ``skipped`` with the reason, every planned topic in ``work`` with the reason.
        """
        planned: list[ShardPlan] = []
        skipped: dict[str, str] = {}
        work: dict[str, str] = {}
        for shard, topics in shards.items():
            busy = []
            for topic in topics:
                decision = self.plan_topic(topic)
                (work if decision["work"] else skipped)[topic] = decision["reason"]
                if decision["work"]:
                    busy.append(topic)
            if busy:
                planned.append(ShardPlan(name=shard, topics=TOPIC_SEPARATOR.join(busy)))
        logger.info(
            "planned %d shard(s): %d topic(s) with work, %d skipped", len(planned), len(work), len(skipped)
        )
        return CyclePlan(shards=planned, skipped=skipped, work=work, planned_at=int(clock()))


def _id_list(ids: Sequence[str]) -> dict[str, Any]:
    """Return snapshot ids as a DynamoDB list of strings (in order, nearest ancestor first)."""
    return {"L": [{"S": snapshot_id} for snapshot_id in ids]}


def parse_shards(event: Mapping[str, Any]) -> dict[str, list[str]]:
    """Read ``{"shards": {"<shard>": ["<topic>", ...]}}`` from the planner's input event.

    Raises:
        LeanOpsError: naming what is wrong with the event.
    """
    shards = event.get("shards")
    if not isinstance(shards, Mapping):
        raise LeanOpsError(f'planner input: "shards" must be an object of shard -> topics, got {shards!r}')
    parsed: dict[str, list[str]] = {}
    for name, topics in shards.items():
        if not isinstance(topics, list) or not all(isinstance(topic, str) for topic in topics):
            raise LeanOpsError(f"planner input: shard {name!r} must list topic names, got {topics!r}")
        parsed[str(name)] = [definitions.validate_topic_name(topic) for topic in topics]
    return parsed
