"""Fixtures of the ingest unit tests: SQS records as Lambda passes them."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leanops.ingest.events import sqs_record_from_message

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events"
ORDERS_QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:leanops-dev-orders"
SENT_MS = 1_767_261_600_123  # 2026-01-01T10:00:00.123Z


@pytest.fixture
def sample_event() -> Callable[[str], dict[str, Any]]:
    """Return a loader of tests/events/<name>."""
    return lambda name: json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture
def make_record() -> Callable[..., SQSRecord]:
    """Return a factory of SQS records (body, message id, receive count, send time, attributes)."""

    def make(
        body: str = "{}",
        message_id: str = "m-1",
        receive_count: int = 1,
        sent_ms: int = SENT_MS,
        message_attributes: Mapping[str, Mapping[str, str]] | None = None,
        queue_arn: str = ORDERS_QUEUE_ARN,
    ) -> SQSRecord:
        message = {
            "MessageId": message_id,
            "ReceiptHandle": "handle",
            "Body": body,
            "Attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": str(sent_ms)},
            "MessageAttributes": dict(message_attributes or {}),
        }
        return SQSRecord(sqs_record_from_message(message, queue_arn))

    return make
