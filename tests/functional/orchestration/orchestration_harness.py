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
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.awslambda_simple.models import lambda_simple_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.glue import models as glue_models
from moto.glue.exceptions import GlueClientError
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk,
)

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
API_RETRY_MAX_ATTEMPTS = 2
# AWS names aws-sdk integration errors "<Service>.<Exception>" in PascalCase (Step Functions
# developer guide, AWS SDK service integrations: "Glue.ThrottlingException"); moto's interpreter
# knows the PascalCase of a few services only and would name them "glue.ThrottlingException".
AWS_SDK_SERVICE_ERROR_NAMES = {"glue": "Glue"}
SERVICE_ERROR_NAMES: dict[str, str] = state_task_service_aws_sdk._SERVICE_ERROR_NAMES  # noqa: SLF001
EXECUTION_DEADLINE_SECONDS = 120
POLL_SECONDS = 0.1
MOTO_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
TOPICS_ARGUMENT = "--LEANOPS_TOPICS"
WORKGROUP = "leanops-test"
SEMANTIC_VIEWS = {
    "orders_daily": "CREATE OR REPLACE VIEW semantic.orders_daily AS\nSELECT order_date FROM iceberg_curated_db.orders",
    "payments_by_order": "CREATE OR REPLACE VIEW semantic.payments_by_order AS\nSELECT order_id FROM iceberg_curated_db.payments",
}


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
    athena: Any
    failing_topics: set[str] = field(default_factory=set)
    glue_api_faults: dict[str, list[str]] = field(default_factory=dict)

    def fail_glue_calls(self, operation: str, *error_codes: str) -> None:
        """Make the next calls of a Glue operation ("get_job_run", "start_job_run") fail with these codes."""
        self.glue_api_faults.setdefault(operation, []).extend(error_codes)

    def athena_statements(self) -> list[str]:
        """Return the query strings started in the test workgroup, oldest first."""
        ids = self.athena.list_query_executions(WorkGroup=WORKGROUP)["QueryExecutionIds"]
        executions = [self.athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
        ordered = sorted(executions, key=lambda execution: execution["Status"]["SubmissionDateTime"])
        return [str(execution["Query"]) for execution in ordered]

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        """Return every history event of an execution."""
        events: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        while True:
            page = self.sfn.get_execution_history(**arguments)
            events.extend(page["events"])
            if "nextToken" not in page:
                return events
            arguments["nextToken"] = page["nextToken"]

    def queue_plan(self, shards: list[dict[str, str]], planned_at: int | None = None) -> None:
        """Make the next planner invocation return this plan."""
        plan = {"shards": shards, "skipped": {}, "work": {}, "planned_at": planned_at or int(time.time())}
        lambda_simple_backends[DEFAULT_ACCOUNT_ID][REGION].lambda_simple_results_queue.append(
            json.dumps(plan)
        )

    def run(self) -> dict[str, Any]:
        """Start one execution and wait until it ends; return describe_execution's answer."""
        execution_arn = self.sfn.start_execution(
            stateMachineArn=self.state_machine_arn, name=uuid.uuid4().hex, input="{}"
        )["executionArn"]
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


def failing_glue_api(operation: Callable[..., Any], faults: dict[str, list[str]]) -> Callable[..., Any]:
    """Wrap a moto Glue backend operation: it first raises the error codes queued for it, then works."""

    def call_or_fail(backend: Any, *args: Any, **kwargs: Any) -> Any:
        queued = faults.get(operation.__name__, [])
        if queued:
            code = queued.pop(0)
            raise GlueClientError(code, f"injected {code} on {operation.__name__}")
        return operation(backend, *args, **kwargs)

    return call_or_fail


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
        "glue_api_retry_interval_seconds": 1,
        "glue_api_retry_max_attempts": API_RETRY_MAX_ATTEMPTS,
        "athena_workgroup": WORKGROUP,
        "semantic_views_json": json.dumps(
            [{"view": view, "statement": statement} for view, statement in sorted(SEMANTIC_VIEWS.items())]
        ),
        "alert_topic_arn": topic_arn,
    }


def planner_zip() -> bytes:
    """Return a placeholder planner zip (moto's simple Lambda backend never runs it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return event\n")
    return buffer.getvalue()
