"""Delivery, Firehose and each job report their progress (off a terminal: log lines, then a last one)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from leanops.local.config import TopicSettings
from leanops.local.cycle import _run_job
from leanops.local.delivery import QueuePoller
from leanops.local.firehose import LocalFirehose

PROGRESS_LOGGER = "leanops.local.progress"


class FakeSqs:
    """A queue of ``count`` messages: receive, delete, change visibility."""

    def __init__(self, count: int) -> None:
        self.waiting = [{"MessageId": str(i), "ReceiptHandle": str(i), "Body": "{}"} for i in range(count)]

    def get_queue_attributes(self, **_: Any) -> dict[str, Any]:
        return {"Attributes": {"ApproximateNumberOfMessages": str(len(self.waiting))}}

    def receive_message(self, MaxNumberOfMessages: int, **_: Any) -> dict[str, Any]:  # noqa: N803
        batch, self.waiting = self.waiting[:MaxNumberOfMessages], self.waiting[MaxNumberOfMessages:]
        return {"Messages": batch}

    def delete_message_batch(self, **_: Any) -> None:
        return None

    def change_message_visibility_batch(self, **_: Any) -> None:
        return None


def progress_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage().split(" in ")[0] for r in caplog.records if r.name == PROGRESS_LOGGER]


def drain(count: int, caplog: pytest.LogCaptureFixture) -> list[str]:
    settings = TopicSettings(batch_size=10, max_receive_count=3, visibility_timeout=30)
    poller = QueuePoller(FakeSqs(count), "http://sqs/1/leanops-dev-orders", "arn", settings, "fn")
    with caplog.at_level(logging.INFO):
        report = poller.drain(lambda event, context: {"batchItemFailures": []})
    assert report.delivered == count
    return progress_lines(caplog)


def test_delivery_counts_the_messages_it_settled_of_the_queues_depth(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert drain(25, caplog) == ["deliver leanops-dev-orders: 25/25"]


def test_an_empty_queue_has_no_progress_line(caplog: pytest.LogCaptureFixture) -> None:
    assert drain(0, caplog) == []


def test_firehose_flush_counts_the_records_it_delivered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse_all(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "records": [{"recordId": r["recordId"], "result": "ProcessingFailed"} for r in event["records"]]
        }

    class FakeS3:
        def put_object(self, **_: Any) -> None:
            return None

    stream = LocalFirehose("leanops-dev-raw", tmp_path, None, FakeS3(), "bucket", refuse_all)
    stream.put_record_batch(DeliveryStreamName="leanops-dev-raw", Records=[{"Data": b"x"}] * 3)
    with caplog.at_level(logging.INFO):
        assert stream.flush().failed == 3
        assert stream.flush().failed == 0  # nothing buffered: no line
    assert progress_lines(caplog) == ["firehose leanops-dev-raw (records): 3/3"]


class FakeGlue:
    """A job run that logs ``topic_done`` for the topics in ``logged`` and reports them all."""

    def __init__(self, logged: list[str], reported: list[str]) -> None:
        self.logged, self.reported = logged, reported

    def run(
        self,
        job: str,
        argv: list[str],
        environment: Mapping[str, str],
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        assert on_event is not None
        on_event({"event": "topic_done", "layer": "curated", "topic": "late"})  # the previous job's
        for topic in self.logged:
            on_event({"event": "topic_done", "layer": job, "topic": topic})
            on_event({"event": "topic_done", "layer": job, "topic": topic})  # counted once
        on_event({"event": "run_finished", "layer": job})
        return {"ok": True, "summary": "s", "report": {"topics": [{"topic": t} for t in self.reported]}}


@pytest.mark.parametrize(
    ("logged", "expected"),
    [
        (["orders", "payments"], ["job standardized (topics): 2/2"]),
        ([], ["job standardized (topics): 2/2"]),
        # a topic's last log line still on its way when the job answered: counted from the report
        (["orders"], ["job standardized (topics): 2/2"]),
    ],
)
def test_a_job_counts_its_topics_from_the_jobs_log_events(
    caplog: pytest.LogCaptureFixture, logged: list[str], expected: list[str]
) -> None:
    topics = ["orders", "payments"]
    with caplog.at_level(logging.INFO):
        outcome = _run_job(
            "standardized", topics, ["--topics", ",".join(topics)], FakeGlue(logged, topics), {}
        )
    assert outcome.ok
    assert progress_lines(caplog) == expected
