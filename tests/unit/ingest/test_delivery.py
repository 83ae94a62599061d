"""Chunking at Firehose's exact limits, and the retry loop's bookkeeping."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from leanops.ingest.delivery import (
    MAX_BYTES_PER_CALL,
    MAX_BYTES_PER_RECORD,
    MAX_RECORDS_PER_CALL,
    FirehoseLimits,
    OutboundRecord,
    chunk_records,
    deliver,
    oversize_reason,
)
from leanops.ingest.retry import RetryPolicy

MIB = 1024 * 1024


def _records(*sizes: int) -> list[OutboundRecord]:
    return [OutboundRecord(item_id=f"m-{i}", data=b"x" * size) for i, size in enumerate(sizes)]


def _shape(chunks: list[list[OutboundRecord]]) -> list[int]:
    return [len(chunk) for chunk in chunks]


def test_limits_are_firehose_s() -> None:
    assert (MAX_RECORDS_PER_CALL, MAX_BYTES_PER_CALL, MAX_BYTES_PER_RECORD) == (500, 4 * MIB, 1_024_000)


@pytest.mark.parametrize(
    ("count", "shape"), [(0, []), (1, [1]), (499, [499]), (500, [500]), (501, [500, 1]), (1000, [500, 500])]
)
def test_record_count_boundary(count: int, shape: list[int]) -> None:
    assert _shape(chunk_records(_records(*[1] * count))) == shape


def test_call_byte_boundary_is_inclusive() -> None:
    # four full records (4 x 1,024,000 bytes) and 98,304 bytes fill one call to exactly 4 MiB
    full, rest = MAX_BYTES_PER_RECORD, MAX_BYTES_PER_CALL - 4 * MAX_BYTES_PER_RECORD
    assert rest == 98_304
    assert _shape(chunk_records(_records(full, full, full, full, rest))) == [5]
    assert _shape(chunk_records(_records(full, full, full, full, rest + 1))) == [4, 1]
    assert _shape(chunk_records(_records(full, full, full, full, rest - 1, 1))) == [6]
    assert _shape(chunk_records(_records(full, full, full, full, rest, 1))) == [5, 1]


def test_record_byte_boundary() -> None:
    assert oversize_reason(MAX_BYTES_PER_RECORD) is None
    assert oversize_reason(MAX_BYTES_PER_RECORD + 1) == (
        "record of 1024001 bytes exceeds Firehose's 1,000 KiB record limit"
    )
    assert _shape(chunk_records(_records(MAX_BYTES_PER_RECORD))) == [1]
    with pytest.raises(ValueError, match="item m-0: record of 1024001 bytes"):
        chunk_records(_records(MAX_BYTES_PER_RECORD + 1))


def test_chunks_keep_order_under_both_limits() -> None:
    limits = FirehoseLimits(max_records_per_call=3, max_bytes_per_call=10, max_bytes_per_record=10)
    chunks = chunk_records(_records(4, 4, 4, 1, 1, 1, 1, 10), limits)
    assert [[r.item_id for r in chunk] for chunk in chunks] == [
        ["m-0", "m-1"],
        ["m-2", "m-3", "m-4"],
        ["m-5", "m-6"],
        ["m-7"],
    ]


class ScriptedFirehose:
    """Fails calls or records as scripted: each step is an exception or a set of failing indexes."""

    def __init__(self, steps: Sequence[Exception | set[int]]) -> None:
        self.steps = list(steps)
        self.sent: list[list[bytes]] = []

    def put_record_batch(
        self, *, DeliveryStreamName: str, Records: Sequence[Mapping[str, bytes]]
    ) -> dict[str, Any]:
        """Apply the next step (none left: accept everything)."""
        step = self.steps.pop(0) if self.steps else set()
        if isinstance(step, Exception):
            raise step
        self.sent.append([r["Data"] for i, r in enumerate(Records) if i not in step])
        responses = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "x"} if i in step else {"RecordId": "r"}
            for i in range(len(Records))
        ]
        return {"FailedPutCount": len(step), "RequestResponses": responses}


def _policy(attempts: int, waits: list[float]) -> RetryPolicy:
    return RetryPolicy(max_attempts=attempts, base_delay_seconds=0.1, sleep=waits.append, jitter=lambda: 1.0)


def test_deliver_retries_only_failed_records_with_backoff() -> None:
    waits: list[float] = []
    firehose = ScriptedFirehose([{1}, {0}])
    report = deliver(firehose, "s", _records(1, 2, 3), _policy(3, waits))
    assert report.delivered == ("m-0", "m-1", "m-2") and not report.failed
    assert [[len(d) for d in call] for call in firehose.sent] == [[1, 3], [], [2]]
    assert waits == [0.1, 0.2]


def test_deliver_reports_last_reason_after_all_attempts() -> None:
    waits: list[float] = []
    report = deliver(ScriptedFirehose([{0}, {0}]), "s", _records(1, 1), _policy(2, waits))
    assert report.delivered == ("m-1",)
    assert report.failed == {"m-0": "Firehose InternalFailure: x (after 2 attempts)"}
    assert waits == [0.1]


def test_connection_errors_are_retried() -> None:
    firehose = ScriptedFirehose([EndpointConnectionError(endpoint_url="https://firehose")])
    report = deliver(firehose, "s", _records(1), _policy(2, []))
    assert report.delivered == ("m-0",)


def test_access_denied_is_not_retried() -> None:
    error = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "PutRecordBatch")
    firehose = ScriptedFirehose([error])
    report = deliver(firehose, "s", _records(1, 1), _policy(5, []))
    assert sorted(report.failed) == ["m-0", "m-1"] and "AccessDeniedException" in report.failed["m-0"]
    assert report.calls == 1


def test_oversized_record_fails_without_a_call() -> None:
    firehose = ScriptedFirehose([])
    report = deliver(firehose, "s", _records(MAX_BYTES_PER_RECORD + 1), _policy(3, []))
    assert list(report.failed) == ["m-0"] and report.calls == 0


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 0.1), (2, 0.2), (3, 0.4), (10, 5.0)])
def test_backoff_doubles_up_to_the_cap(attempt: int, ceiling: float) -> None:
    policy = RetryPolicy(base_delay_seconds=0.1, max_delay_seconds=5.0, jitter=lambda: 1.0)
    assert policy.backoff_seconds(attempt) == pytest.approx(ceiling)
    assert RetryPolicy(base_delay_seconds=0.1, jitter=lambda: 0.0).backoff_seconds(attempt) == 0.0


def test_retry_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(base_delay_seconds=-1)
