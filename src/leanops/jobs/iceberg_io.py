"""Iceberg reads and writes of the jobs: snapshot checks, incremental reads, idempotent MERGEs.

The tables Terraform creates (RAW: Glue CreateTable, one timestamp type) hold their timestamps as
Iceberg ``timestamp`` without zone, UTC wall clock by the envelope's definition: incremental reads
return them as instants (:func:`utc_instants`), so the jobs see what the local runner's tables
and the jobs' own tables give them.

Incremental reads (``start-snapshot-id``) see only ``append`` snapshots: Iceberg's incremental
append scan skips every other snapshot without a word. ``replace`` is safe to skip: "files are
removed and replaced, without changing the data in the table" (compaction, rewrite_data_files;
Iceberg Javadoc, ``org.apache.iceberg.DataOperations``). ``overwrite`` ("new data is added to
overwrite existing data") and ``delete`` ("data is deleted from the table") change rows an
incremental read would never deliver, so :func:`read_increment` refuses a range holding one
(:class:`NonAppendSnapshotError`, naming the table, the snapshot, its operation and what to do)
rather than lose them silently. The check walks the snapshots' parent chain in the table metadata:
no data file is read.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyspark.sql import functions as F
from pyspark.sql import types as T

from leanops import definitions
from leanops.adapters.iceberg_ddl import quote, replace_table_as_select_sql, sql_string
from leanops.exceptions import LeanOpsError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ADDED_RECORDS = "added-records"
SOURCE_ALIAS = "s"
TARGET_ALIAS = "t"
_VIEW_PREFIX = "leanops_batch_"
APPEND = "append"
REPLACE = "replace"
# Operations an incremental read may skip or read without losing a row (DataOperations).
INCREMENTAL_SAFE_OPERATIONS = frozenset({APPEND, REPLACE})


@dataclass(frozen=True)
class SnapshotSummary:
    """A snapshot as the incremental check sees it: its id and its summary's ``operation``."""

    snapshot_id: str
    operation: str | None


class NonAppendSnapshotError(LeanOpsError):
    """An incremental read's range holds a snapshot that changed or deleted rows."""

    def __init__(self, table: str, snapshot: SnapshotSummary, start: str, end: str) -> None:
        super().__init__(
            f"table {table}: snapshot {snapshot.snapshot_id} (after checkpoint {start}, up to {end}) is"
            f" an {snapshot.operation or 'unknown'!r} snapshot: it updated or deleted rows, which an"
            f" incremental read skips silently. Apply the same change downstream (or rebuild"
            f" it), then move this layer's checkpoint to {end}; deleting the checkpoint instead"
            f" reprocesses the whole table (the MERGEs are idempotent, but deleted rows stay downstream)"
        )
        self.table = table
        self.snapshot = snapshot


def first_unsafe_snapshot(snapshots: Sequence[SnapshotSummary]) -> SnapshotSummary | None:
    """Return the first snapshot an incremental read would lose rows of (not append/replace), or None.

    A snapshot without an operation (optional in v1 tables' summaries) counts as unsafe.
    """
    return next((s for s in snapshots if s.operation not in INCREMENTAL_SAFE_OPERATIONS), None)


def _ancestry(spark: SparkSession, name: str, start: str, end: str) -> tuple[list[SnapshotSummary], bool]:
    """Walk ``end``'s parent chain back to ``start``.

    Returns:
        The snapshots after ``start`` (oldest first), and whether the chain reached ``start``
        (not when it was expired or rolled back).
    """
    jvm: Any = spark._jvm
    table = jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, name)
    found: list[SnapshotSummary] = []
    snapshot = table.snapshot(int(end))
    while snapshot is not None and str(snapshot.snapshotId()) != start:
        found.append(SnapshotSummary(str(snapshot.snapshotId()), snapshot.operation()))
        parent = snapshot.parentId()
        snapshot = table.snapshot(parent) if parent is not None else None
    return found[::-1], snapshot is not None


