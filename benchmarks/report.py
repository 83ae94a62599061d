"""The benchmark's output: one JSON line per metric on stdout (as measured), a table on stderr."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from spark_probe import jvm_peak_mib

if TYPE_CHECKING:
    from ingest_bench import IngestFigures
    from job_world import LayerRun

MILLION = 1_000_000
LOCAL_CORES = 2  # local[2]: the local runner's master (leanops.local.spark)


@dataclass(frozen=True)
class Metric:
    """One figure: name, value, unit, and for a ratio the metric it divides by."""

    metric: str
    value: float
    unit: str
    ratio_to: str | None = None

    def as_json(self) -> str:
        """Return the metric's JSON line (``ratio_to`` only for a ratio)."""
        fields: dict[str, Any] = {"metric": self.metric, "value": round(self.value, 4), "unit": self.unit}
        if self.ratio_to:
            fields["ratio_to"] = self.ratio_to
        return json.dumps(fields)


@dataclass
class Report:
    """Collects the metrics, printing each JSON line as soon as it is measured."""

    events: int
    metrics: dict[str, Metric] = field(default_factory=dict)
    out: TextIO = field(default_factory=lambda: sys.stdout)

    def add(self, name: str, value: float, unit: str, ratio_to: str | None = None) -> None:
        """Record and print one metric."""
        metric = Metric(name, float(value), unit, ratio_to)
        self.metrics[name] = metric
        print(metric.as_json(), file=self.out, flush=True)

    def ratio(self, name: str, numerator: str, denominator: str) -> None:
        """Record ``numerator / denominator`` (two recorded metrics) as a ratio metric."""
        self.add(name, self.metrics[numerator].value / self.metrics[denominator].value, "x", denominator)

    def add_layers(self, prefix: str, cycle: dict[str, LayerRun]) -> None:
        """Record each layer's seconds and Spark jobs, and every MERGE's scanned data files."""
        for layer, run in cycle.items():
            self.add(f"{prefix}{layer}_seconds", run.seconds, "s")
            self.add(f"{prefix}spark_jobs_{layer}", run.spark_jobs, "jobs per topic")
            for merge in run.merges:
                where = f"{prefix}merge_data_files_scanned.{layer}.{merge.target.split('.', 1)[-1]}"
                self.add(where, merge.scanned, f"files (of {merge.table_files} in the table)")

    def add_cycle(
        self,
        events: int,
        full: dict[str, LayerRun],
        empty: dict[str, LayerRun],
        on_history: dict[str, LayerRun],
    ) -> None:
        """Record the N-event cycle against the floors, and the increment figures."""
        self.add("events", events, "events")
        self.add_layers("", full)
        cycle = sum(run.seconds for run in full.values())
        self.add("cycle_seconds", cycle, "s")
        self.add("cycle_events_per_s", events / cycle, "events/s")
        self.add("core_seconds_per_million_events", cycle * LOCAL_CORES * MILLION / events, "core-s")
        self.ratio("cycle_vs_from_json_floor", "cycle_seconds", "from_json_floor_seconds")
        self.ratio("cycle_vs_copy_floor", "cycle_seconds", "copy_floor_seconds")
        self.ratio("standardized_vs_parse_floor", "standardized_seconds", "parse_floor_seconds")
        self.add_layers("increment_empty.", empty)
        self.add_layers("increment_on_history.", on_history)
        self.add("increment_empty_seconds", sum(run.seconds for run in empty.values()), "s")
        self.add("increment_on_history_seconds", sum(run.seconds for run in on_history.values()), "s")
        self.ratio("increment_vs_empty", "increment_on_history_seconds", "increment_empty_seconds")

    def add_ingest(self, figures: IngestFigures) -> None:
        """Record the handler and local SQS figures (the largest depth unsuffixed)."""
        self.add("handler_msgs_per_s_per_core", figures.handler_msgs_per_cpu_s, "msgs/s (CPU time)")
        self.add("firehose_calls_per_batch", figures.firehose_calls_per_batch, "calls")
        largest = max(figures.send_msgs_per_s, default=0)
        for depth, rate in figures.send_msgs_per_s.items():
            suffix = "" if depth == largest else f"_at_{depth}"
            self.add(f"local_send_msgs_per_s{suffix}", rate, f"msgs/s at {depth} queued")
            delivery = figures.delivery_msgs_per_s[depth]
            self.add(f"local_delivery_msgs_per_s{suffix}", delivery, f"msgs/s at {depth} queued")
            in_process = figures.in_process_delivery_msgs_per_s.get(depth)
            if in_process is not None:  # the poller alone: the handler in process, no Firehose
                name = f"local_delivery_in_process_msgs_per_s{suffix}"
                self.add(name, in_process, f"msgs/s at {depth} queued")

    def add_jvm_peak(self, spark: Any) -> None:
        """Record the driver JVM's VmHWM."""
        self.add("driver_jvm_peak_mib", jvm_peak_mib(spark), "MiB (VmHWM)")

    def print_table(self, out: TextIO) -> None:
        """Print every metric as an aligned table."""
        width = max((len(name) for name in self.metrics), default=10)
        print(f"\nLean-Ops benchmark, {self.events:,} events", file=out)
        print(f"{'metric':<{width}}  {'value':>14}  unit", file=out)
        for metric in self.metrics.values():
            unit = f"{metric.unit} (÷ {metric.ratio_to})" if metric.ratio_to else metric.unit
            print(f"{metric.metric:<{width}}  {metric.value:>14,.3f}  {unit}", file=out)
