"""The cycle planner against moto: schema gate in S3, Iceberg tables in Glue, checkpoints in DynamoDB."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pytest
from moto import mock_aws

from leanops import definitions
from leanops.adapters.contract_store import ContractStore
from leanops.exceptions import LeanOpsError, TopicNameError
from leanops.planner import (
    PLANNER_LAYER,
    CatalogTableStateReader,
    CyclePlanner,
    GlueTableStateReader,
    parse_shards,
)

REGION = "eu-west-1"
REPO = Path(__file__).resolve().parents[3]
HANDLER = REPO / "modules" / "compute" / "lambda" / "cycle_planner" / "handler.py"
CONTRACTS_BUCKET = "schemas-bucket"
CONTRACTS_URI = f"s3://{CONTRACTS_BUCKET}/contracts/"
WAREHOUSE_BUCKET = "warehouse-bucket"
CHECKPOINT_TABLE = "checkpoints"
FIXED_NOW = 1_800_000_000
CURRENT_SNAPSHOT = "current-snapshot-id"


@dataclass
class Lake:
    """moto clients plus helpers that put the pipeline's metadata where the planner looks."""

    s3: Any
    glue: Any
    dynamodb: Any

    def open_gate(self, topic: str, text: str | None = None) -> None:
        """Upload a contract for the topic (the repo's orders contract renamed, or the given text)."""
        body = (
            text
            if text is not None
            else (REPO / "schemas" / "topics" / "orders.json")
            .read_text()
            .replace('"orders"', f'"{topic}"', 1)
        )
        self.s3.put_object(Bucket=CONTRACTS_BUCKET, Key=f"contracts/{topic}.json", Body=body.encode())

    def commit(
        self,
        kind: str,
        topic: str,
        version: int,
        snapshot_id: int | None,
        lineage: Sequence[tuple[int, int | None, str]] = (),
    ) -> str:
        """Write an Iceberg metadata file and point the Glue table at it (what a commit does).

        ``lineage``: the snapshots the file lists, as (id, parent id, operation).
        """
        table = definitions.table(kind)
        key = f"{table.database}/{topic}/metadata/{version:05d}-meta.metadata.json"
        metadata: dict[str, Any] = {
            "format-version": 2,
            CURRENT_SNAPSHOT: -1 if snapshot_id is None else snapshot_id,
        }
        if lineage:
            metadata["snapshots"] = [
                {
                    "snapshot-id": snapshot,
                    **({"parent-snapshot-id": parent} if parent is not None else {}),
                    "summary": {"operation": operation},
                }
                for snapshot, parent, operation in lineage
            ]
        self.s3.put_object(Bucket=WAREHOUSE_BUCKET, Key=key, Body=json.dumps(metadata).encode())
        location = f"s3://{WAREHOUSE_BUCKET}/{key}"
        table_input = {"Name": topic, "Parameters": {"metadata_location": location, "table_type": "ICEBERG"}}
        try:
            self.glue.update_table(DatabaseName=table.database, TableInput=table_input)
        except self.glue.exceptions.EntityNotFoundException:
            self.glue.create_table(DatabaseName=table.database, TableInput=table_input)
        return location

    def checkpoint(self, topic: str, layer: str, snapshot_id: int) -> None:
        """Write a layer's checkpoint as the jobs do."""
        item = {"topic": {"S": topic}, "layer": {"S": layer}, "snapshot_id": {"S": str(snapshot_id)}}
        self.dynamodb.put_item(TableName=CHECKPOINT_TABLE, Item=item)

    def planner(self) -> CyclePlanner:
        """Return a planner wired to these moto clients."""
        return CyclePlanner(
            contracts=ContractStore(CONTRACTS_URI, self.s3),
            checkpoint_table=CHECKPOINT_TABLE,
            dynamodb_client=self.dynamodb,
            tables=GlueTableStateReader(self.glue, self.s3),
        )


