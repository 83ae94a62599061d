"""What the operator commands share on both targets: their Athena SQL, contract checks, tables.

``errors`` and ``drift`` are Athena (Trino) SQL over the shared error and drift tables, the same
text on both targets: run by the local engine (``leanops.local.query``) or by Athena.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from leanops import contracts, definitions
from leanops.contract_evolution import classify
from leanops.contracts import Contract
from leanops.exceptions import ContractError, UsageError

LOGGER = logging.getLogger(__name__)
NON_TTY_WIDTH = 200
EXAMPLE_CHARACTERS = 120
DRIFT_ROWS = 50


def _table_identifier(kind: str) -> str:
    return definitions.table(kind).identifier()


def errors_sql(topic: str) -> str:
    """Return the Athena SQL grouping a topic's error rows by table and reason, with an example."""
    definitions.validate_topic_name(topic)  # the topic rule admits no quote: safe to inline
    parts = [
        f"SELECT '{label}' AS error_table, error_reason, COUNT(*) AS messages, "
        f"MIN(message_id) AS example_message_id, SUBSTR(MIN({body}), 1, {EXAMPLE_CHARACTERS}) AS example "
        f"FROM {_table_identifier(kind)} WHERE topic_name = '{topic}' GROUP BY error_reason"
        for kind, label, body in (
            (definitions.PARSE_ERRORS, "parse_errors", "payload"),
            (definitions.CURATED_ERRORS, "errors", "COALESCE(payload, record)"),
            (definitions.DLQ_ERRORS, "dlq_errors", "payload"),
        )
    ]
    return " UNION ALL ".join(parts) + " ORDER BY messages DESC, error_table, error_reason"


def drift_sql(topic: str) -> str:
    """Return the Athena SQL of a topic's drift log, newest first."""
    definitions.validate_topic_name(topic)
    return (
        "SELECT detected_at, column_name, change, previous_type, new_type, example_message_id, run_id "
        f"FROM {_table_identifier(definitions.DRIFT_LOG)} WHERE topic_name = '{topic}' "
        f"ORDER BY detected_at DESC LIMIT {DRIFT_ROWS}"
    )


def checked_contract(topic: str, text: bytes, source: str, force: bool) -> Contract | None:
    """Validate a contract before it is uploaded (the same rule on both targets).

    Returns:
        The contract, or None when it does not validate and ``force`` uploads it anyway.

    Raises:
        UsageError: when it does not validate and ``force`` is not set: nothing is uploaded.

    """
    try:
        return contracts.parse_contract(text, source, topic)
    except ContractError as exc:
        if not force:
            raise UsageError(
                "schema",
                f"{exc}; nothing uploaded, the contract in force stays (--force uploads it anyway, "
                f"and topic {topic} then stops until it is fixed)",
            ) from exc
        LOGGER.warning("schema --force: uploading it; topic %s stops until fixed: %s", topic, exc)
        return None


def review_evolution(topic: str, in_force: Contract | None, new: Contract | None, force: bool) -> None:
    """Log what an upload changes; refuse a breaking change unless ``force``.

    Raises:
        UsageError: naming every breaking change, when there is one and ``force`` is not set:
            nothing is uploaded and the contract in force stays.

    """
    if in_force is None or new is None:
        return
    evolution = classify(in_force, new)
    for change in evolution.compatible:
        LOGGER.info("schema: %s: %s (compatible)", topic, change)
    if not evolution.is_breaking:
        return
    listed = "; ".join(str(change) for change in evolution.breaking)
    if not force:
        raise UsageError(
            "schema",
            f"{topic}: breaking change(s): {listed}; nothing uploaded, the contract in force stays "
            "(--force uploads it anyway: existing curated rows are then not recomputed)",
        )
    LOGGER.warning("schema --force: %s: uploading breaking change(s): %s", topic, listed)


def evolution_lines(topic: str, in_force: Contract | None, new: Contract) -> tuple[list[str], bool]:
    """Return the classification lines of ``new`` against ``in_force``, and whether it breaks."""
    if in_force is None:
        return [f"{topic}: new contract ({len(new.fields)} fields)"], False
    evolution = classify(in_force, new)
    if not evolution.changes:
        return [f"{topic}: no change"], False
    return [f"{topic}: {change.kind}: {change}" for change in evolution.changes], evolution.is_breaking


def contract_file(path: Path, topic: str | None = None) -> Contract:
    """Parse a contract file (``topic``: the one its name must say, when known).

    Raises:
        UsageError: when it cannot be read or does not validate.

    """
    try:
        return contracts.parse_contract(path.read_bytes(), str(path), topic)
    except OSError as exc:
        raise UsageError("contract check", f"cannot read {path}: {exc.strerror}") from exc
    except ContractError as exc:
        raise UsageError("contract check", str(exc)) from exc


def check_contract_files(old_path: Path, new_path: Path) -> int:
    """``contract check OLD NEW``: print the classification; 1 when the change is breaking."""
    old, new = contract_file(old_path), contract_file(new_path)
    lines, breaking = evolution_lines(new.topic, old, new)
    for line in lines:
        print(line)
    return 1 if breaking else 0


def check_contract_folder(folder: Path, in_force: Callable[[str], Contract | None]) -> int:
    """``contract check DIR``: each ``{topic}.json`` against the contract in force; 1 on any break."""
    files = sorted(folder.glob(f"*{contracts.CONTRACT_SUFFIX}"))
    if not files:
        raise UsageError("contract check", f"no {{topic}}.json file in {folder}")
    failed = False
    for path in files:
        topic = path.name.removesuffix(contracts.CONTRACT_SUFFIX)
        try:
            new = contract_file(path, topic)
        except UsageError as exc:
            print(f"{topic}: invalid: {exc.problem}")
            failed = True
            continue
        try:
            current = in_force(topic)
        except ContractError:
            current = None  # the deployed one is malformed: anything valid replaces it
        lines, breaking = evolution_lines(topic, current, new)
        for line in lines:
            print(line)
        failed = failed or breaking
    return 1 if failed else 0


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def console_for(stream: TextIO) -> Console:
    """Return a rich console on ``stream``: wide and without colours when it is not a terminal."""
    tty = stream.isatty()
    return Console(file=stream, width=None if tty else NON_TTY_WIDTH, no_color=not tty, highlight=False)


def print_rows(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], out: TextIO | None = None
) -> None:
    """Print rows as a table (wide and without colours when ``out`` is not a terminal)."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    console = console_for(out or sys.stdout)
    console.print(table)
    if not rows:
        console.print("(none)")
