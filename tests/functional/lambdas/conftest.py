"""Fixtures of the Lambda handler tests: handlers loaded from modules/ as Lambda loads them."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType

import pytest
from ingest_support import HANDLERS_DIR, NAME_PREFIX, STREAM, FakeFirehose, LambdaContextStub


def _load_handler(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"leanops_lambda_{name}", HANDLERS_DIR / name / "handler.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def handlers() -> dict[str, ModuleType]:
    """Return the three handler modules, loaded from their files as Lambda loads them."""
    return {name: _load_handler(name) for name in ("sqs_processor", "firehose_transform", "dlq_archiver")}


@pytest.fixture
def context() -> LambdaContextStub:
    """Return a Lambda context."""
    return LambdaContextStub()


@pytest.fixture
def fake_firehose() -> FakeFirehose:
    """Return a Firehose client with no scripted failure."""
    return FakeFirehose()


@pytest.fixture
def ingest_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[Sequence[str]], None]:
    """Set the environment Terraform gives sqs_processor and dlq_archiver, no retry waits.

    One stream by default; returns a setter of the stream names (firehose_stream_count > 1).
    """

    def set_streams(streams: Sequence[str]) -> None:
        monkeypatch.setenv("LEANOPS_FIREHOSE_STREAMS", ",".join(streams))

    monkeypatch.setenv("LEANOPS_NAME_PREFIX", NAME_PREFIX)
    monkeypatch.setenv("LEANOPS_FIREHOSE_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("LEANOPS_FIREHOSE_BASE_DELAY_MS", "0")
    monkeypatch.delenv("LEANOPS_FAULTS", raising=False)
    set_streams([STREAM])
    return set_streams


@pytest.fixture
def three_streams(ingest_env: Callable[[Sequence[str]], None]) -> list[str]:
    """Configure the Lambdas with three Firehose streams (firehose_stream_count = 3); return them."""
    streams = [STREAM, f"{STREAM}-2", f"{STREAM}-3"]
    ingest_env(streams)
    return streams


@pytest.fixture
def dlq_env(ingest_env: Callable[[Sequence[str]], None]) -> Iterator[None]:
    """Set the Lambda environment of dlq_archiver: the same keys (it derives topics from DLQ names)."""
    yield
