"""Schema drift of a topic's bodies: what the drift log means, decided in pure Python.

The standardized job gives, per run, what drift_log already says of each field
(:func:`field_states`, the state: kinds seen, vanished or not) and what the batch shows
(:func:`fold_sightings`: per field and JSON kind, its first message and last ``sent_at``); this
module decides the changes, and the job appends them to drift_log. The state is derived from
drift_log itself, so a rerun after a crash finds what the first attempt logged and logs nothing twice.

* ``added``: a field's first appearance in the topic ever; ``example_message_id`` is its first
  message (smallest ``sent_at``, then ``message_id``), ``run_id`` the run that saw it. Once.
* ``retyped``: a JSON kind (string, number, boolean, object, array) the field never had before:
  one row per new kind (``previous_type``: the kinds seen before, ``new_type``: the new one). A
  kind seen before is not a change, so a field alternating between two kinds is logged once.
* ``vanished``: a field with no non-null value in any message sent within the window
  (``LEANOPS_DRIFT_VANISH_DAYS``, default 7 days) before the topic's newest ``sent_at``. Data
  time, not run time: a replay of old messages (they keep their ``sent_at``) moves nothing, and
  a quiet topic vanishes nothing. Once, until it returns.
* ``returned``: a vanished field seen again within the window. Then it can vanish again.

JSON null says nothing about a field (standardized stores it as NULL, like an absent key): a
value of null is neither a kind nor a sighting.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from leanops import definitions
from leanops.transforms.json_body import JSON_NULL

ADDED = "added"
VANISHED = "vanished"
RETYPED = "retyped"
RETURNED = "returned"
TYPE_SEPARATOR = "|"
MICROS_PER_DAY = 86_400 * 1_000_000
_FIELD_EVENTS = (ADDED, VANISHED, RETURNED)  # the changes that say whether a field is vanished


@dataclass(frozen=True)
class DriftChange:
    """One change of one body column, as one drift_log row.

    Attributes:
        column_name: the standardized column of the field.
        change: ``added``, ``retyped``, ``vanished`` or ``returned``.
        previous_type: the JSON kinds known before, joined by ``|`` (None when added).
        new_type: the kind(s) seen now (None when vanished).
        example_message_id: the first message showing the change (None when vanished).
    """

    column_name: str
    change: str
    previous_type: str | None
    new_type: str | None
    example_message_id: str | None


@dataclass(frozen=True)
class FieldState:
    """What drift_log says of one field of a topic.

    Attributes:
        kinds: every JSON kind it was logged with.
        vanished: whether its latest added / vanished / returned row is ``vanished``.
    """

    kinds: frozenset[str]
    vanished: bool


@dataclass(frozen=True)
class Sighting:
    """One JSON kind of one field in one batch.

    Attributes:
        first_message_id: the first message with it (smallest sent_at, then message_id).
        first_sent_at: that message's sent_at, epoch microseconds.
        last_sent_at: the latest sent_at with it, epoch microseconds.
    """

    first_message_id: str
    first_sent_at: int
    last_sent_at: int


Sightings = Mapping[str, Mapping[str, Sighting]]  # column -> JSON kind -> sighting


def _kinds(json_type: object) -> set[str]:
    """Return the kinds of a logged type (``number|string``), null left out."""
    return {part for part in str(json_type or "").split(TYPE_SEPARATOR) if part and part != JSON_NULL}


def _joined(kinds: Iterable[str]) -> str | None:
    return TYPE_SEPARATOR.join(sorted(kinds)) or None


def field_states(log_rows: Iterable[Mapping[str, object]]) -> dict[str, FieldState]:
    """Return each field's state from a topic's drift_log rows (any order).

    Args:
        log_rows: rows with ``column_name``, ``change``, ``new_type`` and ``detected_at`` (any
            comparable value: the order of the rows). Rows of the earlier drift log (a field
            ``added`` again after ``vanished``) read as a return.

    Returns:
        column -> its state.
    """
    kinds: dict[str, set[str]] = {}
    latest: dict[str, tuple[object, str]] = {}
    for row in sorted(log_rows, key=lambda row: (str(row["column_name"]), row["detected_at"])):
        column, change = str(row["column_name"]), str(row["change"])
        kinds.setdefault(column, set()).update(_kinds(row["new_type"]))
        if change in _FIELD_EVENTS:
            latest[column] = (row["detected_at"], change)
    return {
        column: FieldState(frozenset(seen), latest.get(column, (None, ADDED))[1] == VANISHED)
        for column, seen in kinds.items()
    }


def fold_sightings(rows: Iterable[tuple[str, str | None, str, int, int]]) -> dict[str, dict[str, Sighting]]:
    """Fold (column, JSON kind, first message id, first sent_at, last sent_at) rows per column and kind.

    Args:
        rows: one or more rows per column and kind; JSON null (and no kind) is left out.

    Returns:
        column -> kind -> the earliest first message and the latest last sent_at.
    """
    folded: dict[str, dict[str, Sighting]] = {}
    for column, kind, message_id, first, last in rows:
        if not kind or kind == JSON_NULL:
            continue
        known = folded.setdefault(column, {}).get(kind)
        if known is not None:
            if (known.first_sent_at, known.first_message_id) < (first, message_id):
                message_id, first = known.first_message_id, known.first_sent_at
            last = max(last, known.last_sent_at)
        folded[column][kind] = Sighting(message_id, first, last)
    return folded


def window_start(newest_sent_at: int, vanish_days: int) -> int:
    """Return the earliest sent_at (epoch microseconds) that still counts as seen recently."""
    return newest_sent_at - vanish_days * MICROS_PER_DAY


def _last_seen(kinds: Mapping[str, Sighting]) -> int:
    return max(sighting.last_sent_at for sighting in kinds.values())


def vanish_candidates(states: Mapping[str, FieldState], observed: Sightings, since: int) -> list[str]:
    """Return the fields that vanish unless the topic's table shows them since ``since``.

    Args:
        states: from :func:`field_states`.
        observed: the batch's sightings (:func:`fold_sightings`).
        since: the window's start (:func:`window_start`).

    Returns:
        The known, not vanished fields the batch does not show since ``since``, sorted.
    """
    return sorted(
        column
        for column, state in states.items()
        if not state.vanished and (column not in observed or _last_seen(observed[column]) < since)
    )


def _first(kinds: Mapping[str, Sighting]) -> Sighting:
    return min(kinds.values(), key=lambda sighting: (sighting.first_sent_at, sighting.first_message_id))


def detect_drift(
    states: Mapping[str, FieldState], observed: Sightings, since: int, vanished: Collection[str]
) -> list[DriftChange]:
    """Return the changes a batch makes to what drift_log says, sorted by column.

    Args:
        states: from :func:`field_states`.
        observed: the batch's sightings (:func:`fold_sightings`).
        since: the window's start (:func:`window_start`).
        vanished: the candidates (:func:`vanish_candidates`) the table does not show since ``since``.

    Returns:
        ``added`` for a field never logged; ``retyped`` once per kind never logged for the field;
        ``vanished`` for each of ``vanished`` not vanished yet; ``returned`` for a vanished field
        the batch shows since ``since``.
    """
    changes: list[DriftChange] = []
    for column in sorted(set(observed) | set(vanished)):
        state = states.get(column)
        kinds = observed.get(column, {})
        if state is None:
            if kinds:
                changes.append(
                    DriftChange(column, ADDED, None, _joined(kinds), _first(kinds).first_message_id)
                )
            continue
        before = _joined(state.kinds)
        if column in vanished and not state.vanished:
            changes.append(DriftChange(column, VANISHED, before, None, None))
        elif state.vanished and kinds and _last_seen(kinds) >= since:
            changes.append(
                DriftChange(column, RETURNED, before, _joined(kinds), _first(kinds).first_message_id)
            )
        changes.extend(
            DriftChange(column, RETYPED, before, kind, kinds[kind].first_message_id)
            for kind in sorted(set(kinds) - state.kinds)
        )
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
