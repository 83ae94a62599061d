"""Builders of RAW envelopes, contracts and table reads for the job runtime tests."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from leanops import definitions
from leanops.adapters.iceberg_ddl import ensure_table, qualified_name

if TYPE_CHECKING:
    from pyspark.sql import Row, SparkSession

BASE_TIME = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
INGEST_DELAY = timedelta(seconds=2)


def envelope(
    topic: str,
    message_id: str,
    body: Mapping[str, Any] | str,
    sent_seconds: int = 0,
    ingested_seconds: int | None = None,
    receive_count: int = 1,
) -> dict[str, Any]:
    """Return one RAW row: a JSON object body is serialized, a str body is kept verbatim."""
    sent_at = BASE_TIME + timedelta(seconds=sent_seconds)
    ingested_at = (
        sent_at + INGEST_DELAY
        if ingested_seconds is None
        else BASE_TIME + timedelta(seconds=ingested_seconds)
    )
    return {
        "topic_name": topic,
        "message_id": message_id,
        "payload": body if isinstance(body, str) else json.dumps(body),
        "sent_at": sent_at,
        "ingested_at": ingested_at,
        "receive_count": receive_count,
        "replayed_at": None,
    }


def append_raw(spark: SparkSession, topic: str, rows: Iterable[Mapping[str, Any]]) -> str:
    """Append envelopes to a topic's RAW table (created from the definition if missing), as Firehose does."""
    name = ensure_table(spark, definitions.table(definitions.RAW), topic)
    spark.createDataFrame([dict(row) for row in rows], schema=spark.table(name).schema).writeTo(name).append()
    return name


def order_contract(topic: str) -> str:
    """Return the text of a contract shaped like the repo's orders contract, for ``topic``."""
    return json.dumps(
        {
            "topic": topic,
            "key": ["order_id"],
            "order_by": "updated_at",
            "fields": {
                "order_id": {"type": "string", "required": True},
                "customer_id": {"type": "string", "required": True, "path": "customer.id"},
                "amount": {"type": "decimal(12,2)", "required": True},
                "updated_at": {"type": "timestamp", "required": True},
            },
        }
    )


def order(order_id: str, amount: str, updated_at: str, customer: str = "c1") -> dict[str, Any]:
    """Return an order body."""
    return {"order_id": order_id, "customer": {"id": customer}, "amount": amount, "updated_at": updated_at}


def rows_of(spark: SparkSession, kind: str, topic: str, order_by: str = "message_id") -> list[Row]:
    """Return the rows of a topic's table (per-topic kinds) or of its rows in a shared table."""
    table = definitions.table(kind)
    name = qualified_name(table, topic if table.per_topic else None)
    frame = spark.table(name)
    if not table.per_topic:
        frame = frame.filter(frame["topic_name"] == topic)
    return frame.orderBy(order_by).collect()


def snapshot_count(spark: SparkSession, kind: str, topic: str) -> int:
    """Return how many snapshots a per-topic table has."""
    return spark.sql(
        f"SELECT count(*) FROM {qualified_name(definitions.table(kind), topic)}.snapshots"
    ).first()[0]


def run(spark: SparkSession, layer: str, settings: Any, clients: Any) -> Any:
    """Run one layer (the runtime's public entry point) and return its report."""
    from leanops.jobs import run_layer

    return run_layer(spark, layer, settings, clients)


def cycle(spark: SparkSession, settings: Any, clients: Any) -> tuple[Any, Any]:
    """Run standardized then curated, as one orchestration cycle does."""
    return (
        run(spark, definitions.STANDARDIZED, settings, clients),
        run(spark, definitions.CURATED, settings, clients),
    )
