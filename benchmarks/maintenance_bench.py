"""Table maintenance benchmark: a RAW table of 1,000 small appends, before and after ``maintain``.

RAW as Firehose writes it: one pyiceberg append per buffer interval (leanops.local.rows, as the
local Firehose appends), 1,000 of them (16.7 hours at 60 s). Standardized has read all but the
last cycle's worth (15 appends: 15 minutes at 60 s), as a cycle every 15 minutes leaves it.

Figures before and after the maintenance job (leanops.jobs.maintenance.run_maintenance, the code
``maintain`` and AWS's daily schedule run; "two days later", so the 24 h retention lets it expire
every snapshot older than the checkpoint): RAW's data files and snapshots, a full read of RAW,
the standardized increment read (checkpoint -> current), and the job's seconds. Then the next
cycles stay correct: standardized reads exactly the rows appended after its checkpoint (the
compaction's ``replace`` snapshot adds none), once over the compaction and once after it; a
mismatch raises. Last, a second maintenance leaves a replace-only range after an up-to-date
checkpoint: the cost of the empty standardized run it causes today
(``maintenance_replace_only_run_seconds``), and whether
``leanops.jobs.iceberg_io.only_replaced_since`` recognizes the range, and whether the cycle
planner (``leanops.planner``, as ``run`` plans) starts a run for it (it should not).

Seeding writes what Firehose writes, one pyiceberg commit per append, with pyiceberg's needless
deep copies of its immutable metadata turned off (:func:`staged_metadata_reused`): ~580 s for
1,000 appends before, a few tens of seconds after.

Usage (alone): ``.venv/bin/python benchmarks/maintenance_bench.py [--appends 1000]``; also part of
``bench_pipeline.py``'s output.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from generator import OrderFeed
from job_world import JobWorld
from report import Report

from leanops import definitions
from leanops.adapters import AwsClients
from leanops.adapters.iceberg_ddl import qualified_name
from leanops.jobs import iceberg_io
from leanops.jobs.maintenance import run_maintenance
from leanops.jobs.runtime import run_layer
from leanops.local.aws import FAKE_CREDENTIALS
from leanops.maintenance_plan import MaintenanceSettings
from leanops.planner import CatalogTableStateReader

TOPIC = "maintained"
APPENDS = 1_000
ROWS_PER_APPEND = 10
CYCLE_APPENDS = 15  # one 15-minute cycle's worth at Firehose's 60 s buffer interval
# Every snapshot is past the 24 h retention, and the orphan cut-off (now - 3 days) stays more
# than 24 h in the real past, as Iceberg's remove_orphan_files procedure demands.
LATER = timedelta(hours=36)


@dataclass(frozen=True)
class RawState:
    """RAW's data files and snapshots, and the seconds of its reads, at one moment."""

    files: int
    snapshots: int
    scan_seconds: float
    increment_scan_seconds: float
    increment_rows: int


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _count(spark: Any, sql: str) -> int:
    return int(spark.sql(sql).collect()[0][0])


def raw_state(spark: Any, name: str, checkpoint: str) -> RawState:
    """Measure RAW: files, snapshots, a full read, the increment read after ``checkpoint``."""
    current, _ = iceberg_io.current_snapshot(spark, name, refresh=True)
    assert current is not None  # noqa: S101 - RAW holds the appends

    def full() -> None:
        iceberg_io.read_increment(spark, name, None, current).write.format("noop").mode("overwrite").save()

    def increment() -> None:
        frame = iceberg_io.read_increment(spark, name, checkpoint, current)
        frame.write.format("noop").mode("overwrite").save()

    return RawState(
        files=_count(spark, f"SELECT count(*) FROM {name}.files"),
        snapshots=_count(spark, f"SELECT count(*) FROM {name}.snapshots"),
        scan_seconds=_timed(full),
        increment_scan_seconds=_timed(increment),
        increment_rows=iceberg_io.read_increment(spark, name, checkpoint, current).count(),
    )


