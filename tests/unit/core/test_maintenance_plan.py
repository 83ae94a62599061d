"""Table maintenance planning: tables per topic, the expiry cut-off that keeps checkpoints, the policy's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leanops import definitions
from leanops import settings as keys
from leanops.exceptions import ConfigurationError
from leanops.maintenance_plan import (
    CHECKPOINT_READERS,
    CYCLE_INTERVAL_SECONDS,
    LONGEST_JOB_MINUTES,
    ORPHAN_AGE_HOURS,
    RETAIN_LAST,
    RETENTION_HOURS,
    MaintenancePolicy,
    MaintenanceSettings,
    Snapshot,
    expiry_cutoff,
    orphan_cutoff,
    shared_targets,
    topic_targets,
    topics_of_raw_tables,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = MaintenancePolicy(retention=timedelta(hours=24))
SNAPSHOTS = [
    Snapshot("1", NOW - timedelta(days=3)),
    Snapshot("2", NOW - timedelta(days=2)),
    Snapshot("3", NOW - timedelta(hours=1)),
]


@pytest.mark.parametrize(
    ("checkpoint", "older_than", "kept"),
    [
        # no layer reads the table incrementally (curated, shared) or it was never processed
        (None, NOW - timedelta(hours=24), None),
        # the checkpoint is older than the retention: expiry stops at its commit time (kept: strictly older go)
        ("1", NOW - timedelta(days=3), "1"),
        ("2", NOW - timedelta(days=2), "2"),
        # the checkpoint is within the retention: the retention decides
        ("3", NOW - timedelta(hours=24), "3"),
    ],
)
def test_expiry_never_passes_the_checkpoint_snapshot(
    checkpoint: str | None, older_than: datetime, kept: str | None
) -> None:
    decision = expiry_cutoff(NOW, POLICY, SNAPSHOTS, checkpoint)
    assert (decision.older_than, decision.kept_for_checkpoint) == (older_than, kept)
    if checkpoint is not None:
        committed = next(s.committed_at for s in SNAPSHOTS if s.snapshot_id == checkpoint)
        assert decision.older_than is not None and not committed < decision.older_than


def test_a_checkpoint_missing_from_the_metadata_stops_expiry() -> None:
    decision = expiry_cutoff(NOW, POLICY, SNAPSHOTS, "999")
    assert decision.older_than is None
    assert "999" in decision.reason and "skipped" in decision.reason


def test_orphan_files_must_be_older_than_the_orphan_age() -> None:
    assert orphan_cutoff(NOW, MaintenancePolicy()) == NOW - timedelta(days=3)


def test_a_topic_has_its_three_layers_and_the_reader_of_each() -> None:
    targets = {target.kind: target for target in topic_targets("orders")}
    assert {kind: (t.identifier, t.checkpoint_layer) for kind, t in targets.items()} == {
        "raw": ("iceberg_raw_db.orders", "standardized"),
        "standardized": ("iceberg_standardized_db.orders", "curated"),
        "curated": ("iceberg_curated_db.orders", None),
    }


def test_the_shared_tables_are_every_table_that_is_not_per_topic() -> None:
    assert {t.identifier for t in shared_targets()} == {
        "iceberg_raw_db.dlq_errors",
        "iceberg_standardized_db.parse_errors",
        "iceberg_standardized_db.drift_log",
        "iceberg_curated_db.errors",
    }
    assert all(t.checkpoint_layer is None and t.topic is None for t in shared_targets())


def test_checkpoint_readers_are_the_runtime_s_layers() -> None:
    # the pure table of who reads what from a checkpoint is the job runtime's (layer -> source)
    from leanops.jobs.runtime import LAYERS

    assert {layer.source_kind: name for name, layer in LAYERS.items()} == dict(CHECKPOINT_READERS)


def test_topics_are_the_raw_tables_that_are_valid_topic_names() -> None:
    assert topics_of_raw_tables(["payments", "dlq_errors", "orders", "Not-A-Topic"]) == ["orders", "payments"]


@pytest.mark.parametrize(
    ("values", "key", "rule"),
    [
        ({RETENTION_HOURS: "0"}, RETENTION_HOURS, "must be positive"),
        # retention 1 h is not longer than a 2 h cycle: the next cycle's snapshot could be expired
        ({RETENTION_HOURS: "1", CYCLE_INTERVAL_SECONDS: "7200"}, RETENTION_HOURS, "cycle interval"),
        ({ORPHAN_AGE_HOURS: "24"}, ORPHAN_AGE_HOURS, "at least 3 days"),
        # a 4-day job: an orphan age of 3 days could delete a file it is still writing
        ({ORPHAN_AGE_HOURS: "80", LONGEST_JOB_MINUTES: str(4 * 24 * 60)}, ORPHAN_AGE_HOURS, "longest job"),
        ({RETAIN_LAST: "0"}, RETAIN_LAST, "must be positive"),
    ],
)
def test_an_unsafe_policy_is_refused_naming_the_setting(values: dict[str, str], key: str, rule: str) -> None:
    with pytest.raises(ConfigurationError, match=rule) as raised:
        MaintenancePolicy.from_mapping(values)
    assert raised.value.key == key


def test_the_retention_must_outlast_a_snowflake_refresh() -> None:
    with pytest.raises(ConfigurationError, match="Snowflake refresh"):
        MaintenancePolicy(
            retention=timedelta(minutes=20),
            cycle_interval=timedelta(minutes=5),
            refresh_interval=timedelta(hours=1),
        )


def test_settings_take_topics_optionally_and_the_state_tables_as_required() -> None:
    mapping = {keys.CHECKPOINT_TABLE: "cp", keys.LOCK_TABLE: "locks", RETENTION_HOURS: "48"}
    settings = MaintenanceSettings.from_mapping(mapping)
    assert (settings.topics, settings.policy.retention) == ((), timedelta(hours=48))
    assert MaintenanceSettings.from_mapping({**mapping, keys.TOPICS: "orders, payments"}).topics == (
        "orders",
        "payments",
    )
    with pytest.raises(ConfigurationError, match=keys.LOCK_TABLE):
        MaintenanceSettings.from_mapping({keys.CHECKPOINT_TABLE: "cp"})
    assert definitions.RAW in CHECKPOINT_READERS
