"""Batch outcomes (exact batchItemFailures, all-fail semantics) and the ingest settings."""

from __future__ import annotations

import json

import pytest

from leanops.exceptions import BatchFailedError, ConfigurationError
from leanops.ingest.batch import BatchOutcome
from leanops.ingest.config import IngestSettings


def test_response_names_failed_ids_in_event_order_once() -> None:
    outcome = BatchOutcome("p", ("a", "b", "c", "b"), {"c": "x", "b": "y"})
    assert outcome.response() == {"batchItemFailures": [{"itemIdentifier": "b"}, {"itemIdentifier": "c"}]}
    assert outcome.succeeded == 1


def test_empty_batch_and_full_success_report_nothing() -> None:
    assert BatchOutcome("p", ()).response() == {"batchItemFailures": []}
    assert BatchOutcome("p", ("a",)).response() == {"batchItemFailures": []}


def test_all_failed_raises_with_the_reasons() -> None:
    with pytest.raises(BatchFailedError, match=r"all 2 record\(s\) of the batch from p failed: x; y"):
        BatchOutcome("p", ("a", "b"), {"a": "x", "b": "y"}).response()


ENV = {"LEANOPS_FIREHOSE_STREAM": "raw", "LEANOPS_QUEUE_TOPICS": json.dumps({"q-orders": "orders"})}


def test_settings_from_environment() -> None:
    config = IngestSettings.from_mapping(
        {**ENV, "LEANOPS_FIREHOSE_MAX_ATTEMPTS": "2", "LEANOPS_FIREHOSE_BASE_DELAY_MS": "5"}
    )
    assert (config.firehose_stream, config.topic_of_queue("q-orders"), config.topic_of_queue("q-x")) == (
        "raw",
        "orders",
        None,
    )
    assert (config.retry.max_attempts, config.retry.base_delay_seconds) == (2, 0.005)
    assert config.unknown_queue_reason("q-x") == (
        "queue 'q-x' has no topic in LEANOPS_QUEUE_TOPICS (configured queues: q-orders)"
    )


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"LEANOPS_FIREHOSE_STREAM": ""}, "LEANOPS_FIREHOSE_STREAM"),
        ({"LEANOPS_QUEUE_TOPICS": "[]"}, "LEANOPS_QUEUE_TOPICS"),
        ({"LEANOPS_QUEUE_TOPICS": json.dumps({"q": "Bad-Topic"})}, "LEANOPS_QUEUE_TOPICS"),
        ({"LEANOPS_QUEUE_TOPICS": json.dumps({"q": "drift_log"})}, "LEANOPS_QUEUE_TOPICS"),
        ({"LEANOPS_FIREHOSE_MAX_ATTEMPTS": "0"}, "LEANOPS_FIREHOSE_MAX_ATTEMPTS"),
        ({"LEANOPS_FIREHOSE_BASE_DELAY_MS": "fast"}, "LEANOPS_FIREHOSE_BASE_DELAY_MS"),
    ],
)
def test_invalid_settings_name_their_key(overrides: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        IngestSettings.from_mapping({**ENV, **overrides})
    assert caught.value.key == key
