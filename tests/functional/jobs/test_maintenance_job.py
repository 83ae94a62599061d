"""Table maintenance on local Spark: many small appends compacted, snapshots expired, checkpoints kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from leanops import definitions
from leanops.adapters.locks import topic_lock_id
from leanops.jobs import report
from leanops.jobs.maintenance import run_maintenance
from leanops.jobs.maintenance_report import MAINTAINED, SKIPPED
from leanops.jobs.runtime import run_layer
from leanops.local.rows import arrow_table_for
from leanops.maintenance_plan import MaintenanceSettings

from .conftest import JobEnvironment
from .helpers import append_raw, envelope, order, order_contract

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SMALL_APPENDS = 60
LATER_APPENDS = 3
# Maintenance runs "two days later": every snapshot is past the 24 h retention, so only the
# checkpoint decides what is kept.
LATER = timedelta(days=2)


def _orders(topic: str, start: int, count: int) -> list[dict[str, Any]]:
    return [
        envelope(topic, f"m{i:04d}", order(f"o{i}", "1.00", "2026-03-01T10:00:00Z"), sent_seconds=i)
        for i in range(start, start + count)
    ]


def _append_one_by_one(iceberg_catalog: Any, topic: str, rows: list[dict[str, Any]]) -> None:
    table = iceberg_catalog.load_table(definitions.table(definitions.RAW).identifier(topic))
    for row in rows:  # one commit per row, as Firehose commits per buffer interval
        decoded = {
            key: value.isoformat() if isinstance(value, datetime) else value for key, value in row.items()
        }
        arrow, rejected = arrow_table_for(table.schema(), [decoded])
        assert not rejected
        table.append(arrow)


def _snapshot_ids(spark: SparkSession, name: str) -> set[str]:
    return {
        row[0] for row in spark.sql(f"SELECT CAST(snapshot_id AS STRING) FROM {name}.snapshots").collect()
    }


def _settings(job_env: JobEnvironment, topic: str) -> MaintenanceSettings:
    return MaintenanceSettings(
        checkpoint_table=job_env.settings.checkpoint_table,
        lock_table=job_env.settings.lock_table,
        topics=(topic,),
    )


def test_maintenance_compacts_expires_and_keeps_what_the_next_cycle_reads(
    spark: SparkSession, iceberg_catalog: Any, job_env: JobEnvironment, unique_name: str
) -> None:
    topic = unique_name
    raw = f"{definitions.catalog_name()}.{definitions.table(definitions.RAW).identifier(topic)}"
    job_env.put_contract(topic, order_contract(topic))
    # GIVEN 60 small appends to RAW, processed by standardized (its checkpoint: its last snapshot)
    first = _orders(topic, 0, SMALL_APPENDS)
    append_raw(spark, topic, first[:1])
    _append_one_by_one(iceberg_catalog, topic, first[1:])
    settings = job_env.with_topics(topic)
    assert (
        run_layer(spark, definitions.STANDARDIZED, settings, job_env.clients).outcome(topic).rows_read
        == SMALL_APPENDS
    )
    checkpoint = job_env_checkpoint(job_env, topic)
    # AND 3 more appends the next cycle has not read yet
    _append_one_by_one(iceberg_catalog, topic, _orders(topic, SMALL_APPENDS, LATER_APPENDS))
    # WHEN maintenance runs two days later
    result = run_maintenance(spark, _settings(job_env, topic), job_env.clients, now=datetime.now(UTC) + LATER)
    # THEN RAW went from one file per append to a few, the snapshots before the checkpoint were
    # expired and the checkpoint's snapshot (and those after it) kept
    outcome = next(group for group in result.outcomes if group.topic == topic)
    assert outcome.status == MAINTAINED
    raw_outcome = next(table for table in outcome.tables if table.table.startswith("iceberg_raw_db."))
    assert raw_outcome.files_before == SMALL_APPENDS + LATER_APPENDS
    assert raw_outcome.files_after < 5
    assert raw_outcome.snapshots_expired == SMALL_APPENDS - 1
    assert checkpoint in _snapshot_ids(spark, raw)
    assert "checkpoint" in raw_outcome.expiry
    # AND the next cycle reads exactly the 3 new rows (the compaction's replace snapshot adds none)
    rerun = run_layer(spark, definitions.STANDARDIZED, settings, job_env.clients).outcome(topic)
    assert (rerun.status, rerun.rows_read, rerun.rows_written) == (
        report.PROCESSED,
        LATER_APPENDS,
        LATER_APPENDS,
    )
    standardized = (
        f"{definitions.catalog_name()}.{definitions.table(definitions.STANDARDIZED).identifier(topic)}"
    )
    assert spark.table(standardized).count() == SMALL_APPENDS + LATER_APPENDS


def job_env_checkpoint(job_env: JobEnvironment, topic: str) -> str:
    """Return standardized's checkpoint of ``topic`` (the RAW snapshot it processed up to)."""
    from leanops.adapters import CheckpointStore

    value = CheckpointStore(job_env.settings.checkpoint_table, job_env.clients.dynamodb).get(
        topic, "standardized"
    )
    assert value is not None
    return value


def test_a_topic_a_cycle_holds_is_skipped_and_reported(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a RAW table and a cycle holding the topic's lock
    append_raw(spark, unique_name, _orders(unique_name, 0, 1))
    from leanops.adapters import LockStore

    LockStore(job_env.settings.lock_table, job_env.clients.dynamodb).acquire(
        topic_lock_id(unique_name), "cycle-1", 600
    )
    # WHEN maintenance runs  THEN the topic is skipped, named with its holder; nothing else fails
    result = run_maintenance(spark, _settings(job_env, unique_name), job_env.clients)
    outcome = next(group for group in result.outcomes if group.topic == unique_name)
    assert (outcome.status, outcome.tables) == (SKIPPED, [])
    assert "cycle-1" in outcome.message
    assert "skipped" in result.summary()
