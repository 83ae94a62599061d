"""What the operator commands share on both targets: their Athena SQL, contract checks, tables.

``errors`` and ``drift`` are Athena (Trino) SQL over the shared error and drift tables, the same
text on both targets: run by the local engine (``leanops.local.query``) or by Athena.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from leanops import contracts, definitions
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
            (definitions.CURATED_ERRORS, "errors", "record"),
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
