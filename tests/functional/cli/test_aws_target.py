"""--target aws: Terraform outputs -> resources, and send/schema against (moto's) AWS APIs."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from leanops.cli.aws_target import REQUIRED_OUTPUTS, Environment, run_aws_command
from leanops.cli.main import _parser
from leanops.exceptions import ConfigurationError

REGION = "eu-west-1"


def outputs_file(tmp_path: Path, queue_url: str) -> Path:
    values = {
        "queue_urls": {"orders": queue_url},
        "contracts_uri": "s3://prod-schemas/contracts/",
        "state_machine_arn": "arn:aws:states:eu-west-1:123456789012:stateMachine:prod-cycle",
        "checkpoint_table_name": "prod-checkpoints",
        "athena_workgroup_name": "prod",
    }
    path = tmp_path / "outputs.json"
    path.write_text(
        json.dumps(
            {name: {"value": value, "type": "string", "sensitive": False} for name, value in values.items()}
        )
    )
    return path


def test_missing_outputs_are_named() -> None:
    with pytest.raises(ConfigurationError) as raised:
        Environment.from_outputs({"queue_urls": {"value": {"orders": "u"}}})
    assert all(name in str(raised.value) for name in REQUIRED_OUTPUTS[1:])


def test_a_topic_without_a_deployed_queue_is_refused(tmp_path: Path) -> None:
    env = Environment.from_outputs(json.loads(outputs_file(tmp_path, "https://q").read_text()))
    with pytest.raises(ConfigurationError, match="add it to the topics variable"):
        env.queue_url("payments")


@pytest.mark.parametrize("command", ["reset", "full"])
def test_local_only_commands_are_refused(tmp_path: Path, command: str) -> None:
    args = _parser().parse_args(["--target", "aws", "--tf-outputs", str(tmp_path / "none.json"), command])
    with pytest.raises(ConfigurationError, match="local only"):
        run_aws_command(args)


def test_send_and_schema_use_the_deployed_queue_and_bucket(aws: None, tmp_path: Path) -> None:
    # GIVEN a deployed queue and schemas bucket (moto) and Terraform's outputs naming them
    sqs, s3 = boto3.client("sqs", region_name=REGION), boto3.client("s3", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="prod-orders")["QueueUrl"]
    s3.create_bucket(Bucket="prod-schemas", CreateBucketConfiguration={"LocationConstraint": REGION})
    outputs = outputs_file(tmp_path, queue_url)
    data = tmp_path / "in.jsonl"
    data.write_text('{"order_id": "o-1"}\n\n{broken\n')
    common = ["--home", str(tmp_path / "home"), "--target", "aws", "--tf-outputs", str(outputs)]
    # WHEN send and schema run against it
    assert (
        run_aws_command(_parser().parse_args([*common, "send", "--topic", "orders", "--file", str(data)]))
        == 0
    )
    assert run_aws_command(_parser().parse_args([*common, "schema"])) == 0
    # THEN the two sendable lines are on the queue and the repo's contracts are in the bucket
    bodies = sorted(
        m["Body"] for m in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    )
    assert bodies == ['{"order_id": "o-1"}', "{broken"]
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket="prod-schemas")["Contents"])
    assert keys == ["contracts/orders.json", "contracts/payments.json"]
