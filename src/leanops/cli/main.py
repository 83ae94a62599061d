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
from leanops.exceptions import ConfigurationError, LeanOpsError
from leanops.local.config import home_dir

LOGGER = logging.getLogger("leanops.cli")
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
POWERTOOLS_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
PACKAGE_LOGGER = "leanops"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="production_emulation.sh", description=__doc__)
    parser.add_argument("--home", help="local state folder (default: $LEANOPS_HOME or ./.leanops)")
    parser.add_argument(
        "--target",
        choices=("local", "aws"),
        default="local",
        help="local emulation (default) or a deployed environment",
    )
    parser.add_argument(
        "--tf-outputs", help="aws: a `terraform output -json` file (default: run terraform output -json)"
    )
    parser.add_argument("--tf-dir", default=".", help="aws: the Terraform root to read outputs from")
    parser.add_argument("--profile", help="aws: AWS profile (default: $AWS_PROFILE)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("reset", help="wipe the local state")
    schema = commands.add_parser("schema", help="upload topic contract(s): opens the gate")
    schema.add_argument("--topic")
    schema.add_argument("--file", type=Path)
    send = commands.add_parser("send", help="send each line of a file as one message body")
    send.add_argument("--topic", required=True)
    send.add_argument("--file", type=Path, required=True)
    run = commands.add_parser("run", help="deliver the queues into RAW, then one cycle")
    run.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME=RATE",
        help=f"inject a fault; names: {', '.join(faults.KNOWN_FAULTS)}",
    )
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--topic", action="append", dest="topics", help="only these topics (default: all)")
    query = commands.add_parser("query", help="SQL over the tables; CSV on stdout")
    query.add_argument("sql")
    status = commands.add_parser("status", help="checkpoints, last run and the conservation account")
    status.add_argument("--json", action="store_true")
    commands.add_parser("full", help="reset + schema + built-in sample + run + checks")
    replay = commands.add_parser("replay", help="send a topic's dlq_errors rows back through the pipeline")
    replay.add_argument("--topic", required=True)
    return parser


def fault_plan(specs: Sequence[str], seed: int) -> str:
    """Return the LEANOPS_FAULTS text of ``--fault`` options (validated).

    Raises:
        ConfigurationError: on an unknown fault or a bad rate.

    """
    text = ",".join([*specs, f"seed={seed}"])
    faults.parse_plan(text)
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
    if args.command == "schema" and bool(args.topic) != bool(args.file):
        raise ConfigurationError("schema", "give both --topic and --file, or neither (the repo's contracts)")


def cmd_local(args: argparse.Namespace, home: Path) -> int:
    """Run one local subcommand inside a LocalPipeline."""
    from leanops.cli import local_target
    from leanops.local.pipeline import LocalPipeline

    with LocalPipeline(home) as pipeline:
        handler = getattr(local_target, f"cmd_{args.command}")
        return int(handler(pipeline, args))


def _not_logged_twice(record: logging.LogRecord) -> bool:
    """Drop a package record from the root's text handler once the jobs log it as JSON."""
    return not (record.name.startswith(PACKAGE_LOGGER) and logging.getLogger(PACKAGE_LOGGER).handlers)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(_not_logged_twice)
    for noisy in ("py4j", "werkzeug", "botocore", "urllib3", "pyiceberg"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    os.environ.setdefault(POWERTOOLS_LOG_LEVEL, "WARNING")  # the handlers' logs: only problems, on a CLI
    home = home_dir(args.home)
    try:
        if args.target == "aws":
            from leanops.cli.aws_target import run_aws_command

            return run_aws_command(args)
        validate_arguments(args)
        if args.command == "reset":
            return cmd_reset(args, home)
        if args.command == "full":
            from leanops.cli.full import run_full

            return run_full(home)
        return cmd_local(args, home)
    except LeanOpsError as exc:
        LOGGER.error("%s", exc)
        return EXIT_USAGE
    except FileNotFoundError as exc:
        LOGGER.error("%s", exc)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
