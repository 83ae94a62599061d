"""Lean-Ops benchmark: the pipeline against its floors, every figure side by side, in one run.

One JVM, the local runner's Spark settings (leanops.local.spark: local[2], 2 GB driver):

* RAW: seeded, realistic rows (benchmarks/generator.py: nested bodies, corrections, late older
  corrections, retry duplicates, malformed bodies, contract failures) appended with pyiceberg.
* Floors over the same RAW: ``copy`` (read, write unchanged), ``from_json`` (Spark's JSON reader
  with the body's schema, flattened, written), ``parse`` (the project's own parse, mapInArrow,
  alone, to a no-op sink).
* The pipeline: standardized then curated as the Glue entry scripts run them (``run_layer``
  with the local runner's job arguments, moto for S3 / DynamoDB / SNS).
* A 10k increment on the N-event history versus 10k on an empty topic, with the data files
  each MERGE scanned (Iceberg scan metrics in Spark's SQL status store; benchmarks/spark_probe.py).
* Spark jobs per topic per layer, the driver JVM's VmHWM, the sqs_processor handler in process,
  the emulation's SQS send and delivery at 1k and 10k queued, and ``query``'s latency.
* Table maintenance: RAW with 1,000 small appends, files, snapshots and reads before and after
  the maintenance job, and the next cycles' correctness (benchmarks/maintenance_bench.py).

Output: one JSON line per metric on stdout (``metric``, ``value``, ``unit``, ``ratio_to`` for a
ratio), a table on stderr. Figures, never verdicts: nothing here fails on a slow number.

Usage: ``make bench`` (100k events) / ``make bench EVENTS=1000000``, or
``.venv/bin/python benchmarks/bench_pipeline.py --events 100000``.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from generator import OrderFeed
from job_world import JobWorld, LayerRun
from maintenance_bench import APPENDS, bench_maintenance
from report import Report

from leanops import definitions
from leanops.adapters.iceberg_ddl import qualified_name
from leanops.jobs import iceberg_io
from leanops.local.aws import FAKE_CREDENTIALS
from leanops.settings import DEFAULT_MAX_FIELDS_PER_MESSAGE, DEFAULT_MAX_NESTING_DEPTH

TOPIC, FRESH_TOPIC, WARMUP_TOPIC = "orders", "orders_fresh", "warmup"
FLOOR_DATABASE = "bench_floors"
FIRST_BATCH_EVENTS = 100
WARMUP_EVENTS = 1_000  # JIT, first DDL and Python workers: kept out of the measured runs
INCREMENT_SPAN = timedelta(minutes=15)  # one cycle's worth of new data
QUERY = (
    "SELECT customer_id, count(*) AS orders, sum(amount) AS total FROM iceberg_curated_db.orders "
    "GROUP BY customer_id ORDER BY total DESC LIMIT 10"
)
BODY_SCHEMA = (
    "order_id STRING, customer STRUCT<id: STRING, tier: STRING, address: STRUCT<city: STRING, "
    "zip: STRING>>, amount STRING, quantity INT, gift BOOLEAN, order_date STRING, updated_at STRING, "
    "items ARRAY<STRUCT<sku: STRING, qty: INT>>, meta STRUCT<source: STRING, schema_version: INT>"
)


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def raw_frame(spark: Any, topic: str) -> Any:
    """Read a topic's whole RAW table the way the jobs read an increment (iceberg_io)."""
    name = qualified_name(definitions.table(definitions.RAW), topic)
    snapshot, _ = iceberg_io.current_snapshot(spark, name, refresh=True)
    return iceberg_io.read_increment(spark, name, None, str(snapshot))


def floors(spark: Any, topic: str) -> dict[str, float]:
    """Time the three floors over the topic's RAW table (seconds)."""
    from pyspark.sql import functions as F

    from leanops.transforms.standardize import parse_bodies

    database = f"{definitions.catalog_name()}.{FLOOR_DATABASE}"
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {database}")
    envelope = [column for column in raw_frame(spark, topic).columns if column != "payload"]

    def copy() -> None:
        raw_frame(spark, topic).writeTo(f"{database}.copy").using("iceberg").createOrReplace()

    def from_json() -> None:
        parsed = raw_frame(spark, topic).select(*envelope, F.from_json("payload", BODY_SCHEMA).alias("body"))
        parsed.select(*envelope, "body.*").writeTo(f"{database}.from_json").using("iceberg").createOrReplace()

    def parse() -> None:
        raw = raw_frame(spark, topic)
        parsed = parse_bodies(raw, DEFAULT_MAX_FIELDS_PER_MESSAGE, DEFAULT_MAX_NESTING_DEPTH)
        parsed.write.format("noop").mode("overwrite").save()

    return {"copy": _timed(copy), "from_json": _timed(from_json), "parse": _timed(parse)}


def _cycle_seconds(cycle: dict[str, LayerRun]) -> float:
    return sum(run.seconds for run in cycle.values())


def _next_cycle(before: OrderFeed, seed: int) -> OrderFeed:
    """Return the feed of the cycle after ``before``: 15 minutes of new data, corrections included."""
    return OrderFeed(
        before.topic,
        seed,
        start=before.start + before.span,
        span=INCREMENT_SPAN,
        first_order=before.next_order,
    )