class MaintenanceBench:
    """The world of the benchmark: one topic, its feed cut into small appends, the layer runs."""

    def __init__(self, world: JobWorld, appends: int, seed: int) -> None:
        """Generate the rows of ``appends`` appends plus two cycles' worth (nothing written yet)."""
        self.world = world
        total = (appends + 2 * CYCLE_APPENDS) * ROWS_PER_APPEND
        rows = list(OrderFeed(TOPIC, seed).rows(total))
        self.chunks = [rows[start : start + ROWS_PER_APPEND] for start in range(0, total, ROWS_PER_APPEND)]
        self.appended = 0
        self.name = qualified_name(definitions.table(definitions.RAW), TOPIC)
        self.clients = AwsClients(
            **{
                name: world.clients[name]
                for name in ("s3", "dynamodb", "sns", "kms")
                if name in world.clients
            }
        )

    def append(self, count: int) -> int:
        """Append the next ``count`` chunks, one pyiceberg commit each; return the rows appended."""
        chunks = self.chunks[self.appended : self.appended + count]
        self.appended += len(chunks)
        with staged_metadata_reused():
            return sum(self.world.append_raw(TOPIC, chunk) for chunk in chunks)

    def standardized(self) -> tuple[int, str]:
        """Run standardized over the topic; return the rows it read and its new checkpoint."""
        result = run_layer(
            self.world.spark, definitions.STANDARDIZED, self.world.settings(TOPIC), self.clients
        )
        outcome = result.outcome(TOPIC)
        if result.failures or outcome.source_snapshot_id is None:
            raise RuntimeError(f"standardized failed for {TOPIC}: {result.failures or outcome.message}")
        return outcome.rows_read, outcome.source_snapshot_id

    def maintain(self, now: datetime) -> float:
        """Run the maintenance job over the topic at ``now``; return its seconds."""
        settings = MaintenanceSettings(
            checkpoint_table=self.world.names.checkpoint_table,
            lock_table=self.world.names.lock_table,
            topics=(TOPIC,),
        )
        return _timed(lambda: run_maintenance(self.world.spark, settings, self.clients, now=now))


@contextmanager
def staged_metadata_reused() -> Iterator[None]:
    """Within the block, pyiceberg shares its immutable table metadata instead of deep-copying it.

    pyiceberg 0.10's ``Transaction.table_metadata`` re-applies the staged updates to the base
    metadata and deep-copies the result (``model_copy(deep=True)``) at every access, about 20
    times per append: each append costs O(snapshots) deep copies, and 1,000 appends took ~580 s,
    85 % of it in ``deepcopy`` (cProfile). The metadata is a frozen pydantic model that pyiceberg
    updates by building new objects, so a deep copy of it is the object itself. What is written
    is unchanged: the same data files, manifests, snapshots and metadata files, one commit per
    append, as Firehose makes them. Used for seeding only, never by the code under measurement.
    """
    from pyiceberg.table.metadata import TableMetadataV1, TableMetadataV2

    classes: tuple[Any, ...] = (TableMetadataV1, TableMetadataV2)
    originals = [metadata_class.__deepcopy__ for metadata_class in classes]
    for metadata_class in classes:
        metadata_class.__deepcopy__ = _itself
    try:
        yield
    finally:
        for metadata_class, original in zip(classes, originals, strict=True):
            metadata_class.__deepcopy__ = original


def _itself(model: Any, memo: dict[int, Any] | None = None) -> Any:
    del memo  # an immutable object's deep copy is the object
    return model


def _expect(what: str, got: int, expected: int) -> None:
    if got != expected:
        raise RuntimeError(f"maintenance benchmark: {what} read {got} rows, expected {expected}")


