"""One orchestration cycle, as the Step Functions state machine runs it: plan -> standardized -> curated.

The plan is the cycle planner's (leanops.planner, the Lambda the state machine calls first), here
reading table states from the local catalog: the schema gate, and a topic with no new data costs
a metadata check, not a job. The Glue entry scripts of the built bundle run in the Glue worker
(leanops.local.workers.GlueWorker: ``main(argv, spark=...)`` with the job arguments Terraform
gives them, boto3 inside them reaching moto through ``AWS_ENDPOINT_URL``); the worker, and its
JVM, start only when a topic has work. As in the state machine, a failed job stops the cycle and
raises an SNS alert; the next cycle converges (checkpoints, idempotent MERGEs).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from leanops import settings
from leanops.adapters.contract_store import ContractStore
from leanops.adapters.pii_key import pii_key_alias
from leanops.local import deployed
from leanops.local.config import ResourceNames
from leanops.local.progress import progress
from leanops.local.workers import WorkerError
from leanops.planner import GATE_CLOSED, CatalogTableStateReader, CyclePlan, CyclePlanner

LOGGER = logging.getLogger(__name__)
JOBS = ("standardized", "curated")
LOCAL_SHARD = "local"
# The jobs' structured log events (leanops.jobs.runtime) that end one topic of a run.
TOPIC_END_EVENTS = frozenset(("topic_done", "topic_failed"))


class GlueJobs(Protocol):
    """Runs a Glue job of the bundle (leanops.local.workers.GlueWorker)."""

    def run(
        self,
        job: str,
        argv: list[str],
        environment: Mapping[str, str],
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        """Run ``job`` with ``argv``; return ``{"ok", "summary", "report", "error"}``.

        ``on_event`` gets the job's structured log events as they come (``topic_done``, ...).
        """


@dataclass
class JobOutcome:
    """How one job run ended."""

    job: str
    ok: bool
    detail: str
    topics: list[dict[str, Any]] = field(default_factory=list)

    def topic(self, name: str) -> dict[str, Any] | None:
        """Return the job's outcome for one topic (status, message, counts), if it handled it."""
        return next((outcome for outcome in self.topics if outcome.get("topic") == name), None)


@dataclass
class CycleReport:
    """What one cycle did: planned topics, skipped topics (with reasons) and each job's outcome."""

    run_id: str
    started_at: str
    gated: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    jobs: list[JobOutcome] = field(default_factory=list)
    finished_at: str = ""

    @property
    def ok(self) -> bool:
        """True when every job that ran succeeded."""
        return all(job.ok for job in self.jobs)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {**asdict(self), "ok": self.ok}


def plan_cycle(clients: dict[str, Any], names: ResourceNames, catalog: Any, topics: list[str]) -> CyclePlan:
    """Plan the cycle with the planner AWS runs, reading table states from the local catalog."""
    planner = CyclePlanner(
        ContractStore(names.contracts_uri, clients["s3"]),
        names.checkpoint_table,
        clients["dynamodb"],
        CatalogTableStateReader(catalog),
    )
    return planner.plan({LOCAL_SHARD: topics})


def job_arguments(names: ResourceNames, topics: list[str], run_id: str) -> list[str]:
    """Return the Glue job arguments of a run over ``topics``."""
    values = {
        settings.TOPICS: ",".join(topics),
        settings.CONTRACTS_URI: names.contracts_uri,
        settings.CHECKPOINT_TABLE: names.checkpoint_table,
        settings.LOCK_TABLE: names.lock_table,
        settings.ALERT_TOPIC_ARN: names.alert_topic_arn,
        settings.LOCK_TTL_SECONDS: str(deployed.GLUE_LOCK_TTL_SECONDS),
        settings.DRIFT_VANISH_DAYS: str(deployed.GLUE_DRIFT_VANISH_DAYS),
        settings.RUN_ID: run_id,
        settings.PII_KEY_ID: pii_key_alias(names.prefix),
    }
    return [part for key, value in values.items() for part in (f"--{key}", value)]


