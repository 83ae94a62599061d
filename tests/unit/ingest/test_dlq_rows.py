"""dlq_errors rows: reasons, original ids, visible truncation."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from leanops.exceptions import RecordRejectedError
from leanops.ingest.config import IngestSettings
from leanops.ingest.delivery import FirehoseLimits
from leanops.ingest.dlq_archiver import build_dlq_row, is_truncated
from leanops.ingest.envelope import encode_row

DLQ_ARN = "arn:aws:sqs:eu-west-1:123456789012:leanops-dev-orders-dlq"
CONFIG = IngestSettings(firehose_streams=("s",), name_prefix="leanops-dev")
ARCHIVED = datetime(2026, 1, 2, tzinfo=UTC)
SMALL = FirehoseLimits(max_bytes_per_record=2000)


def test_row_of_an_ordinary_message(make_record: Callable[..., SQSRecord]) -> None:
    row = build_dlq_row(
        make_record(body="{", message_id="m-1", receive_count=5, queue_arn=DLQ_ARN), CONFIG, ARCHIVED, SMALL
    )
    assert row == {
        "topic_name": "orders",
        "message_id": "m-1",
        "payload": "{",
        "receive_count": 5,
        "error_reason": "not delivered to Firehose after 5 receives (see sqs_processor logs for m-1)",
        "source_queue": None,
        "sent_at": "2026-01-01T10:00:00.123000Z",
        "archived_at": "2026-01-02T00:00:00.000000Z",
    }
    assert not is_truncated(row)


@pytest.mark.parametrize("char", ["x", "é", "✓", "🚀", '"', "\n"])
def test_too_large_row_is_cut_at_a_character_boundary_and_says_so(
    make_record: Callable[..., SQSRecord], char: str
) -> None:
    body = char * 3000
    row = build_dlq_row(make_record(body=body, queue_arn=DLQ_ARN), CONFIG, ARCHIVED, SMALL)
    assert len(encode_row(row)) <= SMALL.max_bytes_per_record
    assert row["payload"] and body.startswith(row["payload"]) and len(row["payload"]) < len(body)
    assert is_truncated(row)
    assert row["error_reason"].startswith(
        f"body of {len(body.encode())} bytes exceeds Firehose's 1 KiB record limit"
    )
    assert (
        f"payload truncated to its first {len(row['payload'].encode())} of {len(body.encode())} bytes"
        in row["error_reason"]
    )
    assert hashlib.sha256(body.encode()).hexdigest() in row["error_reason"]


def test_message_of_an_unknown_dlq_is_rejected(make_record: Callable[..., SQSRecord]) -> None:
    record = make_record(queue_arn="arn:aws:sqs:eu-west-1:123456789012:elsewhere")
    with pytest.raises(RecordRejectedError, match="queue 'elsewhere' is not a DLQ of this stack"):
        build_dlq_row(record, CONFIG, ARCHIVED, SMALL)