@pytest.fixture
def lake() -> Iterator[Lake]:
    """Provide moto buckets, Glue databases and the checkpoint table."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        glue = boto3.client("glue", region_name=REGION)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        for bucket in (CONTRACTS_BUCKET, WAREHOUSE_BUCKET):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        for database in definitions.databases().values():
            glue.create_database(DatabaseInput={"Name": database})
        dynamodb.create_table(
            TableName=CHECKPOINT_TABLE,
            KeySchema=[
                {"AttributeName": "topic", "KeyType": "HASH"},
                {"AttributeName": "layer", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "topic", "AttributeType": "S"},
                {"AttributeName": "layer", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield Lake(s3, glue, dynamodb)


def count_calls(client: Any, operation: str) -> list[str]:
    """Record every call of one API operation made through a real (moto-backed) client."""
    calls: list[str] = []
    service = client.meta.service_model.service_name
    client.meta.events.register(f"before-call.{service}.{operation}", lambda **_: calls.append(operation))
    return calls


def test_closed_gate_skips_topic_and_plans_no_shard(lake: Lake) -> None:
    # GIVEN RAW data for orders but no contract
    lake.commit(definitions.RAW, "orders", 1, 11)
    # WHEN planning
    plan = lake.planner().plan({"shard-0": ["orders"]}, clock=lambda: FIXED_NOW)
    # THEN nothing is planned and the reason names the missing contract
    assert plan["shards"] == []
    assert plan["skipped"] == {"orders": f"gate closed: no contract at {CONTRACTS_URI}orders.json"}
    assert plan["planned_at"] == FIXED_NOW


def test_invalid_contract_skips_only_that_topic(lake: Lake) -> None:
    # GIVEN a malformed contract for orders and a valid one for payments, both with new RAW data
    lake.open_gate("orders", '{"topic": "orders"}')
    lake.open_gate("payments")
    lake.commit(definitions.RAW, "orders", 1, 11)
    lake.commit(definitions.RAW, "payments", 1, 21)
    # WHEN planning
    plan = lake.planner().plan({"shard-0": ["orders", "payments"]})
    # THEN only payments is planned; orders is skipped with the contract's problem
    assert plan["shards"] == [{"name": "shard-0", "topics": "payments"}]
    assert plan["skipped"]["orders"].startswith(
        "gate closed: invalid contract: contract s3://schemas-bucket/"
    )


@pytest.mark.parametrize(
    ("raw_snapshot", "reason"),
    [(None, "no data: RAW table absent or empty"), (-1, "no data: RAW table absent or empty")],
)
def test_open_gate_without_raw_data_is_skipped(lake: Lake, raw_snapshot: int | None, reason: str) -> None:
    # GIVEN an open gate and a RAW table that is absent (None) or has no snapshot (-1)
    lake.open_gate("orders")
    if raw_snapshot is not None:
        lake.commit(definitions.RAW, "orders", 1, None)
    # WHEN planning
    plan = lake.planner().plan({"shard-0": ["orders"]})
    # THEN the topic is skipped
    assert plan == {"shards": [], "skipped": {"orders": reason}, "work": {}, "planned_at": plan["planned_at"]}


def test_new_raw_snapshot_plans_only_topics_with_work(lake: Lake) -> None:
    # GIVEN three topics in two shards: orders has new RAW data, payments is up to date, refunds has no gate
    for topic in ("orders", "payments"):
        lake.open_gate(topic)
    lake.commit(definitions.RAW, "orders", 2, 12)
    lake.checkpoint("orders", definitions.STANDARDIZED, 11)
    lake.commit(definitions.RAW, "payments", 1, 21)
    lake.commit(definitions.STANDARDIZED, "payments", 1, 31)
    lake.checkpoint("payments", definitions.STANDARDIZED, 21)
    lake.checkpoint("payments", definitions.CURATED, 31)
    # WHEN planning
    plan = lake.planner().plan({"shard-0": ["orders", "payments"], "shard-1": ["refunds"]})
    # THEN only shard-0 with orders is planned
    assert plan["shards"] == [{"name": "shard-0", "topics": "orders"}]
    assert plan["work"] == {"orders": "new RAW snapshot 12"}
    assert plan["skipped"]["payments"] == "up to date"
    assert plan["skipped"]["refunds"].startswith("gate closed: no contract")


def test_curated_behind_standardized_is_work(lake: Lake) -> None:
    # GIVEN standardized caught up with RAW but curated one snapshot behind standardized
    lake.open_gate("orders")
    lake.commit(definitions.RAW, "orders", 1, 11)
    lake.commit(definitions.STANDARDIZED, "orders", 3, 33)
    lake.checkpoint("orders", definitions.STANDARDIZED, 11)
    lake.checkpoint("orders", definitions.CURATED, 32)
    # WHEN planning
    plan = lake.planner().plan({"shard-0": ["orders"]})
    # THEN the topic has work
    assert plan["shards"] == [{"name": "shard-0", "topics": "orders"}]
    assert plan["work"] == {"orders": "curated behind standardized snapshot 33"}


def test_unchanged_metadata_location_costs_no_metadata_read(lake: Lake) -> None:
    # GIVEN an up-to-date topic planned once (the planner remembers the metadata locations)
    lake.open_gate("orders")
    raw_location = lake.commit(definitions.RAW, "orders", 1, 11)
    lake.commit(definitions.STANDARDIZED, "orders", 1, 31)
    lake.checkpoint("orders", definitions.STANDARDIZED, 11)
    lake.checkpoint("orders", definitions.CURATED, 31)
    lake.planner().plan({"shard-0": ["orders"]})
    metadata_reads = count_calls(lake.s3, "GetObject")
    # WHEN planning again with nothing new
    plan = lake.planner().plan({"shard-0": ["orders"]})
    # THEN only the contract is read from S3 (no metadata file), and the planner record holds RAW's location
    assert plan["skipped"] == {"orders": "up to date"}
    assert len(metadata_reads) == 1
    item = lake.dynamodb.get_item(
        TableName=CHECKPOINT_TABLE, Key={"topic": {"S": "orders"}, "layer": {"S": PLANNER_LAYER}}
    )
    assert item["Item"]["metadata_location"]["S"] == raw_location
    assert item["Item"]["snapshot_id"]["S"] == "11"


def test_moved_metadata_location_is_read_again(lake: Lake) -> None:
    # GIVEN a topic planned once, then a new RAW commit
    lake.open_gate("orders")
    lake.commit(definitions.RAW, "orders", 1, 11)
    lake.checkpoint("orders", definitions.STANDARDIZED, 11)
    lake.planner().plan({"shard-0": ["orders"]})
    lake.commit(definitions.RAW, "orders", 2, 12)
    # WHEN planning again
    plan = lake.planner().plan({"shard-0": ["orders"]})
    # THEN the new snapshot is seen
    assert plan["work"] == {"orders": "new RAW snapshot 12"}


def test_broken_catalog_entry_skips_only_that_topic(lake: Lake) -> None:
    # GIVEN a RAW Glue table without metadata_location (not Iceberg) next to a healthy topic
    for topic in ("orders", "payments"):
        lake.open_gate(topic)
    lake.glue.create_table(
        DatabaseName=definitions.table(definitions.RAW).database, TableInput={"Name": "orders"}
    )
    lake.commit(definitions.RAW, "payments", 1, 21)
    # WHEN planning
    plan = lake.planner().plan({"shard-0": ["orders", "payments"]})
    # THEN orders is skipped with the problem named, payments still planned
    assert (
        plan["skipped"]["orders"]
        == "planner error: Glue table iceberg_raw_db.orders has no metadata_location: not Iceberg"
    )
    assert plan["shards"] == [{"name": "shard-0", "topics": "payments"}]


@pytest.mark.parametrize(
    ("event", "error", "message"),
    [
        ({}, LeanOpsError, '"shards" must be an object'),
        ({"shards": ["orders"]}, LeanOpsError, '"shards" must be an object'),
        ({"shards": {"shard-0": "orders"}}, LeanOpsError, "shard 'shard-0' must list topic names"),
        ({"shards": {"shard-0": ["Orders"]}}, TopicNameError, "topic 'Orders'"),
        ({"shards": {"shard-0": ["errors"]}}, TopicNameError, "collides with a shared table"),
    ],
)
def test_parse_shards_rejects_malformed_input(
    event: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        parse_shards(event)


@dataclass
class FakeLambdaContext:
    """The attributes of a Lambda context that Powertools reads."""

    function_name: str = "cycle-planner"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:cycle-planner"
    aws_request_id: str = "request-1"


def test_handler_plans_from_environment(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the handler's environment and a topic with new RAW data
    monkeypatch.setenv("LEANOPS_CONTRACTS_URI", CONTRACTS_URI)
    monkeypatch.setenv("LEANOPS_CHECKPOINT_TABLE", CHECKPOINT_TABLE)
    lake.open_gate("orders")
    lake.commit(definitions.RAW, "orders", 1, 11)
    spec = importlib.util.spec_from_file_location("cycle_planner_handler", HANDLER)
    assert spec is not None and spec.loader is not None
    handler = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(handler)
    # WHEN the Lambda is invoked the way the state machine invokes it
    event = {
        "shards": {"shard-0": ["orders"], "shard-1": ["payments"]},
        "cycle": "arn:aws:states:execution:x",
    }
    plan = handler.lambda_handler(
        event, FakeLambdaContext(), s3=lake.s3, glue=lake.glue, dynamodb=lake.dynamodb
    )
    # THEN the output is the plan the state machine maps over (JSON-serialisable)
    assert json.loads(json.dumps(plan))["shards"] == [{"name": "shard-0", "topics": "orders"}]
    assert plan["skipped"]["payments"].startswith("gate closed")


def test_catalog_reader_follows_an_iceberg_table_through_pyiceberg(
    iceberg_catalog: Any, unique_name: str
) -> None:
    # GIVEN a table in the local Iceberg catalog, without and then with a snapshot
    reader = CatalogTableStateReader(iceberg_catalog)
    iceberg_catalog.create_namespace(unique_name)
    rows = pa.table({"message_id": pa.array(["m1"], pa.string())})
    table = iceberg_catalog.create_table(f"{unique_name}.orders", schema=rows.schema)
    # WHEN reading its state before and after an append
    absent = reader.read(unique_name, "missing", cached=None)
    empty = reader.read(unique_name, "orders", cached=None)
    table.append(rows)
    appended = reader.read(unique_name, "orders", cached=empty)
    # THEN the reader reports no table, no snapshot, then the new snapshot and metadata location
    assert absent is None
    assert empty is not None and empty.snapshot_id is None
    assert appended is not None and appended.metadata_location != empty.metadata_location
    assert appended.snapshot_id == str(table.metadata.current_snapshot_id)
    assert reader.read(unique_name, "orders", cached=appended) is appended


def test_a_pending_rebuild_is_work_when_every_layer_is_up_to_date(lake: Lake) -> None:
    # GIVEN a topic whose layers are caught up, and a rebuild request (schema --rebuild)
    from leanops.adapters.checkpoints import CheckpointStore

    lake.open_gate("orders")
    lake.commit(definitions.RAW, "orders", 1, 11)
    lake.commit(definitions.STANDARDIZED, "orders", 2, 22)
    lake.checkpoint("orders", definitions.STANDARDIZED, 11)
    lake.checkpoint("orders", definitions.CURATED, 22)
    assert lake.planner().plan({"shard-0": ["orders"]})["skipped"] == {"orders": "up to date"}
    CheckpointStore(CHECKPOINT_TABLE, lake.dynamodb).request_rebuild("orders", "v2", "schema --rebuild")
    # WHEN planning THEN the topic has work, saying why, at no extra call (the same Query)
    queries = count_calls(lake.dynamodb, "Query")
    plan = lake.planner().plan({"shard-0": ["orders"]})
    assert plan["shards"] == [{"name": "shard-0", "topics": "orders"}]
    assert plan["work"]["orders"].startswith("rebuild of curated requested by schema --rebuild")
    assert len(queries) == 1


# A RAW table as Firehose and maintenance leave it: appends 11, 12, then a compaction 13 (replace).
COMPACTED_RAW = ((11, None, "append"), (12, 11, "append"), (13, 12, "replace"))


def test_a_compaction_after_the_checkpoint_is_not_new_data(lake: Lake) -> None:
    # GIVEN standardized checkpointed at 12, then maintenance compacted RAW (13: replace only)
    lake.open_gate("orders")
    lake.commit(definitions.RAW, "orders", 3, 13, COMPACTED_RAW)
    lake.checkpoint("orders", definitions.STANDARDIZED, 12)
    # WHEN planning
    plan = lake.planner().plan({"shard-0": ["orders"]})
    # THEN no run is started, and the reason says why
    assert plan["shards"] == []
    assert plan["skipped"] == {"orders": "up to date: only compaction since the checkpoint"}


def test_a_compaction_stays_no_work_on_the_next_cycles_from_the_planner_record(lake: Lake) -> None:
    # GIVEN the compacted topic planned once
    lake.open_gate("orders")
    lake.commit(definitions.RAW, "orders", 3, 13, COMPACTED_RAW)
    lake.checkpoint("orders", definitions.STANDARDIZED, 12)
    lake.planner().plan({"shard-0": ["orders"]})
    metadata_reads = count_calls(lake.s3, "GetObject")
    # WHEN planning again with the metadata unchanged
    plan = lake.planner().plan({"shard-0": ["orders"]})
    # THEN still no work, and only the contract is read (the replaced ancestors come from the record)
    assert plan["shards"] == []
    assert len(metadata_reads) == 1


@pytest.mark.parametrize(
    ("lineage", "current", "checkpoint"),
    [
        # an append after the compaction
        ((*COMPACTED_RAW, (14, 13, "append")), 14, 12),
        # a compaction after new data the checkpoint has not read (12 is an append after 11)
        (COMPACTED_RAW, 13, 11),
        # an overwrite is new data for the job to refuse or read, never skipped here
        (((11, None, "append"), (12, 11, "overwrite")), 12, 11),
    ],
)
def test_new_rows_behind_or_after_a_compaction_are_still_work(
    lake: Lake, lineage: tuple[tuple[int, int | None, str], ...], current: int, checkpoint: int
) -> None:
    # GIVEN a RAW table with rows the checkpoint has not read, a compaction in the range or not
    lake.open_gate("orders")
    lake.commit(definitions.RAW, "orders", len(lineage), current, lineage)
    lake.checkpoint("orders", definitions.STANDARDIZED, checkpoint)
    # WHEN planning THEN the topic has work
    plan = lake.planner().plan({"shard-0": ["orders"]})
    assert plan["work"] == {"orders": f"new RAW snapshot {current}"}


def test_a_compacted_standardized_table_does_not_make_curated_run(lake: Lake) -> None:
    # GIVEN RAW read up to date, and standardized compacted (32: replace) after curated's checkpoint 31
    lake.open_gate("orders")
    lake.commit(definitions.RAW, "orders", 1, 11)
    lake.commit(definitions.STANDARDIZED, "orders", 2, 32, ((31, None, "append"), (32, 31, "replace")))
    lake.checkpoint("orders", definitions.STANDARDIZED, 11)
    lake.checkpoint("orders", definitions.CURATED, 31)
    # WHEN planning twice (the second from the planner record)
    plans = [lake.planner().plan({"shard-0": ["orders"]}) for _ in range(2)]
    # THEN no run either time
    assert [plan["shards"] for plan in plans] == [[], []]
    assert plans[1]["skipped"] == {"orders": "up to date: only compaction since the checkpoint"}


def test_catalog_reader_sees_a_pyiceberg_overwrite_as_new_data_and_a_replace_as_none(
    iceberg_catalog: Any, unique_name: str
) -> None:
    # GIVEN a pyiceberg table with two appends (pyiceberg writes no replace; its lineage is read)
    reader = CatalogTableStateReader(iceberg_catalog)
    iceberg_catalog.create_namespace(unique_name)
    rows = pa.table({"message_id": pa.array(["m1"], pa.string())})
    table = iceberg_catalog.create_table(f"{unique_name}.orders", schema=rows.schema)
    table.append(rows)
    first = str(table.metadata.current_snapshot_id)
    table.overwrite(rows)
    # WHEN reading its state
    state = reader.read(unique_name, "orders", cached=None)
    # THEN an overwrite has new data for a reader at the first snapshot (no replaced ancestors)
    assert state is not None and state.replaced_from == ()
    assert not state.nothing_new_after(first)
    assert state.nothing_new_after(state.snapshot_id)
