"""Benchmarks of Lean-Ops: figures printed, never asserted (speed is not a test verdict).

1. ``parse_body``: bodies per second of the only per-row Python code of the jobs.
2. The local pipeline end to end over N order messages with corrections: send, deliver
   (SQS -> Lambda -> Firehose -> RAW), standardized, curated; wall time per phase, rows per
   second, and the peak memory of this process and of its Spark JVM.
3. A second cycle with no new data: the cost of a quiet topic (planner metadata only).

Usage: ``.venv/bin/python benchmarks/bench_pipeline.py [--messages 5000] [--bodies 20000]``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONTRACT = REPO / "schemas" / "topics" / "orders.json"


def order_body(rng: random.Random, index: int) -> str:
    """Return one realistic order body; every fifth is a correction of an earlier order."""
    order_id = f"o-{rng.randrange(index + 1) if index % 5 == 4 else index}"
    return json.dumps(
        {
            "order_id": order_id,
            "customer": {"id": f"c-{rng.randrange(500)}", "tier": rng.choice(["gold", "silver"])},
            "amount": f"{rng.randrange(1, 100000) / 100:.2f}",
            "quantity": rng.randrange(1, 20),
            "gift": rng.random() < 0.1,
            "order_date": "2026-11-29",
            "updated_at": f"2026-11-29T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
            "items": [{"sku": f"s-{rng.randrange(1000)}", "qty": 1}],
        }
    )


def bench_parse(count: int) -> None:
    """Print parse_body's throughput."""
    from leanops.transforms.json_body import parse_body

    rng = random.Random(1)
    bodies = [order_body(rng, i) for i in range(count)]
    started = time.perf_counter()
    for body in bodies:
        parse_body(body, 1000, 32)
    elapsed = time.perf_counter() - started
    print(f"parse_body: {count} bodies in {elapsed:.2f} s = {count / elapsed:,.0f} bodies/s (one core)")


def _timed(label: str, action):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    print(f"  {label:<34} {elapsed:7.1f} s", flush=True)
    return result, elapsed


def bench_pipeline(messages: int) -> None:
    """Print the wall time per phase and the peak memory of the local pipeline."""
    from leanops.local.pipeline import LocalPipeline

    home = Path(tempfile.mkdtemp(prefix="leanops-bench-"))
    data = home / "orders.jsonl"
    rng = random.Random(7)
    data.write_text("\n".join(order_body(rng, i) for i in range(messages)) + "\n", encoding="utf-8")
    print(f"local pipeline: {messages} messages (20 % corrections), LEANOPS_HOME={home}")
    total_started = time.perf_counter()
    with LocalPipeline(home) as pipeline:
        _timed("upload contract", lambda: pipeline.upload_contract("orders", CONTRACT.read_text()))
        _timed("send (SQS SendMessageBatch)", lambda: pipeline.send("orders", data))
        _timed("deliver (Lambda + Firehose -> RAW)", lambda: pipeline.deliver(["orders"]))
        report, cycle_seconds = _timed("cycle (Spark start + both jobs)", lambda: pipeline.run(["orders"]))
        _, quiet_seconds = _timed("quiet cycle (no new data)", lambda: pipeline.run(["orders"]))
        curated = pipeline.spark.sql("SELECT count(*) AS n FROM iceberg_curated_db.orders").first()
    total = time.perf_counter() - total_started
    print(f"  cycle ok: {report.ok}; curated rows: {curated['n'] if curated else 0}")
    print(f"  throughput of the cycle: {messages / cycle_seconds:,.0f} messages/s")
    print(f"  total wall time: {total:.1f} s; quiet cycle: {quiet_seconds:.1f} s")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  peak RSS: python {own:,.0f} MiB; largest child (Spark JVM) {children:,.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=5000, help="messages through the local pipeline")
    parser.add_argument("--bodies", type=int, default=20000, help="bodies for the parse_body benchmark")
    args = parser.parse_args(argv)
    bench_parse(args.bodies)
    bench_pipeline(args.messages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