def snapshots_between(spark: SparkSession, name: str, start: str, end: str) -> list[SnapshotSummary]:
    """Return the snapshots after ``start`` up to ``end`` (oldest first), from the table metadata.

    Walks ``end``'s parent chain back to ``start``; a chain that does not reach ``start`` (expired
    or rolled back) stops at its root, and Iceberg's own read then refuses the range.
    """
    return _ancestry(spark, name, start, end)[0]


def only_replaced_since(spark: SparkSession, name: str, start: str, end: str) -> bool:
    """Return True when every snapshot after ``start`` up to ``end`` is a ``replace`` (compaction).

    Such a range adds no row ("files are removed and replaced, without changing the data in the
    table": Iceberg Javadoc, ``org.apache.iceberg.DataOperations.REPLACE``), so a layer may move
    its checkpoint from ``start`` to ``end`` without reading: maintenance's compaction is then not
    "new data". False for an empty range, for any other operation, and when ``end``'s parent chain
    does not reach ``start`` (expired or rolled back: the read decides). Metadata only.
    """
    snapshots, reached = _ancestry(spark, name, start, end)
    return reached and bool(snapshots) and all(snapshot.operation == REPLACE for snapshot in snapshots)


def table_exists(spark: SparkSession, name: str) -> bool:
    """Return True when the catalog has the table."""
    return bool(spark.catalog.tableExists(name))


def current_snapshot(spark: SparkSession, name: str, refresh: bool = False) -> tuple[str | None, int]:
    """Return a table's current snapshot id (None for an empty table) and the records it added.

    Metadata only, through Iceberg's Java API: no Spark job runs and no data file is opened, so
    a topic with no new data costs a metadata check.

    Args:
        spark: the session.
        name: the qualified table name.
        refresh: reload the table's metadata first, to see commits of other writers (Firehose).

    """
    jvm: Any = spark._jvm
    table = jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, name)
    if refresh:
        table.refresh()
    snapshot = table.currentSnapshot()
    if snapshot is None:
        return None, 0
    added = snapshot.summary().get(ADDED_RECORDS)
    return str(snapshot.snapshotId()), int(added or 0)


def records_added_since(spark: SparkSession, name: str, before: str | None) -> int:
    """Return the records the last commit added, or 0 when no commit happened since ``before``."""
    after, added = current_snapshot(spark, name)
    return 0 if after == before else added


def read_increment(spark: SparkSession, name: str, start: str | None, end: str) -> DataFrame:
    """Read what a table gained after snapshot ``start`` up to snapshot ``end``.

    Args:
        spark: the session.
        name: the qualified table name.
        start: the checkpoint (exclusive); None reads the table as of ``end``.
        end: the snapshot to read up to (inclusive).

    Returns:
        The rows appended in (start, end]: exact, since every snapshot of the range is an append
        or a replace (checked). Timestamps without zone come back as UTC instants
        (:func:`utc_instants`).

    Raises:
        NonAppendSnapshotError: when a snapshot of the range is an overwrite or a delete.

    """
    reader = spark.read.format("iceberg")
    if start is None:
        reader = reader.option("snapshot-id", end)
    else:
        unsafe = first_unsafe_snapshot(snapshots_between(spark, name, start, end))
        if unsafe is not None:
            raise NonAppendSnapshotError(name, unsafe, start, end)
        reader = reader.option("start-snapshot-id", start).option("end-snapshot-id", end)
    return utc_instants(reader.load(name))


def utc_instants(frame: DataFrame) -> DataFrame:
    """Return ``frame`` with every timestamp-without-zone column read as a UTC instant.

    ``cast`` reads a wall clock in the session time zone (UTC in the jobs: ``--conf
    spark.sql.session.timeZone=UTC``); ``from_utc_timestamp`` with the session zone undoes that
    zone, so the instant is the wall clock read as UTC in any session. Other columns are kept.
    """
    if not any(isinstance(field.dataType, T.TimestampNTZType) for field in frame.schema.fields):
        return frame
    return frame.select(
        *(
            F.from_utc_timestamp(
                F.col(quote(field.name)).cast(T.TimestampType()), F.current_timezone()
            ).alias(field.name)
            if isinstance(field.dataType, T.TimestampNTZType)
            else F.col(quote(field.name))
            for field in frame.schema.fields
        )
    )


