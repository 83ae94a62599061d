"""Helpers of the e2e tests: unique topics, contracts, sending lines, accounts, cycles."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from leanops.cli.local_target import accounts
from leanops.local.account import TopicAccount
from leanops.local.config import repo_contract_files
from leanops.local.pipeline import LocalPipeline

E2E_PREFIX = "leanops-e2e"


def new_topic(label: str) -> str:
    """Return a unique, valid topic name."""
    return f"{label}_{uuid.uuid4().hex[:8]}"


def contract_for(topic: str, template: str = "orders") -> str:
    """Return the repo contract ``template`` declared for ``topic``."""
    document = json.loads(repo_contract_files()[template].read_text(encoding="utf-8"))
    return json.dumps({**document, "topic": topic})


def send_lines(pipeline: LocalPipeline, topic: str, lines: list[str], folder: Path) -> list[str]:
    """Send lines as message bodies; return the message id of each sent line, in order."""
    path = folder / f"{topic}-{uuid.uuid4().hex[:6]}.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    report = pipeline.send(topic, path)
    return [entry.message_id for entry in sorted(report.sent, key=lambda entry: entry.line)]


def account_of(pipeline: LocalPipeline, topic: str) -> TopicAccount:
    """Return the conservation account of one topic."""
    return accounts(pipeline, [topic])[topic]


def run_until_ok(
    pipeline: LocalPipeline, topics: list[str], fault_plan: str | None = None, max_cycles: int = 8
) -> int:
    """Run cycles until one succeeds; return how many it took."""
    for attempt in range(1, max_cycles + 1):
        if pipeline.run(topics, fault_plan=fault_plan).ok:
            return attempt
    raise AssertionError(f"no cycle succeeded in {max_cycles} tries under {fault_plan}")
