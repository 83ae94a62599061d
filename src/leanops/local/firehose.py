"""A local Firehose delivery stream with an Iceberg destination and a transformation Lambda.

``put_record_batch`` has AWS's request and response shapes and limits, and buffers accepted
records durably under LEANOPS_HOME. ``flush`` does what Firehose does when its buffer fills:
invokes the transformation Lambda with Firehose's event, appends ``Ok`` records to the Iceberg
table named by their ``otfMetadata``, and writes ``ProcessingFailed`` records (and records the
destination refuses) as JSON lines under the data bucket's ``firehose-errors/`` prefix.

The buffer is append-only; after each delivered chunk the byte offset of the first record not
delivered yet is recorded beside it (``buffer.delivered``), so a flush costs its records once
(rewriting the rest of the buffer after each chunk made it quadratic). A flush that dies
between a chunk's append and its offset delivers that chunk again (duplicates standardized
drops, as after a Firehose retry); the buffer goes when every record in it was delivered.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from leanops import faults
from leanops.local import deployed
from leanops.local.config import ACCOUNT_ID, FIREHOSE_ERRORS_PREFIX, REGION
from leanops.local.lambda_runtime import LocalLambdaContext
from leanops.local.progress import progress
from leanops.local.rows import arrow_table_for

LOGGER = logging.getLogger(__name__)
MAX_RECORDS_PER_CALL = 500
MAX_BYTES_PER_CALL = 4 * 1024 * 1024
MAX_BYTES_PER_RECORD = 1000 * 1024
TRANSFORM_BATCH_RECORDS = 500
BUFFER_FILE = "buffer.jsonl"
OFFSET_FILE = "buffer.delivered"
OK = "Ok"
PROCESSING_FAILED = "ProcessingFailed"
PARTIAL_FAILURE_CODE = "ServiceUnavailableException"
TransformHandler = Callable[[dict[str, Any], Any], Mapping[str, Any]]


def _client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "PutRecordBatch")


def _decode_row(record: Mapping[str, Any]) -> Any:
    try:
        return json.loads(base64.b64decode(record["data"]))
    except (ValueError, KeyError, TypeError):
        return None


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def _transform_batch_size(pending: list[dict[str, Any]]) -> int:
    """Return how many of the oldest records one transform invocation gets.

    Firehose hands the Lambda at most ``BufferSizeInMBs`` of data (leanops.local.deployed, as
    Terraform's processor sets it); this emulation also at most TRANSFORM_BATCH_RECORDS records.
    """
    limit = deployed.FIREHOSE_TRANSFORM_BUFFER_SIZE_MIB * 1024 * 1024
    total = 0
    for count, entry in enumerate(pending[:TRANSFORM_BATCH_RECORDS]):
        total += len(entry["data"]) * 3 // 4  # the record's bytes (base64 in the buffer)
        if total > limit and count:
            return count
    return min(len(pending), TRANSFORM_BATCH_RECORDS)


@dataclass
class FlushReport:
    """What one flush did: rows appended per table and records sent to firehose-errors/."""

    appended: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    error_objects: list[str] = field(default_factory=list)


class LocalFirehose:
    """One delivery stream: PutRecordBatch in, buffered, flushed to Iceberg through the transform."""

    def __init__(
        self,
        stream_name: str,
        buffer_dir: Path,
        catalog: Any,
        s3: Any,
        error_bucket: str,
        transform: TransformHandler,
    ) -> None:
        """Create the stream over a buffer folder, the Iceberg catalog and the error bucket."""
        self.stream_name = stream_name
        self.buffer_path = buffer_dir / BUFFER_FILE
        self.offset_path = buffer_dir / OFFSET_FILE
        self._buffer_lock = threading.Lock()
        self.catalog = catalog
        self.s3 = s3
        self.error_bucket = error_bucket
        self.transform = transform
        buffer_dir.mkdir(parents=True, exist_ok=True)

    def put_record_batch(
        self, *, DeliveryStreamName: str, Records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:  # noqa: N803
        """Accept up to 500 records (4 MiB, 1,000 KiB each) like AWS; buffer them durably.

        Raises:
            ClientError: ResourceNotFoundException, InvalidArgumentException or
                ThrottlingException, as AWS raises them.

        """
        self._validate_request(DeliveryStreamName, Records)
        if faults.should_fail(faults.FIREHOSE_THROTTLE):
            raise _client_error("ThrottlingException", "Rate exceeded (injected fault firehose-throttle)")
        responses: list[dict[str, str]] = []
        accepted: list[str] = []
        for record in Records:
            if faults.should_fail(faults.FIREHOSE_PARTIAL_FAILURE):
                responses.append(
                    {
                        "ErrorCode": PARTIAL_FAILURE_CODE,
                        "ErrorMessage": "Slow down (injected fault firehose-partial-failure)",
                    }
                )
                continue
            record_id = uuid.uuid4().hex
            accepted.append(self._buffer_line(record_id, bytes(record["Data"])))
            responses.append({"RecordId": record_id})
        self._append_buffer(accepted)
        failed = sum(1 for response in responses if "ErrorCode" in response)
        return {"FailedPutCount": failed, "Encrypted": False, "RequestResponses": responses}

    def _validate_request(self, stream: str, records: Sequence[Mapping[str, Any]]) -> None:
        if stream != self.stream_name:
            raise _client_error(
                "ResourceNotFoundException", f"Firehose {stream} under account {ACCOUNT_ID} not found."
            )
        if not 1 <= len(records) <= MAX_RECORDS_PER_CALL:
            raise _client_error(
                "InvalidArgumentException",
                f"Records must hold 1 to {MAX_RECORDS_PER_CALL} records, got {len(records)}",
            )
        total = 0
        for index, record in enumerate(records):
            size = len(record["Data"])
            if size > MAX_BYTES_PER_RECORD:
                raise _client_error(
                    "InvalidArgumentException",
                    f"Records[{index}] is {size} bytes; the limit is {MAX_BYTES_PER_RECORD}",
                )
            total += size
        if total > MAX_BYTES_PER_CALL:
            raise _client_error(
                "InvalidArgumentException", f"the request is {total} bytes; the limit is {MAX_BYTES_PER_CALL}"
            )

    @staticmethod
    def _buffer_line(record_id: str, data: bytes) -> str:
        entry = {
            "recordId": record_id,
            "approximateArrivalTimestamp": _now_ms(),
            "data": base64.b64encode(data).decode("ascii"),
        }
        return json.dumps(entry) + "\n"

    def _append_buffer(self, lines: list[str]) -> None:
        if not lines:
            return
        with self._buffer_lock, self.buffer_path.open("a", encoding="utf-8") as handle:
            handle.write("".join(lines))
            handle.flush()
            os.fsync(handle.fileno())

    def _delivered_offset(self) -> int:
        if not self.offset_path.is_file():
            return 0
        return int(self.offset_path.read_text(encoding="ascii").strip() or 0)

    def _record_offset(self, offset: int) -> None:
        partial = self.offset_path.with_suffix(".partial")
        partial.write_text(f"{offset}\n", encoding="ascii")
        partial.replace(self.offset_path)

    def _pending(self) -> tuple[int, list[dict[str, Any]], list[int]]:
        """Return the delivered offset, and the records after it with each one's bytes in the buffer."""
        offset = self._delivered_offset()
        if not self.buffer_path.is_file():
            return offset, [], []
        with self.buffer_path.open("rb") as handle:
            handle.seek(offset)
            lines = handle.read().splitlines(keepends=True)
        entries: list[dict[str, Any]] = []
        sizes: list[int] = []
        for line in lines:
            if line.strip():
                entries.append(json.loads(line))
                sizes.append(len(line))
            elif entries:
                sizes[-1] += len(line)
            else:
                offset += len(line)
        return offset, entries, sizes

    def buffered(self) -> list[dict[str, Any]]:
        """Return the records waiting in the buffer (not delivered yet), oldest first."""
        return self._pending()[1]

    def flush(self) -> FlushReport:
        """Deliver every buffered record; the delivered offset moves after each delivered chunk.

        Its progress (records delivered of those buffered) shows as a bar on a terminal, a line
        every ~10 s otherwise (leanops.local.progress).
        """
        report = FlushReport()
        offset, pending, sizes = self._pending()
        if not pending:
            return report
        with progress(f"firehose {self.stream_name} (records)", total=len(pending)) as advance:
            start = 0
            while start < len(pending):
                size = _transform_batch_size(pending[start : start + TRANSFORM_BATCH_RECORDS])
                self._deliver_chunk(pending[start : start + size], report)
                offset += sum(sizes[start : start + size])
                self._record_offset(offset)
                start += size
                advance(size)
        self._drop_delivered(offset)
        return report

    def _drop_delivered(self, offset: int) -> None:
        """Remove the buffer and its offset when every record in it was delivered."""
        with self._buffer_lock:
            if self.buffer_path.is_file() and self.buffer_path.stat().st_size == offset:
                self.buffer_path.unlink()
                self.offset_path.unlink(missing_ok=True)

    def _deliver_chunk(self, chunk: list[dict[str, Any]], report: FlushReport) -> None:
        event = {
            "invocationId": str(uuid.uuid4()),
            "deliveryStreamArn": f"arn:aws:firehose:{REGION}:{ACCOUNT_ID}:deliverystream/{self.stream_name}",
            "region": REGION,
            "records": chunk,
        }
        by_id = {entry["recordId"]: entry for entry in chunk}
        try:
            response = self.transform(event, LocalLambdaContext.for_function(f"{self.stream_name}-transform"))
        except Exception as exc:  # noqa: BLE001 - Firehose sends the whole batch to errors
            LOGGER.warning("firehose transform failed for %d records: %s", len(chunk), exc)
            self._write_errors(list(by_id.values()), "Lambda.FunctionError", str(exc), report)
            return
        rows_by_table: dict[tuple[str, str], list[tuple[dict[str, Any], dict[str, Any]]]] = {}
        failed: list[dict[str, Any]] = []
        for record in response.get("records", []):
            source = by_id.pop(record.get("recordId", ""), None)
            if source is None:
                continue
            destination = record.get("metadata", {}).get("otfMetadata", {})
            if record.get("result") == OK and destination:
                key = (destination["destinationDatabaseName"], destination["destinationTableName"])
                rows_by_table.setdefault(key, []).append((source, record))
            elif record.get("result") != "Dropped":
                failed.append(source)
        self._write_errors(
            failed,
            "Lambda.ProcessingFailed",
            "The transformation Lambda marked the record ProcessingFailed",
            report,
        )
        self._write_errors(
            list(by_id.values()),
            "Lambda.MissingRecordId",
            "The transformation Lambda returned no result for the record",
            report,
        )
        for (database, table_name), pairs in rows_by_table.items():
            self._append_rows(database, table_name, pairs, report)

    def _append_rows(
        self,
        database: str,
        table_name: str,
        pairs: list[tuple[dict[str, Any], dict[str, Any]]],
        report: FlushReport,
    ) -> None:
        identifier = f"{database}.{table_name}"
        if not self.catalog.table_exists(identifier):
            self._write_errors(
                [source for source, _ in pairs], "Iceberg.TableNotFound", f"no table {identifier}", report
            )
            return
        table = self.catalog.load_table(identifier)
        rows = [_decode_row(record) for _, record in pairs]
        arrow, rejected = arrow_table_for(table.schema(), rows)
        self._write_errors(
            [pairs[index][0] for index, _ in rejected],
            "Iceberg.InvalidRecord",
            "; ".join(sorted({reason for _, reason in rejected})),
            report,
        )
        if arrow.num_rows:
            table.append(arrow)
            report.appended[identifier] = report.appended.get(identifier, 0) + arrow.num_rows

    def _write_errors(
        self, sources: list[dict[str, Any]], code: str, message: str, report: FlushReport
    ) -> None:
        if not sources:
            return
        now = datetime.now(UTC)
        lines = [
            json.dumps(
                {
                    "attemptsMade": 1,
                    "arrivalTimestamp": source.get("approximateArrivalTimestamp"),
                    "errorCode": code,
                    "errorMessage": message,
                    "attemptEndingTimestamp": int(now.timestamp() * 1000),
                    "rawData": source["data"],
                    "deliveryStreamName": self.stream_name,
                }
            )
            for source in sources
        ]
        name = f"{self.stream_name}-{now:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}"
        key = f"{FIREHOSE_ERRORS_PREFIX}{now:%Y/%m/%d/%H}/{name}"
        self.s3.put_object(Bucket=self.error_bucket, Key=key, Body=("\n".join(lines) + "\n").encode("utf-8"))
        report.failed += len(sources)
        report.error_objects.append(key)


class FirehoseStreams:
    """The environment's delivery streams by name, each with its own buffer, one RAW catalog.

    What the Firehose endpoint serves: ``put_record_batch`` / ``put_record`` route to the named
    stream (ResourceNotFoundException for a name the environment does not have), ``flush``
    delivers every stream's buffer. Thread-safe: the endpoint puts from its own thread.
    """

    def __init__(
        self,
        buffer_root: Path,
        catalog: Any,
        s3: Any,
        error_bucket: str,
        transform: TransformHandler,
        known: Callable[[], Iterable[str]],
    ) -> None:
        """Serve the stream names ``known()`` returns, buffering under ``buffer_root/<name>/``."""
        self.buffer_root = buffer_root
        self._stream_args = (catalog, s3, error_bucket, transform)
        self._known = known
        self._streams: dict[str, LocalFirehose] = {}
        self._lock = threading.RLock()

    def stream(self, name: str) -> LocalFirehose:
        """Return the stream ``name``.

        Raises:
            ClientError: ResourceNotFoundException when the environment has no such stream.
        """
        with self._lock:
            if name not in self._streams:
                if name not in set(self._known()):
                    raise _client_error(
                        "ResourceNotFoundException", f"Firehose {name} under account {ACCOUNT_ID} not found."
                    )
                self._streams[name] = LocalFirehose(name, self.buffer_root / name, *self._stream_args)
            return self._streams[name]

    def put_record_batch(
        self, *, DeliveryStreamName: str, Records: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:  # noqa: N803
        """PutRecordBatch on the named stream (see LocalFirehose.put_record_batch)."""
        with self._lock:
            return self.stream(DeliveryStreamName).put_record_batch(
                DeliveryStreamName=DeliveryStreamName, Records=Records
            )

    def put_record(self, *, DeliveryStreamName: str, Record: Mapping[str, Any]) -> dict[str, Any]:  # noqa: N803
        """PutRecord: one record; a refused record is the call's error, as in AWS.

        Raises:
            ClientError: as PutRecordBatch, or the record's own error code.
        """
        response = self.put_record_batch(DeliveryStreamName=DeliveryStreamName, Records=[Record])
        result = response["RequestResponses"][0]
        if "ErrorCode" in result:
            raise _client_error(result["ErrorCode"], result["ErrorMessage"])
        return {"RecordId": result["RecordId"], "Encrypted": False}

    def flush(self) -> FlushReport:
        """Deliver the buffer of every stream that has one."""
        report = FlushReport()
        with self._lock:
            names = {path.parent.name for path in self.buffer_root.glob(f"*/{BUFFER_FILE}")}
            for name in sorted({*names, *self._streams}):
                if name not in self._streams and name not in set(self._known()):
                    continue
                flushed = self.stream(name).flush()
                for table, rows in flushed.appended.items():
                    report.appended[table] = report.appended.get(table, 0) + rows
                report.failed += flushed.failed
                report.error_objects += flushed.error_objects
        return report
