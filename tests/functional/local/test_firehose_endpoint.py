"""The local Firehose endpoint: a real boto3 client, several stream names, AWS's errors."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from leanops import faults
from leanops.local.firehose import BUFFER_FILE, FirehoseStreams
from leanops.local.firehose_endpoint import FirehoseEndpoint

STREAMS = ("leanops-test-raw-0", "leanops-test-raw-1")


@pytest.fixture
def streams(tmp_path: Path) -> FirehoseStreams:
    # put_record_batch only buffers: no catalog, bucket or transform is reached
    return FirehoseStreams(tmp_path, None, None, "bucket", lambda event, context: {}, lambda: STREAMS)


@pytest.fixture
def client(streams: FirehoseStreams) -> Iterator[Any]:
    with FirehoseEndpoint(streams) as endpoint:
        yield boto3.client(
            "firehose",
            endpoint_url=endpoint.url,
            region_name="eu-west-1",
            config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        )


def buffered(folder: Path, stream: str) -> list[bytes]:
    lines = (folder / stream / BUFFER_FILE).read_text(encoding="utf-8").splitlines()
    return [base64.b64decode(json.loads(line)["data"]) for line in lines]


def test_each_stream_name_gets_its_own_buffer(client: Any, tmp_path: Path) -> None:
    # WHEN a real boto3 client puts on two streams, by PutRecordBatch and PutRecord
    batch = client.put_record_batch(
        DeliveryStreamName=STREAMS[0], Records=[{"Data": b"a\n"}, {"Data": b"b\n"}]
    )
    single = client.put_record(DeliveryStreamName=STREAMS[1], Record={"Data": b"c\n"})
    # THEN AWS's response shapes come back and each stream buffered its own records
    assert batch["FailedPutCount"] == 0 and len(batch["RequestResponses"]) == 2
    assert single["RecordId"]
    assert buffered(tmp_path, STREAMS[0]) == [b"a\n", b"b\n"]
    assert buffered(tmp_path, STREAMS[1]) == [b"c\n"]


def test_an_unknown_stream_is_resource_not_found(client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        client.put_record_batch(DeliveryStreamName="nope", Records=[{"Data": b"a"}])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_injected_faults_reach_the_client_as_aws_errors(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.FIREHOSE_THROTTLE}=1")
    with pytest.raises(ClientError) as raised:
        client.put_record_batch(DeliveryStreamName=STREAMS[0], Records=[{"Data": b"a"}])
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.FIREHOSE_PARTIAL_FAILURE}=1")
    response = client.put_record_batch(DeliveryStreamName=STREAMS[0], Records=[{"Data": b"a"}])
    assert response["FailedPutCount"] == 1
    assert response["RequestResponses"][0]["ErrorCode"] == "ServiceUnavailableException"


def test_an_oversized_record_is_invalid_argument(client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        client.put_record_batch(DeliveryStreamName=STREAMS[0], Records=[{"Data": b"x" * (1000 * 1024 + 1)}])
    assert raised.value.response["Error"]["Code"] == "InvalidArgumentException"
