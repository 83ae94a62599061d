"""The outcome of a maintenance run: per topic (and the shared tables), per table."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

LAYER = "maintenance"
MAINTAINED = "maintained"
SKIPPED = "skipped"
FAILED = "failed"


@dataclass
class TableOutcome:
    """What maintenance did to one table."""

    table: str
    files_before: int = 0
    files_after: int = 0
    snapshots_before: int = 0
    snapshots_after: int = 0
    snapshots_expired: int = 0
    data_files_rewritten: int = 0
    orphan_files_removed: int = 0
    expiry: str = ""


@dataclass
class GroupOutcome:
    """One topic (or the shared tables): its status and its tables."""

    topic: str
    status: str
    message: str = ""
    tables: list[TableOutcome] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True when maintaining the group failed."""
        return self.status == FAILED


@dataclass
class MaintenanceReport:
    """Every group outcome of one maintenance run."""

    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    outcomes: list[GroupOutcome] = field(default_factory=list)

    @property
    def failures(self) -> dict[str, str]:
        """Failed topics -> their error message."""
        return {outcome.topic: outcome.message for outcome in self.outcomes if outcome.failed}

    def summary(self) -> str:
        """Return a one-line summary of the run."""
        tables = [table for outcome in self.outcomes for table in outcome.tables]
        skipped = [outcome.topic for outcome in self.outcomes if outcome.status == SKIPPED]
        line = (
            f"{LAYER} run {self.run_id}: {len(tables)} table(s) maintained, files "
            f"{sum(t.files_before for t in tables)} -> {sum(t.files_after for t in tables)}, "
            f"snapshots expired {sum(t.snapshots_expired for t in tables)}, "
            f"orphan files removed {sum(t.orphan_files_removed for t in tables)}"
        )
        if skipped:
            line += f"; skipped: {', '.join(skipped)}"
        if self.failures:
            line += f"; FAILED: {', '.join(self.failures)}"
        return line

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "layer": LAYER,
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "summary": self.summary(),
            "topics": [asdict(outcome) for outcome in self.outcomes],
        }
