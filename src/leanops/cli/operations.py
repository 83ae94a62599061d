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

from botocore.exceptions import ClientError
from rich.console import Console
from rich.table import Table

from leanops import contracts, definitions
from leanops.adapters.checkpoints import CheckpointStore
from leanops.adapters.iceberg_ddl import contract_columns, is_safe_widening
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


def review_evolution(
    topic: str, in_force: Contract | None, new: Contract | None, force: bool, rebuild: bool = False
) -> None:
    """Log what an upload changes; refuse a breaking change unless ``rebuild`` (or ``force``).

    ``force`` applies a breaking change to the records processed from then on, without
    recomputing the curated rows; a change those rows cannot take in place (a new ``key``, a
    column whose type cannot become the new one) needs ``rebuild`` and is refused.

    Raises:
        UsageError: naming every breaking change, when there is one and neither ``rebuild`` nor
            ``force`` is set, or ``force`` is set and a change needs a rebuild: nothing is
            uploaded and the contract in force stays.

    """
    if in_force is None or new is None:
        return
    evolution = classify(in_force, new)
    for change in evolution.compatible:
        LOGGER.info("schema: %s: %s (compatible)", topic, change)
    if not evolution.is_breaking:
        return
    listed = "; ".join(str(change) for change in evolution.breaking)
    if rebuild:
        LOGGER.warning("schema --rebuild: %s: breaking change(s) accepted: %s", topic, listed)
        return
    if not force:
        raise UsageError(
            "schema",
            f"{topic}: breaking change(s): {listed}; nothing uploaded, the contract in force stays "
            "(--rebuild uploads it and the next run recomputes the topic's curated rows and errors "
            "from standardized; --force uploads it without recomputing them)",
        )
    unappliable = changes_needing_rebuild(in_force, new)
    if unappliable:
        raise UsageError(
            "schema",
            f"{topic}: --force cannot apply {'; '.join(unappliable)}: the curated rows cannot take "
            "it in place; nothing uploaded, the contract in force stays (upload it with --rebuild: "
            "the next run recomputes the topic from standardized)",
        )
    LOGGER.warning("schema --force: %s: uploading breaking change(s): %s", topic, listed)


def changes_needing_rebuild(in_force: Contract, new: Contract) -> list[str]:
    """Return the changes the existing curated rows cannot take without a rebuild.

    A new ``key``: the rows are keyed by the old one, and a MERGE on the new key would keep
    several rows per key. A curated column whose type cannot become the new one (Iceberg changes
    a column's type only by a lossless promotion: leanops.adapters.iceberg_ddl.is_safe_widening):
    the curated job would refuse every increment.
    """
    found = []
    if in_force.key != new.key:
        found.append(f"key changed {list(in_force.key)} -> {list(new.key)}")
    before = dict(contract_columns(in_force))
    for name, kind in contract_columns(new):
        old = before.get(name)
        if old is not None and old != kind and not is_safe_widening(old, kind):
            found.append(f"field {name}: curated column type {old} -> {kind}")
    return found


def request_rebuild(checkpoints: CheckpointStore, topic: str, contract_version: str | None) -> None:
    """Record ``schema --rebuild``'s request, after the contract was uploaded.

    The contract is uploaded first: a request without its contract would rebuild under the old
    one. Once PutObject returned, every job reads the new contract (Amazon S3 User Guide, "Amazon
    S3 data consistency model": strong read-after-write consistency for PUT requests of objects).
    Recording it is the last step, so a failure here is fixed by running the same command again
    (an unchanged contract is uploaded again and the request recorded).

    Raises:
        UsageError: when the request could not be recorded (the contract is uploaded).

    """
    try:
        checkpoints.request_rebuild(topic, contract_version, "schema --rebuild")
    except ClientError as exc:
        raise UsageError(
            "schema",
            f"{topic}: contract uploaded, but the rebuild request could not be recorded in "
            f"{checkpoints.table_name} ({exc}): run the same command again",
        ) from exc
    LOGGER.info(
        "schema: %s: rebuild requested (contract version %s): the next run recomputes curated %s "
        "and its rows of curated errors from the whole standardized table",
        topic,
        contract_version or "unknown",
        topic,
    )


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
