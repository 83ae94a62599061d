"""The local pipeline: one object that plays AWS's managed parts around the real code.

Usable from the CLI (its own moto server and SparkSession, state kept in LEANOPS_HOME) and from
tests (an existing SparkSession, moto endpoint and Glue worker; scenarios isolated by unique
topic names). The Lambdas run from their built zips and the Glue jobs from the built bundle, in
worker processes (leanops.local.workers); the Lambdas' Firehose client talks to this pipeline's
Firehose endpoint (leanops.local.firehose_endpoint).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from botocore.exceptions import ClientError

from leanops import definitions, faults
from leanops.adapters.checkpoints import LAYER_KEY, TOPIC_KEY
from leanops.local import deployed
from leanops.local.aws import SERVICES, LocalAws, patched_environ
from leanops.local.catalog import local_catalog, prepare_catalog
from leanops.local.config import (
    CONTRACTS_PREFIX,
    DLQ_ARCHIVER,
    FIREHOSE_TRANSFORM,
    RUNS_FILE,
    SQS_PROCESSOR,
    ResourceNames,
    TopicRegistry,
    TopicSettings,
    lambda_environment,
    repo_contract_files,
)
from leanops.local.cycle import CycleReport, run_cycle
from leanops.local.delivery import CONCURRENT_BATCHES, PollReport, QueuePoller
from leanops.local.firehose import FirehoseStreams, FlushReport
from leanops.local.firehose_endpoint import ENDPOINT_ENV as FIREHOSE_ENDPOINT_ENV
from leanops.local.firehose_endpoint import FirehoseEndpoint
from leanops.local.ledger import Ledger
from leanops.local.provision import provision_shared, provision_topic
from leanops.local.sender import SendReport, send_file
from leanops.local.session import start_local_session
from leanops.local.workers import GlueWorker, LambdaFunction

LOGGER = logging.getLogger(__name__)
FIREHOSE_DIR = "firehose"
# The SDK's own retries off: the handlers' retry policy retries Firehose (LEANOPS_FIREHOSE_*),
# so each injected throttle or partial failure reaches them as it did in process.
SDK_MAX_ATTEMPTS = {"AWS_MAX_ATTEMPTS": "1"}
QUEUE_MISSING = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


@dataclass(frozen=True)
class TopicRemoval:
    """What ``remove_topic`` removed; ``kept``: the shared tables that keep the topic's rows."""

    topic: str
    queues: tuple[str, ...]
    contract: str
    tables: tuple[str, ...]
    checkpoints: tuple[str, ...]
    ledger_entries: int
    kept: tuple[str, ...]


@dataclass
class RunReport:
    """What ``run`` did: the delivery through the Lambdas and Firehose, then the cycle."""

    polls: list[PollReport] = field(default_factory=list)
    flush: FlushReport = field(default_factory=FlushReport)
    cycle: CycleReport | None = None

    @property
    def ok(self) -> bool:
        """True when the cycle's jobs all succeeded."""
        return self.cycle is None or self.cycle.ok

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "polls": [asdict(poll) for poll in self.polls],
            "flush": asdict(self.flush),
            "cycle": self.cycle.as_dict() if self.cycle else None,
            "ok": self.ok,
        }


