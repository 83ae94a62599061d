"""The curated layer for one topic: contract conversion, error rows, latest version per key.

Two ways to write a topic:

* an increment (:func:`process_curated`): the standardized rows appended since the checkpoint,
  merged into curated (latest version per key) and into ``errors`` (insert-only, by message id);
* a rebuild (:func:`rebuild_curated`): the whole standardized table under the contract in force
  replaces the topic's curated table (``CREATE OR REPLACE TABLE ... AS SELECT``: new columns and
  types in one commit) and the topic's rows of ``errors`` (one MERGE: still failing updated, newly
  failing inserted, valid now deleted). Both writes replace rather than add, so a rebuild that
  crashed anywhere is simply run again (the request stays pending until it completed).

A curated column the contract no longer has (a field removed by a forced change) is set to NULL
in every row an increment updates or inserts: a row never mixes two contract versions. The key
the rows are merged by is recorded in the table's properties (``leanops.contract-key``): an
increment under a contract with another key (uploaded without ``--rebuild``, e.g. straight to
S3) fails its topic with a :class:`ContractKeyChangedError` instead of keeping several rows per
key.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pyspark.sql import functions as F

from leanops import definitions, faults
from leanops.adapters import column_mapping
from leanops.adapters.iceberg_ddl import (
    contract_columns,
    ensure_table,
    qualified_name,
    quote,
    set_table_properties,
    table_properties,
)
from leanops.adapters.table_grants import GRANTED_PROPERTY
from leanops.contracts import Contract
from leanops.exceptions import LeanOpsError
from leanops.jobs import iceberg_io
from leanops.jobs.context import TopicRun, WriteCounts
from leanops.transforms import curate, mask
from leanops.transforms.standardize import MESSAGE_ID, TOPIC_NAME

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

CONTRACT_KEY_PROPERTY = "leanops.contract-key"


class ContractKeyChangedError(LeanOpsError):
    """The contract in force keys a topic otherwise than its curated rows are keyed."""

    def __init__(self, table: str, topic: str, recorded: str, wanted: str) -> None:
        super().__init__(
            f"table {table} holds rows keyed by {recorded}, the contract in force keys topic {topic} by"
            f" {wanted}: a key change needs a rebuild (schema --topic {topic} --file {topic}.json"
            f" --rebuild, or the curated job argument --LEANOPS_REBUILD_TOPICS {topic})"
        )
        self.table = table
        self.recorded = recorded
        self.wanted = wanted


def _key_text(contract: Contract) -> str:
    return json.dumps(list(contract.key))


def check_key(spark: SparkSession, table: str, topic: str, contract: Contract) -> None:
    """Refuse an increment keyed otherwise than the table; record the key on a table without it.

    Raises:
        ContractKeyChangedError: when the table's recorded key is not the contract's.
    """
    recorded = table_properties(spark, table).get(CONTRACT_KEY_PROPERTY)
    wanted = _key_text(contract)
    if recorded is None:
        set_table_properties(spark, table, {CONTRACT_KEY_PROPERTY: wanted})
    elif recorded != wanted:
        raise ContractKeyChangedError(table, topic, recorded, wanted)


def _convert(run: TopicRun, standardized: DataFrame) -> DataFrame:
    standardized_table = qualified_name(definitions.table(definitions.STANDARDIZED), run.topic)
    mapping = column_mapping.read_mapping(run.spark, standardized_table)
    return curate.apply_contract(standardized, run.contract, mapping)


def _latest(run: TopicRun, converted: DataFrame) -> DataFrame:
    """Return the valid rows as curated rows, the latest version of each key, pii fields masked."""
    latest = curate.latest_per_key(
        curate.valid_rows(converted, run.contract, run.run_id, run.written_at), run.contract
    )
    return mask.apply_pii(latest, run.contract, run.pii_key)


def process_curated(run: TopicRun, standardized_batch: DataFrame) -> WriteCounts:
    """Curate one increment of a topic's standardized table and write it idempotently.

    Args:
        run: the topic and run.
        standardized_batch: the standardized rows appended since the checkpoint.

    Returns:
        What was read and written.

    """
    # spread over every core: an increment is often one file, read as one split
    spread = standardized_batch.repartition(MESSAGE_ID)
    converted = _convert(run, spread).persist()
    try:
        summary = curate.conversion_summary(converted).first()  # the one action before the MERGEs
        if summary is None or not summary[curate.SUMMARY_ROWS]:
            return WriteCounts(rows_read=0)
        return _write_batch(run, converted, summary.asDict())
    finally:
        converted.unpersist()


def _write_batch(run: TopicRun, converted: DataFrame, summary: dict[str, Any]) -> WriteCounts:
    spark, contract = run.spark, run.contract
    curated_table = ensure_table(
        spark, definitions.table(definitions.CURATED), run.topic, contract_columns(contract)
    )
    check_key(spark, curated_table, run.topic, contract)
    open_to_analysts(run, definitions.table(definitions.CURATED), curated_table)
    errors_table = ensure_table(spark, definitions.table(definitions.CURATED_ERRORS))
    errors = curate.error_rows(converted, run.run_id, run.written_at)
    rows_read, error_count = int(summary[curate.SUMMARY_ROWS]), int(summary[curate.SUMMARY_INVALID])
    latest = with_absent_columns_null(spark, curated_table, _latest(run, converted))
    before, _ = iceberg_io.current_snapshot(spark, curated_table)
    faults.maybe_fail(faults.JOB_CRASH_BEFORE_COMMIT, run.where)
    if error_count:
        failed = iceberg_io.SentRange.of(summary, curate.SUMMARY_INVALID)
        pruned = iceberg_io.target_filter(failed, topic=run.topic)
        iceberg_io.merge_insert_only(spark, errors_table, errors, [TOPIC_NAME, MESSAGE_ID], pruned)
    if summary[curate.SUMMARY_VALID]:
        newer = curate.newer_than(contract, iceberg_io.SOURCE_ALIAS, iceberg_io.TARGET_ALIAS)
        iceberg_io.merge_latest(spark, curated_table, latest, contract.key, newer)
    written = iceberg_io.records_added_since(spark, curated_table, before)
    return WriteCounts(rows_read=rows_read, rows_written=written, curated_errors=error_count)


def with_absent_columns_null(spark: SparkSession, table: str, rows: DataFrame) -> DataFrame:
    """Return ``rows`` with every column of ``table`` they lack, as a typed NULL.

    The MERGE sets the columns of its source: a curated column the contract no longer has (a
    field removed by a forced change) would otherwise keep, in an updated row, the value of the
    version it replaced. Metadata only (the table's schema).
    """
    present = set(rows.columns)
    absent = [field for field in spark.table(table).schema.fields if field.name not in present]
    if not absent:
        return rows
    return rows.select(
        *(F.col(quote(name)) for name in rows.columns),
        *(F.lit(None).cast(field.dataType).alias(field.name) for field in absent),
    )


def open_to_analysts(run: TopicRun, table: definitions.TableDef, name: str) -> bool:
    """Grant the analysts read on a topic table of theirs not granted yet; return True if granted now.

    Only the kinds of tables.json ``analyst_access`` (never the curated errors table), and only
    with analyst principals configured (leanops.adapters.table_grants: why the job grants, and
    the table property that makes it once per table and set of principals).
    """
    grants = run.table_grants
    if grants is None or table.kind not in definitions.analyst_table_kinds():
        return False
    if table_properties(run.spark, name).get(GRANTED_PROPERTY) == grants.digest:
        return False
    if not grants.grant_reads(table.database, table.name(run.topic)):
        return False
    set_table_properties(run.spark, name, {GRANTED_PROPERTY: grants.digest})
    return True


def rebuild_curated(run: TopicRun, standardized: DataFrame) -> WriteCounts:
    """Recompute a topic's curated table and its rows of curated ``errors`` from ``standardized``.

    Args:
        run: the topic and run (its contract: the one in force).
        standardized: the whole standardized table of the topic, at one snapshot.

    Returns:
        What was read, the records the rebuilt table holds and the topic's error rows now.

    """
    converted = _convert(run, standardized).persist()
    try:
        summary = curate.conversion_summary(converted).first()
        counts = summary.asDict() if summary is not None else {}
        return _write_rebuild(run, converted, counts)
    finally:
        converted.unpersist()


def _write_rebuild(run: TopicRun, converted: DataFrame, summary: dict[str, Any]) -> WriteCounts:
    spark = run.spark
    curated_def = definitions.table(definitions.CURATED)
    curated_table = qualified_name(curated_def, run.topic)
    errors_table = ensure_table(spark, definitions.table(definitions.CURATED_ERRORS))
    errors = curate.error_rows(converted, run.run_id, run.written_at)
    rows_read = int(summary.get(curate.SUMMARY_ROWS) or 0)
    error_count = int(summary.get(curate.SUMMARY_INVALID) or 0)
    latest = _latest(run, converted)
    faults.maybe_fail(faults.JOB_CRASH_BEFORE_COMMIT, run.where)
    key = {CONTRACT_KEY_PROPERTY: _key_text(run.contract)}
    iceberg_io.replace_table(spark, curated_table, curated_def, latest, key)
    open_to_analysts(run, curated_def, curated_table)
    topic_rows = iceberg_io.topic_condition(run.topic)
    iceberg_io.merge_replace(spark, errors_table, errors, [TOPIC_NAME, MESSAGE_ID], topic_rows)
    _, written = iceberg_io.current_snapshot(spark, curated_table)
    return WriteCounts(rows_read=rows_read, rows_written=written, curated_errors=error_count)
