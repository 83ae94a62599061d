"""The job runtime: one run of a layer over the topics of its shard, each topic isolated.

Per topic: schema gate -> lock -> checkpoint vs the source's current snapshot (a metadata
check) -> incremental read -> transforms -> idempotent MERGEs -> checkpoint -> release lock.
One topic's failure is logged, alerted and reported; the other topics still run and commit.

A curated topic with a pending rebuild request (leanops.adapters.checkpoints, recorded by
``schema --rebuild`` or by the job argument ``LEANOPS_REBUILD_TOPICS``) is rebuilt instead: the
whole standardized table at its current snapshot, under the contract in force, replaces the
topic's curated table and its rows of curated ``errors``; then the checkpoint moves to that
snapshot, and only then is the request cleared. A crash anywhere leaves the request pending: the
next run rebuilds again, and since a rebuild replaces what it writes, nothing doubles.
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
from leanops.adapters.checkpoints import RebuildRequest
from leanops.adapters.iceberg_ddl import qualified_name
from leanops.adapters.locks import topic_lock_id
from leanops.adapters.pii_key import PiiKey
from leanops.adapters.table_grants import TableGrants
from leanops.exceptions import (
    ConfigurationError,
    ContractError,
    InjectedFaultError,
    LockHeldError,
    TopicFailuresError,
)
from leanops.jobs import iceberg_io, report
from leanops.jobs.context import TopicRun, WriteCounts
from leanops.jobs.curated import process_curated, rebuild_curated
from leanops.jobs.jsonlog import fields
from leanops.jobs.standardized import process_standardized
from leanops.settings import REBUILD_TOPICS, JobSettings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

logger = logging.getLogger(__name__)

LAYER_SETTING = "layer"
RUN_ID_TIME_FORMAT = "%Y%m%dT%H%M%SZ"
RUN_ID_HEX_BYTES = 4

Processor = Callable[[TopicRun, "DataFrame"], WriteCounts]


@dataclass(frozen=True)
class Layer:
    """A layer of the pipeline as the runtime sees it: its source table and its processor.

    ``rebuild`` recomputes the layer's tables of a topic from the whole source table (None: the
    layer has no rebuild).
    """

    name: str
    source_kind: str
    process: Processor
    rebuild: Processor | None = None


LAYERS = {
    definitions.STANDARDIZED: Layer(definitions.STANDARDIZED, definitions.RAW, process_standardized),
    definitions.CURATED: Layer(
        definitions.CURATED, definitions.STANDARDIZED, process_curated, rebuild=rebuild_curated
    ),
}


@dataclass(frozen=True)
class Services:
    """The AWS adapters of one run."""

    contracts: ContractStore
    checkpoints: CheckpointStore
    locks: LockStore
    alerter: Alerter
    pii_key: PiiKey
    table_grants: TableGrants

    @classmethod
    def from_settings(cls, settings: JobSettings, clients: AwsClients | None) -> Services:
        """Build the adapters, creating the boto3 clients that were not injected."""
        aws = (clients or AwsClients()).completed()
        alerter = Alerter(settings.alert_topic_arn, aws.sns)
        return cls(
            contracts=ContractStore(settings.contracts_uri, aws.s3, settings.max_nesting_depth),
            checkpoints=CheckpointStore(settings.checkpoint_table, aws.dynamodb),
            locks=LockStore(settings.lock_table, aws.dynamodb),
            alerter=alerter,
            pii_key=PiiKey(settings.pii_key_id, aws.kms),
            table_grants=TableGrants(settings.analyst_principals, alerter, aws.lakeformation),
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
                self.spark,
                self.settings,
                self.layer.name,
                self.run_id,
                topic,
                contract,
                datetime.now(UTC),
                contract_version=loaded.version,
                pii_key=self.services.pii_key if self.services.pii_key.configured else None,
                table_grants=self.services.table_grants if self.services.table_grants.configured else None,
            )
            request = self.rebuild_request(topic, loaded.version)
            if request is not None:
                return process_rebuild(run, self.layer, self.services.checkpoints, request)
            return process_increment(run, self.layer, self.services.checkpoints)
        finally:
            self.services.locks.release(lock_id, self.run_id)

    def rebuild_request(self, topic: str, contract_version: str | None) -> RebuildRequest | None:
        """Return the topic's pending rebuild, recording one first when the job argument names it.

        Recorded, a rebuild asked by argument survives a crash: the next run (a scheduled cycle
        included) finishes it. None for a layer without a rebuild.
        """
        if self.layer.rebuild is None:
            return None
        pending = self.services.checkpoints.rebuild_request(topic)
        if pending is None and topic in self.settings.rebuild_topics:
            who = f"job argument {REBUILD_TOPICS} of run {self.run_id}"
            pending = self.services.checkpoints.request_rebuild(topic, contract_version, who)
        return pending

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
    if checkpoint is not None and iceberg_io.only_replaced_since(run.spark, source, checkpoint, current):
        # Only compaction since the checkpoint (maintenance): no row to read, move over it.
        checkpoints.advance(run.topic, layer.name, checkpoint, current, run.run_id)
        message = f"{source}: only compaction since {checkpoint}: checkpoint moved to {current}"
        return report.TopicOutcome(run.topic, report.NO_NEW_DATA, message=message, source_snapshot_id=current)
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


def process_rebuild(
    run: TopicRun, layer: Layer, checkpoints: CheckpointStore, request: RebuildRequest
) -> report.TopicOutcome:
    """Rebuild a topic's layer from the whole source table; advance the checkpoint; clear the request.

    Raises:
        ConfigurationError: for a layer without a rebuild.
        InjectedFaultError: at the fault points (before the first write, after the last one).
        CheckpointConflictError: when another run moved the checkpoint meanwhile.

    """
    if layer.rebuild is None:
        raise ConfigurationError(LAYER_SETTING, f"layer {layer.name} has no rebuild")
    source = qualified_name(definitions.table(layer.source_kind), run.topic)
    current = None
    if iceberg_io.table_exists(run.spark, source):
        current, _ = iceberg_io.current_snapshot(run.spark, source, refresh=True)
    if current is None:
        # Nothing to rebuild from: the first increment reads the whole table under this contract.
        checkpoints.clear_rebuild(request)
        message = f"rebuild {request.describe()}: {source} absent or empty: nothing to rebuild (cleared)"
        return report.TopicOutcome(run.topic, report.NO_NEW_DATA, message=message)
    checkpoint = checkpoints.get(run.topic, layer.name)
    counts = layer.rebuild(run, iceberg_io.read_increment(run.spark, source, None, current))
    faults.maybe_fail(faults.JOB_CRASH_AFTER_COMMIT, run.where)
    # Also when equal (nothing new since the last increment): still conditional on what was read.
    checkpoints.advance(run.topic, layer.name, checkpoint, current, run.run_id)
    message = (
        f"rebuilt from the whole of {source} at snapshot {current} under contract version "
        f"{run.contract_version or 'unknown'} (rebuild {request.describe()})"
    )
    if not checkpoints.clear_rebuild(request):
        message += "; a newer rebuild request arrived meanwhile: it stays pending for the next run"
    return report.TopicOutcome(
        topic=run.topic,
        status=report.REBUILT,
        rows_read=counts.rows_read,
        rows_written=counts.rows_written,
        curated_errors=counts.curated_errors,
        message=message,
        source_snapshot_id=current,
    )
