"""The jobs' world for the benchmark: local AWS, the catalog, seeded RAW tables, timed layer runs.

What the local runner sets up (leanops.local.provision: buckets, checkpoint and lock tables,
SNS, databases) on moto's server, the topic's contract in ``contracts/``, RAW appended with
pyiceberg as the local Firehose appends it (leanops.local.rows), and each layer run as the Glue
entry scripts run it (``scripts/glue/*.py`` -> leanops.jobs.entry.run_entry -> ``run_layer``),
with the job arguments the local runner passes (leanops.local.cycle.job_arguments).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from spark_probe import MergeRecorder, MergeScan, job_group

from leanops import definitions
from leanops.adapters import AwsClients
from leanops.contracts import CONTRACT_SUFFIX
from leanops.jobs.entry import job_arguments as entry_arguments
from leanops.jobs.runtime import run_layer
from leanops.local.config import CONTRACTS_PREFIX, ResourceNames, repo_root
from leanops.local.cycle import job_arguments
from leanops.local.provision import provision_shared
from leanops.local.rows import arrow_table_for
from leanops.local.tables import ensure_topic_tables
from leanops.settings import JobSettings

APPEND_CHUNK = 100_000  # rows per pyiceberg append (bounds the generator's memory at 1M)
LAYERS = (definitions.STANDARDIZED, definitions.CURATED)


def _client_like(client: Any, service: str) -> Any:
    """Return a boto3 client of ``service`` on ``client``'s endpoint and region (moto's server)."""
    import boto3

    return boto3.client(service, endpoint_url=client.meta.endpoint_url, region_name=client.meta.region_name)


@dataclass
class LayerRun:
    """One timed run of one layer over one topic."""

    layer: str
    seconds: float
    spark_jobs: int
    merges: list[MergeScan] = field(default_factory=list)


@dataclass
class JobWorld:
    """Local AWS + catalog + session, ready to seed topics and run the layers."""

    spark: Any
    catalog: Any
    clients: dict[str, Any]
    names: ResourceNames
    runs: int = 0

    @classmethod
    def provisioned(cls, spark: Any, catalog: Any, clients: dict[str, Any], names: ResourceNames) -> JobWorld:
        """Create what Terraform creates (shared part) and return the world."""
        provision_shared(clients, names, catalog)
        return cls(spark, catalog, clients, names)

    def add_topic(self, topic: str) -> None:
        """Create the topic's RAW table and upload its contract (the repo's orders contract)."""
        ensure_topic_tables(self.catalog, topic)
        contract = json.loads((repo_root() / "schemas" / "topics" / "orders.json").read_text())
        contract["topic"] = topic
        self.clients["s3"].put_object(
            Bucket=self.names.schemas_bucket,
            Key=f"{CONTRACTS_PREFIX}{topic}{CONTRACT_SUFFIX}",
            Body=json.dumps(contract).encode("utf-8"),
        )

    def append_raw(self, topic: str, rows: Iterable[dict[str, Any]]) -> int:
        """Append rows to the topic's RAW table as the local Firehose does; return the rows written."""
        table = self.catalog.load_table(definitions.table(definitions.RAW).identifier(topic))
        written = 0
        iterator: Iterator[dict[str, Any]] = iter(rows)
        while chunk := list(islice(iterator, APPEND_CHUNK)):
            arrow, rejected = arrow_table_for(table.schema(), chunk)
            if rejected:
                raise ValueError(f"generator produced rows RAW refuses: {rejected[:3]}")
            table.append(arrow)
            written += arrow.num_rows
        return written

    def settings(self, topic: str) -> JobSettings:
        """Return the job settings of a run over ``topic``, parsed from the runner's job arguments."""
        self.runs += 1
        argv = job_arguments(self.names, [topic], f"bench-{self.runs}")
        return JobSettings.from_mapping(entry_arguments(argv, environ={}))

    def run_layer(self, layer: str, topic: str) -> LayerRun:
        """Run one layer over one topic; time it, count its Spark jobs, record its MERGEs' scans."""
        aws = self.clients
        if "kms" not in aws:  # the PII key's client: the same moto server as the others
            aws["kms"] = _client_like(aws["s3"], "kms")
        clients = AwsClients(s3=aws["s3"], dynamodb=aws["dynamodb"], sns=aws["sns"], kms=aws["kms"])
        recorder = MergeRecorder(self.spark)
        settings = self.settings(topic)
        group = f"bench-{layer}-{topic}-{self.runs}"
        with job_group(self.spark, group) as jobs, recorder.recording() as merges:
            started = time.perf_counter()
            report = run_layer(self.spark, layer, settings, clients)
            seconds = time.perf_counter() - started
        if report.failures:
            raise RuntimeError(f"{layer} failed for {topic}: {report.failures}")
        for merge in merges:
            merge.count_table_files(self.spark)
        return LayerRun(layer, seconds, len(jobs), list(merges))

    def cycle(self, topic: str) -> dict[str, LayerRun]:
        """Run standardized then curated over ``topic`` (one orchestration cycle of its shard)."""
        return {layer: self.run_layer(layer, topic) for layer in LAYERS}
