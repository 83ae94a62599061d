"""The ingest side: the sqs_processor handler in process, and the local emulation's SQS path.

* Handler: ``modules/compute/lambda/sqs_processor/handler.py`` loaded as the tests load it
  (leanops.local.lambda_runtime), called with SQS events of the topic's batch size and a Firehose
  client that accepts everything (no network): messages per CPU-second of this one-threaded
  process (= per core) and PutRecordBatch calls per batch.
* Local SQS: moto's server as the emulation starts it (leanops.local.moto_process: its own
  process, the local moto patches applied); ``send`` is the emulation's own
  (leanops.local.sender: SendMessageBatch of 10), through LocalPipeline.send as the ``send``
  command does; delivery is what ``run`` does before its cycle (LocalPipeline.deliver): the
  event source mapping's poller (leanops.local.delivery.QueuePoller) invoking the BUILT
  sqs_processor zip in its Lambda workers, whose Firehose client reaches the local Firehose
  endpoint, then the DLQ, then Firehose's flush (the transform Lambda's zip, pyiceberg appends
  to RAW), until all is in RAW.
* The same poller with the handler in process and a Firehose that accepts everything
  (``local_delivery_in_process_msgs_per_s``): the SQS emulation's own share of that time (moto
  still in its own process, as above).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leanops import settings
from leanops.ingest.events import sqs_event, sqs_record_from_message
from leanops.ingest.retry import DEFAULT_MAX_ATTEMPTS
from leanops.local.aws import patched_environ
from leanops.local.config import DEFAULT_BATCH_SIZE, SQS_PROCESSOR, ResourceNames, TopicSettings
from leanops.local.delivery import QueuePoller
from leanops.local.lambda_runtime import LocalLambdaContext, lambda_handler_module

NAME_PREFIX = "leanops-bench"
EMULATION_PREFIX = "leanops-ingest"  # the emulation's own resources beside the jobs' world
WARMUP_TOPIC = "warmup"
WARMUP_MESSAGES = 100
STREAM = f"{NAME_PREFIX}-raw"
SENT_MS = 1_795_000_000_000


@dataclass
class AcceptingFirehose:
    """A Firehose client accepting every record (counts calls and records; keeps nothing)."""

    calls: int = 0
    records: int = 0

    def put_record_batch(
        self, *, DeliveryStreamName: str, Records: Sequence[Mapping[str, bytes]]
    ) -> dict[str, Any]:
        """Accept the records."""
        self.calls += 1
        self.records += len(Records)
        return {
            "FailedPutCount": 0,
            "Encrypted": False,
            "RequestResponses": [{"RecordId": str(index)} for index in range(len(Records))],
        }


@dataclass
class IngestFigures:
    """What the ingest side measured."""

    handler_msgs_per_cpu_s: float = 0.0
    firehose_calls_per_batch: float = 0.0
    send_msgs_per_s: dict[int, float] = field(default_factory=dict)
    delivery_msgs_per_s: dict[int, float] = field(default_factory=dict)
    in_process_delivery_msgs_per_s: dict[int, float] = field(default_factory=dict)


def lambda_environment() -> dict[str, str]:
    """Return the sqs_processor environment (Terraform's keys, modules/compute), no retry waits."""
    return {
        settings.FIREHOSE_STREAMS: STREAM,
        settings.NAME_PREFIX: NAME_PREFIX,
        "LEANOPS_FIREHOSE_MAX_ATTEMPTS": str(DEFAULT_MAX_ATTEMPTS),
        "LEANOPS_FIREHOSE_BASE_DELAY_MS": "0",
    }


def _message(body: str, index: int) -> dict[str, Any]:
    return {
        "MessageId": str(uuid.UUID(int=index)),
        "ReceiptHandle": f"handle-{index}",
        "Body": body,
        "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": str(SENT_MS + index)},
        "MessageAttributes": {},
    }