def bench_jobs(world: JobWorld, report: Report, events: int, increment: int, seed: int) -> None:
    """Warm up; the N-event cycle with its floors; then 10k on an empty topic and 10k on the history.

    The two increments run back to back (same JVM state, same machine load), after the warm-up.
    """
    spark = world.spark
    for topic in (WARMUP_TOPIC, FRESH_TOPIC, TOPIC):
        world.add_topic(topic)
    world.append_raw(WARMUP_TOPIC, OrderFeed(WARMUP_TOPIC, seed).rows(WARMUP_EVENTS))
    report.add("warmup_cycle_seconds", _cycle_seconds(world.cycle(WARMUP_TOPIC)), "s")
    history_feed = OrderFeed(TOPIC, seed)
    seed_seconds = _timed(lambda: world.append_raw(TOPIC, history_feed.rows(events)))
    report.add("seed_raw_seconds", seed_seconds, "s")
    for name, seconds in floors(spark, TOPIC).items():
        report.add(f"{name}_floor_seconds", seconds, "s")
    full = world.cycle(TOPIC)
    # "Empty": the topic's first cycle creates its tables and records its columns (DDL); a
    # tiny first batch pays that, so the measured 10k runs on existing, (almost) empty tables.
    first_batch = OrderFeed(FRESH_TOPIC, seed + 1)
    world.append_raw(FRESH_TOPIC, first_batch.rows(FIRST_BATCH_EVENTS))
    report.add("first_cycle_of_a_topic_seconds", _cycle_seconds(world.cycle(FRESH_TOPIC)), "s")
    world.append_raw(FRESH_TOPIC, _next_cycle(first_batch, seed + 3).rows(increment))
    empty = world.cycle(FRESH_TOPIC)
    world.append_raw(TOPIC, _next_cycle(history_feed, seed + 2).rows(increment))
    on_history = world.cycle(TOPIC)
    report.add("increment_events", increment, "events")
    report.add_cycle(events, full, empty, on_history)


def bench_query(world: JobWorld, report: Report) -> None:
    """Time ``query`` (leanops.local.query.run_query, a fresh catalog as the CLI opens it) and Spark SQL."""
    from leanops.local.catalog import local_catalog
    from leanops.local.query import run_query

    home = Path(world.catalog.properties["warehouse"].removeprefix("file://")).parent
    report.add("query_seconds", _timed(lambda: run_query(local_catalog(home), QUERY)), "s")
    report.add("query_seconds_spark_sql", _timed(lambda: world.spark.sql(QUERY).collect()), "s")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000, help="RAW events of the main cycle")
    parser.add_argument("--increment", type=int, default=10_000, help="events of the increment runs")
    parser.add_argument("--queued", default="1000,10000", help="queue depths of the local SQS figures")
    parser.add_argument("--seed", type=int, default=7, help="the generator's seed")
    parser.add_argument("--skip-ingest", action="store_true", help="skip the handler and SQS figures")
    parser.add_argument("--appends", type=int, default=APPENDS, help="RAW appends of the maintenance figures")
    parser.add_argument("--skip-maintenance", action="store_true", help="skip the maintenance figures")
    parser.add_argument("--keep-home", action="store_true", help="keep the temporary LEANOPS_HOME")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark and print the figures."""
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server: no line per request
    for key, value in {**FAKE_CREDENTIALS, "POWERTOOLS_LOG_LEVEL": "WARNING"}.items():
        os.environ.setdefault(key, value)
    import boto3
    from ingest_bench import NAME_PREFIX, bench_ingest

    from leanops.local.catalog import local_catalog
    from leanops.local.config import REGION, ResourceNames
    from leanops.local.moto_process import MotoProcess
    from leanops.local.session import start_local_session

    home = Path(tempfile.mkdtemp(prefix="leanops-bench-"))
    report = Report(events=args.events)
    server = MotoProcess()  # as the CLI's commands start it (leanops.local.aws.LocalAws)
    endpoint = server.start()
    try:
        clients = {
            service: boto3.client(service, endpoint_url=endpoint, region_name=REGION)
            for service in ("sqs", "s3", "dynamodb", "sns")
        }
        if not args.skip_ingest:
            depths = [int(depth) for depth in args.queued.split(",") if depth]
            bodies = [row["payload"] for row in OrderFeed("ingest", args.seed).rows(max(depths))]
            report.add_ingest(bench_ingest(clients["sqs"], home, bodies, depths))
        started = time.perf_counter()
        spark = start_local_session(home)
        report.add("spark_start_seconds", time.perf_counter() - started, "s")
        world = JobWorld.provisioned(spark, local_catalog(home), clients, ResourceNames(NAME_PREFIX))
        bench_jobs(world, report, args.events, args.increment, args.seed)
        bench_query(world, report)
        if not args.skip_maintenance:
            bench_maintenance(world, report, args.appends, args.seed)  # benchmarks/maintenance_bench.py
        report.add_jvm_peak(spark)
    finally:
        server.stop()
        if not args.keep_home:
            shutil.rmtree(home, ignore_errors=True)
    report.print_table(sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
