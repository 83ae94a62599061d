"""A range of compactions only (``replace`` snapshots) is not new data: the checkpoint may move over it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from leanops import definitions
from leanops.jobs.iceberg_io import current_snapshot, only_replaced_since, read_increment

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _snapshot(spark: SparkSession, name: str) -> str:
    snapshot, _ = current_snapshot(spark, name, refresh=True)
    assert snapshot is not None
    return snapshot


def _compact(spark: SparkSession, table: str) -> None:
    spark.sql(
        f"CALL {definitions.catalog_name()}.system.rewrite_data_files(table => '{table}',"
        " options => map('min-input-files', '2'))"
    )


def test_only_a_range_of_replace_snapshots_after_the_checkpoint_counts_as_no_new_data(
    spark: SparkSession, unique_name: str
) -> None:
    table = f"iceberg_raw_db.{unique_name}"
    name = f"{definitions.catalog_name()}.{table}"
    spark.sql(f"CREATE TABLE {name} (id INT) USING iceberg TBLPROPERTIES ('format-version'='2')")
    # GIVEN two appends read by a layer (its checkpoint: the second), then two compactions
    spark.sql(f"INSERT INTO {name} VALUES (1)")
    first = _snapshot(spark, name)
    spark.sql(f"INSERT INTO {name} VALUES (2)")
    checkpoint = _snapshot(spark, name)
    _compact(spark, table)
    spark.sql(f"INSERT INTO {name} VALUES (3), (4)")  # two files more: the next compaction runs
    spark.sql(f"INSERT INTO {name} VALUES (5)")
    appended = _snapshot(spark, name)
    _compact(spark, table)
    compacted = _snapshot(spark, name)
    operations = [row[0] for row in spark.sql(f"SELECT operation FROM {name}.snapshots").collect()]
    assert operations == ["append", "append", "replace", "append", "append", "replace"]
    # THEN a range holding an append is new data, from the first checkpoint or the later one
    assert not only_replaced_since(spark, name, first, compacted)
    assert not only_replaced_since(spark, name, checkpoint, compacted)
    assert sorted(row["id"] for row in read_increment(spark, name, checkpoint, compacted).collect()) == [
        3,
        4,
        5,
    ]
    # AND after the last append, the compaction alone is not: the checkpoint may move over it
    assert only_replaced_since(spark, name, appended, compacted)
    assert read_increment(spark, name, appended, compacted).count() == 0
    # AND an empty range is not "replace only" (nothing to move over)
    assert not only_replaced_since(spark, name, compacted, compacted)
