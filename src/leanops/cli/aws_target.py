"""``--target aws``: the same subcommands against a deployed environment.

Resource names come from Terraform's outputs (``--tf-outputs outputs.json``, or
``terraform -chdir=<tf-dir> output -json``); credentials from ``--profile`` / ``AWS_PROFILE``.
send -> the topic's real queue; schema -> the schemas bucket; run -> one Step Functions
execution, waited for; query -> Athena (CSV on stdout); status -> checkpoints and the last
execution; replay -> dlq_errors rows (read with Athena) back to the topic's queue.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from leanops import definitions
from leanops.adapters.checkpoints import CheckpointStore
from leanops.adapters.contract_store import ContractStore, object_version
from leanops.cli.drift_report import drift_lines, recent_drift_sql
from leanops.cli.operations import (
    check_contract_folder,
    checked_contract,
    drift_sql,
    errors_sql,
    print_rows,
    request_rebuild,
    review_evolution,
)
from leanops.cli.summary import gate_state
from leanops.exceptions import ConfigurationError, ContractError, UsageError
from leanops.ingest.replay import ReplaySigner, send_replay
from leanops.local.config import home_dir, repo_contract_files
from leanops.local.ledger import Ledger
from leanops.local.query import ANALYST, OPERATOR, check_analyst_access, write_csv
from leanops.local.sender import send_file

LOGGER = logging.getLogger(__name__)
# Names of the root module's outputs (outputs.tf).
REQUIRED_OUTPUTS = (
    "queue_urls",
    "contracts_uri",
    "state_machine_arn",
    "checkpoint_table_name",
    "athena_workgroup_name",
    "glue_job_names",
)
POLL_SECONDS = 5
RUN_TIMEOUT_SECONDS = 3600
RUNNING_STATES = ("RUNNING", "QUEUED")
ATHENA_RUNNING = ("QUEUED", "RUNNING")
# maintain: in AWS the daily EventBridge Scheduler schedule runs the maintenance job (with the
# retention it validates); start that schedule's target rather than a second way in.
LOCAL_ONLY = ("reset", "full", "maintain")
AWS_LEDGER_DIR = "aws"
REPLAY_COLUMNS = (
    "topic_name, message_id, payload, receive_count, error_reason, source_queue, "
    # dlq_errors is Glue-created: sent_at is a timestamp without zone, in UTC by the envelope's
    # definition; with_timezone makes to_iso8601 say so (parse_iso needs the offset).
    "to_iso8601(with_timezone(sent_at, 'UTC')) AS sent_at"
)


@dataclass(frozen=True)
class Environment:
    """What the CLI needs of a deployed environment (Terraform outputs)."""

    queue_urls: dict[str, str]
    contracts_uri: str
    state_machine_arn: str
    checkpoint_table_name: str
    athena_workgroup_name: str
    glue_job_names: dict[str, str]
    # Optional (older stacks lack it): without it replays are sent unsigned, under new ids.
    replay_key_alias_name: str | None = None

    def contract_location(self, topic: str) -> tuple[str, str]:
        """Return (bucket, key) of a topic's contract under ``contracts_uri`` (s3://bucket/prefix/)."""
        bucket, _, prefix = self.contracts_uri.removeprefix("s3://").partition("/")
        return bucket, f"{prefix.rstrip('/') + '/' if prefix else ''}{topic}.json"

    @classmethod
    def from_outputs(cls, outputs: dict[str, Any]) -> Environment:
        """Build it from ``terraform output -json`` (``{name: {"value": ...}}``).

        Raises:
            ConfigurationError: naming the missing outputs.

        """
        values: dict[str, Any] = {
            name: spec.get("value") if isinstance(spec, dict) else spec for name, spec in outputs.items()
        }
        missing = [name for name in REQUIRED_OUTPUTS if values.get(name) in (None, "", {})]
        if missing:
            raise ConfigurationError(
                "terraform outputs", f"missing {', '.join(missing)} (needed by --target aws)"
            )
        return cls(
            **{name: values[name] for name in REQUIRED_OUTPUTS},
            replay_key_alias_name=values.get("replay_key_alias_name"),
        )

    def queue_url(self, topic: str) -> str:
        """Return a topic's queue URL.

        Raises:
            ConfigurationError: when the topic is not deployed (add it to Terraform's topics).

        """
        if topic not in self.queue_urls:
            raise ConfigurationError(
                "topic",
                f"{topic!r} has no queue in this environment: add it to the topics variable and apply",
            )
        return self.queue_urls[topic]


