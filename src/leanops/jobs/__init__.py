"""The Glue job runtime: per-topic loop, schema gate, locks, checkpoints, incremental reads, MERGEs."""

from leanops.jobs.report import JobReport, TopicOutcome
from leanops.jobs.runtime import run_layer

__all__ = ["JobReport", "TopicOutcome", "run_layer"]
