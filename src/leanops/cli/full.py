"""``full``: reset, contracts, a built-in sample with every error kind, runs, and checks.

The sample (``leanops/local/samples``) names the expected destination of every line
(``expected_destinations.json``). Along the way: a topic whose Lambda always crashes (its
messages end in the DLQ and are archived, then replayed), a topic with no contract and one with
a malformed contract (their data waits), a record put straight on the Firehose stream that is
not an envelope (it ends in ``firehose-errors/``), and a run under injected Lambda and Firehose
faults. Any mismatch is printed as a diff line and makes the exit code non-zero. It ends with
the per-topic summary table, its verdict below it, printed once every worker has stopped.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from leanops import faults
from leanops import local as local_package
from leanops.cli.local_target import accounts, topic_gates
from leanops.cli.summary import print_summary
from leanops.exceptions import LeanOpsError, QueryError
from leanops.local.account import TopicAccount
from leanops.local.config import repo_contract_files, repo_root
from leanops.local.duckdb_engine import LocalSqlEngine
from leanops.local.ledger import LedgerEntry
from leanops.local.pipeline import LocalPipeline
from leanops.local.replay import replay_topic
from leanops.local.semantic import DEFAULT_SEMANTIC_DIR

LOGGER = logging.getLogger(__name__)
SAMPLES = Path(local_package.__file__).parent / "samples"  # the emulation's package data
EXPECTED_FILE = "expected_destinations.json"
DLQ_TOPIC = "dlq_demo"
BROKEN_CONTRACT_TOPIC = "broken_contract"
DIRECT_PUT_SOURCE = "firehose-direct-put"
DLQ_FAULTS = f"{faults.LAMBDA_CRASH_BEFORE_PUT}=1.0;seed=1"
RUN_FAULTS = (
    f"{faults.LAMBDA_CRASH_AFTER_PUT}=0.3,{faults.FIREHOSE_PARTIAL_FAILURE}=0.2,"
    f"{faults.FIREHOSE_THROTTLE}=0.2;seed=7"
)
EXPECTED_CURATED = {
    "orders": ("order_id", "amount", {"o-1": "120.50", "o-2": "75.50", "o-3": "33.30", "o-4": "10.00"}),
    "payments": ("payment_id", "version", {"p-1": "2", "p-2": "5"}),
}
EXPECTED_AFTER_REPLAY = {DLQ_TOPIC: ("order_id", "amount", {"d-1": "9.99"})}
REFUSED = "refused"


class QueryFailedError(LeanOpsError):
    """A check's query failed (a table the scenario should have created is missing, ...)."""


def _engine(pipeline: LocalPipeline) -> LocalSqlEngine:
    """Return the local SQL engine (DuckDB) over the catalog, with the repo's own semantic views."""
    return LocalSqlEngine(pipeline.catalog, repo_root() / DEFAULT_SEMANTIC_DIR)


def _query(engine: LocalSqlEngine, sql: str) -> list[tuple[Any, ...]]:
    try:
        return engine.run(sql)[1]
    except QueryError as exc:  # a table the scenario should have created is missing, ...
        raise QueryFailedError(f"query failed: {sql}: {exc.problem}") from exc


def _contracts(pipeline: LocalPipeline) -> None:
    pipeline.upload_repo_contracts()
    orders = json.loads(repo_contract_files()["orders"].read_text(encoding="utf-8"))
    pipeline.upload_contract(DLQ_TOPIC, json.dumps({**orders, "topic": DLQ_TOPIC}))
    pipeline.upload_contract(BROKEN_CONTRACT_TOPIC, (SAMPLES / f"{BROKEN_CONTRACT_TOPIC}.json").read_bytes())
    pipeline.register_topic("clicks")


