"""Schema drift of a topic's bodies: fields that appeared, vanished or changed JSON type.

Pure Python: the standardized job collects a batch's observed types (one small DataFrame, see
leanops.transforms.standardize.observed_types), compares them with what drift_log knew, and
appends the changes to drift_log.

JSON null says nothing about a field's type, so it is ignored: a field seen only as null is not
"added", and a field that turns null is not "retyped". A field seen with several non-null types
in one batch has them sorted and joined by ``|`` (``number|string``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from leanops import definitions
from leanops.transforms.json_body import JSON_NULL

ADDED = "added"
VANISHED = "vanished"
RETYPED = "retyped"
TYPE_SEPARATOR = "|"


@dataclass(frozen=True)
class DriftChange:
    """One change of one body column between what drift_log knew and a new batch.

    Attributes:
        column_name: the standardized column of the field.
        change: ``added``, ``vanished`` or ``retyped``.
        previous_type: the JSON type known before (None when added).
        new_type: the JSON type seen now (None when vanished).
        example_message_id: a message showing the change (None when vanished).
    """

    column_name: str
    change: str
    previous_type: str | None
    new_type: str | None
    example_message_id: str | None


def normalize_type(json_type: str | None) -> str | None:
    """Return a JSON type without ``null``, its parts sorted (``string|null|number`` -> ``number|string``).

    Returns:
        The normalized type, or None when only ``null`` (or nothing) is left.
    """
    parts = sorted({part for part in (json_type or "").split(TYPE_SEPARATOR) if part and part != JSON_NULL})
    return TYPE_SEPARATOR.join(parts) or None


def merge_observed(rows: Iterable[tuple[str, str, str | None]]) -> dict[str, tuple[str, str | None]]:
    """Fold (column, JSON type, example message id) rows into one entry per column.

    Args:
        rows: observed types, one or more rows per column (e.g. collected from observed_types).

    Returns:
        column -> (normalized type, smallest example message id); columns seen only as null are left out.
    """
    types: dict[str, set[str]] = {}
    examples: dict[str, str | None] = {}
    for column, json_type, example in rows:
        normalized = normalize_type(json_type)
        if normalized is None:
            continue
        types.setdefault(column, set()).update(normalized.split(TYPE_SEPARATOR))
        known = examples.get(column)
        examples[column] = example if known is None or (example is not None and example < known) else known
    return {column: (TYPE_SEPARATOR.join(sorted(parts)), examples[column]) for column, parts in types.items()}


def detect_drift(
    known: Mapping[str, str], observed: Mapping[str, tuple[str, str | None]]
) -> list[DriftChange]:
    """Compare the known JSON type of each column with a batch's observed types.

    Args:
        known: column -> its last JSON type (from drift_log; a vanished column is not known).
        observed: column -> (JSON type, example message id) of one batch.

    Returns:
        The changes, sorted by column name: ``added`` (observed, not known), ``retyped`` (both,
        different type) and ``vanished`` (known, not observed with a non-null type).
    """
    changes: list[DriftChange] = []
    seen: dict[str, tuple[str, str | None]] = {}
    for column, (json_type, example) in observed.items():
        normalized = normalize_type(json_type)
        if normalized is not None:
            seen[column] = (normalized, example)
    for column in sorted(set(known) | set(seen)):
        before = normalize_type(known.get(column))
        now, example = seen.get(column, (None, None))
        if before is None and now is not None:
            changes.append(DriftChange(column, ADDED, None, now, example))
        elif before is not None and now is None:
            changes.append(DriftChange(column, VANISHED, before, None, None))
        elif before != now:
            changes.append(DriftChange(column, RETYPED, before, now, example))
    return changes


def drift_rows(
    changes: Iterable[DriftChange], topic: str, run_id: str, detected_at: datetime
) -> list[dict[str, object]]:
    """Return the changes as rows of the drift_log table (tables.json "drift_log" columns, in order).

    Args:
        changes: from :func:`detect_drift`.
        topic: the topic the changes belong to.
        run_id: the id of the standardized run that saw them.
        detected_at: when they were recorded.
    """
    columns = definitions.table(definitions.DRIFT_LOG).column_names
    context = {"topic_name": topic, "run_id": run_id, "detected_at": detected_at}
    return [{name: {**asdict(change), **context}[name] for name in columns} for change in changes]
