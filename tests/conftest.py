"""Shared fixtures: fake AWS credentials, one moto server, one local SparkSession per test run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from leanops.local.workers import GlueWorker

REGION = "eu-west-1"


@pytest.fixture(scope="session", autouse=True)
def _isolate_aws_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never read ~/.aws or talk to a real account: fake credentials, pinned region."""
    saved = dict(os.environ)
    fake_home = tmp_path_factory.mktemp("aws-home")
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_CONFIG_FILE": str(fake_home / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(fake_home / "credentials"),
            "POWERTOOLS_SERVICE_NAME": "leanops-test",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    yield
    os.environ.clear()
    os.environ.update(saved)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by their folder (tests/unit -> unit, ...) so `-m` selects tiers."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for tier in ("unit", "functional", "e2e", "terraform"):
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One moto server on 127.0.0.1 (random port) for code that needs an endpoint URL."""
    from leanops.local.moto_process import MotoProcess

    with MotoProcess() as server:  # as the local runner starts it: its own process, patches applied
        yield server.endpoint


@pytest.fixture
def aws() -> Iterator[None]:
    """In-process moto for tests that create boto3 clients themselves."""
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def unique_name() -> str:
    """A random resource or table name, so tests never share state."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def leanops_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LEANOPS_HOME of the test run: catalog, warehouse and local state."""
    return tmp_path_factory.mktemp("leanops-home")


@pytest.fixture(scope="session")
def spark(leanops_home: Path) -> Iterator[SparkSession]:
    """The one local SparkSession of the test run (Iceberg + JDBC/SQLite catalog)."""
    from leanops.local.spark import local_spark_session

    session = local_spark_session(leanops_home)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def iceberg_catalog(leanops_home: Path) -> Any:
    """Pyiceberg's view of the same catalog the `spark` fixture uses."""
    from leanops.local.catalog import local_catalog

    return local_catalog(leanops_home)


@pytest.fixture(scope="session")
def glue_worker(leanops_home: Path) -> Iterator[GlueWorker]:
    """The one Glue worker of the test run: the built bundle's jobs, its own JVM started on first use."""
    from leanops.local.workers import GlueWorker

    with GlueWorker(leanops_home) as worker:
        yield worker
