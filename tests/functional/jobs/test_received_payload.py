"""A curated error row keeps the body exactly as sent, also when the topic's tables predate the column."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from leanops import definitions
from leanops.adapters.iceberg_ddl import ensure_table
from leanops.definitions import CURATED_ERRORS, STANDARDIZED
from leanops.transforms.standardize import RECEIVED_PAYLOAD

from .conftest import JobEnvironment
from .helpers import append_raw, cycle, envelope, order, order_contract, rows_of

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Valid JSON that breaks the contract (amount has three decimals, no customer), written as no
# serialiser would: unicode escapes (a surrogate pair too), spaces and tabs, keys out of order.
ODD_BODY = (
    '{"updated_at" :"2026-03-01T10:00:00Z" ,\t"amount": "1.234",  '
    '"note":"caf\\u00e9 \\ud83d\\ude00", "order_id":"o2"  }'
)


def test_a_curated_error_row_keeps_the_sent_body_byte_for_byte(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a standardized table created before _payload existed (an existing topic)
    table = definitions.table(STANDARDIZED)
    old = replace(table, columns=tuple(c for c in table.columns if c.name != RECEIVED_PAYLOAD))
    ensure_table(spark, old, unique_name)
    # AND a valid order and an oddly written failing one in RAW
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(
        spark,
        unique_name,
        [
            envelope(unique_name, "m1", order("o1", "1.00", "2026-03-01T10:00:00Z")),
            envelope(unique_name, "m2", ODD_BODY),
        ],
    )
    # WHEN a cycle runs
    _, curated = cycle(spark, settings, job_env.clients)
    # THEN the standardized table gained _payload and holds the body as received
    assert curated.outcome(unique_name).curated_errors == 1
    kept = {row["message_id"]: row[RECEIVED_PAYLOAD] for row in rows_of(spark, STANDARDIZED, unique_name)}
    assert kept["m2"] == ODD_BODY
    # AND the error row's payload is the sent body, byte for byte, next to the flattened record
    (error,) = rows_of(spark, CURATED_ERRORS, unique_name)
    assert error["payload"].encode("utf-8") == ODD_BODY.encode("utf-8")
    assert '"note":"café 😀"' in error["record"]
    assert RECEIVED_PAYLOAD not in error["record"]
