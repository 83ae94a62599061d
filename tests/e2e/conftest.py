"""The local pipeline of the e2e tests: the session's SparkSession, moto server and Glue worker.

Scenarios are isolated by unique topic names (the catalog is fixed per Spark session).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leanops.local.config import ResourceNames
from leanops.local.pipeline import LocalPipeline
from leanops.local.workers import GlueWorker

from .support import E2E_PREFIX


@pytest.fixture(scope="session")
def pipeline(
    leanops_home: Path, spark: Any, moto_server: str, glue_worker: GlueWorker
) -> Iterator[LocalPipeline]:
    """Open the local pipeline over the session's Spark, moto server, Glue worker and LEANOPS_HOME."""
    with LocalPipeline(
        leanops_home, spark=spark, endpoint=moto_server, names=ResourceNames(E2E_PREFIX), glue=glue_worker
    ) as opened:
        yield opened
