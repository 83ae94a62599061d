"""The local subcommands of the CLI, each over an open LocalPipeline."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

from botocore.exceptions import ClientError

from leanops import definitions, naming
from leanops.adapters.checkpoints import CheckpointStore
from leanops.adapters.contract_store import ContractStore, object_version
from leanops.cli.drift_report import drift_lines, recent_drift_sql
from leanops.cli.main import EXIT_FAILED, EXIT_OK, fault_plan
from leanops.cli.operations import (
    check_contract_folder,
    checked_contract,
    drift_sql,
    errors_sql,
    print_rows,
    request_rebuild,
    review_evolution,
)
from leanops.cli.summary import gate_state, print_summary
from leanops.contracts import Contract
from leanops.exceptions import ContractError, QueryError, UsageError
from leanops.local.account import TopicAccount, firehose_error_ids, topic_account
from leanops.local.catalog import local_catalog
from leanops.local.maintenance import maintain_pipeline
from leanops.local.pipeline import LocalPipeline, TopicRemoval
from leanops.local.query import OPERATOR, run_query, write_csv
from leanops.local.spark import catalog_uri

LOGGER = logging.getLogger(__name__)


def cmd_schema(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Upload one contract (--topic/--file) or the repo's own; a malformed one is refused.

    With ``--rebuild`` a breaking change is accepted and a rebuild of the topic's curated layer
    is recorded next to its checkpoints, for the next run.

    Raises:
        UsageError: when the contract does not validate (unless ``--force``) or breaks the one in
            force (unless ``--rebuild`` or ``--force``); nothing is uploaded and the contract in
            force stays.

    """
    if args.topic:
        text = args.file.read_bytes()
        rebuild = bool(getattr(args, "rebuild", False))
        new = checked_contract(args.topic, text, str(args.file), args.force)
        review_evolution(args.topic, contract_in_force(pipeline, args.topic), new, args.force, rebuild)
        uris = [pipeline.upload_contract(args.topic, text)]
        if rebuild:
            store = ContractStore(pipeline.names.contracts_uri, pipeline.clients["s3"])
            head = pipeline.clients["s3"].head_object(Bucket=store.bucket, Key=store.key_of(args.topic))
            checkpoints = CheckpointStore(pipeline.names.checkpoint_table, pipeline.clients["dynamodb"])
            request_rebuild(checkpoints, args.topic, object_version(head))
    else:
        uris = pipeline.upload_repo_contracts()
    for uri in uris:
        LOGGER.info("schema: uploaded %s", uri)
    return EXIT_OK


def contract_in_force(pipeline: LocalPipeline, topic: str) -> Contract | None:
    """Return the topic's contract in force, or None (none, or a malformed one)."""
    try:
        return ContractStore(pipeline.names.contracts_uri, pipeline.clients["s3"]).load(topic)
    except ContractError:
        return None


