"""The curated layer through run_layer: latest version per key across batches, errors, idempotency."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from leanops.definitions import CURATED, CURATED_ERRORS
from leanops.jobs import report

from .conftest import JobEnvironment
from .helpers import append_raw, cycle, envelope, order, order_contract, rows_of

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _curated(spark: SparkSession, topic: str) -> dict[str, tuple[str, Decimal]]:
    return {row["order_id"]: (row["message_id"], row["amount"]) for row in rows_of(spark, CURATED, topic)}


def test_latest_version_per_key_wins_across_batches(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN o1 at 10:00 and o2 at 10:00 (sent at second 5) curated in a first cycle
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(
        spark,
        unique_name,
        [
            envelope(unique_name, "m1", order("o1", "10.00", "2026-03-01T10:00:00Z")),
            envelope(unique_name, "m2", order("o2", "20.00", "2026-03-01T10:00:00Z"), 5),
            envelope(unique_name, "m3", order("o3", "30.00", "2026-03-01T10:00:00Z"), 5),
        ],
    )
    cycle(spark, settings, job_env.clients)
    # WHEN a later batch brings an older correction of o1 (09:00, the same instant as 10:00+01:00 is not),
    # a tie on o2 sent later, a tie on o3 sent earlier, and a newer o1 written with a time zone
    append_raw(
        spark,
        unique_name,
        [
            envelope(unique_name, "m4", order("o1", "11.00", "2026-03-01T09:00:00Z"), 60),
            envelope(unique_name, "m5", order("o2", "21.00", "2026-03-01T10:00:00Z"), 60),
            envelope(unique_name, "m6", order("o3", "31.00", "2026-03-01T10:00:00Z"), 1),
        ],
    )
    _, second = cycle(spark, settings, job_env.clients)
    # THEN the older o1 never overwrites, the later-sent tie of o2 wins, the earlier-sent tie of o3 loses
    assert second.outcome(unique_name).status == report.PROCESSED
    assert _curated(spark, unique_name) == {
        "o1": ("m1", Decimal("10.00")),
        "o2": ("m5", Decimal("21.00")),
        "o3": ("m3", Decimal("30.00")),
    }
    # WHEN a newer o1 arrives with an offset that makes it later in UTC
    append_raw(
        spark,
        unique_name,
        [envelope(unique_name, "m7", order("o1", "12.00", "2026-03-01T11:30:00+01:00"), 90)],
    )
    cycle(spark, settings, job_env.clients)
    # THEN it replaces the kept version (10:30Z > 10:00Z)
    assert _curated(spark, unique_name)["o1"] == ("m7", Decimal("12.00"))


def test_contract_failures_go_to_the_error_table_and_reruns_change_nothing(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a valid order and one whose amount has too many decimals and no customer
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    bad = {"order_id": "o2", "amount": "1.234", "updated_at": "2026-03-01T10:00:00Z"}
    append_raw(
        spark,
        unique_name,
        [
            envelope(unique_name, "m1", order("o1", "1.00", "2026-03-01T10:00:00Z")),
            envelope(unique_name, "m2", bad),
        ],
    )
    # WHEN a cycle runs
    _, cur = cycle(spark, settings, job_env.clients)
    # THEN o2 is one error row naming both failed fields, o1 is curated
    assert cur.outcome(unique_name).curated_errors == 1
    (error,) = rows_of(spark, CURATED_ERRORS, unique_name)
    assert error["message_id"] == "m2"
    assert {"amount", "customer_id"} <= set(error["failed_fields"].split(","))
    assert set(_curated(spark, unique_name)) == {"o1"}
    # WHEN the checkpoint is lost and the same increment is curated again
    job_env.clients.dynamodb.delete_item(
        TableName=settings.checkpoint_table, Key={"topic": {"S": unique_name}, "layer": {"S": CURATED}}
    )
    _, rerun = cycle(spark, settings, job_env.clients)
    # THEN the MERGEs change nothing: same rows, no duplicate error, nothing written
    assert rerun.outcome(unique_name).rows_written == 0
    assert len(rows_of(spark, CURATED_ERRORS, unique_name)) == 1
    assert _curated(spark, unique_name) == {"o1": ("m1", Decimal("1.00"))}
