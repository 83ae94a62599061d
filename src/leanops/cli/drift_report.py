"""What ``status`` shows of the drift log: each topic's latest changes, one line each.

The SQL is Athena (Trino) text, the same on both targets (run by the local engine or by
Athena, as ``drift`` does); turning its rows into lines is pure Python. The meaning of each
change is leanops.transforms.drift's (README, "Drift log").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from leanops import definitions
from leanops.transforms.drift import ADDED, RETURNED, RETYPED, VANISHED

RECENT_DRIFT_ROWS = 5  # per topic
TOPIC = "topic_name"
TOTAL = "changes"
COLUMNS = (
    "topic_name",
    "detected_at",
    "column_name",
    "change",
    "previous_type",
    "new_type",
    "example_message_id",
)
_RANK = "rank_in_topic"


def recent_drift_sql(topics: Iterable[str], limit: int = RECENT_DRIFT_ROWS) -> str:
    """Return the Athena SQL of the latest ``limit`` drift_log rows of each topic, with its count of changes.

    Args:
        topics: the topics (each checked against the topic-name rule, which admits no quote).
        limit: the rows kept per topic.

    Returns:
        SQL whose columns are :data:`COLUMNS` then ``changes`` (the topic's rows in all), newest first.
    """
    names = sorted(set(topics))
    for topic in names:
        definitions.validate_topic_name(topic)
    listed = ", ".join(f"'{topic}'" for topic in names) or "NULL"
    table = definitions.table(definitions.DRIFT_LOG).identifier()
    return (
        f"SELECT {', '.join(COLUMNS)}, {TOTAL} FROM (SELECT {', '.join(COLUMNS)}, "
        f"COUNT(*) OVER (PARTITION BY topic_name) AS {TOTAL}, ROW_NUMBER() OVER (PARTITION BY topic_name "
        f"ORDER BY detected_at DESC, column_name, change) AS {_RANK} "
        f"FROM {table} WHERE topic_name IN ({listed})) "
        f"WHERE {_RANK} <= {limit} ORDER BY topic_name, detected_at DESC, column_name, change"
    )


def _utc(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(UTC)


def _when(value: object) -> str:
    instant = _utc(value)
    return str(value) if instant is None else instant.strftime("%Y-%m-%d %H:%M UTC")


def _order(value: object) -> str:
    """Return a sortable text of a detected_at (a datetime, or the ISO text a query printed)."""
    instant = _utc(value)
    return str(value) if instant is None else instant.isoformat()


def change_text(row: Mapping[str, object]) -> str:
    """Return one drift_log row as a phrase (``b vanished (was number)``)."""
    column, change = row["column_name"], row["change"]
    before, now, example = row.get("previous_type"), row.get("new_type"), row.get("example_message_id")
    if change == ADDED:
        return f"{column} added ({now}), first message {example}"
    if change == RETYPED:
        return f"{column} retyped: new kind {now} (before: {before}), first message {example}"
    if change == VANISHED:
        return f"{column} vanished (was {before})"
    if change == RETURNED:
        return f"{column} returned ({now}), message {example}"
    return f"{column} {change}"


def drift_lines(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> dict[str, list[str]]:
    """Turn the rows of :func:`recent_drift_sql` into the lines ``status`` prints under each topic.

    Args:
        columns: the query's column names.
        rows: its rows (any order: each topic's are shown newest first).

    Returns:
        topic -> a heading line (its count of changes, how many are shown) and one line per
        change; topics without drift are left out.
    """
    by_topic: dict[str, list[dict[str, object]]] = {}
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        by_topic.setdefault(str(row[TOPIC]), []).append(row)
    lines: dict[str, list[str]] = {}
    for topic, changes in sorted(by_topic.items()):
        changes.sort(key=lambda row: (str(row["column_name"]), str(row["change"])))
        changes.sort(key=lambda row: _order(row["detected_at"]), reverse=True)
        total = int(str(changes[0].get(TOTAL) or len(changes)))
        more = f", latest {len(changes)} (drift --topic {topic}: all)" if total > len(changes) else ""
        lines[topic] = [
            f"  drift: {total} change{'s' if total != 1 else ''}{more}",
            *(f"    {_when(row['detected_at'])}  {change_text(row)}" for row in changes),
        ]
    return lines
