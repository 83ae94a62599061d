"""The curated layer for one topic: contract conversion, error rows, latest version per key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leanops import definitions, faults
from leanops.adapters import column_mapping
from leanops.adapters.iceberg_ddl import contract_columns, ensure_table, qualified_name
from leanops.jobs import iceberg_io
from leanops.jobs.context import TopicRun, WriteCounts
from leanops.transforms import curate
from leanops.transforms.standardize import MESSAGE_ID, TOPIC_NAME

if TYPE_CHECKING:
    from pyspark.sql import DataFrame


def process_curated(run: TopicRun, standardized_batch: DataFrame) -> WriteCounts:
    """Curate one increment of a topic's standardized table and write it idempotently.

    Args:
        run: the topic and run.
        standardized_batch: the standardized rows appended since the checkpoint.

    Returns:
        What was read and written.

    """
    standardized_table = qualified_name(definitions.table(definitions.STANDARDIZED), run.topic)
    mapping = column_mapping.read_mapping(run.spark, standardized_table)
    converted = curate.apply_contract(standardized_batch, run.contract, mapping).persist()
    try:
        rows_read = converted.count()
        if rows_read == 0:
            return WriteCounts(rows_read=0)
        return _write_batch(run, converted, rows_read)
    finally:
        converted.unpersist()


def _write_batch(run: TopicRun, converted: DataFrame, rows_read: int) -> WriteCounts:
    spark, contract = run.spark, run.contract
    curated_table = ensure_table(
        spark, definitions.table(definitions.CURATED), run.topic, contract_columns(contract)
    )
    errors_table = ensure_table(spark, definitions.table(definitions.CURATED_ERRORS))
    errors = curate.error_rows(converted, run.run_id, run.written_at)
    error_count = errors.count()
    latest = curate.latest_per_key(
        curate.valid_rows(converted, contract, run.run_id, run.written_at), contract
    )
    has_valid = not latest.isEmpty()
    before, _ = iceberg_io.current_snapshot(spark, curated_table)
    faults.maybe_fail(faults.JOB_CRASH_BEFORE_COMMIT, run.where)
    if error_count:
        iceberg_io.merge_insert_only(spark, errors_table, errors, [TOPIC_NAME, MESSAGE_ID])
    if has_valid:
        newer = curate.newer_than(contract, iceberg_io.SOURCE_ALIAS, iceberg_io.TARGET_ALIAS)
        iceberg_io.merge_latest(spark, curated_table, latest, contract.key, newer)
    written = iceberg_io.records_added_since(spark, curated_table, before)
    return WriteCounts(rows_read=rows_read, rows_written=written, curated_errors=error_count)
