"""The ledger of every message ``send`` put on a queue (``LEANOPS_HOME/ledger.jsonl``)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from leanops.local.config import LEDGER_FILE, REWRITE_SUFFIX


@dataclass(frozen=True)
class LedgerEntry:
    """One sent message: its SQS id, topic, and where it came from."""

    message_id: str
    topic: str
    source: str
    line: int


class Ledger:
    """Append-only JSON-lines file of sent messages."""

    def __init__(self, home: Path) -> None:
        """Open the ledger under ``home``."""
        self.path = home / LEDGER_FILE

    def append(self, entries: Iterable[LedgerEntry]) -> None:
        """Record sent messages durably."""
        lines = "".join(json.dumps(asdict(entry)) + "\n" for entry in entries)
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())

    def forget(self, topic: str) -> int:
        """Drop a topic's entries (atomic rewrite); return how many were dropped."""
        entries = self.entries()
        kept = [entry for entry in entries if entry.topic != topic]
        if len(kept) != len(entries):
            rewritten = self.path.with_name(self.path.name + REWRITE_SUFFIX)
            lines = "".join(json.dumps(asdict(entry)) + "\n" for entry in kept)
            with rewritten.open("w", encoding="utf-8") as handle:
                handle.write(lines)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(rewritten, self.path)
        return len(entries) - len(kept)

    def entries(self, topic: str | None = None) -> list[LedgerEntry]:
        """Return the recorded messages (of one topic when given), in send order."""
        if not self.path.is_file():
            return []
        with self.path.open(encoding="utf-8") as handle:
            found = [LedgerEntry(**json.loads(line)) for line in handle if line.strip()]
        return [entry for entry in found if topic is None or entry.topic == topic]

    def topics(self) -> list[str]:
        """Return the topics with sent messages."""
        return sorted({entry.topic for entry in self.entries()})
