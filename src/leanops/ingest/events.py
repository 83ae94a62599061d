"""Lambda events in the shapes AWS sends, built from what boto3 returns.

The local runner plays Lambda's event source mapping and Firehose: it receives messages with
boto3 and calls the real handlers with these events; tests build their events the same way.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

SQS_EVENT_SOURCE = "aws:sqs"
_ATTRIBUTE_VALUE_KEYS = {
    "StringValue": "stringValue",
    "BinaryValue": "binaryValue",
    "StringListValues": "stringListValues",
    "BinaryListValues": "binaryListValues",
    "DataType": "dataType",
}


def _lambda_message_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    converted: dict[str, dict[str, Any]] = {}
    for name, value in attributes.items():
        entry: dict[str, Any] = {"stringListValues": [], "binaryListValues": []}
        for boto_key, lambda_key in _ATTRIBUTE_VALUE_KEYS.items():
            if boto_key in value:
                raw = value[boto_key]
                entry[lambda_key] = base64.b64encode(raw).decode("ascii") if isinstance(raw, bytes) else raw
        converted[name] = entry
    return converted


def sqs_record_from_message(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    """Return the Lambda SQS event record of a message from boto3's ``receive_message``.

    Args:
        message: one ``Messages`` item, received with ``AttributeNames=["All"]`` and
            ``MessageAttributeNames=["All"]``.
        queue_arn: ARN of the queue it was received from.
    """
    body = message["Body"]
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": body,
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": _lambda_message_attributes(message.get("MessageAttributes", {})),
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(body.encode("utf-8")).hexdigest(),  # noqa: S324
        "eventSource": SQS_EVENT_SOURCE,
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


def sqs_event(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return an SQS event (what Lambda's event source mapping passes) of the given records."""
    return {"Records": [dict(record) for record in records]}


def firehose_transformation_event(
    records: Sequence[bytes], delivery_stream_arn: str, arrival_millis: int
) -> dict[str, Any]:
    """Return a Firehose data-transformation event (Direct PUT source) of the given record data.

    Record ids are ``"<invocation>-<index>"`` so the caller can map results back in order.
    """
    invocation_id = str(uuid.uuid4())
    return {
        "invocationId": invocation_id,
        "deliveryStreamArn": delivery_stream_arn,
        "region": delivery_stream_arn.split(":")[3],
        "records": [
            {
                "recordId": f"{invocation_id}-{index}",
                "approximateArrivalTimestamp": arrival_millis,
                "data": base64.b64encode(data).decode("ascii"),
            }
            for index, data in enumerate(records)
        ],
    }