def cmd_contract(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """``contract check DIR``: each contract of the folder against the one in force."""
    store = ContractStore(pipeline.names.contracts_uri, pipeline.clients["s3"])
    return check_contract_folder(args.paths[0], store.load)


def has_contract(pipeline: LocalPipeline, topic: str) -> bool:
    """Return True when the topic's contract exists in the schemas location (the gate is open)."""
    store = ContractStore(pipeline.names.contracts_uri, pipeline.clients["s3"])
    try:
        pipeline.clients["s3"].head_object(Bucket=store.bucket, Key=store.key_of(topic))
    except ClientError:
        return False
    return True


def require_known_topics(pipeline: LocalPipeline, command: str, topics: list[str]) -> None:
    """Check that every topic was declared (sent to, or given a contract).

    Raises:
        UsageError: naming the unknown topics and the declared ones.

    """
    declared = sorted(pipeline.topics())
    unknown = [topic for topic in topics if topic not in declared]
    if unknown:
        raise UsageError(
            command,
            f"unknown topic {', '.join(unknown)}; declared topics: {', '.join(declared) or 'none'} "
            "(a topic is declared by `send` or `schema`)",
        )


def cmd_send(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Send each line of --file to --topic's queue; report refused lines on stderr."""
    topic = args.topic
    if topic not in pipeline.topics():
        LOGGER.info(
            "send: topic %s is unknown here (no queue): it is declared now, with its queue and DLQ",
            topic,
        )
    report = pipeline.send(topic, args.file)
    for refused in report.refused:
        LOGGER.warning("%s line %d not sent: %s", args.file, refused.line, refused.reason)
    LOGGER.info(
        "send: %d messages sent to %s, %d lines not sent", len(report.sent), topic, len(report.refused)
    )
    if not has_contract(pipeline, topic):
        LOGGER.warning(
            "send: topic %s has no contract yet: its data waits in RAW behind the schema gate; "
            "upload one with `schema --topic %s --file %s.json`",
            topic,
            topic,
            topic,
        )
    return EXIT_OK


def cmd_run(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Deliver, then one cycle, then the summary table; non-zero when a job failed."""
    plan = fault_plan(args.fault, args.seed) if args.fault else None
    require_known_topics(pipeline, "run", args.topics or [])
    report = pipeline.run(args.topics, fault_plan=plan)
    cycle = report.cycle
    report_dead_letters(pipeline, report)
    for topic, reason in (cycle.skipped if cycle else {}).items():
        LOGGER.info("run: topic %s skipped: %s", topic, reason)
    if not report.ok:
        for job in cycle.jobs if cycle else []:
            if not job.ok:
                LOGGER.error(
                    "run %s: job %s FAILED: %s (the next run converges)",
                    cycle.run_id if cycle else "",
                    job.job,
                    job.detail,
                )
    else:
        LOGGER.info("run %s: ok", cycle.run_id if cycle else "-")
    print_topic_summary(pipeline)
    return EXIT_OK if report.ok else EXIT_FAILED


def cmd_query(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Run Athena SQL over the local catalog (DuckDB, no JVM); CSV with a header on stdout, nothing else.

    Raises:
        QueryError: a syntax error, an unknown table (the message lists those that exist), an
            unsupported construct: one line, exit code 2.

    """
    return print_query(pipeline.catalog, args.sql, getattr(args, "reader", OPERATOR))


def query_home(home: Path, args: argparse.Namespace) -> int:
    """Run ``query`` over ``home``'s catalog alone: no moto, no Lambdas, no JVM (what ``query`` needs).

    Raises:
        QueryError: as ``cmd_query``; also when ``home`` has no local catalog yet.

    """
    if not Path(catalog_uri(home)).is_file():
        problem = f"no local catalog in {home} yet: run `schema`, `send` and `run` first"
        raise QueryError("unknown_table", problem)
    return print_query(local_catalog(home), args.sql, getattr(args, "reader", OPERATOR))


def print_query(catalog: Any, sql: str, reader: str = OPERATOR) -> int:
    """Print the CSV of one Athena statement over ``catalog`` on stdout (``reader``: see run_query)."""
    columns, rows = run_query(catalog, sql, reader=reader)
    write_csv(columns, rows, sys.stdout)
    sys.stdout.flush()
    return EXIT_OK


def checkpoints(pipeline: LocalPipeline, topic: str) -> dict[str, dict[str, Any]]:
    """Return layer -> checkpoint item of a topic (DynamoDB)."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    return {
        item["layer"]["S"]: {
            key: deserializer.deserialize(value)
            for key, value in item.items()
            if key not in ("topic", "layer")
        }
        for item in pipeline.checkpoint_items(topic)
    }


def accounts(pipeline: LocalPipeline, topics: list[str] | None = None) -> dict[str, TopicAccount]:
    """Return the conservation account of every topic (default: declared or sent to)."""
    chosen = topics if topics is not None else sorted(set(pipeline.topics()) | set(pipeline.ledger.topics()))
    firehose_ids = firehose_error_ids(pipeline.clients["s3"], pipeline.names)
    sent: dict[str, list[str]] = {}
    for entry in pipeline.ledger.entries():
        sent.setdefault(entry.topic, []).append(entry.message_id)
    return {
        topic: topic_account(
            pipeline.catalog, pipeline.clients["s3"], pipeline.names, topic, sent.get(topic, []), firehose_ids
        )
        for topic in chosen
    }


def last_outcomes(last_run: dict[str, Any] | None, topic: str) -> dict[str, Any]:
    """Return job -> the topic's outcome (status, message, counts) in the last run."""
    cycle = (last_run or {}).get("cycle") or {}
    found = {}
    for job in cycle.get("jobs", []):
        for outcome in job.get("topics", []):
            if outcome.get("topic") == topic:
                found[job["job"]] = outcome
    if topic in cycle.get("waiting", []):
        found["gate"] = {"topic": topic, "status": "gate_closed", "message": "no contract"}
    return found


def status_document(pipeline: LocalPipeline) -> dict[str, Any]:
    """Return per topic its checkpoints, last run outcome and account, and the last run."""
    last_run = pipeline.last_run()
    topics = {
        topic: {
            "checkpoints": checkpoints(pipeline, topic),
            "last_run": last_outcomes(last_run, topic),
            "account": account.as_dict(),
        }
        for topic, account in accounts(pipeline).items()
    }
    return {"topics": topics, "last_run": last_run}


def _recent_drift(pipeline: LocalPipeline, topics: list[str]) -> dict[str, list[str]]:
    """Return topic -> the drift lines ``status`` shows (none before the first drift_log row)."""
    if not topics:
        return {}
    try:
        columns, rows = run_query(pipeline.catalog, recent_drift_sql(topics))
    except QueryError:  # no drift_log table yet: nothing has drifted
        return {}
    return drift_lines(columns, rows)


def _print_status(document: dict[str, Any], drift: dict[str, list[str]]) -> None:
    for topic, data in document["topics"].items():
        account = data["account"]
        buckets = ", ".join(f"{name}={count}" for name, count in account["buckets"].items())
        marks = "ok" if account["identity_holds"] else "IDENTITY BROKEN"
        print(
            f"{topic}: sent={account['sent']} raw={account['raw_distinct']} "
            f"retry_duplicates={account['retry_duplicates']} {buckets} [{marks}]"
        )
        for layer, checkpoint in sorted(data["checkpoints"].items()):
            print(f"  checkpoint {layer}: {json.dumps(checkpoint, default=str)}")
        for job, outcome in data["last_run"].items():
            print(f"  last run {job}: {outcome.get('status')} {outcome.get('message', '')}".rstrip())
        for line in drift.get(topic, []):
            print(line)
    last = document["last_run"]
    cycle = (last or {}).get("cycle") or {}
    print(
        f"last run: {cycle.get('run_id', '-')} ok={last.get('ok') if last else '-'} "
        f"finished {cycle.get('finished_at', '-')}"
    )


def topic_gates(pipeline: LocalPipeline, topics: list[str]) -> dict[str, str]:
    """Return topic -> its schema gate (open, no contract, or the contract's error)."""
    store = ContractStore(pipeline.names.contracts_uri, pipeline.clients["s3"])
    return {topic: gate_state(store, topic) for topic in topics}


def print_topic_summary(pipeline: LocalPipeline, out: TextIO | None = None) -> dict[str, dict[str, Any]]:
    """Print the per-topic summary table (account and gate); return the accounts as data."""
    documents = {topic: account.as_dict() for topic, account in accounts(pipeline).items()}
    print_summary(documents, topic_gates(pipeline, sorted(documents)), out)
    return documents


def report_dead_letters(pipeline: LocalPipeline, report: Any) -> None:
    """Say which topics' messages went to their DLQ in this run, and the command that replays them."""
    for poll in report.polls:
        topic = naming.topic_of_queue_name(pipeline.names.prefix, poll.queue, dlq=True)
        if topic is not None and poll.delivered:
            LOGGER.warning(
                "run: %d messages of %s went to its DLQ and are archived in iceberg_raw_db.dlq_errors; "
                "replay them with `replay --topic %s` once the cause is fixed",
                poll.delivered,
                topic,
                topic,
            )


def cmd_status(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Print checkpoints, last run and the conservation account (text or --json)."""
    document = status_document(pipeline)
    if args.json:
        print(json.dumps(document, indent=2, default=str))
    else:
        _print_status(document, _recent_drift(pipeline, sorted(document["topics"])))
        print_summary(
            {topic: data["account"] for topic, data in document["topics"].items()},
            topic_gates(pipeline, sorted(document["topics"])),
            sys.stdout,
        )
    broken = [topic for topic, data in document["topics"].items() if not data["account"]["identity_holds"]]
    return EXIT_FAILED if broken else EXIT_OK


def cmd_errors(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Print a topic's error rows grouped by table and reason, with an example of each."""
    require_known_topics(pipeline, "errors", [args.topic])
    columns, rows = run_query(pipeline.catalog, errors_sql(args.topic))
    print_rows(f"errors of {args.topic}", columns, rows)
    return EXIT_OK


def cmd_maintain(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Run table maintenance over the topics (default: all); non-zero when it failed."""
    require_known_topics(pipeline, "maintain", args.topics or [])
    outcome = maintain_pipeline(pipeline, args.topics)
    LOGGER.info("maintain: %s", outcome.detail)
    return EXIT_OK if outcome.ok else EXIT_FAILED


def cmd_drift(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Print a topic's drift log, newest first."""
    require_known_topics(pipeline, "drift", [args.topic])
    columns, rows = run_query(pipeline.catalog, drift_sql(args.topic))
    print_rows(f"drift of {args.topic}", columns, rows)
    return EXIT_OK


def run_rows(runs: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Return one row per run and topic: when, outcome, and each job's status and counts."""
    rows: list[tuple[Any, ...]] = []
    for run in runs:
        cycle = run.get("cycle") or {}
        delivered = sum(poll.get("delivered", 0) for poll in run.get("polls", []))
        per_topic: dict[str, dict[str, str]] = {}
        for job in cycle.get("jobs", []):
            for outcome in job.get("topics", []):
                counts = ", ".join(f"{key}={value}" for key, value in (outcome.get("counts") or {}).items())
                per_topic.setdefault(outcome.get("topic", "?"), {})[job["job"]] = (
                    f"{outcome.get('status', '')} {counts}".strip()
                )
        for topic in cycle.get("skipped", {}):
            per_topic.setdefault(topic, {})["skipped"] = cycle["skipped"][topic]
        outcome = "ok" if run.get("ok") else "FAILED"
        for topic, jobs in sorted(per_topic.items()) or [("-", {})]:
            rows.append(
                (
                    cycle.get("run_id", "-"),
                    cycle.get("started_at", ""),
                    outcome,
                    delivered,
                    topic,
                    jobs.get("standardized", ""),
                    jobs.get("curated", ""),
                    jobs.get("skipped", ""),
                )
            )
    return rows


RUN_COLUMNS = ("run", "started", "outcome", "delivered", "topic", "standardized", "curated", "skipped")


def cmd_runs(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Print the run history (newest last) with per-topic figures."""
    runs = pipeline.runs()[-args.limit :]
    print_rows("runs", RUN_COLUMNS, run_rows(runs))
    return EXIT_OK


REMOVE_COMMAND = "topics --remove"
CONFIRMED = ("y", "yes")


def confirmed(question: str, assume_yes: bool) -> bool:
    """Return True when ``--yes`` is given or the operator answers yes on the terminal.

    Raises:
        UsageError: without ``--yes`` when stdin is not a terminal (nobody can answer).

    """
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(REMOVE_COMMAND, f"{question}: stdin is not a terminal; add --yes to confirm")
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in CONFIRMED


def removal_lines(removal: TopicRemoval) -> list[str]:
    """Return what a removal did, one line each, ending with the shared tables that keep its rows."""
    topic = removal.topic
    return [
        f"removed topic {topic}:",
        f"  queues: {', '.join(removal.queues) or 'none'}",
        f"  contract: {removal.contract}",
        f"  tables (with the standardized column mapping): {', '.join(removal.tables) or 'none'}",
        f"  checkpoints: {', '.join(removal.checkpoints) or 'none'}",
        f"  sent-message ledger entries: {removal.ledger_entries}",
        f"kept: the rows of {topic} in {', '.join(removal.kept)} (shared history; "
        f"`errors --topic {topic}` no longer applies, query them with topic_name = '{topic}')",
    ]


def remove_topic(pipeline: LocalPipeline, topic: str, assume_yes: bool) -> int:
    """``topics --remove T``: remove a declared topic from the local home, once confirmed.

    Raises:
        UsageError: for an unknown topic, or without ``--yes`` on a non-terminal: nothing changed.

    """
    definitions.validate_topic_name(topic)
    require_known_topics(pipeline, REMOVE_COMMAND, [topic])
    question = (
        f"remove topic {topic}: its queue, DLQ and what waits in them, its contract, its RAW, "
        "standardized and curated tables, checkpoints and column mapping?"
    )
    if not confirmed(question, assume_yes):
        LOGGER.error("%s: not confirmed; nothing removed", REMOVE_COMMAND)
        return EXIT_FAILED
    for line in removal_lines(pipeline.remove_topic(topic)):
        print(line)
    return EXIT_OK


def cmd_topics(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """List the declared topics with their gate state; ``--remove T`` removes one."""
    if args.remove:
        return remove_topic(pipeline, args.remove, args.yes)
    topics = sorted(pipeline.topics())
    gates = topic_gates(pipeline, topics)
    print_rows("topics", ("topic", "queue", "gate"), [(t, pipeline.names.queue(t), gates[t]) for t in topics])
    return EXIT_OK


def cmd_replay(pipeline: LocalPipeline, args: argparse.Namespace) -> int:
    """Send a topic's archived DLQ messages (not already in RAW) back to its queue."""
    from leanops.local.replay import replay_topic

    require_known_topics(pipeline, "replay", [args.topic])
    result = replay_topic(pipeline, args.topic)
    LOGGER.info(
        "replay: %d messages of %s sent back to its queue (%d failed, %d not replayable)",
        len(result.sent),
        args.topic,
        len(result.failed),
        len(result.rejected),
    )
    return EXIT_FAILED if result.failed else EXIT_OK
