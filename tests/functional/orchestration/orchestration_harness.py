"""Harness: runs the state machine definition Terraform deploys on moto's Step Functions interpreter.

``state_machine.asl.json`` is a Terraform ``templatefile``; :func:`render_definition` fills
the same ``${name}`` placeholders in Python, so the tests execute the deployed file itself.
moto plays the AWS services the definition calls: Lambda (the "simple" backend returns the
planner output a test queues), Glue job runs, DynamoDB (the lock), SNS (alerts, delivered to
an SQS subscription the tests read).
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.awslambda_simple.models import lambda_simple_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.glue import models as glue_models

REGION = "eu-west-1"
REPO = Path(__file__).resolve().parents[3]
ASL_TEMPLATE = REPO / "modules" / "orchestration" / "state_machine.asl.json"
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
STATE_MACHINE_NAME = "leanops-test-cycle"
LOCK_TABLE = "leanops-test-locks"
CYCLE_LOCK_ID = f"cycle#{STATE_MACHINE_NAME}"
STANDARDIZED_JOB = "leanops-test-standardized"
CURATED_JOB = "leanops-test-curated"
RETRY_MAX_ATTEMPTS = 2
EXECUTION_DEADLINE_SECONDS = 120
POLL_SECONDS = 0.1
MOTO_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
TOPICS_ARGUMENT = "--LEANOPS_TOPICS"


def render_definition(values: Mapping[str, object]) -> str:
    """Fill the template's ``${name}`` placeholders like Terraform's templatefile does.

    Raises:
        KeyError: naming placeholders without a value.
    """
    template = ASL_TEMPLATE.read_text(encoding="utf-8")
    missing = set(PLACEHOLDER.findall(template)) - set(values)
    if missing:
        raise KeyError(f"{ASL_TEMPLATE.name}: no value for placeholders {sorted(missing)}")
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), template)


@dataclass
class Cycle:
    """One deployed state machine on moto and the resources it drives."""

    sfn: Any
    dynamodb: Any
    sqs: Any
    state_machine_arn: str
    alert_queue_url: str
    failing_topics: set[str] = field(default_factory=set)

    def queue_plan(self, shards: list[dict[str, str]], planned_at: int | None = None) -> None:
        """Make the next planner invocation return this plan."""
        plan = {"shards": shards, "skipped": {}, "work": {}, "planned_at": planned_at or int(time.time())}
        lambda_simple_backends[DEFAULT_ACCOUNT_ID][REGION].lambda_simple_results_queue.append(
            json.dumps(plan)
        )

    def run(self) -> dict[str, Any]:
        """Start one execution and wait until it ends; return describe_execution's answer."""
        execution_arn = self.sfn.start_execution(stateMachineArn=self.state_machine_arn, input="{}")[
            "executionArn"
        ]
        deadline = time.monotonic() + EXECUTION_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            execution = self.sfn.describe_execution(executionArn=execution_arn)
            if execution["status"] != "RUNNING":
                return dict(execution)
            time.sleep(POLL_SECONDS)
        raise TimeoutError(f"execution {execution_arn} still running after {EXECUTION_DEADLINE_SECONDS}s")

    def job_runs(self) -> list[tuple[str, str, str]]:
        """Return (job name, topics argument, final state) of every Glue job run started."""
        jobs = glue_models.glue_backends[DEFAULT_ACCOUNT_ID][REGION].jobs
        return [
            (str(run.job_name), str((run.arguments or {}).get(TOPICS_ARGUMENT, "")), str(run.status))
            for name in (STANDARDIZED_JOB, CURATED_JOB)
            for run in jobs[name].job_runs
        ]

    def lock_item(self) -> dict[str, Any] | None:
        """Return the cycle lock item, or None when no cycle holds the lock."""
        return self.dynamodb.get_item(TableName=LOCK_TABLE, Key={"lock_id": {"S": CYCLE_LOCK_ID}}).get("Item")

    def alerts(self) -> list[str]:
        """Return the messages published to the alert topic."""
        response = self.sqs.receive_message(QueueUrl=self.alert_queue_url, MaxNumberOfMessages=10)
        return [json.loads(message["Body"])["Message"] for message in response.get("Messages", [])]


def fail_runs_of(failing_topics: set[str]) -> Callable[..., str]:
    """Wrap moto's start_job_run: runs for a failing topics argument end FAILED (moto's always succeed)."""
    start_job_run = glue_models.FakeJob.start_job_run

    def start_and_maybe_fail(job: Any, *args: Any, **kwargs: Any) -> str:
        run_id = start_job_run(job, *args, **kwargs)
        run = job.get_job_run(run_id)
        if (run.arguments or {}).get(TOPICS_ARGUMENT) in failing_topics:
            run.status = "FAILED"
        return str(run_id)

    return start_and_maybe_fail


def deployment_values(planner_arn: str, topic_arn: str) -> dict[str, object]:
    """Return the template values of a test deployment (no waiting between polls, 1 s retries)."""
    return {
        "planner_function_arn": planner_arn,
        "shards_json": json.dumps({"shard-0": ["orders"], "shard-1": ["payments"]}),
        "lock_table_name": LOCK_TABLE,
        "cycle_lock_id": CYCLE_LOCK_ID,
        "cycle_lock_ttl_seconds": 3600,
        "max_concurrency": 2,
        "standardized_job_name": STANDARDIZED_JOB,
        "curated_job_name": CURATED_JOB,
        "job_poll_interval_seconds": 0,
        "job_retry_interval_seconds": 1,
        "job_retry_max_attempts": RETRY_MAX_ATTEMPTS,
        "alert_topic_arn": topic_arn,
    }


def planner_zip() -> bytes:
    """Return a placeholder planner zip (moto's simple Lambda backend never runs it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return event\n")
    return buffer.getvalue()
