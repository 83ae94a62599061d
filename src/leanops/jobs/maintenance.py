"""Table maintenance job: compaction, snapshot expiry, orphan-file removal (Iceberg Spark procedures).

The decisions are leanops.maintenance_plan's (pure); this module only runs them. Per topic, under
the topic's lock (the id the cycle takes, so maintenance never runs beside a cycle on that topic;
a locked topic is skipped and reported), on RAW, standardized and curated:

1. ``rewrite_data_files`` (binpack to the target file size): a ``replace`` snapshot, which
   incremental reads skip (it adds no rows);
2. ``expire_snapshots`` older than the plan's cut-off (never the checkpoint's snapshot), keeping
   ``retain_last``;
3. ``remove_orphan_files`` older than the orphan age (at least 3 days and the longest job).

The shared tables (error tables, drift log) are written by every topic's jobs: they are
maintained under the cycle lock (``LEANOPS_CYCLE_LOCK_ID``), and skipped when it is not given.

Topics are independent (their own tables, their own lock), so up to ``parallelism`` of them
(``LEANOPS_MAINTENANCE_PARALLELISM``, default 1, at most 8) are maintained at once, each in a
thread submitting its procedures to the one SparkSession (Spark runs jobs of several threads
concurrently); outcomes are recorded in topic order, then the shared tables run alone.
Iceberg docs, "Spark Procedures" (rewrite_data_files, expire_snapshots, remove_orphan_files).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from leanops import definitions
from leanops.adapters import AwsClients, CheckpointStore, LockStore
from leanops.adapters.locks import topic_lock_id
from leanops.exceptions import LockHeldError, TopicFailuresError
from leanops.jobs import iceberg_io
from leanops.jobs.jsonlog import fields
from leanops.jobs.maintenance_report import (
    FAILED,
    LAYER,
    MAINTAINED,
    SKIPPED,
    GroupOutcome,
    MaintenanceReport,
    TableOutcome,
)
from leanops.jobs.runtime import new_run_id
from leanops.maintenance_plan import (
    MaintenanceSettings,
    Snapshot,
    TableTarget,
    expiry_cutoff,
    orphan_cutoff,
    shared_targets,
    topic_targets,
    topics_of_raw_tables,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

logger = logging.getLogger(__name__)

SHARED = "shared"
MIN_INPUT_FILES = 2


def _one(spark: SparkSession, sql: str) -> int:
    return int(spark.sql(sql).collect()[0][0] or 0)


def _snapshots(spark: SparkSession, name: str) -> list[Snapshot]:
    rows = spark.sql(f"SELECT CAST(snapshot_id AS STRING), unix_millis(committed_at) FROM {name}.snapshots")
    return [Snapshot(row[0], datetime.fromtimestamp(row[1] / 1000, UTC)) for row in rows.collect()]


def _timestamp(moment: datetime) -> str:
    return f"TIMESTAMP '{moment.astimezone(UTC).isoformat(timespec='milliseconds')}'"


def maintain_table(
    spark: SparkSession,
    target: TableTarget,
    settings: MaintenanceSettings,
    checkpoint: str | None,
    now: datetime,
) -> TableOutcome:
    """Compact one table, expire its snapshots up to the plan's cut-off, remove its orphan files."""
    policy = settings.policy
    name = f"{definitions.catalog_name()}.{target.identifier}"
    call = f"CALL {definitions.catalog_name()}.system"
    outcome = TableOutcome(
        table=target.identifier, files_before=_one(spark, f"SELECT count(*) FROM {name}.files")
    )
    options = (
        f"map('target-file-size-bytes', '{policy.target_file_size_bytes}', "
        f"'min-input-files', '{MIN_INPUT_FILES}')"
    )
    rewrite = (
        f"{call}.rewrite_data_files(table => '{target.identifier}', strategy => 'binpack', "
        f"options => {options})"
    )
    outcome.data_files_rewritten = int(spark.sql(rewrite).collect()[0]["rewritten_data_files_count"])
    snapshots = _snapshots(spark, name)
    outcome.snapshots_before = len(snapshots)
    decision = expiry_cutoff(now, policy, snapshots, checkpoint)
    outcome.expiry = decision.reason
    if decision.older_than is not None:
        spark.sql(
            f"{call}.expire_snapshots(table => '{target.identifier}', older_than => "
            f"{_timestamp(decision.older_than)}, retain_last => {policy.retain_last})"
        ).collect()
    outcome.snapshots_after = len(_snapshots(spark, name))
    outcome.snapshots_expired = outcome.snapshots_before - outcome.snapshots_after
    orphans = spark.sql(
        f"{call}.remove_orphan_files(table => '{target.identifier}', "
        f"older_than => {_timestamp(orphan_cutoff(now, policy))})"
    )
    outcome.orphan_files_removed = len(orphans.collect())
    outcome.files_after = _one(spark, f"SELECT count(*) FROM {name}.files")
    return outcome


