"""The standardized layer for one topic: parse, dedupe, MERGE, parse errors, drift log.

Body key paths get their columns from the topic's recorded mapping (leanops.adapters.
column_mapping), extended and recorded before the data is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leanops import definitions, faults, naming
from leanops.adapters import column_mapping
from leanops.adapters.iceberg_ddl import body_columns, ensure_table, quote
from leanops.jobs import iceberg_io
from leanops.jobs.context import TopicRun, WriteCounts
from leanops.transforms import drift, standardize
from leanops.transforms.standardize import (
    COLUMN_NAME,
    FIRST_SENT,
    JSON_TYPE,
    LAST_SENT,
    MESSAGE_ID,
    SENT_AT,
    TOPIC_NAME,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DETECTED_AT = "detected_at"
CHANGE = "change"
NEW_TYPE = "new_type"
DRIFT_STATE_COLUMNS = (COLUMN_NAME, CHANGE, NEW_TYPE)


def process_standardized(run: TopicRun, raw_batch: DataFrame) -> WriteCounts:
    """Standardize one increment of a topic's RAW table and write it idempotently.

    Retry duplicates are dropped before the parse (:func:`standardize.first_arrivals`), which
    also spreads the rows over every core. Two actions read the parsed rows (cached): the batch
    summary (counts and sent_at ranges) and the key path sightings (columns and drift); then the
    MERGEs. Rows written come from the commit's summary, not from another action.

    Args:
        run: the topic and run.
        raw_batch: the RAW rows appended since the checkpoint.

    Returns:
        What was read and written.

    """
    settings = run.settings
    first = standardize.first_arrivals(raw_batch)
    parsed = standardize.parse_bodies(first, settings.max_fields_per_message, settings.max_nesting_depth)
    parsed = parsed.persist()
    try:
        summary = standardize.batch_summary(parsed).first()
        if summary is None or not summary[standardize.ROWS_READ]:
            return WriteCounts(rows_read=0)
        return _write_batch(run, parsed, summary.asDict())
    finally:
        parsed.unpersist()


def _write_batch(run: TopicRun, parsed: DataFrame, summary: dict[str, Any]) -> WriteCounts:
    spark = run.spark
    sightings = [row.asDict() for row in standardize.kind_sightings(parsed).collect()]
    paths = {key: naming.path_of_key(key) for key in sorted({row[COLUMN_NAME] for row in sightings})}
    table_def = definitions.table(definitions.STANDARDIZED)
    # the mapping is recorded (metadata commit) before the columns are added and the data merged
    mapping = column_mapping.ensure_columns(
        spark, ensure_table(spark, table_def, run.topic), list(paths.values())
    )
    columns = {key: mapping[path] for key, path in paths.items()}
    body_table = ensure_table(spark, table_def, run.topic, body_columns(sorted(columns.values())))
    errors_table = ensure_table(spark, definitions.table(definitions.PARSE_ERRORS))
    drift_table = ensure_table(spark, definitions.table(definitions.DRIFT_LOG))
    rows = standardize.standardized_rows(parsed, columns, run.run_id, run.written_at)
    parse_errors = standardize.parse_error_rows(parsed, run.run_id, run.written_at)
    error_count = int(summary[standardize.PARSE_ERROR_COUNT])
    sent = iceberg_io.SentRange.of(summary, standardize.PARSED_PREFIX)
    has_rows = int(summary[standardize.MESSAGES]) > error_count
    drift_rows = (
        _drift_rows(run, drift_table, body_table, sightings, columns, sent.high)
        if has_rows and sent.high is not None
        else []
    )
    before, _ = iceberg_io.current_snapshot(spark, body_table)
    faults.maybe_fail(faults.JOB_CRASH_BEFORE_COMMIT, run.where)
    if has_rows:
        # sent_at is required in standardized: the range prunes by days(sent_at)
        iceberg_io.merge_insert_only(spark, body_table, rows, [MESSAGE_ID], iceberg_io.target_filter(sent))
    if error_count:
        failed = iceberg_io.SentRange.of(summary, standardize.FAILED_PREFIX)
        pruned = iceberg_io.target_filter(failed, topic=run.topic)
        iceberg_io.merge_insert_only(spark, errors_table, parse_errors, [TOPIC_NAME, MESSAGE_ID], pruned)
    if drift_rows:
        _append(spark, drift_table, drift_rows)
    written = iceberg_io.records_added_since(spark, body_table, before)
    rows_read = int(summary[standardize.ROWS_READ])
    return WriteCounts(rows_read=rows_read, rows_written=written, parse_errors=error_count)


def drift_states(run: TopicRun, drift_table: str) -> dict[str, drift.FieldState]:
    """Return what the drift log says of each field of the topic (leanops.transforms.drift.field_states)."""
    rows = run.spark.sql(
        f"SELECT {', '.join(DRIFT_STATE_COLUMNS)}, unix_micros({DETECTED_AT}) AS {DETECTED_AT} "
        f"FROM {drift_table} WHERE {TOPIC_NAME} = :topic",
        args={"topic": run.topic},
    ).collect()
    return drift.field_states(row.asDict() for row in rows)


def _newest_sent_at(spark: SparkSession, body_table: str, batch_newest: int) -> int:
    """Return the topic's newest sent_at (epoch micros), the table's or the batch's.

    Iceberg's Spark source answers an unfiltered ``max`` from the manifests' column bounds, without
    reading data files (aggregate push-down, apache/iceberg PR #6622; it falls back to a scan of
    ``sent_at`` alone where files carry row-level deletes: the standardized MERGE inserts only).
    """
    row = spark.sql(f"SELECT unix_micros(max({quote(SENT_AT)})) AS newest FROM {body_table}").first()
    stored = None if row is None else row["newest"]
    return batch_newest if stored is None else max(int(stored), batch_newest)


def unseen_since(spark: SparkSession, body_table: str, columns: list[str], since: int) -> set[str]:
    """Return the columns with no value in the table's rows sent at or after ``since`` (epoch micros).

    Reads only those columns of the window's days (partition pruning on days(sent_at)); a column
    the table does not have is unseen.
    """
    present = [column for column in columns if column in spark.table(body_table).columns]
    if not present:
        return set(columns)
    counts = ", ".join(f"count({quote(column)}) AS {quote(column)}" for column in present)
    any_value = " OR ".join(f"{quote(column)} IS NOT NULL" for column in present)
    row = spark.sql(
        f"SELECT {counts} FROM {body_table} "
        f"WHERE {quote(SENT_AT)} >= timestamp_micros({since}) AND ({any_value})"
    ).first()
    return {column for column in columns if column not in present or row is None or not row[column]}


def _drift_rows(
    run: TopicRun,
    drift_table: str,
    body_table: str,
    sightings: list[dict[str, Any]],
    columns: dict[str, str],
    batch_newest: int,
) -> list[dict[str, object]]:
    """Return the batch's drift_log rows (state: drift_log; sightings: the batch; window: the table)."""
    states = drift_states(run, drift_table)
    observed = drift.fold_sightings(
        (columns[row[COLUMN_NAME]], row[JSON_TYPE], row[MESSAGE_ID], row[FIRST_SENT], row[LAST_SENT])
        for row in sightings
    )
    since = drift.window_start(
        _newest_sent_at(run.spark, body_table, batch_newest), run.settings.drift_vanish_days
    )
    candidates = drift.vanish_candidates(states, observed, since)
    vanished = unseen_since(run.spark, body_table, candidates, since) if candidates else set()
    changes = drift.detect_drift(states, observed, since, vanished)
    return list(drift.drift_rows(changes, run.topic, run.run_id, run.written_at))


def _append(spark: SparkSession, table: str, rows: list[dict[str, object]]) -> None:
    """Append rows (dicts keyed by column name) to a table, typed by the table's own schema."""
    spark.createDataFrame(rows, schema=spark.table(table).schema).writeTo(table).append()
