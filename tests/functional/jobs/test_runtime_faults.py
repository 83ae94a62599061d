"""Crash anywhere, rerun: no loss, no duplicate. Plus conflicts, locks and per-topic isolation."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from leanops import faults
from leanops.adapters.locks import EXPIRES_AT_ATTRIBUTE, LOCK_ID_KEY, OWNER_ATTRIBUTE
from leanops.definitions import CURATED, STANDARDIZED
from leanops.exceptions import InjectedFaultError, TopicFailuresError
from leanops.jobs import report

from .conftest import JobEnvironment
from .helpers import append_raw, cycle, envelope, order, order_contract, rows_of, run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ORDER_TIME = "2026-03-01T10:00:00Z"


def _given_topic(spark: SparkSession, env: JobEnvironment, topic: str, count: int = 3) -> None:
    env.put_contract(topic, order_contract(topic))
    append_raw(
        spark,
        topic,
        [envelope(topic, f"m{i}", order(f"o{i}", f"{i}.00", ORDER_TIME), i) for i in range(count)],
    )


def _tables(spark: SparkSession, topic: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        STANDARDIZED: [(row["message_id"], row["order_id"]) for row in rows_of(spark, STANDARDIZED, topic)],
        CURATED: [
            (row["message_id"], row["order_id"], row["amount"]) for row in rows_of(spark, CURATED, topic)
        ],
    }


FAULT_POINTS = (
    faults.JOB_CRASH_BEFORE_COMMIT,
    faults.JOB_CRASH_AFTER_COMMIT,
    faults.CHECKPOINT_WRITE_FAILURE,
)


def test_reruns_after_crashes_at_every_fault_point_yield_the_same_tables(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN three orders in RAW
    settings = job_env.with_topics(unique_name)
    _given_topic(spark, job_env, unique_name)
    for layer in (STANDARDIZED, CURATED):
        # WHEN the layer crashes at each fault point in turn (before commit, after it, at the checkpoint)
        for fault in FAULT_POINTS:
            monkeypatch.setenv(faults.FAULTS_ENV, f"{fault}=1")
            # THEN the fault propagates out of run_layer (the job run fails, as a real crash would)
            with pytest.raises(InjectedFaultError, match=fault):
                run(spark, layer, settings, job_env.clients)
        # WHEN the fault is gone and the layer runs again, twice
        monkeypatch.delenv(faults.FAULTS_ENV)
        assert run(spark, layer, settings, job_env.clients).outcome(unique_name).status == report.PROCESSED
        assert run(spark, layer, settings, job_env.clients).outcome(unique_name).status == report.NO_NEW_DATA
    # THEN every table holds each message exactly once, as if nothing had crashed
    expected_ids = [f"m{i}" for i in range(3)]
    tables = _tables(spark, unique_name)
    assert [message_id for message_id, _ in tables[STANDARDIZED]] == expected_ids
    assert [message_id for message_id, _, _ in tables[CURATED]] == expected_ids


def test_checkpoint_moved_by_another_run_fails_the_topic_without_duplicates(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a concurrent run that advances the checkpoint just before this run writes its own
    settings = job_env.with_topics(unique_name)
    _given_topic(spark, job_env, unique_name)
    dynamodb = boto3.client("dynamodb")

    def concurrent_advance(**_: Any) -> None:
        dynamodb.put_item(
            TableName=settings.checkpoint_table,
            Item={"topic": {"S": unique_name}, "layer": {"S": STANDARDIZED}, "snapshot_id": {"S": "other"}},
        )

    dynamodb.meta.events.register("before-call.dynamodb.UpdateItem", concurrent_advance)
    clients = type(job_env.clients)(s3=job_env.clients.s3, dynamodb=dynamodb, sns=job_env.clients.sns)
    # WHEN standardized runs  THEN the topic fails with a checkpoint conflict, alerted
    with pytest.raises(TopicFailuresError, match="CheckpointConflictError") as raised:
        run(spark, STANDARDIZED, settings, clients)
    assert raised.value.report.outcome(unique_name).status == report.FAILED
    assert any(unique_name in alert["Subject"] for alert in job_env.alerts())
    # AND the other run's checkpoint stands, and the rows were written once
    assert (
        job_env.clients.dynamodb.get_item(
            TableName=settings.checkpoint_table,
            Key={"topic": {"S": unique_name}, "layer": {"S": STANDARDIZED}},
        )["Item"]["snapshot_id"]["S"]
        == "other"
    )
    assert len(rows_of(spark, STANDARDIZED, unique_name)) == 3


def _put_lock(env: JobEnvironment, topic: str, owner: str, expires_in: int) -> None:
    env.clients.dynamodb.put_item(
        TableName=env.settings.lock_table,
        Item={
            LOCK_ID_KEY: {"S": f"topic#{topic}"},
            OWNER_ATTRIBUTE: {"S": owner},
            EXPIRES_AT_ATTRIBUTE: {"N": str(int(time.time()) + expires_in)},
        },
    )


def test_held_lock_skips_the_topic_and_an_expired_one_is_taken_over(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a topic locked by a live run
    settings = job_env.with_topics(unique_name)
    _given_topic(spark, job_env, unique_name)
    _put_lock(job_env, unique_name, "live-run", 600)
    # WHEN standardized runs  THEN the topic is skipped as locked, naming the owner
    locked = run(spark, STANDARDIZED, settings, job_env.clients).outcome(unique_name)
    assert (locked.status, "live-run" in locked.message) == (report.LOCKED, True)
    # GIVEN the lock's owner died and its lock expired
    _put_lock(job_env, unique_name, "dead-run", -5)
    # WHEN standardized runs  THEN it takes the lock over, processes the topic and releases the lock
    taken = run(spark, STANDARDIZED, settings, job_env.clients).outcome(unique_name)
    assert (taken.status, taken.rows_written) == (report.PROCESSED, 3)
    lock = job_env.clients.dynamodb.get_item(
        TableName=settings.lock_table, Key={LOCK_ID_KEY: {"S": f"topic#{unique_name}"}}
    )
    assert "Item" not in lock


def test_one_topic_failing_does_not_stop_another_from_committing(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN topic <x>_broken whose curated table has amount as a string (the contract says decimal)
    broken, healthy = f"{unique_name}_broken", f"{unique_name}_healthy"
    for topic in (broken, healthy):
        _given_topic(spark, job_env, topic)
    spark.sql("CREATE NAMESPACE IF NOT EXISTS glue_catalog.iceberg_curated_db")
    spark.sql(f"CREATE TABLE glue_catalog.iceberg_curated_db.{broken} (amount string) USING iceberg")
    settings = job_env.with_topics(broken, healthy)
    run(spark, STANDARDIZED, settings, job_env.clients)
    # WHEN curated runs over both
    with pytest.raises(TopicFailuresError, match=rf"{broken}: SchemaConflictError") as raised:
        run(spark, CURATED, settings, job_env.clients)
    # THEN the broken topic failed and was alerted, the healthy one committed and advanced
    job_report = raised.value.report
    assert job_report.outcome(broken).status == report.FAILED
    assert job_report.outcome(healthy).status == report.PROCESSED
    assert len(rows_of(spark, CURATED, healthy)) == 3
    assert "FAILED: " + broken in job_report.summary()
    assert any(broken in alert["Subject"] for alert in job_env.alerts())
    _, again = cycle(spark, job_env.with_topics(healthy), job_env.clients)
    assert again.outcome(healthy).status == report.NO_NEW_DATA