def merge_insert_only(
    spark: SparkSession, target: str, batch: DataFrame, on: Sequence[str], target_filter: str | None = None
) -> None:
    """Insert the batch rows whose ``on`` columns match no target row (an Iceberg append).

    Args:
        spark: the session.
        target: the qualified target table.
        batch: the rows; their columns are a subset of the target's.
        on: the columns identifying a row.
        target_filter: an extra condition on ``t.`` columns (partition pruning).

    """
    condition = _match_condition(on)
    if target_filter:
        condition = f"{condition} AND {target_filter}"
    columns = list(batch.columns)
    _run_merge(spark, target, batch, condition, [_insert_clause(columns)])


def merge_latest(
    spark: SparkSession, target: str, batch: DataFrame, key: Sequence[str], source_is_newer: str
) -> None:
    """Upsert one row per key: update a row only when the batch's is newer, insert new keys.

    Args:
        spark: the session.
        target: the qualified target table.
        batch: at most one row per key.
        key: the key columns.
        source_is_newer: SQL over ``s.`` and ``t.`` that is true when the source row wins.

    """
    columns = list(batch.columns)
    assignments = ", ".join(f"{TARGET_ALIAS}.{quote(c)} = {SOURCE_ALIAS}.{quote(c)}" for c in columns)
    clauses = [f"WHEN MATCHED AND ({source_is_newer}) THEN UPDATE SET {assignments}", _insert_clause(columns)]
    _run_merge(spark, target, batch, _match_condition(key), clauses)


def merge_replace(spark: SparkSession, target: str, batch: DataFrame, on: Sequence[str], scope: str) -> None:
    """Make the target's rows within ``scope`` exactly the batch's, in one commit.

    Rows matching a batch row on ``on`` are updated, new ones inserted, and the rows of
    ``scope`` the batch lacks deleted (``WHEN NOT MATCHED BY SOURCE``: Spark 3.5, Iceberg 1.5+).
    Running it again with the same batch gives the same rows.

    Args:
        spark: the session.
        target: the qualified target table.
        batch: the rows; at most one per ``on`` values; columns a subset of the target's.
        on: the columns identifying a row.
        scope: SQL over ``t.`` columns: the target rows the batch replaces (e.g. one topic's).

    """
    columns = list(batch.columns)
    assignments = ", ".join(f"{TARGET_ALIAS}.{quote(c)} = {SOURCE_ALIAS}.{quote(c)}" for c in columns)
    clauses = [
        f"WHEN MATCHED THEN UPDATE SET {assignments}",
        _insert_clause(columns),
        f"WHEN NOT MATCHED BY SOURCE AND ({scope}) THEN DELETE",
    ]
    _run_merge(spark, target, batch, _match_condition(on), clauses)


def replace_table(
    spark: SparkSession,
    name: str,
    table: definitions.TableDef,
    rows: DataFrame,
    properties: Mapping[str, str] | None = None,
) -> None:
    """Replace a jobs-created table by ``rows`` (its columns and types), in one atomic commit.

    ``CREATE OR REPLACE TABLE ... AS SELECT`` (leanops.adapters.iceberg_ddl): the table gets the
    rows' schema (a dropped column goes, a changed type is the new one), the definition's
    partitioning, properties (and ``properties``) and column comments, and keeps its history;
    a missing table is created. Readers see the old rows until the commit, the new ones after it.
    """
    comments = {column.name: column.comment for column in table.columns if column.comment}
    described = rows.select(
        *(
            F.col(quote(c)).alias(c, metadata={"comment": comments[c]}) if c in comments else F.col(quote(c))
            for c in rows.columns
        )
    )
    view = f"{_VIEW_PREFIX}{uuid.uuid4().hex}"
    described.createOrReplaceTempView(view)
    try:
        spark.sql(replace_table_as_select_sql(name, table, view, properties))
    finally:
        spark.catalog.dropTempView(view)


