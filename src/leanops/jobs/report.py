"""The outcome of a job run: one line per topic and a one-line summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

PROCESSED = "processed"
# curated: the topic's curated table and its rows of curated errors recomputed from the whole
# standardized table under the contract in force (a rebuild request, leanops.jobs.runtime).
REBUILT = "rebuilt"
NO_NEW_DATA = "no_new_data"
GATE_CLOSED = "gate_closed"
CONTRACT_ERROR = "contract_error"
LOCKED = "locked"
FAILED = "failed"
STATUSES = (PROCESSED, REBUILT, NO_NEW_DATA, GATE_CLOSED, CONTRACT_ERROR, LOCKED, FAILED)


@dataclass
class TopicOutcome:
    """What a run did with one topic.

    Attributes:
        topic: the topic.
        status: one of STATUSES.
        rows_read: source rows in the increment.
        rows_written: records the layer's table gained (Iceberg snapshot summary; 0 on a rerun;
            a rebuild: the records of the rebuilt table).
        parse_errors: parse errors found in the increment (standardized).
        curated_errors: records of the increment that failed the contract (curated).
        message: why a topic was skipped or failed.
        source_snapshot_id: the source snapshot processed up to.

    """

    topic: str
    status: str
    rows_read: int = 0
    rows_written: int = 0
    parse_errors: int = 0
    curated_errors: int = 0
    message: str = ""
    source_snapshot_id: str | None = None

    @property
    def failed(self) -> bool:
        """True when the topic failed (the run must be marked failed)."""
        return self.status == FAILED


@dataclass
class JobReport:
    """Every topic outcome of one run of a layer."""

    layer: str
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    outcomes: list[TopicOutcome] = field(default_factory=list)

    @property
    def failures(self) -> dict[str, str]:
        """Failed topics -> their error message."""
        return {outcome.topic: outcome.message for outcome in self.outcomes if outcome.failed}

    def outcome(self, topic: str) -> TopicOutcome:
        """Return the outcome of one topic.

        Raises:
            KeyError: when the run did not handle the topic.

        """
        for outcome in self.outcomes:
            if outcome.topic == topic:
                return outcome
        raise KeyError(topic)

    def total(self, attribute: str) -> int:
        """Sum one counter (rows_read, rows_written, parse_errors, curated_errors) over topics."""
        return sum(int(getattr(outcome, attribute)) for outcome in self.outcomes)

    def summary(self) -> str:
        """Return a one-line summary of the run."""
        counts = Counter(outcome.status for outcome in self.outcomes)
        statuses = ", ".join(f"{counts[status]} {status}" for status in STATUSES if counts[status])
        line = (
            f"{self.layer} run {self.run_id}: {len(self.outcomes)} topic(s): {statuses or 'none'}; "
            f"rows read {self.total('rows_read')}, written {self.total('rows_written')}, "
            f"parse errors {self.total('parse_errors')}, curated errors {self.total('curated_errors')}"
        )
        if self.failures:
            line += f"; FAILED: {', '.join(self.failures)}"
        return line

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "layer": self.layer,
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "summary": self.summary(),
            "topics": [asdict(outcome) for outcome in self.outcomes],
        }
