"""The error tables' MERGEs restricted to the batch's sent_at range and topic: still exact.

parse_errors and curated errors are partitioned by days(sent_at) (schemas/tables.json) and their
insert-only MERGEs restrict the target to the batch's sent_at range and topic
(leanops.jobs.iceberg_io.target_filter). Every copy of a message carries the same sent_at, so a
retry copy arriving days after its message is still recognised, and a copy without sent_at
still dedupes against the null partition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from leanops import definitions, faults
from leanops.adapters.iceberg_ddl import ensure_table, evolve_partitioning, partitioning, qualified_name
from leanops.definitions import CURATED, CURATED_ERRORS, PARSE_ERRORS, STANDARDIZED
from leanops.exceptions import InjectedFaultError
from leanops.jobs import report

from .conftest import JobEnvironment
from .helpers import append_raw, envelope, order, order_contract, rows_of, run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DAY = 86_400
TRUNCATED = '{"order_id": '


def _ids(spark: SparkSession, kind: str, topic: str) -> list[str]:
    return [row["message_id"] for row in rows_of(spark, kind, topic)]


def test_error_tables_are_partitioned_by_day_of_sent_at(spark: SparkSession) -> None:
    # GIVEN the jobs' DDL  WHEN the shared error tables exist  THEN both are partitioned by days(sent_at)
    for kind in (PARSE_ERRORS, CURATED_ERRORS):
        name = ensure_table(spark, definitions.table(kind))
        assert partitioning(spark, name) == ["days(`sent_at`)"]


def test_a_late_retry_of_an_old_parse_error_is_not_recorded_twice(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a parse error m1 recorded 3 days before the next batch
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(spark, unique_name, [envelope(unique_name, "m1", TRUNCATED)])
    run(spark, STANDARDIZED, settings, job_env.clients)
    # WHEN its retry copy (same sent_at, ingested 3 days later) arrives with today's m2
    later = 3 * DAY
    retry = envelope(unique_name, "m1", TRUNCATED, 0, ingested_seconds=later, receive_count=2)
    append_raw(spark, unique_name, [retry, envelope(unique_name, "m2", TRUNCATED, later)])
    result = run(spark, STANDARDIZED, settings, job_env.clients)
    # THEN m1 is found in its old partition and kept once; the report counts the batch's errors
    assert _ids(spark, PARSE_ERRORS, unique_name) == ["m1", "m2"]
    assert result.outcome(unique_name).parse_errors == 2


def test_a_curated_rerun_over_several_days_records_each_error_once(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN contract failures sent 3 days apart, standardized in one increment
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(
        spark,
        unique_name,
        [
            envelope(unique_name, "m1", order("o1", "twelve", "2026-03-01T10:00:00Z")),
            envelope(unique_name, "m2", order("o2", "1.00", "2026-03-02T10:00:00Z"), DAY),
            envelope(unique_name, "m3", order("o3", "1.234", "2026-03-04T10:00:00Z"), 3 * DAY),
        ],
    )
    run(spark, STANDARDIZED, settings, job_env.clients)
    # WHEN curated commits, crashes before its checkpoint, and runs the same increment again
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.JOB_CRASH_AFTER_COMMIT}=1")
    with pytest.raises(InjectedFaultError):
        run(spark, CURATED, settings, job_env.clients)
    monkeypatch.delenv(faults.FAULTS_ENV)
    rerun = run(spark, CURATED, settings, job_env.clients)
    # THEN each failing record is in errors once, and the valid one in curated
    assert rerun.outcome(unique_name).status == report.PROCESSED
    assert _ids(spark, CURATED_ERRORS, unique_name) == ["m1", "m3"]
    assert _ids(spark, CURATED, unique_name) == ["m2"]


def test_a_copy_without_sent_at_dedupes_against_the_null_partition(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a parse error whose envelope has no sent_at (RAW's columns are all optional)
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(spark, unique_name, [{**envelope(unique_name, "m1", TRUNCATED), "sent_at": None}])
    run(spark, STANDARDIZED, settings, job_env.clients)
    # WHEN its retry copy arrives in a later batch, with a message that has a sent_at
    retry = {**envelope(unique_name, "m1", TRUNCATED, ingested_seconds=DAY, receive_count=2), "sent_at": None}
    append_raw(spark, unique_name, [retry, envelope(unique_name, "m2", TRUNCATED, DAY)])
    run(spark, STANDARDIZED, settings, job_env.clients)
    # THEN m1 is recorded once, without sent_at, and m2 is added
    rows = rows_of(spark, PARSE_ERRORS, unique_name)
    assert [(row["message_id"], row["sent_at"] is None) for row in rows] == [("m1", True), ("m2", False)]


def test_other_topics_errors_are_neither_matched_nor_touched(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN topic a's parse error m1
    first, second = f"{unique_name}_a", f"{unique_name}_b"
    for topic in (first, second):
        job_env.put_contract(topic, order_contract(topic))
    append_raw(spark, first, [envelope(first, "m1", TRUNCATED)])
    run(spark, STANDARDIZED, job_env.with_topics(first), job_env.clients)
    # WHEN topic b gets a message with the same id and sent_at (ids are per queue)
    append_raw(spark, second, [envelope(second, "m1", TRUNCATED)])
    run(spark, STANDARDIZED, job_env.with_topics(second), job_env.clients)
    # THEN each topic has its own error row
    assert _ids(spark, PARSE_ERRORS, first) == ["m1"]
    assert _ids(spark, PARSE_ERRORS, second) == ["m1"]


def test_a_table_with_the_old_partitioning_evolves_and_keeps_its_rows(
    spark: SparkSession, unique_name: str
) -> None:
    # GIVEN a jobs-created table partitioned by days(recorded_at), with a row
    table = definitions.table(PARSE_ERRORS)
    name = qualified_name(table).replace(".parse_errors", f".{unique_name}")
    columns = ", ".join(
        f"`{column.name}` {'timestamp' if 'timestamp' in column.type else column.type}"
        for column in table.columns
    )
    spark.sql(f"CREATE TABLE {name} ({columns}) USING iceberg PARTITIONED BY (days(recorded_at))")
    spark.sql(
        f"INSERT INTO {name} VALUES ('t', 'm1', 'x', 'why', timestamp'2026-03-01 10:00:00', NULL, 'r1', "
        "timestamp'2026-03-05 10:00:00')"
    )
    # WHEN its partitioning is evolved to the definition's (days(sent_at))
    changed = evolve_partitioning(spark, name, table)
    # THEN the spec is the definition's, the row is still there, and a second check changes nothing
    assert changed
    assert partitioning(spark, name) == ["days(`sent_at`)"]
    assert [row["message_id"] for row in spark.table(name).collect()] == ["m1"]
    assert not evolve_partitioning(spark, name, table)
