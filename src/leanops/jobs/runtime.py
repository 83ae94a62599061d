"""The job runtime: one run of a layer over the topics of its shard, each topic isolated.

Per topic: schema gate -> lock -> checkpoint vs the source's current snapshot (a metadata
check) -> incremental read -> transforms -> idempotent MERGEs -> checkpoint -> release lock.
One topic's failure is logged, alerted and reported; the other topics still run and commit.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from leanops import definitions, faults
from leanops.adapters import Alerter, AwsClients, CheckpointStore, ContractStore, LockStore
from leanops.adapters.iceberg_ddl import qualified_name
from leanops.adapters.locks import topic_lock_id
from leanops.exceptions import (
    ConfigurationError,
    ContractError,
    InjectedFaultError,
    LockHeldError,
    TopicFailuresError,
)
from leanops.jobs import iceberg_io, report
from leanops.jobs.context import TopicRun, WriteCounts
from leanops.jobs.curated import process_curated
from leanops.jobs.jsonlog import fields
from leanops.jobs.standardized import process_standardized
from leanops.settings import JobSettings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

logger = logging.getLogger(__name__)

LAYER_SETTING = "layer"
RUN_ID_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
RUN_ID_HEX_BYTES = 4

Processor = Callable[[TopicRun, "DataFrame"], WriteCounts]


@dataclass(frozen=True)
class Layer:
    """A layer of the pipeline as the runtime sees it: its source table and its processor."""

    name: str
    source_kind: str
    process: Processor


LAYERS = {
    definitions.STANDARDIZED: Layer(definitions.STANDARDIZED, definitions.RAW, process_standardized),
    definitions.CURATED: Layer(definitions.CURATED, definitions.STANDARDIZED, process_curated),
}


@dataclass(frozen=True)
class Services:
    """The AWS adapters of one run."""

    contracts: ContractStore
    checkpoints: CheckpointStore
    locks: LockStore
    alerter: Alerter

    @classmethod
    def from_settings(cls, settings: JobSettings, clients: AwsClients | None) -> Services:
        """Build the adapters, creating the boto3 clients that were not injected."""
        aws = (clients or AwsClients()).completed()
        return cls(
            contracts=ContractStore(settings.contracts_uri, aws.s3, settings.max_nesting_depth),
            checkpoints=CheckpointStore(settings.checkpoint_table, aws.dynamodb),
            locks=LockStore(settings.lock_table, aws.dynamodb),
            alerter=Alerter(settings.alert_topic_arn, aws.sns),
        )


def new_run_id(layer: str, now: datetime | None = None) -> str:
    """Return a run id: ``<layer>-<UTC yyyymmddThhmmssZ>-<8 hex>``."""
    moment = now or datetime.now(UTC)
    return f"{layer}-{moment.strftime(RUN_ID_TIME_FORMAT)}-{secrets.token_hex(RUN_ID_HEX_BYTES)}"


def run_layer(
    spark: SparkSession, layer: str, settings: JobSettings, clients: AwsClients | None = None
) -> report.JobReport:
    """Run one layer over every topic of ``settings.topics``, each topic isolated from the others.

    Args:
        spark: the session (its catalog holds the Iceberg tables).
        layer: ``standardized`` or ``curated``.
        settings: topics, contract location, checkpoint and lock tables, alert topic.
        clients: boto3 clients to use; missing ones are created.

    Returns:
        The report of the run, when no topic failed.

    Raises:
        ConfigurationError: for an unknown layer.
        InjectedFaultError: after every topic ran, when a fault was injected (a simulated crash).
        TopicFailuresError: after every topic ran, listing the topics that failed (with the report).

    """
    if layer not in LAYERS:
        raise ConfigurationError(LAYER_SETTING, f"unknown layer {layer!r}; known: {', '.join(LAYERS)}")
    layer_run = LayerRun(
        spark=spark,
        layer=LAYERS[layer],
        settings=settings,
        services=Services.from_settings(settings, clients),
        job_report=report.JobReport(
            layer=layer, run_id=settings.run_id or new_run_id(layer), started_at=datetime.now(UTC)
        ),
    )
    return layer_run.run()


@dataclass
class LayerRun:
    """One run of a layer: runs each topic in isolation and collects the outcomes."""

    spark: SparkSession
    layer: Layer
    settings: JobSettings
    services: Services
    job_report: report.JobReport
    injected: list[InjectedFaultError] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.job_report.run_id

    def run(self) -> report.JobReport:
        """Run every topic, log the summary, then raise if a topic failed (see run_layer)."""
        for topic in self.settings.topics:
            self.job_report.outcomes.append(self.isolated(topic))
        self.job_report.finished_at = datetime.now(UTC)
        logger.info(
            self.job_report.summary(), extra=fields(event="run_finished", report=self.job_report.to_dict())
        )
        if self.injected:
            raise self.injected[0]
        if self.job_report.failures:
            raise TopicFailuresError(
                self.layer.name, self.run_id, self.job_report.failures, report=self.job_report
            )
        return self.job_report

    def isolated(self, topic: str) -> report.TopicOutcome:
        """Run one topic; turn any exception into a failed outcome (logged with traceback, alerted)."""
        context = {"layer": self.layer.name, "run_id": self.run_id, "topic": topic}
        try:
            outcome = self.run_topic(topic)
        except Exception as exc:  # noqa: BLE001 - one topic's failure must not stop the others
            if isinstance(exc, InjectedFaultError):
                self.injected.append(exc)
            message = f"{type(exc).__name__}: {exc}"
            logger.exception(
                "topic %s failed: %s", topic, message, extra=fields(event="topic_failed", **context)
            )
            self.services.alerter.alert(
                f"Lean-Ops {self.layer.name} failed for topic {topic}", f"run {self.run_id}: {message}"
            )
            return report.TopicOutcome(topic=topic, status=report.FAILED, message=message)
        logger.info(
            "topic %s: %s %s",
            topic,
            outcome.status,
            outcome.message,
            extra=fields(event="topic_done", **context, outcome=asdict(outcome)),
        )
        return outcome

    def run_topic(self, topic: str) -> report.TopicOutcome:
        """Gate, lock, process the increment, release the lock."""
        definitions.validate_topic_name(topic)
        loaded = self.services.contracts.load_versioned(topic)
        if loaded.error is not None:
            self.alert_malformed_contract(topic, loaded.error, loaded.version)
            return report.TopicOutcome(topic=topic, status=report.CONTRACT_ERROR, message=str(loaded.error))
        contract = loaded.contract
        if contract is None:
            where = self.services.contracts.uri_of(topic)
            message = f"no contract at {where}: schema gate closed, data waits in RAW"
            return report.TopicOutcome(topic=topic, status=report.GATE_CLOSED, message=message)
        lock_id = topic_lock_id(topic)
        try:
            self.services.locks.acquire(lock_id, self.run_id, self.settings.lock_ttl_seconds)
        except LockHeldError as exc:
            return report.TopicOutcome(topic=topic, status=report.LOCKED, message=f"skipped: {exc}")
        try:
            run = TopicRun(
                self.spark, self.settings, self.layer.name, self.run_id, topic, contract, datetime.now(UTC)
            )
            return process_increment(run, self.layer, self.services.checkpoints)
        finally:
            self.services.locks.release(lock_id, self.run_id)

    def alert_malformed_contract(self, topic: str, error: ContractError, version: str | None) -> None:
        """Alert on SNS once per (topic, contract version); later cycles only log it."""
        if version is not None and not self.services.checkpoints.claim_contract_alert(
            topic, version, self.run_id
        ):
            logger.warning("contract of topic %s (version %s) is still malformed: %s", topic, version, error)
            return
        self.services.alerter.alert(
            f"Lean-Ops contract of topic {topic} is malformed", f"{error} (version {version})"
        )


def process_increment(run: TopicRun, layer: Layer, checkpoints: CheckpointStore) -> report.TopicOutcome:
    """Compare the checkpoint with the source's current snapshot; process what is new; advance.

    Raises:
        InjectedFaultError: at the fault points (before the first write, after the last one).
        CheckpointConflictError: when another run moved the checkpoint meanwhile.

    """
    source = qualified_name(definitions.table(layer.source_kind), run.topic)
    if not iceberg_io.table_exists(run.spark, source):
        return report.TopicOutcome(
            run.topic, report.NO_NEW_DATA, message=f"source table {source} does not exist yet"
        )
    checkpoint = checkpoints.get(run.topic, layer.name)
    current, _ = iceberg_io.current_snapshot(run.spark, source, refresh=True)
    if current is None or current == checkpoint:
        message = f"{source} unchanged since snapshot {checkpoint}"
        return report.TopicOutcome(
            run.topic, report.NO_NEW_DATA, message=message, source_snapshot_id=checkpoint
        )
    counts = layer.process(run, iceberg_io.read_increment(run.spark, source, checkpoint, current))
    faults.maybe_fail(faults.JOB_CRASH_AFTER_COMMIT, run.where)
    checkpoints.advance(run.topic, layer.name, checkpoint, current, run.run_id)
    return report.TopicOutcome(
        topic=run.topic,
        status=report.PROCESSED,
        rows_read=counts.rows_read,
        rows_written=counts.rows_written,
        parse_errors=counts.parse_errors,
        curated_errors=counts.curated_errors,
        message=f"{source} processed from snapshot {checkpoint} to {current}",
        source_snapshot_id=current,
    )
