"""Helpers of the Lambda handler tests: sample events, record factory, a scriptable Firehose."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from leanops.ingest.events import sqs_record_from_message

REPO_ROOT = Path(__file__).resolve().parents[3]
EVENTS_DIR = REPO_ROOT / "tests" / "events"
HANDLERS_DIR = REPO_ROOT / "modules" / "compute" / "lambda"
ACCOUNT = "123456789012"
REGION = "eu-west-1"
NAME_PREFIX = "leanops-dev"
STREAM = "leanops-dev-raw"
SENT_MS = 1_767_261_600_123  # 2026-01-01T10:00:00.123Z


def queue_arn(queue: str) -> str:
    """Return the ARN of a test queue."""
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue}"


def load_event(name: str) -> dict[str, Any]:
    """Return a sample event of tests/events/."""
    return json.loads((EVENTS_DIR / name).read_text(encoding="utf-8"))


def sqs_record(
    body: str,
    *,
    queue: str = "leanops-dev-orders",
    message_id: str | None = None,
    receive_count: int = 1,
    sent_ms: int = SENT_MS,
    message_attributes: Mapping[str, Mapping[str, str]] | None = None,
    extra_attributes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return a Lambda SQS record built from a message shaped like boto3's receive_message."""
    message = {
        "MessageId": message_id or str(uuid.uuid4()),
        "ReceiptHandle": f"handle-{uuid.uuid4().hex}",
        "Body": body,
        "Attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": str(sent_ms),
            "SenderId": "AROAEXAMPLEID:producer",
            "ApproximateFirstReceiveTimestamp": str(sent_ms + 5),
            **(extra_attributes or {}),
        },
        "MessageAttributes": dict(message_attributes or {}),
    }
    return sqs_record_from_message(message, queue_arn(queue))


@dataclass
class LambdaContextStub:
    """The attributes of LambdaContext that powertools reads."""

    function_name: str = "leanops-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:leanops-test"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


def client_error(code: str, operation: str = "PutRecordBatch") -> ClientError:
    """Return a botocore ClientError with the given error code."""
    return ClientError({"Error": {"Code": code, "Message": f"simulated {code}"}}, operation)


@dataclass
class FakeFirehose:
    """A Firehose client whose failures are scripted (moto never reports per-record failures).

    Attributes:
        call_errors: error codes raised by the first calls, one per call, in order.
        record_failures: marker -> how many times a record containing the marker fails
            (a negative count: always).
        calls: the data of every call's records.
        streams: the stream of every call, in the order of ``calls``.
    """

    call_errors: list[str] = field(default_factory=list)
    record_failures: dict[str, int] = field(default_factory=dict)
    calls: list[list[bytes]] = field(default_factory=list)
    streams: list[str] = field(default_factory=list)

    def rows_by_stream(self) -> dict[str, list[dict[str, Any]]]:
        """Stream -> the accepted records it received, decoded as JSON."""
        found: dict[str, list[dict[str, Any]]] = {}
        for stream, call in zip(self.streams, self.calls, strict=True):
            found.setdefault(stream, []).extend(json.loads(data) for data in call)
        return found

    @property
    def delivered(self) -> list[bytes]:
        """Every record accepted, in order."""
        return [data for call in self.calls for data in call]

    def delivered_rows(self) -> list[dict[str, Any]]:
        """Every accepted record decoded as JSON."""
        return [json.loads(data) for data in self.delivered]

    def _fails(self, data: bytes) -> bool:
        for marker, remaining in self.record_failures.items():
            if marker.encode("utf-8") in data and remaining != 0:
                self.record_failures[marker] = remaining - 1 if remaining > 0 else remaining
                return True
        return False

    def put_record_batch(
        self, *, DeliveryStreamName: str, Records: Sequence[Mapping[str, bytes]]
    ) -> dict[str, Any]:
        """Accept or fail records as scripted, recording what was accepted."""
        if self.call_errors:
            raise client_error(self.call_errors.pop(0))
        accepted: list[bytes] = []
        responses: list[dict[str, str]] = []
        for record in Records:
            if self._fails(record["Data"]):
                responses.append({"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."})
            else:
                accepted.append(record["Data"])
                responses.append({"RecordId": uuid.uuid4().hex})
        self.calls.append(accepted)
        self.streams.append(DeliveryStreamName)
        failed = sum(1 for response in responses if "ErrorCode" in response)
        return {"FailedPutCount": failed, "Encrypted": False, "RequestResponses": responses}
