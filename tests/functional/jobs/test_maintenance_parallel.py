"""Maintenance of several topics at once: each topic compacted under its own lock, reported in order."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from leanops import definitions
from leanops.adapters import LockStore
from leanops.adapters.locks import topic_lock_id
from leanops.jobs.maintenance import run_maintenance
from leanops.jobs.maintenance_report import MAINTAINED, SKIPPED
from leanops.local.rows import arrow_table_for
from leanops.maintenance_plan import MaintenanceSettings

from .conftest import JobEnvironment
from .helpers import append_raw, envelope, order

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TOPICS = 3
APPENDS = 4


def _append(spark: SparkSession, iceberg_catalog: Any, topic: str) -> None:
    rows = [
        envelope(topic, f"m{i}", order(f"o{i}", "1.00", "2026-03-01T10:00:00Z"), sent_seconds=i)
        for i in range(APPENDS)
    ]
    append_raw(spark, topic, rows[:1])  # creates the RAW table
    table = iceberg_catalog.load_table(definitions.table(definitions.RAW).identifier(topic))
    for row in rows[1:]:  # then one small file per commit, as Firehose commits
        decoded = {
            key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in row.items()
        }
        arrow, rejected = arrow_table_for(table.schema(), [decoded])
        assert not rejected
        table.append(arrow)


def test_topics_are_maintained_two_at_a_time_each_under_its_lock_and_reported_in_order(
    spark: SparkSession, iceberg_catalog: Any, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN three topics of small RAW files, the last one locked by a cycle
    topics = [f"{unique_name}_{index}" for index in range(TOPICS)]
    for topic in topics:
        _append(spark, iceberg_catalog, topic)
    LockStore(job_env.settings.lock_table, job_env.clients.dynamodb).acquire(
        topic_lock_id(topics[-1]), "cycle-7", 600
    )
    settings = MaintenanceSettings(
        checkpoint_table=job_env.settings.checkpoint_table,
        lock_table=job_env.settings.lock_table,
        topics=tuple(topics),
    )
    # WHEN maintenance runs two topics at once
    result = run_maintenance(spark, replace(settings, parallelism=2), job_env.clients)
    # THEN the outcomes come in topic order: the free ones compacted, the locked one skipped
    outcomes = [group for group in result.outcomes if group.topic in topics]
    assert [group.topic for group in outcomes] == topics
    assert [group.status for group in outcomes] == [MAINTAINED, MAINTAINED, SKIPPED]
    for group in outcomes[:2]:
        raw = next(table for table in group.tables if table.table.startswith("iceberg_raw_db."))
        assert (raw.files_before, raw.files_after) == (APPENDS, 1)
    # AND their locks were released: the next run takes them again
    again = run_maintenance(
        spark, replace(settings, topics=tuple(topics[:2]), parallelism=2), job_env.clients
    )
    assert [group.status for group in again.outcomes if group.topic in topics] == [MAINTAINED, MAINTAINED]
