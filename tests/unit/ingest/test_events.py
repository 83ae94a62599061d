"""Events built from boto3 responses have the shapes of AWS's own samples (tests/events/)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from leanops.ingest.events import firehose_transformation_event, sqs_record_from_message


def test_sqs_record_has_the_keys_of_the_aws_sample(sample_event: Callable[[str], dict[str, Any]]) -> None:
    sample = sample_event("sqs_replay_event.json")["Records"][0]
    message = {
        "MessageId": sample["messageId"],
        "ReceiptHandle": sample["receiptHandle"],
        "MD5OfBody": sample["md5OfBody"],
        "Body": sample["body"],
        "Attributes": sample["attributes"],
        "MessageAttributes": {
            name: {"StringValue": value["stringValue"], "DataType": value["dataType"]}
            for name, value in sample["messageAttributes"].items()
        },
    }
    assert sqs_record_from_message(message, sample["eventSourceARN"]) == sample


def test_firehose_event_has_the_keys_of_the_aws_sample(sample_event: Callable[[str], dict[str, Any]]) -> None:
    sample = sample_event("firehose_transformation_event.json")
    built = firehose_transformation_event([b"a", b"b"], sample["deliveryStreamArn"], 1)
    assert set(built) == set(sample) and built["region"] == sample["region"]
    assert [set(record) for record in built["records"]] == [set(sample["records"][0])] * 2
    assert [base64.b64decode(record["data"]) for record in built["records"]] == [b"a", b"b"]
    assert len({record["recordId"] for record in built["records"]}) == 2
