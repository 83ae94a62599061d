"""The MERGE's "newer" rule with NULLs: a value is newer than NULL, so no key freezes after a change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from pyspark.sql import functions as F

from leanops.contracts import parse_contract
from leanops.transforms import curate

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

CONTRACT = parse_contract(
    json.dumps(
        {
            "topic": "orders",
            "key": ["k"],
            "order_by": "version",
            "fields": {
                "k": {"type": "string", "required": True},
                "version": {"type": "int", "required": True},
            },
        }
    ),
    "orders.json",
)
T0 = datetime(2026, 1, 1, tzinfo=UTC)
LATER = T0 + timedelta(seconds=1)


@pytest.mark.parametrize(
    ("source", "target", "newer"),
    [
        # (version, sent_at, message_id) of the source row and of the target row
        ((1, T0, "m2"), (None, T0, "m1"), True),  # a value is newer than NULL (order_by moved)
        ((None, T0, "m2"), (1, T0, "m1"), False),  # NULL never replaces a value
        ((None, LATER, "m1"), (None, T0, "m2"), True),  # two NULLs tie: the later arrival wins
        ((None, T0, "m1"), (None, LATER, "m2"), False),
        ((None, T0, "m2"), (None, T0, "m1"), True),  # then the greater message_id
        ((None, T0, "m1"), (None, T0, "m1"), False),  # a row is never newer than itself
        ((2, T0, "m1"), (1, LATER, "m2"), True),  # values compare as before
        ((1, LATER, "m2"), (2, T0, "m1"), False),
    ],
)
def test_newer_than_orders_null_first_and_is_never_null(
    spark: SparkSession,
    source: tuple[int | None, datetime, str],
    target: tuple[int | None, datetime, str],
    newer: bool,
) -> None:
    # GIVEN a source and a target version of one key, NULL in order_by for rows older than it
    schema = "s_version int, s_sent_at timestamp, s_message_id string, t_version int, t_sent_at timestamp, t_message_id string"
    pair = spark.createDataFrame([(*source, *target)], schema)
    frame = pair.select(
        F.struct(
            F.col("s_version").alias("version"),
            F.col("s_sent_at").alias("sent_at"),
            F.col("s_message_id").alias("message_id"),
        ).alias("s"),
        F.struct(
            F.col("t_version").alias("version"),
            F.col("t_sent_at").alias("sent_at"),
            F.col("t_message_id").alias("message_id"),
        ).alias("t"),
    )
    # WHEN the MERGE condition is evaluated
    result = frame.select(F.expr(curate.newer_than(CONTRACT)).alias("newer")).collect()[0]["newer"]
    # THEN it says whether the source wins, as latest_per_key would, and is never NULL
    assert result is newer
