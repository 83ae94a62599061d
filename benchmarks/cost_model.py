"""The cost model of docs/COST.md, computed from a benchmark run's metrics (JSON lines).

Usage: ``.venv/bin/python benchmarks/cost_model.py /tmp/bench.jsonl`` prints the markdown tables
of docs/COST.md for that run. Prices and assumptions are the constants below; docs/COST.md
cites where each price comes from. Scaling assumption: one local core of the benchmark (local[2])
does the work of one Glue vCPU; a run of ``GLUE_WORKERS`` G.1X workers (1 DPU = 4 vCPU, 16 GB
each) has ``GLUE_WORKERS - 1`` executors doing the work and bills ``GLUE_WORKERS`` DPUs.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

GLUE_DPU_HOUR = 0.44
GLUE_MINIMUM_SECONDS = 60
GLUE_WORKERS = 2  # environments/dev.tfvars glue_number_of_workers (G.1X)
VCPU_PER_DPU = 4
LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1e6
LAMBDA_MEMORY_GB = 0.5
LAMBDA_FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at 1,769 MB; CPU scales with memory
FIREHOSE_PUT_LATENCY_S = 0.03  # assumed wall time of one PutRecordBatch in AWS (not measured)
FIREHOSE_GB = 0.029  # assumed Direct PUT ingestion tier price per GB (see docs/COST.md)
FIREHOSE_RECORD_INCREMENT_KB = 5  # each record billed in 5 KB increments
SFN_TRANSITION = 0.025 / 1000
SQS_REQUEST = 0.40 / 1e6
DDB_WRITE = 0.625 / 1e6
DDB_READ = 0.125 / 1e6
S3_PUT = 0.005 / 1000
S3_GET = 0.0004 / 1000
CYCLES_PER_DAY = 96  # rate(15 minutes)
TOPICS_PER_JOB_RUN = 25  # variables.tf default
POLL_SECONDS = 60  # the derived job_poll_interval_seconds floor (modules/orchestration)
SQS_BATCH = 10
CYCLE_STATES = 10  # Plan, HasWork, AcquireLock, ProcessShards, Summarize, ReleaseLock, ...
SHARD_STATES = 7  # per shard: 2 x (Parallel, Start, Succeeded) + ShardSucceeded
POLL_STATES = 3  # Wait, Get, Choice per poll
S3_PUTS_PER_LAYER_TOPIC = 12  # ~3 commits x (data file, manifest, manifest list, metadata.json)
S3_GETS_PER_LAYER_TOPIC = 15  # contract + metadata, manifests, data files read
DDB_WRITES_PER_LAYER_TOPIC = 3  # lock acquire, lock release, checkpoint advance
DDB_READS_PER_LAYER_TOPIC = 1  # checkpoint get
BASELINE_DPU_PER_RUN = (1, 2)  # the comparison at 1 DPU and at Glue Spark's 2-worker minimum


def load(path: Path) -> dict[str, float]:
    """Return metric -> value from a benchmark's JSON lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {row["metric"]: float(row["value"]) for row in map(json.loads, lines) if row}


def rates(metrics: dict[str, float]) -> dict[str, float]:
    """Return the measured rates the model uses (Glue scaled per the module docstring)."""
    executors_vcpu = (GLUE_WORKERS - 1) * VCPU_PER_DPU
    core_s_per_event = metrics["core_seconds_per_million_events"] / 1e6
    increment = metrics.get("increment_events", 10_000)
    variable_local = increment * metrics["cycle_seconds"] / metrics.get("events", 100_000)
    # steady state: a topic with history (the 10k increment on the N-event history)
    fixed_local = metrics["increment_on_history_seconds"] - variable_local
    lambda_vcpu = LAMBDA_MEMORY_GB * 1024 / LAMBDA_FULL_VCPU_MB
    handler_s = 1 / metrics["handler_msgs_per_s_per_core"] / lambda_vcpu
    per_batch_calls = metrics["firehose_calls_per_batch"]
    return {
        "glue_s_per_event": core_s_per_event / executors_vcpu,
        "dpu_s_per_million": core_s_per_event / executors_vcpu * GLUE_WORKERS * 1e6,
        "fixed_s_per_topic_cycle": max(fixed_local, 0.0),  # driver-bound: not scaled
        "lambda_gb_s_per_message": LAMBDA_MEMORY_GB
        * (handler_s + per_batch_calls * FIREHOSE_PUT_LATENCY_S / SQS_BATCH),
    }


def per_million(measured: dict[str, float], record_kb: float) -> dict[str, float]:
    """Return the cost per million events of each service (Glue at the measured rate, no minimum)."""
    billed_kb = math.ceil(record_kb / FIREHOSE_RECORD_INCREMENT_KB) * FIREHOSE_RECORD_INCREMENT_KB
    return {
        "Glue (DPU-s at the measured rate)": measured["dpu_s_per_million"] / 3600 * GLUE_DPU_HOUR,
        "Firehose (GB ingested, 5 KB increments)": 1e6 * billed_kb / 1024 / 1024 * FIREHOSE_GB,
        "Lambda sqs_processor (GB-s + requests)": 1e6 * measured["lambda_gb_s_per_message"] * LAMBDA_GB_SECOND
        + 1e6 / SQS_BATCH * LAMBDA_REQUEST,
        "SQS (send, receive, delete in batches of 10)": 3e6 / SQS_BATCH * SQS_REQUEST,
    }


