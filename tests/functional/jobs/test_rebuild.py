"""Contract evolution in the curated job: a rebuild from standardized, and forced changes without one."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from leanops import faults
from leanops.adapters.checkpoints import CheckpointStore
from leanops.adapters.iceberg_ddl import TABLE_PROPERTIES, qualified_name
from leanops.definitions import CURATED, CURATED_ERRORS, STANDARDIZED, table
from leanops.exceptions import InjectedFaultError, TopicFailuresError
from leanops.jobs import report

from .conftest import JobEnvironment
from .helpers import append_raw, cycle, envelope, run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

T10 = "2026-03-01T10:00:00Z"
T11 = "2026-03-01T11:00:00Z"
FAULT_POINTS = (
    faults.JOB_CRASH_BEFORE_COMMIT,
    faults.JOB_CRASH_AFTER_COMMIT,
    faults.CHECKPOINT_WRITE_FAILURE,
)


def _contract(topic: str, fields: dict[str, Any], order_by: str = "updated_at", key: str = "order_id") -> str:
    return json.dumps({"topic": topic, "key": [key], "order_by": order_by, "fields": fields})


V1_FIELDS = {
    "order_id": {"type": "string", "required": True},
    "customer_id": {"type": "string", "required": True, "path": "customer.id"},
    "amount": {"type": "decimal(12,2)", "required": True},
    "updated_at": {"type": "timestamp", "required": True},
}
# Breaking changes: amount's scale (not a widening), customer_id removed, quantity new and required.
V2_FIELDS = {
    "order_id": {"type": "string", "required": True},
    "amount": {"type": "decimal(12,3)", "required": True},
    "quantity": {"type": "int", "required": True},
    "updated_at": {"type": "timestamp", "required": True},
}


def _body(order_id: str, amount: str, quantity: int | None = None, updated_at: str = T10) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": order_id,
        "customer": {"id": "c1"},
        "amount": amount,
        "updated_at": updated_at,
    }
    if quantity is not None:
        body["quantity"] = quantity
    return body


def _given_curated_under_v1(spark: SparkSession, env: JobEnvironment, topic: str) -> None:
    """GIVEN m1 valid under both contracts, m2 valid only under v2, m3 valid only under v1, curated by v1."""
    env.put_contract(topic, _contract(topic, V1_FIELDS))
    append_raw(
        spark,
        topic,
        [
            envelope(topic, "m1", _body("o1", "10.00", 2)),
            envelope(topic, "m2", _body("o2", "1.234", 1), 1),
            envelope(topic, "m3", _body("o3", "5.00"), 2),
        ],
    )
    cycle(spark, env.with_topics(topic), env.clients)
    assert _curated_ids(spark, topic) == {"o1": "m1", "o3": "m3"}
    assert _error_ids(spark, topic) == {"m2"}


def _curated_ids(spark: SparkSession, topic: str) -> dict[str, str]:
    name = qualified_name(table(CURATED), topic)
    return {row["order_id"]: row["message_id"] for row in spark.table(name).collect()}


def _error_ids(spark: SparkSession, topic: str) -> set[str]:
    name = qualified_name(table(CURATED_ERRORS))
    return {row["message_id"] for row in spark.table(name).filter(f"topic_name = '{topic}'").collect()}


def _errors(spark: SparkSession, topic: str) -> list[tuple[str, str]]:
    name = qualified_name(table(CURATED_ERRORS))
    rows = spark.table(name).filter(f"topic_name = '{topic}'").collect()
    return sorted((row["message_id"], row["failed_fields"]) for row in rows)


def _checkpoints(env: JobEnvironment) -> CheckpointStore:
    return CheckpointStore(env.settings.checkpoint_table, env.clients.dynamodb)


def _standardized_snapshot(spark: SparkSession, topic: str) -> str:
    name = qualified_name(table(STANDARDIZED), topic)
    return str(
        spark.sql(f"SELECT snapshot_id FROM {name}.snapshots ORDER BY committed_at DESC").collect()[0][0]
    )


def _state(spark: SparkSession, topic: str) -> tuple[Any, ...]:
    name = qualified_name(table(CURATED), topic)
    curated = sorted(
        (row["order_id"], row["message_id"], row["amount"], row["quantity"])
        for row in spark.table(name).collect()
    )
    return tuple(curated), tuple(_errors(spark, topic))


def test_a_rebuild_recomputes_curated_and_its_errors_from_the_whole_standardized_table(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    _given_curated_under_v1(spark, job_env, unique_name)
    curated_name = qualified_name(table(CURATED), unique_name)
    comment_before = (
        spark.sql(f"DESCRIBE TABLE {curated_name}").filter("col_name = 'message_id'").collect()[0]
    )
    # WHEN the breaking v2 is uploaded with a rebuild request (what `schema --rebuild` does)
    job_env.put_contract(unique_name, _contract(unique_name, V2_FIELDS))
    _checkpoints(job_env).request_rebuild(unique_name, "v2", "test")
    _, curated = cycle(spark, job_env.with_topics(unique_name), job_env.clients)
    # THEN the topic is rebuilt: m2 (rejected before, valid now) is curated, m3 (valid before,
    # invalid now) moved to errors, m1 stays; and the report says "rebuilt"
    outcome = curated.outcome(unique_name)
    assert (outcome.status, outcome.rows_read, outcome.rows_written, outcome.curated_errors) == (
        report.REBUILT,
        3,
        2,
        1,
    )
    assert "rebuilt from the whole of" in outcome.message
    assert _curated_ids(spark, unique_name) == {"o1": "m1", "o2": "m2"}
    assert _errors(spark, unique_name) == [("m3", "quantity")]
    # AND the table has v2's columns and types (customer_id gone, amount decimal(12,3), quantity int),
    # keeps the jobs' table properties and the definition's column comments
    schema = {field.name: field.dataType.simpleString() for field in spark.table(curated_name).schema.fields}
    assert "customer_id" not in schema
    assert (schema["amount"], schema["quantity"]) == ("decimal(12,3)", "int")
    assert spark.table(curated_name).filter("order_id = 'o2'").collect()[0]["amount"] == Decimal("1.234")
    properties = {
        str(row[0]): str(row[1]) for row in spark.sql(f"SHOW TBLPROPERTIES {curated_name}").collect()
    }
    assert {key: properties.get(key) for key in TABLE_PROPERTIES} == TABLE_PROPERTIES
    comment_after = spark.sql(f"DESCRIBE TABLE {curated_name}").filter("col_name = 'message_id'").collect()[0]
    assert comment_after["comment"] == comment_before["comment"]
    # AND the request is cleared after the checkpoint moved to the standardized snapshot read
    assert _checkpoints(job_env).rebuild_request(unique_name) is None
    assert _checkpoints(job_env).get(unique_name, CURATED) == _standardized_snapshot(spark, unique_name)
    # WHEN the next cycle runs THEN nothing is rebuilt again
    _, again = cycle(spark, job_env.with_topics(unique_name), job_env.clients)
    assert again.outcome(unique_name).status == report.NO_NEW_DATA
    # WHEN a new increment arrives THEN it is merged under v2 into the rebuilt table
    append_raw(spark, unique_name, [envelope(unique_name, "m4", _body("o1", "11.125", 3, T11), 10)])
    _, later = cycle(spark, job_env.with_topics(unique_name), job_env.clients)
    assert later.outcome(unique_name).status == report.PROCESSED
    assert _curated_ids(spark, unique_name) == {"o1": "m4", "o2": "m2"}


@pytest.mark.parametrize("fault", FAULT_POINTS)
def test_a_rebuild_that_crashed_is_finished_by_the_next_run_and_nothing_doubles(
    spark: SparkSession,
    job_env: JobEnvironment,
    unique_name: str,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    _given_curated_under_v1(spark, job_env, unique_name)
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, _contract(unique_name, V2_FIELDS))
    _checkpoints(job_env).request_rebuild(unique_name, "v2", "test")
    # WHEN the rebuild crashes (before its writes, after them, at the checkpoint)
    monkeypatch.setenv(faults.FAULTS_ENV, f"{fault}=1")
    with pytest.raises(InjectedFaultError, match=fault):
        run(spark, CURATED, settings, job_env.clients)
    monkeypatch.delenv(faults.FAULTS_ENV)
    # THEN the request is still pending
    assert _checkpoints(job_env).rebuild_request(unique_name) is not None
    # WHEN the next run comes THEN it finishes the rebuild
    assert run(spark, CURATED, settings, job_env.clients).outcome(unique_name).status == report.REBUILT
    finished = _state(spark, unique_name)
    assert _curated_ids(spark, unique_name) == {"o1": "m1", "o2": "m2"}
    assert _errors(spark, unique_name) == [("m3", "quantity")]
    # WHEN the same rebuild runs once more (as after a crash past its last step) THEN nothing doubles
    _checkpoints(job_env).request_rebuild(unique_name, "v2", "test")
    assert run(spark, CURATED, settings, job_env.clients).outcome(unique_name).status == report.REBUILT
    assert _state(spark, unique_name) == finished
    assert run(spark, CURATED, settings, job_env.clients).outcome(unique_name).status == report.NO_NEW_DATA


def test_the_job_argument_rebuilds_and_its_request_survives_a_crash(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _given_curated_under_v1(spark, job_env, unique_name)
    job_env.put_contract(unique_name, _contract(unique_name, V2_FIELDS))
    by_hand = replace(job_env.with_topics(unique_name), rebuild_topics=(unique_name,))
    # WHEN the curated job is started by hand with LEANOPS_REBUILD_TOPICS and crashes after its writes
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.JOB_CRASH_AFTER_COMMIT}=1")
    with pytest.raises(InjectedFaultError):
        run(spark, CURATED, by_hand, job_env.clients)
    monkeypatch.delenv(faults.FAULTS_ENV)
    # THEN the argument was recorded as a request, so a scheduled run (without the argument) finishes it
    pending = _checkpoints(job_env).rebuild_request(unique_name)
    assert pending is not None and "LEANOPS_REBUILD_TOPICS" in pending.requested_by
    scheduled = run(spark, CURATED, job_env.with_topics(unique_name), job_env.clients).outcome(unique_name)
    assert scheduled.status == report.REBUILT
    assert _curated_ids(spark, unique_name) == {"o1": "m1", "o2": "m2"}
    assert _checkpoints(job_env).rebuild_request(unique_name) is None


def test_a_request_made_during_a_rebuild_stays_pending(job_env: JobEnvironment, unique_name: str) -> None:
    # GIVEN a request read by a rebuild, then a newer request (another `schema --rebuild`)
    store = _checkpoints(job_env)
    first = store.request_rebuild(unique_name, "v2", "schema --rebuild")
    second = store.request_rebuild(unique_name, "v3", "schema --rebuild")
    # WHEN the rebuild that read the first clears it THEN the newer one stays for the next run
    assert store.clear_rebuild(first) is False
    assert store.rebuild_request(unique_name) == second
    assert store.clear_rebuild(second) is True
    assert store.rebuild_request(unique_name) is None
    # AND clearing an already cleared request is fine (a rerun)
    assert store.clear_rebuild(second) is True


def test_a_rebuild_before_any_standardized_data_only_clears_the_request(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a contract and a rebuild request, and no standardized table yet
    job_env.put_contract(unique_name, _contract(unique_name, V2_FIELDS))
    _checkpoints(job_env).request_rebuild(unique_name, "v2", "test")
    # WHEN curated runs THEN there is nothing to rebuild, and the request is cleared
    outcome = run(spark, CURATED, job_env.with_topics(unique_name), job_env.clients).outcome(unique_name)
    assert outcome.status == report.NO_NEW_DATA
    assert "nothing to rebuild" in outcome.message
    assert _checkpoints(job_env).rebuild_request(unique_name) is None


def test_forced_move_of_order_by_to_a_new_field_does_not_freeze_keys(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN o1 curated under a contract ordered by updated_at
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, _contract(unique_name, V1_FIELDS))
    append_raw(spark, unique_name, [envelope(unique_name, "m1", _body("o1", "1.00"))])
    cycle(spark, settings, job_env.clients)
    # WHEN the contract is forced to order by a new field `version` (old rows hold NULL there)
    v2 = {**V1_FIELDS, "version": {"type": "int", "required": True}}
    job_env.put_contract(unique_name, _contract(unique_name, v2, order_by="version"))
    append_raw(spark, unique_name, [envelope(unique_name, "m2", {**_body("o1", "2.00"), "version": 1}, 10)])
    cycle(spark, settings, job_env.clients)
    # THEN the version 1 replaces the row from before the change (a value is newer than NULL)
    assert _curated_ids(spark, unique_name) == {"o1": "m2"}
    # AND later the usual rule holds: an older version never overwrites, a newer one does
    append_raw(spark, unique_name, [envelope(unique_name, "m3", {**_body("o1", "3.00"), "version": 0}, 20)])
    cycle(spark, settings, job_env.clients)
    assert _curated_ids(spark, unique_name) == {"o1": "m2"}
    append_raw(spark, unique_name, [envelope(unique_name, "m4", {**_body("o1", "4.00"), "version": 2}, 30)])
    cycle(spark, settings, job_env.clients)
    assert _curated_ids(spark, unique_name) == {"o1": "m4"}


def test_forced_removal_of_a_field_never_mixes_two_versions_in_a_row(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN o1 curated with customer_id c1
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, _contract(unique_name, V1_FIELDS))
    append_raw(spark, unique_name, [envelope(unique_name, "m1", _body("o1", "1.00"))])
    cycle(spark, settings, job_env.clients)
    # WHEN customer_id is removed by a forced change and a newer o1 and a new o2 arrive
    without_customer = {name: spec for name, spec in V1_FIELDS.items() if name != "customer_id"}
    job_env.put_contract(unique_name, _contract(unique_name, without_customer))
    append_raw(
        spark,
        unique_name,
        [
            envelope(unique_name, "m2", _body("o1", "2.00", updated_at=T11), 10),
            envelope(unique_name, "m3", _body("o2", "3.00"), 11),
        ],
    )
    cycle(spark, settings, job_env.clients)
    # THEN the updated row and the new one hold NULL in the removed column, not the old version's value
    rows = {
        row["order_id"]: row for row in spark.table(qualified_name(table(CURATED), unique_name)).collect()
    }
    assert {order_id: (row["message_id"], row["customer_id"]) for order_id, row in rows.items()} == {
        "o1": ("m2", None),
        "o2": ("m3", None),
    }


def test_a_key_change_without_a_rebuild_fails_the_topic_until_it_is_rebuilt(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN orders curated by order_id
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, _contract(unique_name, V1_FIELDS))
    append_raw(
        spark,
        unique_name,
        [
            envelope(unique_name, "m1", _body("o1", "1.00")),
            envelope(unique_name, "m2", {**_body("o2", "2.00"), "customer": {"id": "c2"}}, 1),
        ],
    )
    cycle(spark, settings, job_env.clients)
    # WHEN a contract keyed by customer_id lands without a rebuild (e.g. copied straight to S3)
    job_env.put_contract(unique_name, _contract(unique_name, V1_FIELDS, key="customer_id"))
    append_raw(spark, unique_name, [envelope(unique_name, "m3", _body("o3", "3.00", updated_at=T11), 10)])
    with pytest.raises(TopicFailuresError, match="ContractKeyChangedError") as raised:
        cycle(spark, settings, job_env.clients)
    # THEN the topic fails saying what to do, and curated is untouched
    failed = raised.value.report
    assert isinstance(failed, report.JobReport)
    assert "a key change needs a rebuild" in failed.outcome(unique_name).message
    assert _curated_ids(spark, unique_name) == {"o1": "m1", "o2": "m2"}
    # WHEN it is rebuilt THEN curated holds the latest row per customer, and increments merge again
    _checkpoints(job_env).request_rebuild(unique_name, None, "test")
    _, rebuilt = cycle(spark, settings, job_env.clients)
    assert rebuilt.outcome(unique_name).status == report.REBUILT
    name = qualified_name(table(CURATED), unique_name)
    by_customer = {row["customer_id"]: row["message_id"] for row in spark.table(name).collect()}
    assert by_customer == {"c1": "m3", "c2": "m2"}
    append_raw(spark, unique_name, [envelope(unique_name, "m4", _body("o4", "4.00", updated_at=T11), 20)])
    _, after = cycle(spark, settings, job_env.clients)
    assert after.outcome(unique_name).status == report.PROCESSED
    assert {row["customer_id"]: row["message_id"] for row in spark.table(name).collect()} == {
        "c1": "m4",
        "c2": "m2",
    }
