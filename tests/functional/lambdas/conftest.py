"""Fixtures of the Lambda handler tests: handlers loaded from modules/ as Lambda loads them."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Iterator, Mapping
from types import ModuleType

import pytest
from ingest_support import DLQ_TOPICS, HANDLERS_DIR, QUEUE_TOPICS, STREAM, FakeFirehose, LambdaContextStub


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
def ingest_env(monkeypatch: pytest.MonkeyPatch) -> Callable[[Mapping[str, str]], None]:
    """Set the Lambda environment of sqs_processor (queue -> topic), no retry waits; returns a setter."""

    def set_queue_topics(queue_topics: Mapping[str, str]) -> None:
        monkeypatch.setenv("LEANOPS_QUEUE_TOPICS", json.dumps(dict(queue_topics)))

    monkeypatch.setenv("LEANOPS_FIREHOSE_STREAM", STREAM)
    monkeypatch.setenv("LEANOPS_FIREHOSE_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("LEANOPS_FIREHOSE_BASE_DELAY_MS", "0")
    monkeypatch.delenv("LEANOPS_FAULTS", raising=False)
    set_queue_topics(QUEUE_TOPICS)
    return set_queue_topics


@pytest.fixture
def dlq_env(ingest_env: Callable[[Mapping[str, str]], None]) -> Iterator[None]:
    """Set the Lambda environment of dlq_archiver (DLQ name -> topic)."""
    ingest_env(DLQ_TOPICS)
    yield
