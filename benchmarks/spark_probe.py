"""What the benchmark reads from Spark's driver: job counts, MERGE scan metrics, the JVM's peak memory.

* Spark jobs: each measured step runs under its own job group (``SparkContext.setJobGroup``);
  ``statusTracker().getJobIdsForGroup`` lists the jobs it started.
* Data files scanned by a MERGE: every SQL execution's plan graph is kept by Spark's SQL status
  store (``sharedState().statusStore()``, live even with the UI off). Iceberg's ``BatchScan``
  reports its scan metrics there as SQL metrics (Iceberg's ``ScanReport``, e.g. "number of
  result data files", "number of skipped data files"). The probe wraps the jobs' MERGE
  functions (``leanops.jobs.iceberg_io.merge_*``) to note which executions each MERGE ran and
  sums those metrics over the scans of its target table.
* Driver JVM peak: ``VmHWM`` (peak resident set) of ``/proc/<jvm pid>/status``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULT_DATA_FILES = "number of result data files"
SKIPPED_DATA_FILES = "number of skipped data files"
SCAN_NODE_PREFIX = "BatchScan"
MERGE_PREFIX = "merge_"
KIB = 1024


@dataclass
class MergeScan:
    """The data files the scans of one MERGE's target read (result) and pruned (skipped)."""

    target: str
    scanned: int = 0
    skipped: int = 0
    table_files: int = 0

    def count_table_files(self, spark: Any) -> None:
        """Count the target's data files now (its ``files`` metadata table), for scale."""
        self.table_files = int(spark.sql(f"SELECT count(*) FROM {self.target}.files").first()[0])


@dataclass
class MergeRecorder:
    """Notes, per MERGE the jobs run, the SQL executions it started."""

    spark: Any
    merges: list[MergeScan] = field(default_factory=list)

    def _last_execution(self) -> int:
        executions = self.spark._jsparkSession.sharedState().statusStore().executionsList()
        size = executions.size()
        return int(executions.apply(size - 1).executionId()) if size else -1

    def _scan(self, target: str, first: int, last: int) -> MergeScan:
        store = self.spark._jsparkSession.sharedState().statusStore()
        found = MergeScan(target=target)
        table = target.split(".", 1)[-1] if target.count(".") > 1 else target
        for execution_id in range(first, last + 1):
            values = store.executionMetrics(execution_id)
            nodes = store.planGraph(execution_id).allNodes()
            for index in range(nodes.size()):
                node = nodes.apply(index)
                scanned_table = node.desc().split("[", 1)[0]
                if not node.name().startswith(SCAN_NODE_PREFIX) or not scanned_table.endswith(table):
                    continue
                metrics = {metric.name(): metric.accumulatorId() for metric in _iterate(node.metrics())}
                found.scanned += _metric(values, metrics.get(RESULT_DATA_FILES))
                found.skipped += _metric(values, metrics.get(SKIPPED_DATA_FILES))
        return found

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """Return ``function`` (a MERGE of iceberg_io) recording the scans of its target."""
        signature = inspect.signature(function)

        @functools.wraps(function)
        def recorded(*args: Any, **kwargs: Any) -> Any:
            target = str(signature.bind(*args, **kwargs).arguments["target"])
            first = self._last_execution() + 1
            result = function(*args, **kwargs)
            self.merges.append(self._scan(target, first, self._last_execution()))
            return result

        return recorded

    @contextmanager
    def recording(self) -> Iterator[list[MergeScan]]:
        """Within the block, every ``iceberg_io.merge_*`` call is recorded; yields the list."""
        from leanops.jobs import iceberg_io

        originals = {
            name: value
            for name, value in vars(iceberg_io).items()
            if name.startswith(MERGE_PREFIX) and callable(value)
        }
        self.merges = []
        for name, value in originals.items():
            setattr(iceberg_io, name, self.wrap(value))
        try:
            yield self.merges
        finally:
            for name, value in originals.items():
                setattr(iceberg_io, name, value)


def _iterate(sequence: Any) -> Iterator[Any]:
    for index in range(sequence.size()):
        yield sequence.apply(index)


def _metric(values: Any, accumulator: int | None) -> int:
    if accumulator is None:
        return 0
    value = values.get(accumulator)
    return int(str(value.get()).replace(",", "")) if value.isDefined() else 0


@contextmanager
def job_group(spark: Any, group: str) -> Iterator[list[int]]:
    """Run the block under Spark job group ``group``; the yielded list gets the block's job ids."""
    context = spark.sparkContext
    jobs: list[int] = []
    context.setJobGroup(group, group)
    try:
        yield jobs
    finally:
        jobs.extend(sorted(context.statusTracker().getJobIdsForGroup(group)))
        context.setLocalProperty("spark.jobGroup.id", None)
        context.setLocalProperty("spark.job.description", None)


def jvm_peak_mib(spark: Any) -> float:
    """Return the driver JVM's peak resident set (VmHWM) in MiB."""
    pid = spark._jvm.ProcessHandle.current().pid()
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / KIB
    return float("nan")
