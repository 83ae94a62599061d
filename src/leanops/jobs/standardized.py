"""The standardized layer for one topic: parse, dedupe, MERGE, parse errors, drift log.

Body key paths get their columns from the topic's recorded mapping (leanops.adapters.
column_mapping), extended and recorded before the data is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyspark.sql import functions as F

from leanops import definitions, faults, naming
from leanops.adapters import column_mapping
from leanops.adapters.iceberg_ddl import body_columns, ensure_table, quote
from leanops.jobs import iceberg_io
from leanops.jobs.context import TopicRun, WriteCounts
from leanops.transforms import drift, standardize
from leanops.transforms.standardize import (
    COLUMN_NAME,
    EXAMPLE_MESSAGE_ID,
    JSON_TYPE,
    MESSAGE_ID,
    RUN_ID,
    SENT_AT,
    TOPIC_NAME,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DETECTED_AT = "detected_at"
CHANGE = "change"
NEW_TYPE = "new_type"
DRIFT_COLUMNS = (COLUMN_NAME, CHANGE, NEW_TYPE)


def process_standardized(run: TopicRun, raw_batch: DataFrame) -> WriteCounts:
    """Standardize one increment of a topic's RAW table and write it idempotently.

    Args:
        run: the topic and run.
        raw_batch: the RAW rows appended since the checkpoint.

    Returns:
        What was read and written.

    """
    settings = run.settings
    parsed = standardize.parse_bodies(raw_batch, settings.max_fields_per_message, settings.max_nesting_depth)
    parsed = parsed.persist()
    deduplicated = standardize.drop_retry_duplicates(parsed).persist()
    try:
        rows_read = parsed.count()
        if rows_read == 0:
            return WriteCounts(rows_read=0)
        return _write_batch(run, deduplicated, rows_read)
    finally:
        deduplicated.unpersist()
        parsed.unpersist()


def _write_batch(run: TopicRun, parsed: DataFrame, rows_read: int) -> WriteCounts:
    spark = run.spark
    paths = {key: naming.path_of_key(key) for key in standardize.body_paths(parsed)}
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
    error_count = parse_errors.count()
    sent_range = _micros_range(rows)
    drift_rows = _drift_rows(run, drift_table, parsed, columns) if sent_range is not None else []
    before, _ = iceberg_io.current_snapshot(spark, body_table)
    faults.maybe_fail(faults.JOB_CRASH_BEFORE_COMMIT, run.where)
    if sent_range is not None:
        iceberg_io.merge_insert_only(spark, body_table, rows, [MESSAGE_ID], _sent_at_filter(*sent_range))
    if error_count:
        iceberg_io.merge_insert_only(spark, errors_table, parse_errors, [TOPIC_NAME, MESSAGE_ID])
    if drift_rows:
        _append(spark, drift_table, drift_rows)
    written = iceberg_io.records_added_since(spark, body_table, before)
    return WriteCounts(rows_read=rows_read, rows_written=written, parse_errors=error_count)


def _micros_range(rows: DataFrame) -> tuple[int, int] | None:
    """Return the batch's min and max sent_at as epoch microseconds (None for no row)."""
    bounds = rows.agg(
        F.unix_micros(F.min(SENT_AT)).alias("low"), F.unix_micros(F.max(SENT_AT)).alias("high")
    ).first()
    if bounds is None or bounds["low"] is None:
        return None
    return int(bounds["low"]), int(bounds["high"])


def _sent_at_filter(low: int, high: int) -> str:
    """Restrict the MERGE's target to the batch's sent_at range (partition pruning on days(sent_at))."""
    column = f"{iceberg_io.TARGET_ALIAS}.{quote(SENT_AT)}"
    return f"{column} >= timestamp_micros({low}) AND {column} <= timestamp_micros({high})"


def known_types(run: TopicRun, drift_table: str) -> dict[str, str]:
    """Return column -> JSON type as the drift log last recorded it for the topic (vanished ones left out)."""
    latest = run.spark.sql(
        f"SELECT {', '.join(DRIFT_COLUMNS)} FROM ("
        f"SELECT *, row_number() OVER (PARTITION BY {COLUMN_NAME} ORDER BY {DETECTED_AT} DESC, "
        f"{RUN_ID} DESC) AS rank FROM {drift_table} WHERE {TOPIC_NAME} = :topic) WHERE rank = 1",
        args={"topic": run.topic},
    ).collect()
    return {row[COLUMN_NAME]: row[NEW_TYPE] for row in latest if row[CHANGE] != drift.VANISHED}


def _drift_rows(
    run: TopicRun, drift_table: str, parsed: DataFrame, columns: dict[str, str]
) -> list[dict[str, object]]:
    observed = drift.merge_observed(
        (columns[row[COLUMN_NAME]], row[JSON_TYPE], row[EXAMPLE_MESSAGE_ID])
        for row in standardize.observed_types(parsed).collect()
    )
    changes = drift.detect_drift(known_types(run, drift_table), observed)
    return list(drift.drift_rows(changes, run.topic, run.run_id, run.written_at))


def _append(spark: SparkSession, table: str, rows: list[dict[str, object]]) -> None:
    """Append rows (dicts keyed by column name) to a table, typed by the table's own schema."""
    spark.createDataFrame(rows, schema=spark.table(table).schema).writeTo(table).append()
