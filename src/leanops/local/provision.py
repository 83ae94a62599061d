"""Creates, from the one local configuration, what Terraform creates in AWS.

Per topic: queue ``<prefix>-<topic>`` and DLQ ``<prefix>-<topic>-dlq`` with a RedrivePolicy
(``max_receive_count``), and the RAW Iceberg table. Shared: the schemas bucket (``contracts/``),
the data bucket (``firehose-errors/``), the checkpoint and lock tables, the SNS alert topic, the
three databases and ``dlq_errors``, and the HMAC KMS key that signs DLQ replays (alias
``alias/<prefix>-replay``, as modules/storage names it) and the HMAC KMS key of ``pii: hash`` fields
(``alias/<prefix>-pii``). The Iceberg tables are exactly those
modules/catalog creates (the ones Firehose writes), created as Glue creates them
(leanops.local.tables); parse_errors, errors, drift_log and the standardized / curated tables
are created by the jobs' DDL on their first run, as in AWS. Every step is idempotent.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from botocore.exceptions import ClientError

from leanops.adapters.pii_key import pii_key_alias
from leanops.ingest.envelope import replay_key_alias
from leanops.local import deployed
from leanops.local.config import REGION, ResourceNames, TopicSettings
from leanops.local.tables import ensure_shared_tables, ensure_topic_tables

LOGGER = logging.getLogger(__name__)
_BUCKET_EXISTS = ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")
_TABLE_EXISTS = ("ResourceInUseException",)


def _create_bucket(s3: Any, name: str) -> None:
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if name in existing:
        return
    try:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _BUCKET_EXISTS:
            raise


def _create_dynamodb_table(dynamodb: Any, name: str, keys: list[tuple[str, str]]) -> None:
    try:
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": attribute, "KeyType": role} for attribute, role in keys],
            AttributeDefinitions=[
                {"AttributeName": attribute, "AttributeType": "S"} for attribute, _ in keys
            ],
            BillingMode="PAY_PER_REQUEST",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in _TABLE_EXISTS:
            raise


def ensure_replay_key(kms: Any, names: ResourceNames) -> str:
    """Return the id of the replay HMAC key, creating it and its alias if absent (idempotent).

    The key as modules/storage creates it: KeySpec HMAC_256, KeyUsage GENERATE_VERIFY_MAC.
    """
    return _ensure_hmac_key(
        kms, replay_key_alias(names.prefix), f"{names.prefix}: signs DLQ replays (original message ids)"
    )


def ensure_pii_key(kms: Any, names: ResourceNames) -> str:
    """Return the id of the PII HMAC key (``pii: hash`` fields), creating it if absent (idempotent).

    The key as modules/storage creates it (aws_kms_key.pii): HMAC_256, GENERATE_VERIFY_MAC.
    """
    return _ensure_hmac_key(
        kms, pii_key_alias(names.prefix), f"{names.prefix}: derives the key of pii hash fields"
    )


def _ensure_hmac_key(kms: Any, alias: str, description: str) -> str:
    try:
        return str(kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"])
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "NotFoundException":
            raise
    key_id = str(
        kms.create_key(
            KeySpec=deployed.REPLAY_KEY_SPEC, KeyUsage=deployed.REPLAY_KEY_USAGE, Description=description
        )["KeyMetadata"]["KeyId"]
    )
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id


def provision_shared(clients: dict[str, Any], names: ResourceNames, catalog: Any) -> None:
    """Create the buckets, DynamoDB tables, SNS topic, HMAC keys, databases and dlq_errors."""
    _create_bucket(clients["s3"], names.schemas_bucket)
    _create_bucket(clients["s3"], names.data_bucket)
    _create_dynamodb_table(
        clients["dynamodb"], names.checkpoint_table, [("topic", "HASH"), ("layer", "RANGE")]
    )
    _create_dynamodb_table(clients["dynamodb"], names.lock_table, [("lock_id", "HASH")])
    clients["sns"].create_topic(Name=names.alert_topic)
    if "kms" in clients:
        ensure_replay_key(clients["kms"], names)
        ensure_pii_key(clients["kms"], names)
    ensure_shared_tables(catalog)


def provision_topic(
    clients: dict[str, Any], names: ResourceNames, catalog: Any, topic: str, settings: TopicSettings
) -> str:
    """Create a topic's queue, DLQ (with redrive) and RAW table; return the queue URL."""
    sqs = clients["sqs"]
    dlq_attributes = {
        "MessageRetentionPeriod": str(deployed.DLQ_RETENTION_SECONDS),
        "VisibilityTimeout": str(deployed.DLQ_VISIBILITY_TIMEOUT_SECONDS),
    }
    dlq_url = sqs.create_queue(QueueName=names.dlq(topic), Attributes=dlq_attributes)["QueueUrl"]
    redrive = {
        "deadLetterTargetArn": names.queue_arn(names.dlq(topic)),
        "maxReceiveCount": str(settings.max_receive_count),
    }
    attributes = {
        "VisibilityTimeout": str(settings.visibility_timeout),
        "MessageRetentionPeriod": str(deployed.QUEUE_RETENTION_SECONDS),
        "RedrivePolicy": json.dumps(redrive),
    }
    try:
        queue_url = sqs.create_queue(QueueName=names.queue(topic), Attributes=attributes)["QueueUrl"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "QueueAlreadyExists":
            raise
        queue_url = sqs.get_queue_url(QueueName=names.queue(topic))["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes=attributes)
    LOGGER.debug("topic %s: queue %s, dlq %s", topic, queue_url, dlq_url)
    ensure_topic_tables(catalog, topic)
    return queue_url
