"""The same input under every injected fault (and all at once) ends in the fault-free result.

Each scenario has its own topic. Faults of the delivery path (Lambda crashes, Firehose
partial failures and throttling) and of the jobs (crash before / after the Iceberg commit,
checkpoint write failure) fire at rate 0.3 with a fixed seed; cycles repeat until one succeeds,
then one clean cycle runs. The standardized, curated and error tables must then equal the
fault-free run's (without the run / time / id columns), with no duplicate message_id in
standardized and a balanced conservation account.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leanops import faults
from leanops.local.pipeline import LocalPipeline

from .support import account_of, contract_for, new_topic, run_until_ok, send_lines

RATE = 0.3
SEED = 11
ALL = "all"
DELIVERY_FAULTS = (
    faults.LAMBDA_CRASH_BEFORE_PUT,
    faults.LAMBDA_CRASH_AFTER_PUT,
    faults.FIREHOSE_PARTIAL_FAILURE,
    faults.FIREHOSE_THROTTLE,
)
JOB_FAULTS = tuple(name for name in faults.KNOWN_FAULTS if name not in DELIVERY_FAULTS)
VOLATILE_COLUMNS = {
    "message_id",
    "topic_name",
    "run_id",
    "receive_count",
    "sent_at",
    "ingested_at",
    "standardized_at",
    "curated_at",
    "recorded_at",
    "detected_at",
}


def order(order_id: str, updated_at: str, **fields: Any) -> str:
    return json.dumps(
        {
            "order_id": order_id,
            "customer": {"id": f"c-{order_id}"},
            "amount": "10.00",
            "updated_at": updated_at,
            **fields,
        }
    )


LINES = [
    order("o-1", "2026-01-01T10:00:00Z", amount="1.00"),
    order("o-1", "2026-01-01T11:00:00Z", amount="2.00"),
    order("o-1", "2026-01-01T09:00:00Z", amount="0.50"),
    order("o-2", "2026-01-01T10:00:00Z", quantity=3, gift=True),
    order("o-3", "2026-01-01T10:00:00Z", amount="abc"),
    "{broken",
    "[1, 2]",
    order("o-4", "2026-01-01T10:00:00Z", quantity=1.5),
    order("o-5", "2026-01-01T12:30:00+02:00", note="extra field"),
    order("o-5", "2026-01-01T11:00:00Z", amount="5.00"),
    order("o-2", "2026-01-02T10:00:00Z", quantity=4, order_date="2026-01-02"),
    order("o-6", "2026-01-01T10:00:00"),
]


def plan_of(scenario: str) -> str:
    names = faults.KNOWN_FAULTS if scenario == ALL else (scenario,)
    return ",".join(f"{name}={RATE}" for name in names) + f";seed={SEED}"


def normalized(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        try:
            record = json.loads(value)
        except ValueError:
            return value
        if isinstance(record, dict):
            return json.dumps({k: v for k, v in record.items() if k not in VOLATILE_COLUMNS}, sort_keys=True)
    return value


def table_rows(pipeline: LocalPipeline, sql: str) -> list[tuple[Any, ...]]:
    frame = pipeline.spark.sql(sql)
    kept = [column for column in frame.columns if column not in VOLATILE_COLUMNS]
    return sorted(
        tuple(str(normalized(row[column])) for column in kept) for row in frame.select(*kept).collect()
    )


def outcome_tables(pipeline: LocalPipeline, topic: str) -> dict[str, list[tuple[Any, ...]]]:
    where = f"WHERE topic_name = '{topic}'"
    return {
        "standardized": table_rows(pipeline, f"SELECT * FROM iceberg_standardized_db.{topic}"),
        "curated": table_rows(pipeline, f"SELECT * FROM iceberg_curated_db.{topic}"),
        "parse_errors": table_rows(pipeline, f"SELECT * FROM iceberg_standardized_db.parse_errors {where}"),
        "curated_errors": table_rows(pipeline, f"SELECT * FROM iceberg_curated_db.errors {where}"),
    }


def duplicate_ids(pipeline: LocalPipeline, topic: str) -> list[str]:
    sql = f"SELECT message_id FROM iceberg_standardized_db.{topic} GROUP BY message_id HAVING COUNT(*) > 1"
    return [row[0] for row in pipeline.spark.sql(sql).collect()]


def prepared_topic(pipeline: LocalPipeline, label: str, folder: Path) -> str:
    topic = new_topic(label)
    pipeline.upload_contract(topic, contract_for(topic))
    send_lines(pipeline, topic, LINES, folder)
    return topic


@pytest.fixture(scope="module")
def baseline(
    pipeline: LocalPipeline, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[tuple[Any, ...]]]:
    topic = prepared_topic(pipeline, "fm_baseline", tmp_path_factory.mktemp("fm"))
    assert run_until_ok(pipeline, [topic], max_cycles=1) == 1
    return outcome_tables(pipeline, topic)


@pytest.fixture(scope="module")
def delivery_fault_topics(
    pipeline: LocalPipeline, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Delivery faults need no cycle of their own: deliver each under its fault, then one cycle."""
    folder = tmp_path_factory.mktemp("fm")
    topics = {fault: prepared_topic(pipeline, "fm_delivery", folder) for fault in DELIVERY_FAULTS}
    for fault, topic in topics.items():
        pipeline.deliver([topic], fault_plan=plan_of(fault))
    run_until_ok(pipeline, sorted(topics.values()))
    return topics


