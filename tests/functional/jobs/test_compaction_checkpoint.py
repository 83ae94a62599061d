"""A layer whose source was only compacted since its checkpoint moves the checkpoint without reading."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leanops import definitions
from leanops.adapters.checkpoints import CheckpointStore
from leanops.adapters.iceberg_ddl import qualified_name
from leanops.jobs import iceberg_io, report

from .conftest import JobEnvironment
from .helpers import append_raw, envelope, order, order_contract, rows_of, run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ORDER_TIME = "2026-03-01T10:00:00Z"


def test_a_compacted_source_is_no_new_data_and_the_next_increment_is_exact(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN two RAW appends standardized, then RAW compacted (maintenance: a `replace` snapshot)
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(spark, unique_name, [envelope(unique_name, "m1", order("o1", "1.00", ORDER_TIME))])
    append_raw(spark, unique_name, [envelope(unique_name, "m2", order("o2", "2.00", ORDER_TIME), 1)])
    assert run(spark, definitions.STANDARDIZED, settings, job_env.clients).outcome(unique_name).rows_read == 2
    raw = qualified_name(definitions.table(definitions.RAW), unique_name)
    spark.sql(
        f"CALL {definitions.catalog_name()}.system.rewrite_data_files(table => "
        f"'{definitions.table(definitions.RAW).identifier(unique_name)}', options => map('min-input-files', '2'))"
    )
    compacted, _ = iceberg_io.current_snapshot(spark, raw, refresh=True)
    # WHEN standardized runs THEN it reads nothing and moves its checkpoint over the compaction
    outcome = run(spark, definitions.STANDARDIZED, settings, job_env.clients).outcome(unique_name)
    assert (outcome.status, outcome.rows_read) == (report.NO_NEW_DATA, 0)
    assert "only compaction" in outcome.message
    store = CheckpointStore(settings.checkpoint_table, job_env.clients.dynamodb)
    assert store.get(unique_name, definitions.STANDARDIZED) == compacted
    # WHEN a new message arrives THEN exactly it is read, and standardized holds each message once
    append_raw(spark, unique_name, [envelope(unique_name, "m3", order("o3", "3.00", ORDER_TIME), 2)])
    later = run(spark, definitions.STANDARDIZED, settings, job_env.clients).outcome(unique_name)
    assert (later.status, later.rows_read) == (report.PROCESSED, 1)
    assert [row["message_id"] for row in rows_of(spark, definitions.STANDARDIZED, unique_name)] == [
        "m1",
        "m2",
        "m3",
    ]
