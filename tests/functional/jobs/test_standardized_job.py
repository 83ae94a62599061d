"""The standardized layer through run_layer: gate, incremental reads, FIFO dedupe, errors, drift."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

from leanops import definitions
from leanops.adapters import column_mapping
from leanops.adapters.iceberg_ddl import ensure_table, qualified_name
from leanops.definitions import CURATED, DRIFT_LOG, PARSE_ERRORS, RAW, STANDARDIZED
from leanops.jobs import report

from .conftest import JobEnvironment
from .helpers import append_raw, cycle, envelope, order, order_contract, rows_of, run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def test_gate_closed_keeps_data_in_raw_until_the_contract_lands(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN two messages in RAW and no contract
    settings = job_env.with_topics(unique_name)
    append_raw(
        spark,
        unique_name,
        [envelope(unique_name, f"m{i}", order(f"o{i}", "1.00", "2026-03-01T10:00:00Z")) for i in (1, 2)],
    )
    # WHEN a cycle runs  THEN both layers skip the topic with the gate closed, writing nothing
    closed_std, closed_cur = cycle(spark, settings, job_env.clients)
    assert closed_std.outcome(unique_name).status == report.GATE_CLOSED
    assert f"s3://leanops-contracts/contracts/{unique_name}.json" in closed_std.outcome(unique_name).message
    assert closed_cur.outcome(unique_name).status == report.GATE_CLOSED
    # WHEN the contract lands and a cycle runs
    job_env.put_contract(unique_name, order_contract(unique_name))
    std, cur = cycle(spark, settings, job_env.clients)
    # THEN the backlog goes through both layers
    assert (std.outcome(unique_name).status, std.outcome(unique_name).rows_written) == (report.PROCESSED, 2)
    assert (cur.outcome(unique_name).status, cur.outcome(unique_name).rows_written) == (report.PROCESSED, 2)
    assert [row["order_id"] for row in rows_of(spark, CURATED, unique_name, "order_id")] == ["o1", "o2"]


def test_malformed_contract_skips_only_its_topic(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN topic <x>_bad with a contract missing its key, and topic <x>_ok with a valid one
    bad, good = f"{unique_name}_bad", f"{unique_name}_ok"
    job_env.put_contract(bad, json.dumps({"topic": bad, "order_by": "u", "fields": {}}))
    job_env.put_contract(good, order_contract(good))
    for topic in (bad, good):
        append_raw(spark, topic, [envelope(topic, "m1", order("o1", "1.00", "2026-03-01T10:00:00Z"))])
    # WHEN standardized runs over both
    result = run(spark, STANDARDIZED, job_env.with_topics(bad, good), job_env.clients)
    # THEN the bad topic is skipped with the contract's problem, the good one is processed
    outcome = result.outcome(bad)
    assert outcome.status == report.CONTRACT_ERROR
    assert f"s3://leanops-contracts/contracts/{bad}.json" in outcome.message
    assert "'key' is a required property" in outcome.message
    assert result.outcome(good).status == report.PROCESSED
    # AND the malformed contract is alerted, and the bad topic's data still waits in RAW
    assert any(bad in alert["Subject"] for alert in job_env.alerts())
    assert len(rows_of(spark, RAW, bad)) == 1


def test_cycles_read_only_what_is_new(spark: SparkSession, job_env: JobEnvironment, unique_name: str) -> None:
    # GIVEN a topic whose data went through one cycle
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(spark, unique_name, [envelope(unique_name, "m1", order("o1", "1.00", "2026-03-01T10:00:00Z"))])
    cycle(spark, settings, job_env.clients)
    # WHEN a second cycle runs with no new RAW data
    std, cur = cycle(spark, settings, job_env.clients)
    # THEN both layers find no new data and read no row
    for layer_report in (std, cur):
        assert layer_report.outcome(unique_name).status == report.NO_NEW_DATA
        assert layer_report.total("rows_read") == 0
    # WHEN new data lands and a cycle runs
    body = order("o2", "2.00", "2026-03-01T10:00:00Z")
    append_raw(spark, unique_name, [envelope(unique_name, "m2", body, 60)])
    std, cur = cycle(spark, settings, job_env.clients)
    # THEN each layer reads only it: curated reads the one row standardized appended
    assert (std.outcome(unique_name).rows_read, std.outcome(unique_name).rows_written) == (1, 1)
    assert (cur.outcome(unique_name).rows_read, cur.outcome(unique_name).rows_written) == (1, 1)
    # AND every standardized snapshot is an Iceberg append (the MERGE is insert-only)
    snapshots = spark.sql(
        f"SELECT operation FROM glue_catalog.iceberg_standardized_db.{unique_name}.snapshots"
    )
    assert {row["operation"] for row in snapshots.collect()} == {"append"}


def test_retry_copies_keep_the_first_arrival_across_batches(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN m1 processed in a first batch
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(spark, unique_name, [envelope(unique_name, "m1", '{"order_id": "o1", "copy": "first"}')])
    run(spark, STANDARDIZED, settings, job_env.clients)
    # WHEN a Lambda retry copy of m1 (same sent_at, later ingest) arrives with m2, itself delivered twice
    append_raw(
        spark,
        unique_name,
        [
            envelope(
                unique_name,
                "m1",
                '{"order_id": "o1", "copy": "retry"}',
                ingested_seconds=300,
                receive_count=2,
            ),
            envelope(unique_name, "m2", '{"order_id": "o2", "copy": "first"}', 10, ingested_seconds=400),
            envelope(unique_name, "m2", '{"order_id": "o2", "copy": "retry"}', 10, ingested_seconds=500),
        ],
    )
    second = run(spark, STANDARDIZED, settings, job_env.clients)
    # THEN only m2's first arrival is added; m1 keeps its first copy
    assert (second.outcome(unique_name).rows_read, second.outcome(unique_name).rows_written) == (3, 1)
    rows = rows_of(spark, STANDARDIZED, unique_name)
    assert [(row["message_id"], row["copy"]) for row in rows] == [("m1", "first"), ("m2", "first")]


def test_parse_errors_are_recorded_once_with_the_body(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a valid body, a truncated one and a retry copy of the truncated one
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(
        spark,
        unique_name,
        [
            envelope(unique_name, "m1", '{"order_id": "o1"}'),
            envelope(unique_name, "m2", '{"order_id": '),
            envelope(unique_name, "m2", '{"order_id": ', ingested_seconds=100, receive_count=2),
        ],
    )
    # WHEN standardized runs
    result = run(spark, STANDARDIZED, settings, job_env.clients)
    # THEN m2 is one parse error carrying its body, and only m1 is standardized
    assert result.outcome(unique_name).parse_errors == 1
    (error,) = rows_of(spark, PARSE_ERRORS, unique_name)
    assert (error["message_id"], error["payload"], error["run_id"]) == ("m2", '{"order_id": ', result.run_id)
    assert error["error_reason"]
    assert [row["message_id"] for row in rows_of(spark, STANDARDIZED, unique_name)] == ["m1"]


def test_drift_log_records_added_and_retyped_fields(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a first batch with a string field a
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(spark, unique_name, [envelope(unique_name, "m1", '{"a": "x"}')])
    first = run(spark, STANDARDIZED, settings, job_env.clients)
    # WHEN a later batch has a as a number and a new field b
    append_raw(spark, unique_name, [envelope(unique_name, "m2", '{"a": 1, "b": true}', 10)])
    second = run(spark, STANDARDIZED, settings, job_env.clients)
    # THEN the drift log holds: a added, then a retyped string -> number and b added
    drift = {
        (row["run_id"], row["column_name"], row["change"], row["previous_type"], row["new_type"])
        for row in rows_of(spark, DRIFT_LOG, unique_name, "column_name")
    }
    assert (first.run_id, "a", "added", None, "string") in drift
    assert (second.run_id, "a", "retyped", "string", "number") in drift
    assert (second.run_id, "b", "added", None, "boolean") in drift
    # AND the new body column was added to the standardized table
    assert "b" in rows_of(spark, STANDARDIZED, unique_name)[0].asDict()


def test_any_keys_reach_standardized_and_keep_their_columns_across_batches(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a contract reading Unicode keys and "amount" (never a column name)
    fields = {
        "order_id": {"type": "string", "required": True},
        "updated_at": {"type": "timestamp", "required": True},
        "name": {"type": "string", "path": "名前"},
        "age": {"type": "int", "path": "年齢"},
        "total": {"type": "decimal(12,2)", "path": "amount"},
    }
    contract = {"topic": unique_name, "key": ["order_id"], "order_by": "updated_at", "fields": fields}
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, json.dumps(contract))
    at = "2026-03-01T10:00:00Z"
    # WHEN a first batch has keys with no ASCII letters, and "Amount"
    first = {"order_id": "o1", "updated_at": at, "名前": "x", "年齢": 3, "Amount": "9.99"}
    append_raw(spark, unique_name, [envelope(unique_name, "m1", first)])
    cycle(spark, settings, job_env.clients)
    table = qualified_name(definitions.table(STANDARDIZED), unique_name)
    after_first = column_mapping.read_mapping(spark, table)
    # AND a later batch has "amount", whose readable name "Amount" took first
    second = {"order_id": "o2", "updated_at": at, "amount": "1.50", "Amount": "2.00"}
    append_raw(spark, unique_name, [envelope(unique_name, "m2", second, 60)])
    cycle(spark, settings, job_env.clients)
    # THEN no body was rejected, and every key path has its own column, recorded with the table
    assert rows_of(spark, PARSE_ERRORS, unique_name) == []
    mapping = column_mapping.read_mapping(spark, table)
    assert len(set(mapping.values())) == len(mapping) == 6
    assert {path: mapping[path] for path in after_first} == after_first
    assert mapping[("Amount",)] == "amount" != mapping[("amount",)]
    standardized = {row["message_id"]: row.asDict() for row in rows_of(spark, STANDARDIZED, unique_name)}
    assert (standardized["m1"][mapping[("名前",)]], standardized["m1"][mapping[("年齢",)]]) == ("x", "3")
    # AND curated reads each field by its key path
    curated = {row["order_id"]: row for row in rows_of(spark, CURATED, unique_name, "order_id")}
    assert (curated["o1"]["name"], curated["o1"]["age"], curated["o1"]["total"]) == ("x", 3, None)
    assert curated["o2"]["total"] == Decimal("1.50")


def test_the_column_mapping_round_trips_any_key_through_the_table_properties(
    spark: SparkSession, unique_name: str
) -> None:
    # GIVEN a standardized table and key paths with quotes, backslashes, escapes and Unicode
    table = ensure_table(spark, definitions.table(STANDARDIZED), unique_name)
    paths = [("it's",), ('say "hi"', "back\\slash"), ("名前",), ("line\nbreak", "\\u0041"), ("a.b",)]
    # WHEN they are recorded in two runs
    first = column_mapping.ensure_columns(spark, table, paths[:3])
    both = column_mapping.ensure_columns(spark, table, paths)
    # THEN they read back exactly, earlier entries unchanged, each with its own column
    assert column_mapping.read_mapping(spark, table) == both
    assert {path: both[path] for path in first} == first
    assert len(set(both.values())) == len(paths)
