"""The local Firehose: PutRecordBatch limits and faults as AWS's, delivery to Iceberg.

Through the real firehose_transform Lambda, with moto S3 for firehose-errors/ and pyiceberg.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from leanops import faults
from leanops.local.catalog import local_catalog
from leanops.local.config import FIREHOSE_ERRORS_PREFIX
from leanops.local.firehose import (
    MAX_BYTES_PER_RECORD,
    MAX_RECORDS_PER_CALL,
    TRANSFORM_BATCH_RECORDS,
    LocalFirehose,
)
from leanops.local.lambda_runtime import lambda_handler_module
from leanops.local.tables import ensure_shared_tables, ensure_topic_tables

STREAM = "test-raw"
BUCKET = "test-data-bucket"


@pytest.fixture
def firehose(aws: None, tmp_path: Path) -> Iterator[LocalFirehose]:
    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    catalog = local_catalog(tmp_path / "home")
    ensure_shared_tables(catalog)
    ensure_topic_tables(catalog, "orders")
    transform = lambda_handler_module("firehose_transform").lambda_handler
    yield LocalFirehose(STREAM, tmp_path / "buffer", catalog, s3, BUCKET, transform)


def envelope(message_id: str, **overrides: Any) -> dict[str, Any]:
    row = {
        "topic_name": "orders",
        "message_id": message_id,
        "payload": '{"order_id": "o-1"}',
        "sent_at": "2026-01-01T10:00:00.123000Z",
        "ingested_at": "2026-01-01T10:00:01.000000Z",
        "receive_count": 1,
        "replayed_at": None,
    }
    return {**row, **overrides}


def record(row: dict[str, Any]) -> dict[str, bytes]:
    return {"Data": (json.dumps(row, separators=(",", ":")) + "\n").encode("utf-8")}


def error_lines(firehose: LocalFirehose) -> list[dict[str, Any]]:
    s3 = firehose.s3
    keys = [
        item["Key"]
        for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=FIREHOSE_ERRORS_PREFIX).get("Contents", [])
    ]
    return [
        json.loads(line)
        for key in keys
        for line in s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().splitlines()
    ]


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([], "1 to 500 records"),
        ([{"Data": b"x"}] * (MAX_RECORDS_PER_CALL + 1), "1 to 500 records"),
        ([{"Data": b"x" * (MAX_BYTES_PER_RECORD + 1)}], "Records[0]"),
        ([{"Data": b"x" * MAX_BYTES_PER_RECORD}] * 5, "the request is"),
    ],
)
def test_put_record_batch_refuses_requests_over_the_limits(
    firehose: LocalFirehose, records: list[dict[str, bytes]], message: str
) -> None:
    # GIVEN a request AWS would refuse WHEN it is put THEN InvalidArgumentException names the limit
    with pytest.raises(ClientError) as raised:
        firehose.put_record_batch(DeliveryStreamName=STREAM, Records=records)
    assert raised.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert message in raised.value.response["Error"]["Message"]
    assert firehose.buffered() == []


def test_put_record_batch_to_an_unknown_stream_is_resource_not_found(firehose: LocalFirehose) -> None:
    with pytest.raises(ClientError) as raised:
        firehose.put_record_batch(DeliveryStreamName="other", Records=[{"Data": b"x"}])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_faults_fail_records_or_throttle_the_call(
    firehose: LocalFirehose, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN every record fails WHEN a batch is put THEN each response entry carries AWS's error code
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.FIREHOSE_PARTIAL_FAILURE}=1.0")
    response = firehose.put_record_batch(
        DeliveryStreamName=STREAM, Records=[record(envelope("m1")), record(envelope("m2"))]
    )
    assert response["FailedPutCount"] == 2
    assert {entry["ErrorCode"] for entry in response["RequestResponses"]} == {"ServiceUnavailableException"}
    assert firehose.buffered() == []
    # GIVEN throttling WHEN a batch is put THEN the call raises ThrottlingException
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.FIREHOSE_THROTTLE}=1.0")
    with pytest.raises(ClientError) as raised:
        firehose.put_record_batch(DeliveryStreamName=STREAM, Records=[record(envelope("m1"))])
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"


def test_flush_appends_envelopes_to_raw_and_failed_records_to_firehose_errors(
    firehose: LocalFirehose,
) -> None:
    # GIVEN two envelopes, a dlq_errors row and a record that is not an envelope, all accepted
    dlq_row = {
        "topic_name": "orders",
        "message_id": "m3",
        "payload": "x",
        "receive_count": 8,
        "error_reason": "redrive",
        "source_queue": "q-orders",
        "sent_at": "2026-01-01T10:00:00.000000Z",
        "archived_at": "2026-01-01T11:00:00.000000Z",
    }
    records = [
        record(envelope("m1")),
        record(envelope("m2", sent_at="2026-01-01T10:00:00+02:00")),
        record(dlq_row),
        {"Data": b"not json\n"},
    ]
    response = firehose.put_record_batch(DeliveryStreamName=STREAM, Records=records)
    assert response["FailedPutCount"] == 0 and len(firehose.buffered()) == 4
    # WHEN the buffer is flushed
    report = firehose.flush()
    # THEN RAW and dlq_errors got their rows (timestamps typed), the broken record is under firehose-errors/
    assert report.appended == {"iceberg_raw_db.orders": 2, "iceberg_raw_db.dlq_errors": 1}
    raw = (
        firehose.catalog.load_table("iceberg_raw_db.orders")
        .scan()
        .to_arrow()
        .sort_by("message_id")
        .to_pylist()
    )
    # RAW's timestamps are UTC, zone-less as Glue's CreateTable makes them (or timestamptz)
    assert [(row["message_id"], row["sent_at"].replace(tzinfo=None).isoformat()) for row in raw] == [
        ("m1", "2026-01-01T10:00:00.123000"),
        ("m2", "2026-01-01T08:00:00"),
    ]
    errors = error_lines(firehose)
    assert [base64.b64decode(line["rawData"]) for line in errors] == [b"not json\n"]
    assert errors[0]["errorCode"] == "Lambda.ProcessingFailed" and errors[0]["errorMessage"]
    assert firehose.buffered() == []


def test_a_flush_that_dies_between_chunks_delivers_each_record_once_from_the_recorded_offset(
    firehose: LocalFirehose, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN three transform batches' worth of records in the buffer
    total = 2 * TRANSFORM_BATCH_RECORDS + 7
    for start in range(0, total, MAX_RECORDS_PER_CALL):
        rows = [envelope(f"m{index:05d}") for index in range(start, min(total, start + MAX_RECORDS_PER_CALL))]
        firehose.put_record_batch(DeliveryStreamName=STREAM, Records=[record(row) for row in rows])
    # AND the RAW table refuses the second append (the process dies there)
    appends: list[int] = []
    real_load = firehose.catalog.load_table

    def load_table(identifier: str) -> Any:
        table = real_load(identifier)
        real_append = table.append

        def append(arrow: Any) -> None:
            appends.append(arrow.num_rows)
            if len(appends) == 2:
                raise OSError("disk gone")
            real_append(arrow)

        monkeypatch.setattr(table, "append", append)
        return table

    monkeypatch.setattr(firehose.catalog, "load_table", load_table)
    # WHEN the flush dies at its second chunk
    with pytest.raises(OSError, match="disk gone"):
        firehose.flush()
    # THEN the buffer still holds exactly the records after the first chunk
    waiting = firehose.buffered()
    assert len(waiting) == total - TRANSFORM_BATCH_RECORDS
    assert waiting[0]["recordId"] != "" and len({entry["recordId"] for entry in waiting}) == len(waiting)
    # WHEN the next flush runs THEN it delivers the rest, each record once, and the buffer is gone
    report = firehose.flush()
    assert report.appended == {"iceberg_raw_db.orders": total - TRANSFORM_BATCH_RECORDS}
    raw = real_load("iceberg_raw_db.orders").scan().to_arrow()
    assert sorted(raw.column("message_id").to_pylist()) == [f"m{index:05d}" for index in range(total)]
    assert firehose.buffered() == [] and not firehose.buffer_path.exists()