def per_day(measured: dict[str, float], topics: int, events_per_topic_day: int) -> dict[str, float]:
    """Return the cost per day of each service for ``topics`` busy topics (every cycle has data)."""
    shards = math.ceil(topics / TOPICS_PER_JOB_RUN)
    events_per_cycle_topic = events_per_topic_day / CYCLES_PER_DAY
    topic_seconds = (
        measured["fixed_s_per_topic_cycle"] + events_per_cycle_topic * measured["glue_s_per_event"]
    )
    run_seconds = max(GLUE_MINIMUM_SECONDS, topic_seconds / 2 * min(topics, TOPICS_PER_JOB_RUN))
    runs = shards * 2 * CYCLES_PER_DAY
    polls = math.ceil(run_seconds / POLL_SECONDS)
    transitions = CYCLES_PER_DAY * (CYCLE_STATES + shards * (SHARD_STATES + 2 * polls * POLL_STATES))
    layer_topics = topics * 2 * CYCLES_PER_DAY
    return {
        "shards": shards,
        "glue_runs": runs,
        "run_seconds": run_seconds,
        "Glue": runs * GLUE_WORKERS * run_seconds / 3600 * GLUE_DPU_HOUR,
        "Step Functions": transitions * SFN_TRANSITION,
        "DynamoDB": layer_topics
        * (DDB_WRITES_PER_LAYER_TOPIC * DDB_WRITE + DDB_READS_PER_LAYER_TOPIC * DDB_READ),
        "S3 requests": layer_topics * (S3_PUTS_PER_LAYER_TOPIC * S3_PUT + S3_GETS_PER_LAYER_TOPIC * S3_GET),
    }


def baseline(topics: int) -> dict[int, float]:
    """Return DPU count -> minimum billing per day of one Glue run per topic per layer per cycle."""
    runs = topics * 2 * CYCLES_PER_DAY
    return {dpu: runs * dpu * GLUE_MINIMUM_SECONDS / 3600 * GLUE_DPU_HOUR for dpu in BASELINE_DPU_PER_RUN}


def break_even_fixed_seconds(measured: dict[str, float], topics: int, events_per_topic_day: int) -> float:
    """Return the fixed seconds per topic and cycle under which Glue costs a tenth of the baseline."""
    day = per_day(measured, topics, events_per_topic_day)
    budget = baseline(topics)[2] / 10
    run_seconds = budget / (day["glue_runs"] * GLUE_WORKERS) * 3600 / GLUE_DPU_HOUR
    variable = events_per_topic_day / CYCLES_PER_DAY * measured["glue_s_per_event"]
    return run_seconds * 2 / min(topics, TOPICS_PER_JOB_RUN) - variable


def main(argv: list[str]) -> int:
    """Print the tables of docs/COST.md for a benchmark run."""
    metrics = load(Path(argv[0]))
    events_per_topic_day = int(argv[1]) if len(argv) > 1 else 100_000
    record_kb = float(argv[2]) if len(argv) > 2 else 0.7
    measured = rates(metrics)
    print("| measured rate | value |\n|---|---|")
    for name, value in measured.items():
        print(f"| {name} | {value:,.6g} |")
    print("\n| per million events | USD |\n|---|---|")
    for name, value in per_million(measured, record_kb).items():
        print(f"| {name} | {value:,.4f} |")
    ingest = (
        sum(per_million(measured, record_kb).values())
        - per_million(measured, record_kb)["Glue (DPU-s at the measured rate)"]
    )
    print(
        "\n| topics | events/day | shards | Glue runs/day | run s | Glue $ | SFN $ | DynamoDB $ | S3 $ "
        "| ingest $ | total $/day | one run per topic per layer: min. billing $/day (1 DPU / 2 DPU) "
        "| total ÷ baseline (2 DPU) |"
    )
    print("|" + "---|" * 13)
    for topics in (10, 100, 700):
        day = per_day(measured, topics, events_per_topic_day)
        events = topics * events_per_topic_day
        ingest_day = ingest * events / 1e6
        total = day["Glue"] + day["Step Functions"] + day["DynamoDB"] + day["S3 requests"] + ingest_day
        base = baseline(topics)
        print(
            f"| {topics} | {events:,} | {day['shards']:.0f} | {day['glue_runs']:,.0f} "
            f"| {day['run_seconds']:,.0f} "
            f"| {day['Glue']:,.2f} | {day['Step Functions']:,.2f} | {day['DynamoDB']:,.2f} "
            f"| {day['S3 requests']:,.2f} | {ingest_day:,.2f} | {total:,.2f} "
            f"| {base[1]:,.2f} / {base[2]:,.2f} | {total / base[2]:.3f} |"
        )
    fixed = break_even_fixed_seconds(measured, 700, events_per_topic_day)
    print(
        f"\nGlue at a tenth of the 2-DPU baseline at 700 topics needs fixed_s_per_topic_cycle <= {fixed:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
