"""What a layer's processor gets for one topic of one run, and what it gives back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from leanops.contracts import Contract
from leanops.settings import JobSettings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from leanops.adapters.table_grants import TableGrants


@dataclass(frozen=True)
class TopicRun:
    """One topic in one run of a layer.

    Attributes:
        spark: the session.
        settings: the run's settings.
        layer: ``standardized`` or ``curated``.
        run_id: the run's id, written into every row.
        topic: the topic.
        contract: the topic's contract (the schema gate is open).
        written_at: the time stamped on the rows this run writes.
        contract_version: the contract object read (S3 VersionId or ETag), when known.
        pii_key: returns the stack's key of ``pii: hash`` fields (leanops.adapters.pii_key),
            derived once per run on first use; None: no key configured.
        table_grants: grants the analysts read on the tables the run creates
            (leanops.adapters.table_grants); None: no analyst principals configured.

    """

    spark: SparkSession
    settings: JobSettings
    layer: str
    run_id: str
    topic: str
    contract: Contract
    written_at: datetime
    contract_version: str | None = None
    pii_key: Callable[[], bytes] | None = field(default=None, repr=False)
    table_grants: TableGrants | None = field(default=None, repr=False)

    @property
    def where(self) -> str:
        """Where in the pipeline this is, for fault points and messages."""
        return f"{self.layer}/{self.topic} run {self.run_id}"


@dataclass(frozen=True)
class WriteCounts:
    """What a processor wrote for one increment.

    Attributes:
        rows_read: source rows in the increment.
        rows_written: records the layer's table gained.
        parse_errors: parse errors found (standardized).
        curated_errors: contract failures found (curated).

    """

    rows_read: int
    rows_written: int = 0
    parse_errors: int = 0
    curated_errors: int = 0