def bench_maintenance(world: JobWorld, report: Report, appends: int = APPENDS, seed: int = 7) -> None:
    """Run the benchmark of the module docstring on ``world``; add its metrics to ``report``."""
    bench = MaintenanceBench(world, appends, seed)
    world.add_topic(TOPIC)
    spark = world.spark
    report.add("maintenance_appends", appends, "pyiceberg appends")
    seconds = _timed(lambda: bench.append(appends - CYCLE_APPENDS))
    report.add("maintenance_append_seconds", seconds, f"s ({appends - CYCLE_APPENDS} appends)")
    _, checkpoint = bench.standardized()
    pending = bench.append(CYCLE_APPENDS)
    before = raw_state(spark, bench.name, checkpoint)
    _expect("the increment read before maintenance", before.increment_rows, pending)
    now = datetime.now(UTC) + LATER
    report.add("maintenance_seconds", bench.maintain(now), "s (RAW, standardized, curated of one topic)")
    after = raw_state(spark, bench.name, checkpoint)
    _expect("the increment read after maintenance", after.increment_rows, pending)
    for label, state in (("before", before), ("after", after)):
        report.add(f"maintenance_files_{label}", state.files, "RAW data files")
        report.add(f"maintenance_snapshots_{label}", state.snapshots, "RAW snapshots")
        report.add(f"maintenance_scan_seconds_{label}", state.scan_seconds, "s (full read of RAW)")
        report.add(
            f"maintenance_increment_scan_seconds_{label}",
            state.increment_scan_seconds,
            f"s (standardized increment read, {state.increment_rows} rows)",
        )
    _next_cycles(bench, report, pending, now)


def _next_cycles(bench: MaintenanceBench, report: Report, pending: int, now: datetime) -> None:
    """Two cycles after maintenance read exactly the new rows; then a replace-only range's cost."""
    read, _ = bench.standardized()
    _expect("standardized over the compaction", read, pending)
    appended = bench.append(CYCLE_APPENDS)
    read, checkpoint = bench.standardized()
    _expect("standardized after the compaction", read, appended)
    report.add("maintenance_next_cycles_rows_read", 2 * read, f"rows (expected {pending + appended})")
    bench.maintain(now + timedelta(minutes=1))
    current, _ = iceberg_io.current_snapshot(bench.world.spark, bench.name, refresh=True)
    recognized = current is not None and iceberg_io.only_replaced_since(
        bench.world.spark, bench.name, checkpoint, current
    )
    report.add("maintenance_replace_only_recognized", float(recognized), "1 = only_replaced_since says so")
    raw = definitions.table(definitions.RAW)
    state = CatalogTableStateReader(bench.world.catalog).read(raw.database, raw.name(TOPIC), cached=None)
    planned = state is None or not state.nothing_new_after(checkpoint)
    report.add(
        "maintenance_replace_only_planned",
        float(planned),
        "1 = the cycle planner sees new RAW data (a Glue run), 0 = skipped as compaction only",
    )
    seconds = _timed(bench.standardized)
    report.add("maintenance_replace_only_run_seconds", seconds, "s (standardized run reading 0 rows)")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--appends", type=int, default=APPENDS, help="small appends to RAW")
    parser.add_argument("--seed", type=int, default=7, help="the generator's seed")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the maintenance benchmark alone (moto's server, local Spark) and print its figures."""
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    for key, value in {**FAKE_CREDENTIALS, "POWERTOOLS_LOG_LEVEL": "WARNING"}.items():
        os.environ.setdefault(key, value)
    import boto3
    from ingest_bench import NAME_PREFIX

    from leanops.local.config import REGION

    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)  # clients the jobs create themselves

    from leanops.local.catalog import local_catalog
    from leanops.local.config import ResourceNames
    from leanops.local.moto_process import MotoProcess
    from leanops.local.session import start_local_session

    home = Path(tempfile.mkdtemp(prefix="leanops-maintenance-bench-"))
    report = Report(events=args.appends * ROWS_PER_APPEND)
    server = MotoProcess()  # as the CLI's commands start it (leanops.local.aws.LocalAws)
    endpoint = server.start()
    try:
        clients = {
            service: boto3.client(service, endpoint_url=endpoint, region_name=REGION)
            for service in ("sqs", "s3", "dynamodb", "sns", "kms")
        }
        spark = start_local_session(home)
        world = JobWorld.provisioned(spark, local_catalog(home), clients, ResourceNames(NAME_PREFIX))
        bench_maintenance(world, report, args.appends, args.seed)
        spark.stop()
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    report.print_table(sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
