"""Fixtures of the job runtime tests: moto S3 / DynamoDB / SNS resources and job settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import boto3
import pytest

from leanops.adapters import AwsClients
from leanops.adapters.checkpoints import LAYER_KEY, TOPIC_KEY
from leanops.adapters.locks import LOCK_ID_KEY
from leanops.settings import JobSettings

BUCKET = "leanops-contracts"
CONTRACTS_PREFIX = "contracts/"
CHECKPOINT_TABLE = "leanops-checkpoints"
LOCK_TABLE = "leanops-locks"
ALERT_TOPIC = "leanops-alerts"


@dataclass
class JobEnvironment:
    """The AWS side of a job run in moto, plus helpers to drive it."""

    clients: AwsClients
    settings: JobSettings
    alert_queue_url: str

    def with_topics(self, *topics: str) -> JobSettings:
        """Return the settings of a run over ``topics``."""
        return replace(self.settings, topics=tuple(topics))

    def put_contract(self, topic: str, text: str) -> None:
        """Upload a topic's contract (opens its schema gate)."""
        self.clients.s3.put_object(Bucket=BUCKET, Key=f"{CONTRACTS_PREFIX}{topic}.json", Body=text.encode())

    def alerts(self) -> list[dict[str, Any]]:
        """Return the SNS alerts published so far (via an SQS subscription)."""
        sqs = boto3.client("sqs")
        messages = sqs.receive_message(QueueUrl=self.alert_queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        return [json.loads(message["Body"]) for message in messages]


def _create_tables(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName=CHECKPOINT_TABLE,
        KeySchema=[
            {"AttributeName": TOPIC_KEY, "KeyType": "HASH"},
            {"AttributeName": LAYER_KEY, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": TOPIC_KEY, "AttributeType": "S"},
            {"AttributeName": LAYER_KEY, "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.create_table(
        TableName=LOCK_TABLE,
        KeySchema=[{"AttributeName": LOCK_ID_KEY, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": LOCK_ID_KEY, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _alert_queue(sns: Any) -> tuple[str, str]:
    sqs = boto3.client("sqs")
    topic_arn = sns.create_topic(Name=ALERT_TOPIC)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{ALERT_TOPIC}-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, queue_url


@pytest.fixture
def job_env(aws: None) -> Iterator[JobEnvironment]:
    """GIVEN a contract bucket, checkpoint and lock tables and an alert topic in moto."""
    clients = AwsClients(s3=boto3.client("s3"), dynamodb=boto3.client("dynamodb"), sns=boto3.client("sns"))
    clients.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    _create_tables(clients.dynamodb)
    topic_arn, queue_url = _alert_queue(clients.sns)
    settings = JobSettings(
        topics=(),
        contracts_uri=f"s3://{BUCKET}/{CONTRACTS_PREFIX}",
        checkpoint_table=CHECKPOINT_TABLE,
        lock_table=LOCK_TABLE,
        alert_topic_arn=topic_arn,
    )
    yield JobEnvironment(clients=clients, settings=settings, alert_queue_url=queue_url)
