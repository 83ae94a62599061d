"""``leanops`` / ``python -m leanops.cli`` / tests/e2e/production_emulation.sh.

Subcommands (docs: DESIGN.md §6): reset, schema, send, run, query, status, full, replay.
One command set on two targets: the local emulation (``leanops.cli.local_target`` over
``leanops.local``) by default, a deployed stack with ``--target aws`` (``leanops.cli.aws_target``). Results go
to stdout (``query``: CSV only); progress and logs go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from leanops import definitions, faults
from leanops.exceptions import ConfigurationError, LeanOpsError, UsageError
from leanops.local.config import home_dir
from leanops.local.query import OPERATOR, READERS

LOGGER = logging.getLogger("leanops.cli")
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
POWERTOOLS_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
PROG = "leanops"
PROG_ENV = "LEANOPS_PROG"  # the name usage and errors show
PACKAGE_LOGGER = "leanops"
NOISY_LOGGERS = ("py4j", "werkzeug", "botocore", "urllib3", "pyiceberg")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        # tests/e2e/production_emulation.sh names itself; `leanops` and `python -m leanops.cli` are leanops
        prog=os.environ.get(PROG_ENV, PROG),
        description="Lean-Ops operator CLI: the local emulation, or a deployed stack with --target aws",
        epilog="State: $LEANOPS_HOME (default ./.leanops). Logs on stderr, results on stdout.",
    )
    parser.add_argument("--home", help="local state folder (default: $LEANOPS_HOME or ./.leanops)")
    parser.add_argument(
        "--target",
        choices=("local", "aws"),
        default="local",
        help="local emulation (default) or a deployed environment",
    )
    parser.add_argument(
        "--tf-outputs",
        metavar="FILE",
        help="aws: a `terraform output -json` file (default: run terraform output -json in --tf-dir)",
    )
    parser.add_argument("--tf-dir", default=".", help="aws: the Terraform root to read outputs from")
    parser.add_argument("--profile", help="aws: AWS profile (default: $AWS_PROFILE)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logs and the JVM's output")
    parser.add_argument("--log-json", action="store_true", help="log JSON lines on stderr (as in AWS)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("reset", help="wipe the local state", description="Wipe $LEANOPS_HOME.")
    schema = commands.add_parser(
        "schema",
        help="upload topic contract(s): opens the gate",
        description="Upload a topic contract ({topic}.json); without options, the repo's own contracts.",
    )
    schema.add_argument("--topic", help="the topic the contract is for")
    schema.add_argument("--file", type=Path, help="the contract file ({topic}.json)")
    accept = schema.add_mutually_exclusive_group()
    accept.add_argument(
        "--force",
        action="store_true",
        help="upload a contract that does not validate (its topic then stops), or a breaking change "
        "without recomputing existing rows (not a change of key or of a column's type)",
    )
    accept.add_argument(
        "--rebuild",
        action="store_true",
        help="accept a breaking change: the next run rebuilds the topic's curated table and its "
        "curated errors from the whole standardized table under the new contract (with --topic/--file)",
    )
    send = commands.add_parser(
        "send",
        help="send each line of a file as one message body",
        description="Send each line of a file to the topic's queue as one message body, verbatim.",
    )
    send.add_argument("--topic", required=True, help="the topic (a new one gets its queue and DLQ)")
    send.add_argument("--file", type=Path, required=True, help="a file with one message body per line")
    run = commands.add_parser(
        "run",
        help="deliver the queues into RAW, then one cycle",
        description="Deliver what waits in the queues (Lambdas, Firehose, redrives) into RAW; one cycle.",
    )
    run.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME=RATE",
        help=f"inject a fault with a rate in 0..1 (repeatable); names: {', '.join(faults.KNOWN_FAULTS)}",
    )
    run.add_argument("--seed", type=int, default=0, help="seed of the fault draws (default 0)")
    run.add_argument(
        "--topic", action="append", dest="topics", metavar="TOPIC", help="only this topic (repeatable)"
    )
    maintain = commands.add_parser(
        "maintain",
        help="table maintenance: compaction, snapshot expiry, orphan files",
        description=(
            "Table maintenance, the job AWS's daily schedule runs: compaction, snapshot expiry that keeps"
            " every checkpoint's snapshot, orphan-file cleanup; a topic locked by a cycle is skipped."
        ),
    )
    maintain.add_argument(
        "--topic", action="append", dest="topics", metavar="TOPIC", help="only this topic (repeatable)"
    )
    query = commands.add_parser(
        "query",
        help="Athena SQL over the tables; CSV on stdout",
        description="Run one SQL statement over the tables (database.table, as in Athena); CSV on stdout.",
    )
    query.add_argument("sql", help='the SQL, e.g. "SELECT * FROM iceberg_curated_db.orders"')
    query.add_argument(
        "--as",
        dest="reader",
        choices=READERS,
        default=OPERATOR,
        help="analyst: read as the analysts do (curated tables and semantic views only; schemas/tables.json "
        "analyst_access); operator (default): every table",
    )
    status = commands.add_parser(
        "status",
        help="checkpoints, last run and the conservation account",
        description="Per topic: checkpoints, the last run and the conservation account.",
    )
    status.add_argument("--json", action="store_true", help="print JSON instead of tables")
    commands.add_parser(
        "full",
        help="reset + schema + built-in sample + run + checks",
        description="Reset, upload contracts, send the built-in sample, run, and check every destination.",
    )
    replay = commands.add_parser(
        "replay",
        help="send a topic's dlq_errors rows back through the pipeline",
        description="Send a topic's archived DLQ messages back to its queue (deduplicated downstream).",
    )
    replay.add_argument("--topic", required=True, help="the topic whose dlq_errors rows to replay")
    errors = commands.add_parser(
        "errors",
        help="a topic's error rows grouped by reason, with examples",
        description="Group a topic's rows of parse_errors, errors and dlq_errors by reason, with an example.",
    )
    errors.add_argument("--topic", required=True, help="the topic")
    drift = commands.add_parser(
        "drift",
        help="a topic's drift log",
        description="A topic's drift log: new, vanished, re-typed fields.",
    )
    drift.add_argument("--topic", required=True, help="the topic")
    runs = commands.add_parser(
        "runs",
        help="run history with per-topic figures",
        description="Run history: local runs, or the state machine's executions and Glue runs (aws).",
    )
    runs.add_argument("--limit", type=int, default=20, help="how many runs, newest (default 20)")
    contract = commands.add_parser(
        "contract",
        help="classify contract changes (the CI gate before a merge)",
        description="contract check OLD NEW, or contract check DIR (each {topic}.json vs the one in force).",
    )
    contract_commands = contract.add_subparsers(
        dest="contract_command", required=True, metavar="SUBCOMMAND", help="check: classify changes"
    )
    check = contract_commands.add_parser(
        "check",
        help="compatible or breaking; exits 1 on a breaking change",
        description="Print every change, compatible or breaking; exit 1 on a breaking or invalid one.",
    )
    check.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="OLD NEW (two files), or one folder"
    )
    topics = commands.add_parser(
        "topics",
        help="the topics and their schema gate; --remove T removes one",
        description="List the topics with their gate state, or remove one from the local home (--remove).",
    )
    topics.add_argument(
        "--remove",
        metavar="TOPIC",
        help="local: remove the topic (queue, DLQ, contract, its tables, checkpoints, column mapping); "
        "the shared error tables keep its rows. aws: says what to change in tfvars",
    )
    topics.add_argument("--yes", action="store_true", help="with --remove: do not ask for confirmation")
    return parser


def fault_plan(specs: Sequence[str], seed: int) -> str:
    """Return the LEANOPS_FAULTS text of ``--fault`` options (validated).

    Raises:
        UsageError: on an unknown fault or a bad rate (naming the option, not the variable).

    """
    text = ",".join([*specs, f"seed={seed}"])
    try:
        faults.parse_plan(text)
    except ConfigurationError as exc:
        raise UsageError("--fault", exc.problem) from exc
    return text


def cmd_reset(args: argparse.Namespace, home: Path) -> int:
    """Wipe LEANOPS_HOME."""
    if home.exists():
        shutil.rmtree(home)
    LOGGER.info("reset: removed %s", home)
    return EXIT_OK


def validate_arguments(args: argparse.Namespace) -> None:
    """Check names, fault plans and option pairs before any work starts.

    Raises:
        TopicNameError: on a topic name Glue, Athena or SQS would refuse.
        ConfigurationError: on a bad fault plan or an incomplete option pair.

    """
    if getattr(args, "topic", None):
        definitions.validate_topic_name(args.topic)
    for topic in getattr(args, "topics", None) or []:
        definitions.validate_topic_name(topic)
    if getattr(args, "fault", None):
        fault_plan(args.fault, args.seed)
    if args.command == "contract" and not (
        len(args.paths) == 2 or (len(args.paths) == 1 and args.paths[0].is_dir())
    ):
        raise UsageError("contract check", "give two contract files (OLD NEW) or one folder of {topic}.json")
    if args.command == "schema" and bool(args.topic) != bool(args.file):
        raise ConfigurationError("schema", "give both --topic and --file, or neither (the repo's contracts)")
    if args.command == "schema" and args.rebuild and not args.topic:
        raise ConfigurationError("schema", "--rebuild needs --topic and --file (one topic at a time)")


# Commands that only read: on a home with no state they say so instead of creating it.
READ_ONLY_COMMANDS = ("status", "replay", "errors", "drift", "runs", "topics")
# contract check DIR on an empty home: every contract is new (nothing is deployed yet).
COMMANDS_WITHOUT_STATE = ("contract",)


def cmd_local(args: argparse.Namespace, home: Path) -> int:
    """Run one local subcommand inside a LocalPipeline.

    Raises:
        UsageError: for a read-only command on a home with no local state yet.

    """
    from leanops.cli import local_target
    from leanops.local.aws import SNAPSHOT_FILE
    from leanops.local.pipeline import LocalPipeline

    if args.command in COMMANDS_WITHOUT_STATE and not (home / SNAPSHOT_FILE).is_file():
        from leanops.cli.operations import check_contract_folder

        return check_contract_folder(args.paths[0], lambda topic: None)
    if args.command in READ_ONLY_COMMANDS and not (home / SNAPSHOT_FILE).is_file():
        raise UsageError(
            args.command,
            f"no local pipeline in {home} yet: upload contracts (`schema`) and send messages (`send`) first",
        )
    with LocalPipeline(home) as pipeline:
        handler = getattr(local_target, f"cmd_{args.command}")
        return int(handler(pipeline, args))


def configure_logging(verbose: bool, as_json: bool) -> None:
    """One log format on stderr: human-readable lines, or JSON lines (``--log-json``, as in AWS).

    The jobs' JSON formatter (``leanops.jobs.jsonlog``) is the one JSON format; libraries log
    warnings only, unless ``-v``.
    """
    from leanops.jobs.jsonlog import JsonFormatter, StderrHandler

    # The current sys.stderr at each record: rich's live progress bar redirects it on a TTY.
    handler = StderrHandler()
    handler.setFormatter(
        JsonFormatter()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # The CLI owns its process's log format: no second (JSON) handler on the package logger,
    # which the jobs add when they run in this process (tests) rather than in the Glue worker.
    logging.getLogger(PACKAGE_LOGGER).handlers.clear()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
    os.environ.setdefault(POWERTOOLS_LOG_LEVEL, "WARNING")  # the handlers' logs: only problems, on a CLI


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    configure_logging(args.verbose, args.log_json)
    home = home_dir(args.home)
    try:
        if args.target == "aws":
            from leanops.cli.aws_target import run_aws_command

            return run_aws_command(args)
        validate_arguments(args)
        if args.command == "contract" and len(args.paths) == 2:
            from leanops.cli.operations import check_contract_files

            return check_contract_files(*args.paths)
        if args.command == "reset":
            return cmd_reset(args, home)
        if args.command == "full":
            from leanops.cli.full import run_full

            return run_full(home)
        if args.command == "query":
            from leanops.cli.local_target import query_home

            return query_home(home, args)  # the catalog alone: no moto, no Lambdas, no JVM, no lock
        return cmd_local(args, home)
    except LeanOpsError as exc:
        LOGGER.error("%s", exc)
        return EXIT_USAGE
    except FileNotFoundError as exc:
        LOGGER.error("%s", exc)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