def load_outputs(args: argparse.Namespace) -> dict[str, Any]:
    """Read Terraform's outputs from ``--tf-outputs`` or ``terraform output -json``."""
    if args.tf_outputs:
        return dict(json.loads(Path(args.tf_outputs).read_text(encoding="utf-8")))
    done = subprocess.run(
        ["terraform", f"-chdir={args.tf_dir}", "output", "-json"], capture_output=True, text=True, check=True
    )
    return dict(json.loads(done.stdout))


def wait_for_execution(sfn: Any, execution_arn: str) -> str:
    """Poll a Step Functions execution until it ends; return its status."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        status = sfn.describe_execution(executionArn=execution_arn)["status"]
        if status not in RUNNING_STATES:
            return str(status)
        LOGGER.info("execution %s: %s", execution_arn.rsplit(":", 1)[-1], status)
        time.sleep(POLL_SECONDS)
    return "TIMED_OUT_WAITING"


def athena_rows(athena: Any, sql: str, workgroup: str) -> tuple[list[str], list[list[str | None]]]:
    """Run one Athena query; return the header and rows (None for NULL)."""
    query_id = athena.start_query_execution(QueryString=sql, WorkGroup=workgroup)["QueryExecutionId"]
    while (state := athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"])[
        "State"
    ] in ATHENA_RUNNING:
        time.sleep(1)
    if state["State"] != "SUCCEEDED":
        raise ConfigurationError(
            "query", f"Athena query {query_id} {state['State']}: {state.get('StateChangeReason', '')}"
        )
    rows: list[list[str | None]] = []
    for page in athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        rows += [[cell.get("VarCharValue") for cell in row["Data"]] for row in page["ResultSet"]["Rows"]]
    header = [str(name) for name in rows[0]] if rows else []
    return header, rows[1:]


def _schema(session: Any, env: Environment, args: argparse.Namespace) -> int:
    """Upload contract(s) to the schemas bucket; ``--rebuild`` also records the rebuild request.

    The request goes to the checkpoint table, where the planner (work for the next cycle) and
    the curated job (which rebuilds, then clears it) read it.

    Raises:
        UsageError: on a malformed or breaking contract (see review_evolution): nothing uploaded.
        ConfigurationError: for ``--rebuild`` without ``--topic``.

    """
    rebuild = bool(getattr(args, "rebuild", False))
    if rebuild and not args.topic:
        raise ConfigurationError("schema", "--rebuild needs --topic and --file (one topic at a time)")
    files = {args.topic: args.file} if args.topic else repo_contract_files()
    for topic, path in files.items():
        body = Path(path).read_bytes()
        force = getattr(args, "force", False)
        new = checked_contract(topic, body, str(path), force)
        try:
            in_force = ContractStore(env.contracts_uri, session.client("s3")).load(topic)
        except ContractError:
            in_force = None
        review_evolution(topic, in_force, new, force, rebuild)
        bucket, key = env.contract_location(topic)
        uploaded = session.client("s3").put_object(Bucket=bucket, Key=key, Body=body)
        LOGGER.info("schema: uploaded s3://%s/%s", bucket, key)
        if rebuild:
            checkpoints = CheckpointStore(env.checkpoint_table_name, session.client("dynamodb"))
            request_rebuild(checkpoints, topic, object_version(uploaded))
    return 0


def _send(session: Any, env: Environment, args: argparse.Namespace) -> int:
    ledger = Ledger(home_dir(args.home) / AWS_LEDGER_DIR)
    report = send_file(session.client("sqs"), env.queue_url(args.topic), args.topic, args.file, ledger)
    for refused in report.refused:
        LOGGER.warning("%s line %d not sent: %s", args.file, refused.line, refused.reason)
    LOGGER.info("send: %d messages sent to %s", len(report.sent), args.topic)
    return 0


def _run(session: Any, env: Environment, args: argparse.Namespace) -> int:
    if args.fault:
        raise ConfigurationError("--fault", "fault injection is local only")
    sfn = session.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=env.state_machine_arn, input="{}")["executionArn"]
    status = wait_for_execution(sfn, execution)
    LOGGER.info("run: execution %s ended %s", execution, status)
    return 0 if status == "SUCCEEDED" else 1


def _query(session: Any, env: Environment, args: argparse.Namespace) -> int:
    if getattr(args, "reader", OPERATOR) == ANALYST:  # IAM enforces it (modules/analytics); say it first
        check_analyst_access(args.sql)
    header, rows = athena_rows(session.client("athena"), args.sql, env.athena_workgroup_name)
    write_csv(header, rows, sys.stdout)
    return 0


def _status(session: Any, env: Environment, args: argparse.Namespace) -> int:
    items = session.client("dynamodb").scan(TableName=env.checkpoint_table_name).get("Items", [])
    checkpoints: dict[str, dict[str, Any]] = {}
    for item in items:
        checkpoints.setdefault(item["topic"]["S"], {})[item["layer"]["S"]] = {
            k: next(iter(v.values())) for k, v in item.items()
        }
    executions = session.client("stepfunctions").list_executions(
        stateMachineArn=env.state_machine_arn, maxResults=1
    )["executions"]
    document = {"checkpoints": checkpoints, "last_run": executions[0] if executions else None}
    print(json.dumps(document, indent=2 if args.json else None, default=str))
    if not args.json and checkpoints:
        try:
            header, rows = athena_rows(
                session.client("athena"), recent_drift_sql(sorted(checkpoints)), env.athena_workgroup_name
            )
        except ConfigurationError as exc:  # e.g. no drift_log table before the first cycle
            LOGGER.info("status: no drift shown (%s)", exc)
        else:
            for topic, lines in drift_lines(header, rows).items():
                print(topic)
                print("\n".join(lines))
    return 0


def _replay(session: Any, env: Environment, args: argparse.Namespace) -> int:
    sql = f"SELECT {REPLAY_COLUMNS} FROM iceberg_raw_db.dlq_errors WHERE topic_name = '{args.topic}'"
    header, rows = athena_rows(session.client("athena"), sql, env.athena_workgroup_name)
    # Signed with the stack's replay key, so sqs_processor lets the replays keep their original ids.
    signer = (
        ReplaySigner.for_key(session.client("kms"), env.replay_key_alias_name)
        if env.replay_key_alias_name
        else None
    )
    result = send_replay(
        session.client("sqs"),
        env.queue_url(args.topic),
        [dict(zip(header, row, strict=True)) for row in rows],
        signer=signer,
    )
    LOGGER.info(
        "replay: %d sent, %d failed, %d not replayable",
        len(result.sent),
        len(result.failed),
        len(result.rejected),
    )
    return 1 if result.failed else 0


def _errors(session: Any, env: Environment, args: argparse.Namespace) -> int:
    env.queue_url(args.topic)
    header, rows = athena_rows(session.client("athena"), errors_sql(args.topic), env.athena_workgroup_name)
    print_rows(f"errors of {args.topic}", header, rows)
    return 0


def _drift(session: Any, env: Environment, args: argparse.Namespace) -> int:
    env.queue_url(args.topic)
    header, rows = athena_rows(session.client("athena"), drift_sql(args.topic), env.athena_workgroup_name)
    print_rows(f"drift of {args.topic}", header, rows)
    return 0


EXECUTION_COLUMNS = ("execution", "status", "started", "stopped")
GLUE_RUN_COLUMNS = ("job", "run", "state", "started", "seconds", "topics", "error")


def _runs(session: Any, env: Environment, args: argparse.Namespace) -> int:
    sfn = session.client("stepfunctions")
    executions = sfn.list_executions(stateMachineArn=env.state_machine_arn, maxResults=args.limit)[
        "executions"
    ]
    print_rows(
        "state machine executions",
        EXECUTION_COLUMNS,
        [(e["name"], e["status"], e.get("startDate"), e.get("stopDate")) for e in executions],
    )
    glue = session.client("glue")
    rows = []
    for job in env.glue_job_names.values():
        for run in glue.get_job_runs(JobName=job, MaxResults=args.limit).get("JobRuns", []):
            rows.append(
                (
                    job,
                    run["Id"],
                    run["JobRunState"],
                    run.get("StartedOn"),
                    run.get("ExecutionTime"),
                    (run.get("Arguments") or {}).get("--LEANOPS_TOPICS", ""),
                    run.get("ErrorMessage", ""),
                )
            )
    print_rows("Glue job runs", GLUE_RUN_COLUMNS, rows)
    return 0


def _contract(session: Any, env: Environment, args: argparse.Namespace) -> int:
    store = ContractStore(env.contracts_uri, session.client("s3"))
    return check_contract_folder(args.paths[0], store.load)


def removal_refusal(topic: str) -> UsageError:
    """Return the one-line answer to ``topics --remove`` on AWS: a Terraform change, not a command.

    Terraform owns the queues, DLQs, mappings and RAW tables (``topics`` variable); the jobs
    create the standardized and curated tables, so Terraform does not drop them: Athena's DROP
    TABLE does, with their data ("DROP TABLE", Athena user guide: Iceberg tables are managed
    tables, dropping one removes its data).
    """
    definitions.validate_topic_name(topic)
    job_tables = " and ".join(
        definitions.table(kind).identifier(topic) for kind in (definitions.STANDARDIZED, definitions.CURATED)
    )
    return UsageError(
        "topics --remove",
        f"on --target aws nothing is removed by this command: delete {topic!r} from the topics map of "
        f"environments/<env>.tfvars and run terraform apply (its queue, DLQ, mappings and "
        f"{definitions.table(definitions.RAW).identifier(topic)}), then in Athena DROP TABLE {job_tables} "
        f"and delete contracts/{topic}.json; the shared error tables keep its rows",
    )


def _topics(session: Any, env: Environment, args: argparse.Namespace) -> int:
    if getattr(args, "remove", None):
        raise removal_refusal(args.remove)
    store = ContractStore(env.contracts_uri, session.client("s3"))
    rows = [(topic, url, gate_state(store, topic)) for topic, url in sorted(env.queue_urls.items())]
    print_rows("topics", ("topic", "queue", "gate"), rows)
    return 0


COMMANDS = {
    "schema": _schema,
    "send": _send,
    "run": _run,
    "query": _query,
    "status": _status,
    "replay": _replay,
    "errors": _errors,
    "drift": _drift,
    "runs": _runs,
    "topics": _topics,
    "contract": _contract,
}


def run_aws_command(args: argparse.Namespace) -> int:
    """Run one subcommand against the deployed environment; return the exit code.

    Raises:
        ConfigurationError: for a local-only subcommand or missing Terraform outputs.

    """
    if args.command in LOCAL_ONLY:
        raise ConfigurationError("--target aws", f"{args.command} is local only")
    env = Environment.from_outputs(load_outputs(args))
    session = boto3.Session(profile_name=args.profile) if args.profile else boto3.Session()
    return COMMANDS[args.command](session, env, args)
