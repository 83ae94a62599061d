"""Table maintenance planning (pure): which tables, and how far back snapshots may be expired.

Firehose commits every buffer interval (1,440 small files and snapshots per RAW table per day at
60 s); the jobs add a snapshot per cycle. Maintenance compacts, expires snapshots and removes
orphan files (leanops.jobs.maintenance runs it); this module decides, without Spark or AWS:

* the tables of a topic (RAW, standardized, curated) and the shared ones (``dlq_errors``,
  ``parse_errors``, ``errors``, ``drift_log``), from ``schemas/tables.json``;
* per table, the expiry cut-off. Iceberg's ``expire_snapshots`` removes snapshots strictly older
  than ``older_than`` (keeping ``retain_last``). An incremental read from a checkpoint snapshot S
  needs S in the table's metadata (Iceberg checks that S is an ancestor of the current snapshot),
  so a table that a layer reads from its checkpoint is expired up to
  ``min(now - retention, commit time of S)``: never S itself.
* the policy's rules: retention longer than the cycle interval and the Snowflake refresh interval
  (docs/SNOWFLAKE.md), orphan-file age at least 3 days and at least the longest job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from leanops import definitions
from leanops.exceptions import ConfigurationError, TopicNameError
from leanops.settings import (
    CHECKPOINT_TABLE,
    DEFAULT_LOCK_TTL_SECONDS,
    LOCK_TABLE,
    LOCK_TTL_SECONDS,
    RUN_ID,
    TOPICS,
    name_list,
    require,
    whole_number,
)

# Job arguments of the maintenance job (besides the shared CHECKPOINT_TABLE, LOCK_TABLE, ...).
RETENTION_HOURS = "LEANOPS_SNAPSHOT_RETENTION_HOURS"
ORPHAN_AGE_HOURS = "LEANOPS_ORPHAN_FILE_AGE_HOURS"
TARGET_FILE_SIZE_MB = "LEANOPS_TARGET_FILE_SIZE_MB"
RETAIN_LAST = "LEANOPS_RETAIN_LAST_SNAPSHOTS"
CYCLE_INTERVAL_SECONDS = "LEANOPS_CYCLE_INTERVAL_SECONDS"
SNOWFLAKE_REFRESH_SECONDS = "LEANOPS_SNOWFLAKE_REFRESH_SECONDS"
LONGEST_JOB_MINUTES = "LEANOPS_LONGEST_JOB_MINUTES"
CYCLE_LOCK_ID = "LEANOPS_CYCLE_LOCK_ID"
# Topics maintained at once (threads of the job's one SparkSession, each topic under its own lock).
PARALLELISM = "LEANOPS_MAINTENANCE_PARALLELISM"
SETTING_KEYS = (
    TOPICS,
    CHECKPOINT_TABLE,
    LOCK_TABLE,
    LOCK_TTL_SECONDS,
    RUN_ID,
    RETENTION_HOURS,
    ORPHAN_AGE_HOURS,
    TARGET_FILE_SIZE_MB,
    RETAIN_LAST,
    CYCLE_INTERVAL_SECONDS,
    SNOWFLAKE_REFRESH_SECONDS,
    LONGEST_JOB_MINUTES,
    CYCLE_LOCK_ID,
    PARALLELISM,
)

DEFAULT_RETENTION_HOURS = 24
# Iceberg's own default for remove_orphan_files (Iceberg docs, "Spark Procedures",
# remove_orphan_files: older_than defaults to 3 days ago): a file younger than the longest write
# may belong to a commit still in progress (a job, or Firehose's buffer) and must not be deleted.
MIN_ORPHAN_AGE_HOURS = 72
DEFAULT_TARGET_FILE_SIZE_MB = 128
DEFAULT_RETAIN_LAST = 1
DEFAULT_CYCLE_INTERVAL_SECONDS = 900
# docs/SNOWFLAKE.md's catalog integration: REFRESH_INTERVAL_SECONDS = 300.
DEFAULT_SNOWFLAKE_REFRESH_SECONDS = 300
# Glue's default job timeout (AWS Glue API, Job: Timeout defaults to 2,880 minutes, 48 hours).
DEFAULT_LONGEST_JOB_MINUTES = 2880
MEBIBYTE = 1024 * 1024
DEFAULT_PARALLELISM = 1
MAX_PARALLELISM = 8

# The table each layer reads from its checkpoint (leanops.jobs.runtime.LAYERS: layer -> source):
# source table kind -> the checkpoint layer. A unit test holds the two to the same pairs.
CHECKPOINT_READERS: Mapping[str, str] = {
    definitions.RAW: definitions.STANDARDIZED,
    definitions.STANDARDIZED: definitions.CURATED,
}


@dataclass(frozen=True)
class MaintenancePolicy:
    """How maintenance treats every table: retention, orphan age, file size, snapshots kept."""

    retention: timedelta = timedelta(hours=DEFAULT_RETENTION_HOURS)
    orphan_age: timedelta = timedelta(hours=MIN_ORPHAN_AGE_HOURS)
    target_file_size_bytes: int = DEFAULT_TARGET_FILE_SIZE_MB * MEBIBYTE
    retain_last: int = DEFAULT_RETAIN_LAST
    cycle_interval: timedelta = timedelta(seconds=DEFAULT_CYCLE_INTERVAL_SECONDS)
    refresh_interval: timedelta = timedelta(seconds=DEFAULT_SNOWFLAKE_REFRESH_SECONDS)
    longest_job: timedelta = timedelta(minutes=DEFAULT_LONGEST_JOB_MINUTES)

    def __post_init__(self) -> None:
        """Refuse a policy that could expire or delete what a reader or writer still needs.

        Raises:
            ConfigurationError: naming the setting and the rule.

        """
        for interval, what in (
            (self.cycle_interval, "cycle interval"),
            (self.refresh_interval, "Snowflake refresh interval"),
        ):
            if self.retention <= interval:
                raise ConfigurationError(
                    RETENTION_HOURS,
                    f"retention {self.retention} must be longer than the {what} ({interval}): a snapshot a "
                    "cycle or a Snowflake refresh still reads must not be expired",
                )
        floor = max(timedelta(hours=MIN_ORPHAN_AGE_HOURS), self.longest_job)
        if self.orphan_age < floor:
            raise ConfigurationError(
                ORPHAN_AGE_HOURS,
                f"orphan-file age {self.orphan_age} must be at least {floor} (3 days, and the longest job): "
                "a younger unreferenced file may belong to a commit still in progress",
            )
        if self.retain_last < 1:
            raise ConfigurationError(RETAIN_LAST, f"must be at least 1, got {self.retain_last}")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> MaintenancePolicy:
        """Build the policy from job arguments or environment variables.

        Raises:
            ConfigurationError: naming the invalid key.

        """
        return cls(
            retention=timedelta(hours=whole_number(mapping, RETENTION_HOURS, DEFAULT_RETENTION_HOURS)),
            orphan_age=timedelta(hours=whole_number(mapping, ORPHAN_AGE_HOURS, MIN_ORPHAN_AGE_HOURS)),
            target_file_size_bytes=MEBIBYTE
            * whole_number(mapping, TARGET_FILE_SIZE_MB, DEFAULT_TARGET_FILE_SIZE_MB),
            retain_last=whole_number(mapping, RETAIN_LAST, DEFAULT_RETAIN_LAST),
            cycle_interval=timedelta(
                seconds=whole_number(mapping, CYCLE_INTERVAL_SECONDS, DEFAULT_CYCLE_INTERVAL_SECONDS)
            ),
            refresh_interval=timedelta(
                seconds=whole_number(mapping, SNOWFLAKE_REFRESH_SECONDS, DEFAULT_SNOWFLAKE_REFRESH_SECONDS)
            ),
            longest_job=timedelta(
                minutes=whole_number(mapping, LONGEST_JOB_MINUTES, DEFAULT_LONGEST_JOB_MINUTES)
            ),
        )


@dataclass(frozen=True)
class MaintenanceSettings:
    """What a maintenance run needs: its topics (empty: every RAW table's), state tables, policy."""

    checkpoint_table: str
    lock_table: str
    topics: tuple[str, ...] = ()
    cycle_lock_id: str | None = None
    lock_ttl_seconds: int = DEFAULT_LOCK_TTL_SECONDS
    run_id: str | None = None
    policy: MaintenancePolicy = MaintenancePolicy()
    parallelism: int = DEFAULT_PARALLELISM

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> MaintenanceSettings:
        """Build the settings from job arguments or environment variables.

        Raises:
            ConfigurationError: naming the missing or invalid key.

        """
        return cls(
            checkpoint_table=require(mapping, CHECKPOINT_TABLE),
            lock_table=require(mapping, LOCK_TABLE),
            topics=name_list(mapping, TOPICS, "topic") if mapping.get(TOPICS) else (),
            cycle_lock_id=mapping.get(CYCLE_LOCK_ID) or None,
            lock_ttl_seconds=whole_number(mapping, LOCK_TTL_SECONDS, DEFAULT_LOCK_TTL_SECONDS),
            run_id=mapping.get(RUN_ID) or None,
            policy=MaintenancePolicy.from_mapping(mapping),
            parallelism=whole_number(mapping, PARALLELISM, DEFAULT_PARALLELISM),
        )

    def __post_init__(self) -> None:
        """Refuse a parallelism outside 1..MAX_PARALLELISM.

        Raises:
            ConfigurationError: naming the setting.

        """
        if not 1 <= self.parallelism <= MAX_PARALLELISM:
            raise ConfigurationError(
                PARALLELISM, f"must be 1 to {MAX_PARALLELISM} topics at once, got {self.parallelism}"
            )


@dataclass(frozen=True)
class TableTarget:
    """One table to maintain; ``checkpoint_layer`` is the layer reading it from its checkpoint."""

    kind: str
    identifier: str
    topic: str | None = None
    checkpoint_layer: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """A snapshot of a table's metadata: its id and commit time."""

    snapshot_id: str
    committed_at: datetime


@dataclass(frozen=True)
class ExpiryDecision:
    """Where snapshot expiry stops for one table; ``older_than`` None: no expiry (see ``reason``)."""

    older_than: datetime | None
    reason: str
    kept_for_checkpoint: str | None = None


def topic_targets(topic: str) -> tuple[TableTarget, ...]:
    """Return a topic's tables (RAW, standardized, curated), each with the layer that reads it."""
    definitions.validate_topic_name(topic)
    return tuple(
        TableTarget(kind, definitions.table(kind).identifier(topic), topic, CHECKPOINT_READERS.get(kind))
        for kind in (definitions.RAW, definitions.STANDARDIZED, definitions.CURATED)
    )


def shared_targets() -> tuple[TableTarget, ...]:
    """Return the tables every topic shares (error tables, drift log): no checkpoint reads them."""
    return tuple(
        TableTarget(table.kind, table.identifier())
        for table in definitions.all_tables()
        if not table.per_topic
    )


def topics_of_raw_tables(table_names: Iterable[str]) -> list[str]:
    """Return the topics among the RAW database's table names, sorted.

    The topic-name rule reserves the shared tables' names (``dlq_errors``), so a name that is
    not a valid topic is not a topic's RAW table and is left out.
    """
    topics = []
    for name in table_names:
        try:
            topics.append(definitions.validate_topic_name(name))
        except TopicNameError:
            continue
    return sorted(topics)


def expiry_cutoff(
    now: datetime, policy: MaintenancePolicy, snapshots: Sequence[Snapshot], checkpoint: str | None
) -> ExpiryDecision:
    """Return how far back a table's snapshots may be expired.

    Args:
        now: the run's time (UTC).
        policy: the retention.
        snapshots: the table's snapshots (its ``snapshots`` metadata table).
        checkpoint: the snapshot id a layer last processed of this table (None: none reads it
            incrementally, or it was never processed: a full read needs only the current snapshot).

    Returns:
        ``older_than = min(now - retention, commit time of the checkpoint snapshot)``, so the
        checkpoint's snapshot (and everything after it) is kept; no expiry at all when the
        checkpoint's snapshot is not in the table's metadata (a state to look at, not to worsen).

    """
    by_retention = now - policy.retention
    if checkpoint is None:
        return ExpiryDecision(by_retention, f"retention {policy.retention}")
    snapshot = next((item for item in snapshots if item.snapshot_id == checkpoint), None)
    if snapshot is None:
        return ExpiryDecision(
            None, f"checkpoint snapshot {checkpoint} is not in the table's metadata: expiry skipped"
        )
    if snapshot.committed_at < by_retention:
        return ExpiryDecision(
            snapshot.committed_at,
            f"kept from checkpoint snapshot {checkpoint} (committed {snapshot.committed_at.isoformat()})",
            kept_for_checkpoint=checkpoint,
        )
    return ExpiryDecision(by_retention, f"retention {policy.retention}", kept_for_checkpoint=checkpoint)


def orphan_cutoff(now: datetime, policy: MaintenancePolicy) -> datetime:
    """Return the time before which an unreferenced file counts as an orphan."""
    return now - policy.orphan_age
