"""What AWS's SQS event source mapping does, locally: poll a queue, invoke the Lambda, settle.

Each poll receives up to the topic's batch size with its visibility timeout, invokes the real
handler with the event shape AWS sends, deletes the messages not listed in
``batchItemFailures`` (DeleteMessageBatch, 10 a call) and makes the others visible again at
once (visibility 0, to compress time) so that SQS's redrive moves them to the DLQ after
``max_receive_count`` receives. Its progress (messages settled of the queue's depth) shows as a
bar on a terminal, a line every ~10 s otherwise (leanops.local.progress).

Like the mapping, it keeps several batches in flight: "When messages are available, Lambda
starts processing five batches at a time with five concurrent invocations of your function"
(AWS Lambda Developer Guide, "Configuring scaling behavior for SQS event source mappings"); a
DLQ's mapping is capped by its scaling_config (leanops.local.deployed.DLQ_ARCHIVER_MAXIMUM_CONCURRENCY).
Each invocation runs in its own execution environment (leanops.local.workers.LambdaFunction
keeps one per concurrent invocation). The SQS calls stay in the calling thread, in a fixed
order (receive to fill, then settle the oldest batch, receive again), so moto's queue is never
used by two threads at once. Under a fault plan (``LEANOPS_FAULTS``) one batch is in flight at a
time: each fault draw then falls on the same invocation for a seed, as the fault plan promises.
"""

from __future__ import annotations

import hashlib
import logging
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from leanops import faults
from leanops.local.config import REGION, SQS_MAX_RECEIVE_BATCH, TopicSettings
from leanops.local.lambda_runtime import LocalLambdaContext
from leanops.local.progress import progress

LOGGER = logging.getLogger(__name__)
MAX_POLLS_PER_QUEUE = 10_000
ATTEMPTS_PER_DRAIN_FACTOR = 2
# The batches a standard queue's mapping processes at once when messages are available (above).
CONCURRENT_BATCHES = 5
SqsHandler = Callable[[dict[str, Any], Any], Mapping[str, Any] | None]


@dataclass
class PollReport:
    """Counts of one queue's delivery."""

    queue: str
    invocations: int = 0
    delivered: int = 0
    retried: int = 0
    crashes: int = 0


def _lambda_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": value.get("BinaryValue"),
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": list(value.get("BinaryListValues", [])),
        "dataType": value["DataType"],
    }


def sqs_event_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """Return one record of the SQS event Lambda receives, from a ReceiveMessage message."""
    body = message["Body"]
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": dict(message.get("Attributes", {})),
        # moto lists system attributes as empty MessageAttributes entries; AWS sends only real ones
        "messageAttributes": {
            name: _lambda_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
            if value.get("DataType")
        },
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode("utf-8")).hexdigest(),  # noqa: S324
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


class QueuePoller:
    """Delivers one queue through one handler until the queue is empty."""

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        settings: TopicSettings,
        function_name: str,
        concurrency: int = CONCURRENT_BATCHES,
    ) -> None:
        """Bind the poller to a queue, its topic settings, the Lambda's name and the batches in flight."""
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.settings = settings
        self.function_name = function_name
        self.concurrency = max(1, concurrency)
        self._attempts: dict[str, int] = {}
        self._attempt_limit = ATTEMPTS_PER_DRAIN_FACTOR * settings.max_receive_count + 1

    def _receive(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < self.settings.batch_size:
            response = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(SQS_MAX_RECEIVE_BATCH, self.settings.batch_size - len(messages)),
                VisibilityTimeout=self.settings.visibility_timeout,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            )
            received = response.get("Messages", [])
            if not received:
                break
            messages.extend(received)
        return messages

    def _invoke(self, handler: SqsHandler, messages: list[dict[str, Any]]) -> set[str] | None:
        """Invoke the handler with one batch; return the ids it failed, or None when it crashed."""
        event = {"Records": [sqs_event_record(message, self.queue_arn) for message in messages]}
        try:
            response = handler(event, LocalLambdaContext.for_function(self.function_name)) or {}
        except Exception as exc:  # noqa: BLE001 - a crashed invocation: every message is retried
            LOGGER.debug(  # counted in the report ("crashes"), which the pipeline logs per queue
                "%s crashed on %d messages (%s): SQS retries them", self.function_name, len(messages), exc
            )
            return None
        return {failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])}

    def _settle(self, messages: list[dict[str, Any]], failed_ids: set[str], report: PollReport) -> None:
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        retry = [m for m in messages if m["MessageId"] in failed_ids]
        for message in retry:
            self._attempts[message["MessageId"]] = self._attempts.get(message["MessageId"], 0) + 1
        # A message failing again and again without a redrive (a DLQ) stays in flight until its
        # visibility timeout ends: the next run tries it again instead of this one looping.
        retry_now = [m for m in retry if self._attempts[m["MessageId"]] < self._attempt_limit]
        for start in range(0, len(done), SQS_MAX_RECEIVE_BATCH):
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(done[start : start + SQS_MAX_RECEIVE_BATCH])
            ]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        for start in range(0, len(retry_now), SQS_MAX_RECEIVE_BATCH):
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                for i, m in enumerate(retry_now[start : start + SQS_MAX_RECEIVE_BATCH])
            ]
            self.sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=entries)
        report.delivered += len(done)
        report.retried += len(retry)

    def depth(self) -> int:
        """Return how many messages wait in the queue: the progress total, an estimate.

        ``ApproximateNumberOfMessages`` is the approximate number of visible messages (Amazon SQS
        API reference, GetQueueAttributes); in-flight and delayed messages are not in it.
        """
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", 0))

    def drain(self, handler: SqsHandler) -> PollReport:
        """Poll, invoke and settle until a receive returns nothing (progress: messages settled)."""
        report = PollReport(queue=self.queue_url.rsplit("/", 1)[-1])
        waiting = self.depth()
        if not waiting:  # an empty queue (most DLQs): one receive, no progress line
            return self._drain(handler, report, lambda _: None)
        with progress(f"deliver {report.queue}", total=waiting) as advance:
            return self._drain(handler, report, advance)

    def _drain(self, handler: SqsHandler, report: PollReport, advance: Callable[[int], None]) -> PollReport:
        limit = 1 if faults.active_plan() is not None else self.concurrency
        in_flight: deque[tuple[list[dict[str, Any]], Future[set[str] | None]]] = deque()
        polls = 0
        with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="esm-poller") as pool:
            while True:
                while len(in_flight) < limit and polls < MAX_POLLS_PER_QUEUE:
                    messages = self._receive()
                    polls += 1
                    if not messages:
                        break
                    in_flight.append((messages, pool.submit(self._invoke, handler, messages)))
                    report.invocations += 1
                if not in_flight:
                    break
                messages, invocation = in_flight.popleft()
                failed_ids = invocation.result()
                if failed_ids is None:
                    report.crashes += 1
                    failed_ids = {message["MessageId"] for message in messages}
                delivered = report.delivered
                self._settle(messages, failed_ids, report)
                advance(report.delivered - delivered)
        if polls < MAX_POLLS_PER_QUEUE:
            return report
        LOGGER.warning(
            "queue %s still had messages after %d polls; the next run goes on",
            report.queue,
            MAX_POLLS_PER_QUEUE,
        )
        return report