class LocalPipeline:
    """The local emulation of one environment under LEANOPS_HOME."""

    def __init__(
        self,
        home: Path,
        spark: Any = None,
        endpoint: str | None = None,
        names: ResourceNames | None = None,
        glue: GlueWorker | None = None,
    ) -> None:
        """Prepare the pipeline; use it as a context manager.

        Args:
            home: LEANOPS_HOME (catalog, warehouse, moto snapshot, ledger, topics map).
            spark: an existing local SparkSession over the same catalog (queries); started lazily if None.
            endpoint: an existing moto server URL; an in-process one (with snapshots) if None.
            names: resource names (prefix) of the environment.
            glue: an existing Glue worker over the same home (tests share one); else one is
                started on the first job and stopped on exit.

        """
        self.home = home
        self.names = names or ResourceNames()
        self.aws = LocalAws(home, endpoint)
        self.registry = TopicRegistry(home)
        self.ledger = Ledger(home)
        self._spark = spark
        self._owns_spark = spark is None
        self.glue = glue or GlueWorker(home)
        self._owns_glue = glue is None
        self.clients: dict[str, Any] = {}
        self.catalog: Any = None
        self._lambdas: dict[str, LambdaFunction] = {}
        self.streams: FirehoseStreams | None = None
        self.firehose_endpoint: FirehoseEndpoint | None = None

    def __enter__(self) -> LocalPipeline:
        self.aws.__enter__()
        self.clients = {name: self.aws.client(name) for name in SERVICES}
        prepare_catalog(self.home)
        self.catalog = local_catalog(self.home)
        provision_shared(self.clients, self.names, self.catalog)
        self.streams = FirehoseStreams(
            self.home / FIREHOSE_DIR,
            self.catalog,
            self.clients["s3"],
            self.names.data_bucket,
            self.lambda_function(FIREHOSE_TRANSFORM),
            lambda: self.names.firehose_streams,
        )
        self.firehose_endpoint = FirehoseEndpoint(self.streams)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for function in self._lambdas.values():
            function.stop()
        if self.firehose_endpoint is not None:
            self.firehose_endpoint.stop()
        if self._owns_glue:
            self.glue.stop()
        if self._owns_spark and self._spark is not None:
            self._spark.stop()
            self._spark = None
        self.aws.__exit__(exc_type, exc, tb)

    @property
    def spark(self) -> Any:
        """The SparkSession of the jobs and queries (started on first use when not given)."""
        if self._spark is None:
            LOGGER.info("starting local Spark")
            self._spark = start_local_session(self.home)
        return self._spark

    # -- topics and contracts -------------------------------------------------------------
    def register_topic(self, topic: str, settings: TopicSettings | None = None) -> str:
        """Declare a topic (queue, DLQ, RAW table), as adding it to Terraform's topics does."""
        chosen = self.registry.add(topic, settings)
        return provision_topic(self.clients, self.names, self.catalog, topic, chosen)

    def topics(self) -> dict[str, TopicSettings]:
        """Return the declared topics."""
        return self.registry.load()

    def checkpoint_items(self, topic: str) -> list[dict[str, Any]]:
        """Return the topic's checkpoint items (DynamoDB, one per layer), as DynamoDB returns them."""
        response = self.clients["dynamodb"].query(
            TableName=self.names.checkpoint_table,
            KeyConditionExpression=f"{TOPIC_KEY} = :topic",
            ExpressionAttributeValues={":topic": {"S": topic}},
        )
        return list(response.get("Items", []))

    def remove_topic(self, topic: str) -> TopicRemoval:
        """Remove a declared topic, as taking it out of Terraform's topics and dropping its tables does.

        Its queue and DLQ (with what waits in them), its contract, its per-topic tables (RAW,
        standardized, curated; purged: data and metadata files; the column mapping lives in the
        standardized table's properties and goes with it), its checkpoints, its ledger entries
        and its registry entry. The shared tables (dlq_errors, parse_errors, errors, drift_log)
        keep the topic's rows: they are history. Idempotent: what is already gone is skipped.
        What Firehose still buffers (a delivery that died before its flush) is delivered first,
        as Firehose would, so no record is left for a dropped table.
        """
        self.firehose().flush()
        queues = tuple(
            name for name in (self.names.queue(topic), self.names.dlq(topic)) if self._delete_queue(name)
        )
        key = f"{CONTRACTS_PREFIX}{topic}.json"
        self.clients["s3"].delete_object(Bucket=self.names.schemas_bucket, Key=key)
        tables = tuple(
            table.identifier(topic)
            for table in definitions.all_tables()
            if table.per_topic and self._purge_table(table.identifier(topic))
        )
        layers = []
        for item in self.checkpoint_items(topic):
            key_of_item = {name: item[name] for name in (TOPIC_KEY, LAYER_KEY)}
            self.clients["dynamodb"].delete_item(TableName=self.names.checkpoint_table, Key=key_of_item)
            layers.append(item[LAYER_KEY]["S"])
        forgotten = self.ledger.forget(topic)
        self.registry.remove(topic)
        kept = tuple(table.identifier() for table in definitions.all_tables() if not table.per_topic)
        return TopicRemoval(
            topic, queues, f"s3://{self.names.schemas_bucket}/{key}", tables, tuple(layers), forgotten, kept
        )

    def _delete_queue(self, name: str) -> bool:
        try:
            url = self.clients["sqs"].get_queue_url(QueueName=name)["QueueUrl"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] in QUEUE_MISSING:
                return False
            raise
        self.clients["sqs"].delete_queue(QueueUrl=url)
        return True

    def _purge_table(self, identifier: str) -> bool:
        if not self.catalog.table_exists(identifier):
            return False
        self.catalog.purge_table(identifier)
        return True

    def upload_contract(self, topic: str, text: str | bytes) -> str:
        """Upload a contract as is (a malformed one is rejected by the jobs, topic by topic)."""
        key = f"{CONTRACTS_PREFIX}{topic}.json"
        body = text.encode("utf-8") if isinstance(text, str) else text
        self.clients["s3"].put_object(Bucket=self.names.schemas_bucket, Key=key, Body=body)
        self.register_topic(topic)
        return f"s3://{self.names.schemas_bucket}/{key}"

    def upload_repo_contracts(self) -> list[str]:
        """Upload the repo's own contracts (``schemas/topics/*.json``)."""
        return [
            self.upload_contract(topic, path.read_bytes()) for topic, path in repo_contract_files().items()
        ]

    # -- send, deliver, cycle ---------------------------------------------------------------
    def send(self, topic: str, path: Path) -> SendReport:
        """Send each line of ``path`` as one message of ``topic`` (creating the topic if new)."""
        queue_url = self.register_topic(topic)
        return send_file(self.clients["sqs"], queue_url, topic, path, self.ledger)

    def firehose(self) -> FirehoseStreams:
        """Return the local delivery streams (what the Firehose endpoint serves)."""
        if self.streams is None:
            raise RuntimeError("LocalPipeline is used outside its with block")
        return self.streams

    def lambda_function(self, function: str) -> LambdaFunction:
        """Return Lambda ``function`` of the built zips (its worker starts on first invocation)."""
        if function not in self._lambdas:
            self._lambdas[function] = LambdaFunction(function, lambda: self._lambda_environment(function))
        return self._lambdas[function]

    def _lambda_environment(self, function: str) -> dict[str, str]:
        """Return the function's environment now: its settings, the endpoints, this run's fault plan."""
        endpoint = self.firehose_endpoint.url if self.firehose_endpoint is not None else ""
        return {
            **lambda_environment(self.names, function),
            **self.aws.job_environment(),
            **SDK_MAX_ATTEMPTS,
            FIREHOSE_ENDPOINT_ENV: endpoint,
            faults.FAULTS_ENV: os.environ.get(faults.FAULTS_ENV, ""),
        }

    def _drain(self, function: str, queue_names: dict[str, str], report: RunReport) -> None:
        handler = self.lambda_function(function)
        topics = self.topics()
        # a DLQ mapping's scaling_config caps its batches in flight (modules/ingestion)
        concurrency = (
            deployed.DLQ_ARCHIVER_MAXIMUM_CONCURRENCY if function == DLQ_ARCHIVER else CONCURRENT_BATCHES
        )
        for queue_name, topic in queue_names.items():
            queue_url = self.clients["sqs"].get_queue_url(QueueName=queue_name)["QueueUrl"]
            poller = QueuePoller(
                self.clients["sqs"],
                queue_url,
                self.names.queue_arn(queue_name),
                topics[topic],
                f"{self.names.prefix}-{function}",
                concurrency,
            )
            poll = poller.drain(handler)
            if poll.invocations:
                LOGGER.info(
                    "%s: delivered %d, retried %d, crashes %d",
                    queue_name,
                    poll.delivered,
                    poll.retried,
                    poll.crashes,
                )
            report.polls.append(poll)

    def deliver(self, topics: list[str] | None = None, fault_plan: str | None = None) -> RunReport:
        """Deliver what waits in the topic queues, then the DLQs, then flush Firehose.

        Args:
            topics: the topics to deliver (default: every declared topic).
            fault_plan: LEANOPS_FAULTS text for this delivery (None: no faults).

        """
        report = RunReport()
        chosen = topics if topics is not None else sorted(self.topics())
        with patched_environ({faults.FAULTS_ENV: fault_plan or ""}):
            self._drain(SQS_PROCESSOR, {self.names.queue(t): t for t in chosen}, report)
            self._drain(DLQ_ARCHIVER, {self.names.dlq(t): t for t in chosen}, report)
            report.flush = self.firehose().flush()
        LOGGER.info(
            "firehose: appended %s, %d records to firehose-errors/",
            report.flush.appended,
            report.flush.failed,
        )
        return report

    def run(self, topics: list[str] | None = None, fault_plan: str | None = None) -> RunReport:
        """Deliver, then one orchestration cycle over ``topics`` (default: every topic)."""
        chosen = topics if topics is not None else sorted(self.topics())
        if fault_plan:
            # A fresh fault stream per run, deterministic for a seed and the run history.
            fault_plan = f"{fault_plan};cycle={self._runs_so_far()}"
        report = self.deliver(chosen, fault_plan)
        environment = {faults.FAULTS_ENV: fault_plan or "", **self.aws.job_environment()}
        report.cycle = run_cycle(self.clients, self.names, self.catalog, chosen, self.glue, environment)
        self._record_run(report)
        return report

    def _record_run(self, report: RunReport) -> None:
        with (self.home / RUNS_FILE).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(report.as_dict(), default=str) + "\n")

    def runs(self) -> list[dict[str, Any]]:
        """Return the report of every run so far, oldest first."""
        path = self.home / RUNS_FILE
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def _runs_so_far(self) -> int:
        return len(self.runs())

    def last_run(self) -> dict[str, Any] | None:
        """Return the report of the latest run, if any."""
        runs = self.runs()
        return runs[-1] if runs else None