def _topic_outcomes(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((report or {}).get("topics", []))


def _run_job(
    job: str, topics: list[str], argv: list[str], glue: GlueJobs, environment: Mapping[str, str]
) -> JobOutcome:
    LOGGER.info("job %s: topics %s", job, ",".join(topics))
    with progress(f"job {job} (topics)", total=len(topics)) as advance:
        ended: set[str] = set()

        def on_event(event: dict[str, Any]) -> None:
            # a line of the previous job may still be on its way: count this job's (layer's) alone
            if event.get("layer") != job:
                return
            if event.get("event") in TOPIC_END_EVENTS and event.get("topic") not in ended:
                ended.add(str(event.get("topic")))
                advance(1)

        try:
            response = glue.run(job, argv, environment, on_event)
        except WorkerError as exc:  # the Glue worker died (e.g. its JVM): a failed job run
            response = {"ok": False, "error": str(exc)}
        # a topic whose last log line was still on its way when the job answered
        advance(len({outcome.get("topic") for outcome in _topic_outcomes(response.get("report"))} - ended))
    report, summary = response.get("report"), response.get("summary")
    if not response.get("ok"):
        LOGGER.debug("%s", response.get("traceback", ""))
        detail = str(response.get("error")) + (f" ({summary})" if summary else "")
        LOGGER.error("job %s failed: %s", job, detail)
        return JobOutcome(job, False, detail, _topic_outcomes(report))
    LOGGER.debug("%s", summary)  # the job logged it (relayed from its worker)
    for outcome in _topic_outcomes(report):
        if outcome.get("message"):
            LOGGER.debug(
                "job %s, topic %s: %s: %s",
                job,
                outcome.get("topic"),
                outcome.get("status"),
                outcome["message"],
            )
    return JobOutcome(job, True, str(summary), _topic_outcomes(report))


def _alert(sns: Any, names: ResourceNames, report: CycleReport) -> None:
    failed = [job for job in report.jobs if not job.ok]
    message = {"run_id": report.run_id, "failed_jobs": [asdict(job) for job in failed]}
    sns.publish(TopicArn=names.alert_topic_arn, Subject="Lean-Ops cycle failed", Message=json.dumps(message))


def run_cycle(
    clients: dict[str, Any],
    names: ResourceNames,
    catalog: Any,
    topics: list[str],
    glue: GlueJobs,
    environment: Mapping[str, str],
) -> CycleReport:
    """Run plan -> standardized -> curated over ``topics``; a failed job stops the cycle.

    Args:
        clients: boto3 clients by service name (s3, dynamodb, sns).
        names: the environment's resource names.
        catalog: the local pyiceberg catalog (the planner reads table states there).
        topics: the topics of this cycle.
        glue: runs the Glue jobs (its worker starts only when a topic has work).
        environment: the jobs' environment for this cycle (AWS endpoint, fault plan).

    """
    now = datetime.now(UTC)
    report = CycleReport(
        run_id=f"local-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", started_at=now.isoformat()
    )
    plan = plan_cycle(clients, names, catalog, topics)
    report.gated = [topic for topic in topics if topic in plan["work"]]
    report.skipped = dict(plan["skipped"])
    report.waiting = [topic for topic, reason in plan["skipped"].items() if reason.startswith(GATE_CLOSED)]
    for topic, reason in plan["skipped"].items():
        LOGGER.info("topic %s skipped this cycle: %s", topic, reason)
    if report.gated:
        argv = job_arguments(names, report.gated, report.run_id)
        for job in JOBS:
            outcome = _run_job(job, report.gated, argv, glue, environment)
            report.jobs.append(outcome)
            if not outcome.ok:
                _alert(clients["sns"], names, report)
                break
    report.finished_at = datetime.now(UTC).isoformat()
    return report