def _send_samples(pipeline: LocalPipeline, expected: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    for topic, lines in expected.items():
        report = pipeline.send(topic, SAMPLES / f"{topic}.jsonl")
        refused = {str(item.line) for item in report.refused}
        wanted = {line for line, destination in lines.items() if destination == REFUSED}
        if refused != wanted:
            problems.append(f"{topic}: send refused lines {sorted(refused)}, expected {sorted(wanted)}")
    return problems


def _direct_put(pipeline: LocalPipeline) -> None:
    """Put on the stream directly, as a stray producer would, an envelope the transform refuses."""
    message_id = f"direct-{uuid.uuid4()}"
    envelope = {"topic_name": "orders", "message_id": message_id, "payload": "{}", "receive_count": 0}
    pipeline.firehose().put_record_batch(
        DeliveryStreamName=pipeline.names.firehose_stream,
        Records=[{"Data": json.dumps(envelope).encode() + b"\n"}],
    )
    pipeline.ledger.append([LedgerEntry(message_id, "orders", DIRECT_PUT_SOURCE, 1)])


def _destination_diff(account: TopicAccount, entries: list[LedgerEntry], lines: dict[str, str]) -> list[str]:
    problems = []
    for entry in entries:
        if entry.source == DIRECT_PUT_SOURCE:
            wanted = "firehose_errors"
        else:
            wanted = lines.get(str(entry.line), "?")
        got = account.members.get(entry.message_id)
        if got != wanted:
            problems.append(f"{entry.topic} line {entry.line} ({entry.source}): expected {wanted}, got {got}")
    return problems


def _check_accounts(
    pipeline: LocalPipeline, expected: dict[str, dict[str, str]], overrides: dict[str, str]
) -> list[str]:
    problems = []
    for topic, account in accounts(pipeline, sorted(expected)).items():
        lines = {line: overrides.get(topic, destination) for line, destination in expected[topic].items()}
        problems += _destination_diff(account, pipeline.ledger.entries(topic), lines)
        if not account.identity_holds:
            problems.append(f"{topic}: conservation identity broken: {account.as_dict()}")
        LOGGER.debug("account %s: %s", topic, json.dumps(account.as_dict()))  # the table shows it
    return problems


def _check_tables(pipeline: LocalPipeline, with_replay: bool) -> list[str]:
    expected = {**EXPECTED_CURATED, **(EXPECTED_AFTER_REPLAY if with_replay else {})}
    with _engine(pipeline) as engine:
        return [problem for topic, want in expected.items() for problem in _check_topic(engine, topic, *want)]


def _check_topic(
    engine: LocalSqlEngine, topic: str, key: str, column: str, rows: dict[str, str]
) -> list[str]:
    try:
        got = dict(_query(engine, f"SELECT {key}, CAST({column} AS VARCHAR) FROM iceberg_curated_db.{topic}"))
        duplicates = _query(
            engine,
            f"SELECT message_id FROM iceberg_standardized_db.{topic} GROUP BY message_id HAVING COUNT(*) > 1",
        )
    except QueryFailedError as exc:
        return [str(exc)]
    problems = [
        f"curated {topic} {key}={name}: expected {column}={value}, got {got.get(name, 'no row')}"
        for name, value in rows.items()
        if got.get(name) != value
    ]
    problems += [f"curated {topic}: unexpected row {key}={name}" for name in sorted(set(got) - set(rows))]
    return problems + [
        f"standardized {topic}: message_id {row[0]} is there more than once" for row in duplicates
    ]


def _check_semantic(pipeline: LocalPipeline) -> list[str]:
    with _engine(pipeline) as engine:
        failed = {name: reason for name, reason in engine.view_problems().items() if reason}
        problems = [str(reason) for reason in failed.values()]  # each names its view and file
        try:
            if not _query(engine, "SELECT * FROM semantic.orders_daily"):
                problems.append("semantic.orders_daily is empty")
        except QueryFailedError as exc:
            problems.append(str(exc))
    return problems


def _scenario(pipeline: LocalPipeline, expected: dict[str, dict[str, str]]) -> list[str]:
    _contracts(pipeline)
    problems = _send_samples(pipeline, expected)
    _direct_put(pipeline)
    LOGGER.info("full: %s always crashes its Lambda: its messages go to the DLQ", DLQ_TOPIC)
    pipeline.deliver([DLQ_TOPIC], fault_plan=DLQ_FAULTS)
    LOGGER.info("full: run under faults %s", RUN_FAULTS)
    report = pipeline.run(sorted(expected), fault_plan=RUN_FAULTS)
    if not report.ok:
        problems.append(f"the run under Lambda/Firehose faults failed: {report.as_dict()['cycle']}")
    problems += _check_accounts(pipeline, expected, {})
    problems += _check_tables(pipeline, with_replay=False)
    retry_duplicates = sum(a.retry_duplicates for a in accounts(pipeline, sorted(expected)).values())
    if retry_duplicates == 0:
        problems.append("the faulty run left no retry duplicate in RAW: lambda-crash-after-put did not fire")
    LOGGER.info("full: replaying %s from dlq_errors, then a clean run", DLQ_TOPIC)
    replay_topic(pipeline, DLQ_TOPIC)
    if not pipeline.run(sorted(expected)).ok:
        problems.append("the clean run after the replay failed")
    problems += _check_accounts(pipeline, expected, {DLQ_TOPIC: "curated"})
    problems += _check_tables(pipeline, with_replay=True)
    return problems + _check_semantic(pipeline)


def run_full(home: Path) -> int:
    """Run the whole scenario under ``home`` (wiped first); return the exit code."""
    started = time.monotonic()
    if home.exists():
        shutil.rmtree(home)
    expected = json.loads((SAMPLES / EXPECTED_FILE).read_text(encoding="utf-8"))
    with LocalPipeline(home) as pipeline:
        problems = _scenario(pipeline, expected)
        documents = {topic: account.as_dict() for topic, account in accounts(pipeline).items()}
        gates = topic_gates(pipeline, sorted(documents))
    elapsed = time.monotonic() - started
    if problems:
        print(f"full: FAILED ({len(problems)} mismatches, {elapsed:.0f}s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        verdict = f"full: FAILED: {len(problems)} mismatches, listed above ({elapsed:.0f}s)"
    else:
        verdict = f"full: OK: every sample line reached its expected destination ({elapsed:.0f}s)"
    print_summary(documents, gates, caption=verdict)  # the last thing printed, after the workers stopped
    return 1 if problems else 0