def assert_same_as_baseline(
    pipeline: LocalPipeline, topic: str, baseline: dict[str, list[tuple[Any, ...]]]
) -> None:
    assert duplicate_ids(pipeline, topic) == []
    got = outcome_tables(pipeline, topic)
    for table, rows in baseline.items():
        assert got[table] == rows, f"{table} differs from the fault-free run"
    account = account_of(pipeline, topic)
    assert account.identity_holds, account.as_dict()
    assert account.buckets["waiting"] == 0, account.as_dict()


def test_baseline_has_every_outcome(baseline: dict[str, list[tuple[Any, ...]]]) -> None:
    # o-1, o-2, o-5, o-6 curated (latest versions); "{broken" and "[1, 2]"; o-3 and o-4 fail the contract
    counts = {table: len(rows) for table, rows in baseline.items()}
    assert counts == {"standardized": 10, "curated": 4, "parse_errors": 2, "curated_errors": 2}


@pytest.mark.parametrize("fault", DELIVERY_FAULTS)
def test_delivery_fault_converges_to_the_fault_free_result(
    pipeline: LocalPipeline,
    baseline: dict[str, list[tuple[Any, ...]]],
    delivery_fault_topics: dict[str, str],
    fault: str,
) -> None:
    # GIVEN the input delivered under the fault, WHEN a clean cycle ran, THEN the result is the baseline's
    assert_same_as_baseline(pipeline, delivery_fault_topics[fault], baseline)


@pytest.mark.parametrize("scenario", [*JOB_FAULTS, ALL])
def test_job_fault_converges_to_the_fault_free_result(
    pipeline: LocalPipeline, baseline: dict[str, list[tuple[Any, ...]]], tmp_path: Path, scenario: str
) -> None:
    # GIVEN the input of a new topic
    topic = prepared_topic(pipeline, "fm_job", tmp_path)
    # WHEN cycles run under the fault until one succeeds, then one clean cycle
    run_until_ok(pipeline, [topic], fault_plan=plan_of(scenario))
    assert pipeline.run([topic]).ok
    # THEN the tables equal the fault-free run's
    assert_same_as_baseline(pipeline, topic, baseline)


ACCEPTANCE_PLAN = (
    f"{faults.LAMBDA_CRASH_AFTER_PUT}=0.3,{faults.FIREHOSE_PARTIAL_FAILURE}=0.2,"
    f"{faults.JOB_CRASH_AFTER_COMMIT}=0.5;seed=7"
)


def test_repeated_cli_runs_under_the_same_seed_converge(
    pipeline: LocalPipeline,
    baseline: dict[str, list[tuple[Any, ...]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN `run --fault ... --seed 7` repeated, each run a new process (the plan is parsed anew)
    topics = [prepared_topic(pipeline, "fm_accept", tmp_path) for _ in range(2)]
    for _attempt in range(10):
        monkeypatch.setattr(faults, "_active_source", None)
        if pipeline.run(topics, fault_plan=ACCEPTANCE_PLAN).ok:
            break
    else:
        pytest.fail("repeated runs under the same seed never converged: each run must draw new faults")
    # WHEN one clean cycle follows THEN every topic equals the fault-free outcome
    assert pipeline.run(topics).ok
    for topic in topics:
        assert_same_as_baseline(pipeline, topic, baseline)
