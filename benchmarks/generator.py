"""A seeded, realistic generator of RAW rows (the envelope of ``schemas/events.json``).

Bodies are orders shaped like the repo's contract (``schemas/topics/orders.json``) with what a
real feed carries besides: nested objects (``customer.address``, ``meta``), an array of items,
numbers as JSON numbers or numeric strings, and fields the contract does not name. The mix:

* corrections: a later version of an earlier order (same ``order_id``, newer ``updated_at``);
  some arrive late with an *older* ``updated_at`` (must never overwrite the newer one);
* retry duplicates: the same ``message_id`` and body again, ingested later with a higher
  ``receive_count`` (a Lambda retry after a partial Firehose failure);
* malformed bodies (parse errors: truncated, not an object, NaN, duplicate keys, trailing data);
* contract failures (valid JSON that breaks the contract: more decimals than the scale, text in
  a number, an impossible date, a required field missing).

Same seed, same rows: figures from two runs compare. Pure Python (no Spark): the smoke test
``tests/unit/test_benchmark_cli.py`` runs it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

BASE_TIME = datetime(2026, 11, 23, tzinfo=UTC)
# The history's sent_at spans 6.5 days (standardized is partitioned by day): an increment that
# follows it lands in a day partition that already holds history, as a cycle's data does.
HISTORY_SPAN = timedelta(days=6, hours=12)
INGEST_DELAY = timedelta(seconds=2)
RETRY_DELAY = timedelta(seconds=40)
CUSTOMERS = 5_000
SKUS = 2_000
CITIES = ("Lisboa", "Porto", "Zürich", "Kraków", "São Paulo", "東京")
MICROS = 1_000_000


@dataclass(frozen=True)
class Mix:
    """Shares of each kind of row (of all rows generated)."""

    correction: float = 0.20
    late_old_correction: float = 0.02
    retry_duplicate: float = 0.03
    malformed: float = 0.01
    contract_failure: float = 0.01


DEFAULT_MIX = Mix()

_MALFORMED = (
    lambda body: body[: len(body) // 2],  # truncated
    lambda body: f"[{body}]",  # an array, not an object
    lambda body: body.replace('"quantity": ', '"quantity": NaN, "q2": ', 1),  # NaN literal
    lambda body: body.replace("{", '{"order_id": "dup", ', 1),  # duplicate key
    lambda body: body + " trailing",  # trailing data
    lambda body: "",  # empty (reaches RAW through a replay; SQS refuses it on send)
)

_CONTRACT_FAILURES = (
    ("amount", "12.345"),  # more decimals than decimal(12,2)'s scale
    ("amount", "twelve"),  # text in a number
    ("order_date", "2026-02-30"),  # impossible date
    ("quantity", 2.5),  # a fraction in an int
    ("updated_at", None),  # a required field null
)


def _micros(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * MICROS)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class OrderFeed:
    """Generates the RAW rows of one topic, deterministically from ``seed``.

    Args:
        topic: the topic (``topic_name`` of every row).
        seed: the random seed.
        start: when the first row was sent.
        span: how long the rows' ``sent_at`` spread over.
        mix: the shares of corrections, duplicates and errors.
        first_order: the first new ``order_id`` number (an increment continues a history).
        known_orders: how many orders exist before ``first_order`` (corrections may hit them).

    """

    def __init__(
        self,
        topic: str,
        seed: int,
        start: datetime = BASE_TIME,
        span: timedelta = HISTORY_SPAN,
        mix: Mix = DEFAULT_MIX,
        first_order: int = 0,
        known_orders: int = 0,
    ) -> None:
        """Prepare the feed (nothing is generated until :meth:`rows`)."""
        self.topic = topic
        self.rng = random.Random(seed)
        self.seed = seed
        self.start = start
        self.span = span
        self.mix = mix
        self.next_order = first_order
        self.known_orders = known_orders + first_order

    def body(self, order_id: str, updated_at: datetime) -> dict[str, Any]:
        """Return one order body (nested, with fields the contract does not name)."""
        rng = self.rng
        amount: Any = f"{rng.randrange(1, 10_000_000) / 100:.2f}"
        if rng.random() < 0.3:
            amount = rng.randrange(1, 100_000)  # a JSON number
        return {
            "order_id": order_id,
            "customer": {
                "id": f"c-{rng.randrange(CUSTOMERS)}",
                "tier": rng.choice(("gold", "silver", "bronze")),
                "address": {"city": rng.choice(CITIES), "zip": f"{rng.randrange(10_000, 99_999)}"},
            },
            "amount": amount,
            "quantity": rng.randrange(1, 20),
            "gift": rng.random() < 0.1,
            "order_date": updated_at.date().isoformat(),
            "updated_at": _iso(updated_at),
            "items": [
                {"sku": f"s-{rng.randrange(SKUS)}", "qty": rng.randrange(1, 4)}
                for _ in range(rng.randrange(1, 4))
            ],
            "meta": {"source": rng.choice(("web", "app", "pos")), "schema_version": 3},
        }

    def _payload(self, sent_at: datetime) -> str:
        rng, mix = self.rng, self.mix
        draw = rng.random()
        if self.known_orders and draw < mix.correction:
            order_id = f"o-{rng.randrange(self.known_orders)}"
            late = draw < mix.late_old_correction
            updated_at = sent_at - (timedelta(days=30) if late else timedelta(seconds=1))
        else:
            order_id = f"o-{self.next_order}"
            self.next_order += 1
            self.known_orders = max(self.known_orders, self.next_order)
            updated_at = sent_at - timedelta(seconds=1)
        body = self.body(order_id, updated_at)
        draw = rng.random()
        if draw < mix.contract_failure:
            field, value = rng.choice(_CONTRACT_FAILURES)
            body[field] = value
        text = json.dumps(body, ensure_ascii=False)
        if mix.contract_failure <= draw < mix.contract_failure + mix.malformed:
            text = rng.choice(_MALFORMED)(text)
        return text

    def rows(self, count: int) -> Iterator[dict[str, Any]]:
        """Yield ``count`` RAW rows (retry duplicates included), in ``sent_at`` order.

        ``sent_at`` / ``ingested_at`` are epoch microseconds (what the local Firehose's row
        conversion, leanops.local.rows, accepts for a timestamp column).
        """
        step = self.span / max(count, 1)
        index = 0
        while index < count:
            sent_at = self.start + step * index
            message_id = f"{self.topic}-{self.seed}-{index:09d}"
            row = {
                "topic_name": self.topic,
                "message_id": message_id,
                "payload": self._payload(sent_at),
                "sent_at": _micros(sent_at),
                "ingested_at": _micros(sent_at + INGEST_DELAY),
                "receive_count": 1,
                "replayed_at": None,
            }
            yield row
            index += 1
            if index < count and self.rng.random() < self.mix.retry_duplicate:
                retry_ingested = _micros(sent_at + RETRY_DELAY)
                yield {**row, "ingested_at": retry_ingested, "receive_count": 2}
                index += 1


def summarize(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Count what a generated batch holds (rows, distinct messages, bodies that are not JSON)."""
    distinct = {row["message_id"] for row in rows}
    unparsable = 0
    for row in rows:
        try:
            json.loads(row["payload"])
        except ValueError:
            unparsable += 1
    return {"rows": len(rows), "messages": len(distinct), "unparsable_bodies": unparsable}
