"""Batch outcomes (exact batchItemFailures, all-fail semantics) and the ingest settings."""

from __future__ import annotations

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


ENV = {"LEANOPS_FIREHOSE_STREAMS": "p-raw, p-raw-2", "LEANOPS_NAME_PREFIX": "leanops-dev"}


def test_settings_from_environment() -> None:
    config = IngestSettings.from_mapping(
        {**ENV, "LEANOPS_FIREHOSE_MAX_ATTEMPTS": "2", "LEANOPS_FIREHOSE_BASE_DELAY_MS": "5"}
    )
    assert (config.firehose_streams, config.name_prefix) == (("p-raw", "p-raw-2"), "leanops-dev")
    assert (config.retry.max_attempts, config.retry.base_delay_seconds) == (2, 0.005)


# The topic of a queue is derived from its name: <prefix>-<topic> (and <prefix>-<topic>-dlq).
@pytest.mark.parametrize(
    ("queue", "dlq", "topic"),
    [
        ("leanops-dev-orders", False, "orders"),
        ("leanops-dev-orders-dlq", True, "orders"),
        ("leanops-dev-order_lines_v2", False, "order_lines_v2"),
        ("leanops-dev-orders-dlq", False, None),  # a DLQ is not a topic queue ("-" in a topic)
        ("leanops-dev-orders", True, None),  # a topic queue is not a DLQ
        ("leanops-dev-x-orders", False, None),  # another stack's prefix ("leanops-dev-x")
        ("leanops-staging-orders", False, None),
        ("leanops-dev-", False, None),
        ("leanops-dev-dlq", True, None),
        ("leanops-dev-Orders", False, None),  # breaks the topic-name rule
        ("leanops-dev-1orders", False, None),
        ("leanops-dev-dlq_errors", False, None),  # reserved: a shared table
        ("leanops-devorders", False, None),
    ],
)
def test_topic_of_queue_is_derived_from_its_name(queue: str, dlq: bool, topic: str | None) -> None:
    assert IngestSettings.from_mapping(ENV).topic_of_queue(queue, dlq=dlq) == topic


@pytest.mark.parametrize(
    ("queue", "dlq", "reason"),
    [
        (
            "other",
            False,
            "queue 'other' is not a topic queue of this stack"
            " (LEANOPS_NAME_PREFIX='leanops-dev': expected 'leanops-dev-<topic>')",
        ),
        (
            "leanops-dev-orders",
            True,
            "queue 'leanops-dev-orders' is not a DLQ of this stack"
            " (LEANOPS_NAME_PREFIX='leanops-dev': expected 'leanops-dev-<topic>-dlq')",
        ),
        (
            "leanops-dev-drift_log",
            False,
            "queue 'leanops-dev-drift_log' is not a topic queue of this stack"
            " (LEANOPS_NAME_PREFIX='leanops-dev': expected 'leanops-dev-<topic>'): topic 'drift_log':"
            " collides with a shared table name",
        ),
    ],
)
def test_unknown_queue_reason_names_the_queue_the_prefix_and_the_rule(
    queue: str, dlq: bool, reason: str
) -> None:
    assert IngestSettings.from_mapping(ENV).unknown_queue_reason(queue, dlq=dlq).startswith(reason)


@pytest.mark.parametrize(
    ("overrides", "key", "problem"),
    [
        ({"LEANOPS_FIREHOSE_STREAMS": ""}, "LEANOPS_FIREHOSE_STREAMS", "is required but not set"),
        ({"LEANOPS_FIREHOSE_STREAMS": " , "}, "LEANOPS_FIREHOSE_STREAMS", "names no stream"),
        (
            {"LEANOPS_FIREHOSE_STREAMS": "a,b,a"},
            "LEANOPS_FIREHOSE_STREAMS",
            "names stream(s) a more than once",
        ),
        ({"LEANOPS_NAME_PREFIX": ""}, "LEANOPS_NAME_PREFIX", "is required but not set"),
        ({"LEANOPS_FIREHOSE_MAX_ATTEMPTS": "0"}, "LEANOPS_FIREHOSE_MAX_ATTEMPTS", "must be positive, got 0"),
        (
            {"LEANOPS_FIREHOSE_BASE_DELAY_MS": "fast"},
            "LEANOPS_FIREHOSE_BASE_DELAY_MS",
            "must be a whole number",
        ),
    ],
)
def test_invalid_settings_name_their_key(overrides: dict[str, str], key: str, problem: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        IngestSettings.from_mapping({**ENV, **overrides})
    assert caught.value.key == key
    assert caught.value.problem.startswith(problem)