@dataclass
class MaintenanceRun:
    """One maintenance run: each topic under its lock, then the shared tables under the cycle lock."""

    spark: SparkSession
    settings: MaintenanceSettings
    checkpoints: CheckpointStore
    locks: LockStore
    report: MaintenanceReport
    now: datetime

    def targets_of(self, targets: Sequence[TableTarget]) -> Callable[[], list[TableOutcome]]:
        """Return the work of a group: maintain each of its existing tables."""

        def work() -> list[TableOutcome]:
            outcomes = []
            for target in targets:
                name = f"{definitions.catalog_name()}.{target.identifier}"
                if not iceberg_io.table_exists(self.spark, name):
                    continue
                layer = target.checkpoint_layer
                checkpoint = self.checkpoints.get(target.topic, layer) if layer and target.topic else None
                outcomes.append(maintain_table(self.spark, target, self.settings, checkpoint, self.now))
            return outcomes

        return work

    def locked(self, group: str, lock_id: str | None, work: Callable[[], list[TableOutcome]]) -> GroupOutcome:
        """Run ``work`` under ``lock_id``; a held lock skips the group, an error fails it (logged)."""
        if lock_id is None:
            return GroupOutcome(
                group, SKIPPED, "no cycle lock id (LEANOPS_CYCLE_LOCK_ID): shared tables not maintained"
            )
        try:
            self.locks.acquire(lock_id, self.report.run_id, self.settings.lock_ttl_seconds)
        except LockHeldError as exc:
            return GroupOutcome(group, SKIPPED, f"skipped: {exc}")
        try:
            return GroupOutcome(group, MAINTAINED, tables=work())
        except Exception as exc:  # noqa: BLE001 - one group's failure must not stop the others
            logger.exception(
                "maintenance of %s failed",
                group,
                extra=fields(event="table_failed", layer=LAYER, topic=group),
            )
            return GroupOutcome(group, FAILED, f"{type(exc).__name__}: {exc}")
        finally:
            self.locks.release(lock_id, self.report.run_id)

    def maintain_topic(self, topic: str) -> GroupOutcome:
        """Maintain one topic's tables under the topic's lock."""
        return self.locked(topic, topic_lock_id(topic), self.targets_of(topic_targets(topic)))

    def done(self, outcome: GroupOutcome) -> None:
        """Record a group's outcome and log it (``topic_done``: the local runner's progress counts it)."""
        self.report.outcomes.append(outcome)
        logger.info(
            "topic %s: %s %s",
            outcome.topic,
            outcome.status,
            outcome.message,
            extra=fields(event="topic_done", layer=LAYER, topic=outcome.topic, outcome=asdict(outcome)),
        )

    def run(self) -> MaintenanceReport:
        """Maintain every topic, then the shared tables; raise if a group failed."""
        topics = self.settings.topics or topics_of_raw_tables(
            row[1]
            for row in self.spark.sql(
                f"SHOW TABLES IN {definitions.catalog_name()}.{definitions.table(definitions.RAW).database}"
            ).collect()
        )
        workers = min(self.settings.parallelism, len(topics))
        if workers <= 1:
            for topic in topics:
                self.done(self.maintain_topic(topic))
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="maintenance") as pool:
                for outcome in pool.map(self.maintain_topic, topics):
                    self.done(outcome)
        self.done(self.locked(SHARED, self.settings.cycle_lock_id, self.targets_of(shared_targets())))
        self.report.finished_at = datetime.now(UTC)
        logger.info(self.report.summary(), extra=fields(event="run_finished", report=self.report.to_dict()))
        if self.report.failures:
            raise TopicFailuresError(LAYER, self.report.run_id, self.report.failures, report=self.report)
        return self.report


def run_maintenance(
    spark: SparkSession,
    settings: MaintenanceSettings,
    clients: AwsClients | None = None,
    now: datetime | None = None,
) -> MaintenanceReport:
    """Maintain the tables of ``settings.topics`` (every RAW table's topic when empty) and the shared ones.

    Args:
        spark: the session (its catalog holds the Iceberg tables).
        settings: topics, checkpoint and lock tables, the policy.
        clients: boto3 clients to use; missing ones are created.
        now: the run's time (UTC; tests move it forward).

    Returns:
        The report: per table, files before/after, snapshots expired, orphan files removed.

    Raises:
        TopicFailuresError: after every group ran, listing those that failed (with the report).

    """
    aws = (clients or AwsClients()).completed()
    moment = now or datetime.now(UTC)
    return MaintenanceRun(
        spark=spark,
        settings=settings,
        checkpoints=CheckpointStore(settings.checkpoint_table, aws.dynamodb),
        locks=LockStore(settings.lock_table, aws.dynamodb),
        report=MaintenanceReport(run_id=settings.run_id or new_run_id(LAYER, moment), started_at=moment),
        now=moment,
    ).run()