def _match_condition(columns: Sequence[str]) -> str:
    return " AND ".join(f"{TARGET_ALIAS}.{quote(c)} = {SOURCE_ALIAS}.{quote(c)}" for c in columns)


def _insert_clause(columns: Sequence[str]) -> str:
    names = ", ".join(quote(c) for c in columns)
    values = ", ".join(f"{SOURCE_ALIAS}.{quote(c)}" for c in columns)
    return f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({values})"


def _run_merge(
    spark: SparkSession, target: str, batch: DataFrame, condition: str, clauses: Sequence[str]
) -> None:
    view = f"{_VIEW_PREFIX}{uuid.uuid4().hex}"
    batch.createOrReplaceTempView(view)
    try:
        merge = f"MERGE INTO {target} {TARGET_ALIAS} USING {view} {SOURCE_ALIAS} ON {condition}"
        spark.sql(f"{merge} {' '.join(clauses)}")
    finally:
        spark.catalog.dropTempView(view)


@dataclass(frozen=True)
class SentRange:
    """The ``sent_at`` values a MERGE's batch holds: what the target rows it can match hold.

    Every copy of a message carries the same ``sent_at``, the SQS SentTimestamp of the original
    message: a Lambda retry re-sends the same message (same id, same SentTimestamp), a message
    moved to a DLQ keeps its SentTimestamp ("the enqueue timestamp is unchanged", Amazon SQS
    Developer Guide, "Using dead-letter queues"), and a signed DLQ replay carries the original
    one (leanops.ingest.envelope.original_sent_at; leanops.ingest.replay refuses to keep an id
    without it). So a MERGE on ``message_id`` may restrict its target to the batch's range.

    Attributes:
        low: the smallest sent_at, epoch microseconds (None when no row has one).
        high: the largest, epoch microseconds (None when no row has one).
        has_null: whether a row has no sent_at (it can match only a target row without one).
    """

    low: int | None
    high: int | None
    has_null: bool

    @classmethod
    def of(cls, summary: Mapping[str, Any], prefix: str) -> SentRange:
        """Read ``<prefix>_low``, ``<prefix>_high`` and ``<prefix>_unsent`` (a count) of a summary row."""
        low, high = summary[f"{prefix}_low"], summary[f"{prefix}_high"]
        return cls(
            None if low is None else int(low),
            None if high is None else int(high),
            bool(summary[f"{prefix}_unsent"]),
        )


def target_filter(sent: SentRange, topic: str | None = None, sent_column: str = "sent_at") -> str:
    """Return the condition on ``t.`` a MERGE's target rows must meet to match a batch row.

    ``days(sent_at)`` partitions outside the range are pruned from the MERGE's scan, and a
    ``topic_name`` literal skips the files of other topics in a shared table (each MERGE writes
    one topic's rows, so a file's topic_name bounds name one topic). A batch row without
    ``sent_at`` keeps the target's rows without one (their partition) in the scan.

    Args:
        sent: the batch's sent_at range.
        topic: the batch's one topic (shared tables); None for a per-topic table.
        sent_column: the target's sent_at column.
    """
    column = f"{TARGET_ALIAS}.{quote(sent_column)}"
    ranges = []
    if sent.low is not None and sent.high is not None:
        low, high = f"timestamp_micros({sent.low})", f"timestamp_micros({sent.high})"
        ranges.append(f"({column} >= {low} AND {column} <= {high})")
    if sent.has_null or not ranges:
        ranges.append(f"{column} IS NULL")
    condition = f"({' OR '.join(ranges)})"
    if topic is not None:
        condition = f"{topic_condition(topic)} AND {condition}"
    return condition


def topic_condition(topic: str) -> str:
    """Return the condition on ``t.`` that holds for one topic's rows of a shared table."""
    return f"{TARGET_ALIAS}.{quote('topic_name')} = {sql_string(topic)}"
