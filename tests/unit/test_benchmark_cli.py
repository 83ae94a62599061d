"""The benchmark's generator and output format stay in working order (no Spark, no timing)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from leanops import definitions
from leanops.local.rows import arrow_table_for
from leanops.local.tables import table_schema

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> dict[str, object]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_pipeline
        import generator
        import report
    finally:
        sys.path.remove(str(BENCHMARKS))
    return {"generator": generator, "report": report, "cli": bench_pipeline}


def test_generator_is_seeded_and_writes_rows_raw_accepts(bench: dict[str, object]) -> None:
    generator = bench["generator"]
    # GIVEN two feeds with the same seed
    rows = list(generator.OrderFeed("orders", 3).rows(500))
    again = list(generator.OrderFeed("orders", 3).rows(500))
    # THEN they are the same rows, as many as asked, and RAW's schema takes every one
    assert rows == again
    assert len(rows) == 500
    table, rejected = arrow_table_for(table_schema(definitions.table(definitions.RAW)), rows)
    assert rejected == []
    assert table.num_rows == 500


def test_generator_mixes_corrections_duplicates_and_errors(bench: dict[str, object]) -> None:
    rows = list(bench["generator"].OrderFeed("orders", 3).rows(2_000))
    summary = bench["generator"].summarize(rows)
    bodies = []
    for row in rows:
        try:
            bodies.append(json.loads(row["payload"]))
        except ValueError:
            continue
    order_ids = [body["order_id"] for body in bodies if isinstance(body, dict) and "order_id" in body]
    # THEN retry duplicates (same message id again), malformed bodies and corrections are all there
    assert summary["messages"] < summary["rows"]
    assert summary["unparsable_bodies"] > 0
    assert len(set(order_ids)) < len(order_ids)
    assert any(isinstance(body, dict) and isinstance(body.get("customer"), dict) for body in bodies)


def test_metric_lines_have_the_documented_fields(bench: dict[str, object]) -> None:
    out = io.StringIO()
    collected = bench["report"].Report(events=10, out=out)
    collected.add("cycle_seconds", 4.0, "s")
    collected.add("from_json_floor_seconds", 2.0, "s")
    collected.ratio("cycle_vs_from_json_floor", "cycle_seconds", "from_json_floor_seconds")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0] == {"metric": "cycle_seconds", "value": 4.0, "unit": "s"}
    assert lines[2] == {
        "metric": "cycle_vs_from_json_floor",
        "value": 2.0,
        "unit": "x",
        "ratio_to": "from_json_floor_seconds",
    }


def test_cli_defaults_to_100k_events(bench: dict[str, object]) -> None:
    assert bench["cli"].parse_args([]).events == 100_000
    assert bench["cli"].parse_args(["--events", "1000000"]).events == 1_000_000