def bench_handler(bodies: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> tuple[float, float]:
    """Return (messages per CPU-second, Firehose calls per batch) of the handler in process."""
    names = ResourceNames(NAME_PREFIX)
    queue_arn = names.queue_arn(names.queue("orders"))
    events = [
        sqs_event(
            [
                sqs_record_from_message(_message(body, start + offset), queue_arn)
                for offset, body in enumerate(bodies[start : start + batch_size])
            ]
        )
        for start in range(0, len(bodies), batch_size)
    ]
    firehose = AcceptingFirehose()
    with patched_environ(lambda_environment()):
        handler = lambda_handler_module(SQS_PROCESSOR).lambda_handler
        context = LocalLambdaContext.for_function(f"{NAME_PREFIX}-{SQS_PROCESSOR}")
        started = time.process_time()
        for event in events:
            handler(event, context, firehose=firehose)
        cpu = time.process_time() - started
    return len(bodies) / cpu, firehose.calls / len(events)


def _write_bodies(path: Path, bodies: Sequence[str], depth: int) -> Path:
    lines = [(body or "{}").replace("\n", " ") for body in bodies[:depth]]
    lines += ["{}"] * (depth - len(lines))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bench_local_sqs(sqs: Any, home: Path, bodies: Sequence[str], depths: Sequence[int]) -> dict[int, float]:
    """Return delivery messages/s of the poller with the handler in process, at each queue depth."""
    from leanops.local.ledger import Ledger
    from leanops.local.sender import send_file

    names = ResourceNames(NAME_PREFIX)
    delivery_rates: dict[int, float] = {}
    firehose = AcceptingFirehose()
    with patched_environ(lambda_environment()):
        function = lambda_handler_module(SQS_PROCESSOR).lambda_handler
        for depth in depths:
            topic = f"queued_{depth}"
            queue_url = sqs.create_queue(QueueName=names.queue(topic))["QueueUrl"]
            data = _write_bodies(home / f"{topic}.jsonl", bodies, depth)
            send_file(sqs, queue_url, topic, data, Ledger(home))
            poller = QueuePoller(
                sqs, queue_url, names.queue_arn(names.queue(topic)), TopicSettings(), SQS_PROCESSOR
            )
            started = time.perf_counter()
            report = poller.drain(lambda event, context: function(event, context, firehose=firehose))
            delivery_rates[depth] = report.delivered / (time.perf_counter() - started)
    return delivery_rates


def bench_emulation(
    endpoint: str, home: Path, bodies: Sequence[str], depths: Sequence[int]
) -> tuple[dict[int, float], dict[int, float]]:
    """Return send and delivery messages/s of the emulation (``send``, then ``run``'s delivery)."""
    from leanops.local.pipeline import LocalPipeline

    send_rates: dict[int, float] = {}
    delivery_rates: dict[int, float] = {}
    names = ResourceNames(EMULATION_PREFIX)
    with LocalPipeline(home / EMULATION_PREFIX, endpoint=endpoint, names=names) as pipeline:
        # Warm-up: the zips built, the Lambda workers (execution environments) started.
        pipeline.send(WARMUP_TOPIC, _write_bodies(home / f"{WARMUP_TOPIC}.jsonl", bodies, WARMUP_MESSAGES))
        pipeline.deliver([WARMUP_TOPIC])
        for depth in depths:
            topic = f"delivered_{depth}"
            data = _write_bodies(home / f"{topic}.jsonl", bodies, depth)
            started = time.perf_counter()
            sent = pipeline.send(topic, data).sent
            send_rates[depth] = len(sent) / (time.perf_counter() - started)
            started = time.perf_counter()
            run = pipeline.deliver([topic])
            seconds = time.perf_counter() - started
            appended = sum(run.flush.appended.values())
            if appended != len(sent):
                raise RuntimeError(f"{topic}: {len(sent)} sent, {appended} appended to RAW ({run.flush})")
            delivery_rates[depth] = appended / seconds
    return send_rates, delivery_rates


def bench_ingest(sqs: Any, home: Path, bodies: Sequence[str], depths: Sequence[int]) -> IngestFigures:
    """Measure the handler and the local SQS path (see the module docstring)."""
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    handler_rate, calls = bench_handler(bodies)
    send_rates, delivery_rates = bench_emulation(sqs.meta.endpoint_url, home, bodies, depths)
    in_process = bench_local_sqs(sqs, home, bodies, depths)
    return IngestFigures(handler_rate, calls, send_rates, delivery_rates, in_process)
