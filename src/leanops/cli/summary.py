"""The per-topic summary table that ``run``, ``full`` and ``status`` end with (rich).

One row per topic: its schema gate (open, no contract, or the contract's error), the conservation
account's buckets (sent = curated + superseded + parse_errors + curated_errors + dlq_errors +
firehose_errors + waiting), the dropped retry duplicates beside them, and whether the identity
holds.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, TextIO

from rich.table import Table

from leanops.adapters.contract_store import ContractStore
from leanops.cli.operations import console_for
from leanops.exceptions import ContractError

GATE_OPEN = "open"
GATE_NO_CONTRACT = "no contract (data waits)"
COLUMNS = (
    ("sent", "sent"),
    ("curated", "curated"),
    ("superseded", "superseded"),
    ("parse_errors", "parse err"),
    ("curated_errors", "curated err"),
    ("dlq_errors", "DLQ"),
    ("firehose_errors", "firehose err"),
    ("waiting", "waiting"),
)


def gate_state(store: ContractStore, topic: str) -> str:
    """Return a topic's gate: open, no contract, or ``invalid contract: <problem>``."""
    try:
        contract = store.load(topic)
    except ContractError as exc:
        return f"invalid contract: {exc.problem}"
    return GATE_OPEN if contract is not None else GATE_NO_CONTRACT


def summary_table(
    accounts: Mapping[str, Mapping[str, Any]], gates: Mapping[str, str], caption: str | None = None
) -> Table:
    """Return the table of topic -> account (``TopicAccount.as_dict()``) with each topic's gate.

    Args:
        accounts: topic -> its conservation account.
        gates: topic -> its schema gate.
        caption: a line below the table (``full``'s verdict), if any.

    """
    table = Table(
        title="Lean-Ops: where every sent message is",
        title_justify="left",
        caption=caption,
        caption_justify="left",
    )
    table.add_column("topic", style="bold")
    table.add_column("gate")
    for _, header in COLUMNS:
        table.add_column(header, justify="right")
    table.add_column("retry dups", justify="right")
    table.add_column("account")
    for topic, account in sorted(accounts.items()):
        counts = {"sent": account["sent"], **account["buckets"]}
        table.add_row(
            topic,
            gates.get(topic, "-"),
            *(str(counts.get(key, 0)) for key, _ in COLUMNS),
            str(account["retry_duplicates"]),
            "balanced" if account["identity_holds"] else "[red]BROKEN[/red]",
        )
    return table


def print_summary(
    accounts: Mapping[str, Mapping[str, Any]],
    gates: Mapping[str, str],
    out: TextIO | None = None,
    caption: str | None = None,
) -> None:
    """Print the summary table (wide and without colours when ``out`` is not a terminal)."""
    console_for(out or sys.stderr).print(summary_table(accounts, gates, caption))
