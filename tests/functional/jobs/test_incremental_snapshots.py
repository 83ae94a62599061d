"""Incremental reads on local Spark: append and replace pass, an overwrite or delete fails loudly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from leanops import definitions
from leanops.jobs.iceberg_io import NonAppendSnapshotError, current_snapshot, read_increment

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _snapshot(spark: SparkSession, name: str) -> str:
    snapshot, _ = current_snapshot(spark, name, refresh=True)
    assert snapshot is not None
    return snapshot


def test_replace_is_read_through_and_a_delete_is_refused(spark: SparkSession, unique_name: str) -> None:
    catalog = definitions.catalog_name()
    name = f"{catalog}.iceberg_standardized_db.{unique_name}"
    spark.sql(f"CREATE TABLE {name} (id INT) USING iceberg TBLPROPERTIES ('format-version'='2')")
    # GIVEN a checkpoint after a first append, then an append, a compaction (replace), an append
    spark.sql(f"INSERT INTO {name} VALUES (1), (2)")
    checkpoint = _snapshot(spark, name)
    spark.sql(f"INSERT INTO {name} VALUES (3)")
    spark.sql(
        f"CALL {catalog}.system.rewrite_data_files(table => 'iceberg_standardized_db.{unique_name}',"
        " options => map('min-input-files', '2'))"
    )
    operations = [row[0] for row in spark.sql(f"SELECT operation FROM {name}.snapshots").collect()]
    assert operations == ["append", "append", "replace"]
    spark.sql(f"INSERT INTO {name} VALUES (4)")
    appended = _snapshot(spark, name)
    # WHEN reading the increment THEN exactly the rows appended after the checkpoint come back
    rows = read_increment(spark, name, checkpoint, appended).collect()
    assert sorted(row["id"] for row in rows) == [3, 4]
    # GIVEN a delete after that (a GDPR erase)
    spark.sql(f"DELETE FROM {name} WHERE id = 1")
    deleted = _snapshot(spark, name)
    operation = spark.sql(f"SELECT operation FROM {name}.snapshots WHERE snapshot_id = {deleted}").first()
    # WHEN reading from the last checkpoint THEN the read fails naming table, snapshot and operation
    with pytest.raises(NonAppendSnapshotError) as raised:
        read_increment(spark, name, appended, deleted)
    message = str(raised.value)
    assert name in message and deleted in message and repr(operation[0]) in message
    assert "move this layer's checkpoint" in message
    # AND reading the table in full (no checkpoint) is still exact
    assert sorted(row["id"] for row in read_increment(spark, name, None, deleted).collect()) == [2, 3, 4]
