"""--target aws: Terraform outputs -> resources, and send/schema against (moto's) AWS APIs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from leanops.cli.aws_target import REQUIRED_OUTPUTS, Environment, run_aws_command
from leanops.cli.main import _parser
from leanops.exceptions import ConfigurationError, UsageError

REGION = "eu-west-1"


def outputs_file(tmp_path: Path, queue_url: str) -> Path:
    values = {
        "queue_urls": {"orders": queue_url},
        "contracts_uri": "s3://prod-schemas/contracts/",
        "state_machine_arn": "arn:aws:states:eu-west-1:123456789012:stateMachine:prod-cycle",
        "checkpoint_table_name": "prod-checkpoints",
        "athena_workgroup_name": "prod",
        "glue_job_names": {"standardized": "prod-standardized", "curated": "prod-curated"},
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


def _deployed(tmp_path: Path) -> tuple[Any, list[str]]:
    sqs, s3 = boto3.client("sqs", region_name=REGION), boto3.client("s3", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="prod-orders")["QueueUrl"]
    s3.create_bucket(Bucket="prod-schemas", CreateBucketConfiguration={"LocationConstraint": REGION})
    outputs = outputs_file(tmp_path, queue_url)
    return s3, ["--home", str(tmp_path / "home"), "--target", "aws", "--tf-outputs", str(outputs)]


def test_a_malformed_contract_is_refused_and_the_one_in_force_stays(aws: None, tmp_path: Path) -> None:
    # GIVEN the deployed orders contract in force
    s3, common = _deployed(tmp_path)
    assert run_aws_command(_parser().parse_args([*common, "schema"])) == 0
    before = s3.get_object(Bucket="prod-schemas", Key="contracts/orders.json")["Body"].read()
    bad = tmp_path / "orders.json"
    bad.write_text('{"topic": "orders", "key": ["nope"], "fields": {}}')
    # WHEN a malformed one is uploaded THEN it is refused, naming the problem, and nothing changes
    with pytest.raises(UsageError, match="nothing uploaded, the contract in force stays"):
        run_aws_command(_parser().parse_args([*common, "schema", "--topic", "orders", "--file", str(bad)]))
    assert s3.get_object(Bucket="prod-schemas", Key="contracts/orders.json")["Body"].read() == before


def test_topics_show_their_gate_and_runs_list_executions_and_glue_runs(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a deployed stack with the orders contract, one execution and one Glue run
    _, common = _deployed(tmp_path)
    assert run_aws_command(_parser().parse_args([*common, "topics"])) == 0
    assert "orders" in (before := capsys.readouterr().out) and "no contract (data waits)" in before
    assert run_aws_command(_parser().parse_args([*common, "schema"])) == 0
    sfn, glue = boto3.client("stepfunctions", region_name=REGION), boto3.client("glue", region_name=REGION)
    machine = sfn.create_state_machine(
        name="prod-cycle",
        definition='{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}',
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    sfn.start_execution(stateMachineArn=machine, name="cycle-1")
    for job in ("prod-standardized", "prod-curated"):
        glue.create_job(Name=job, Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://x/y"})
    glue.start_job_run(JobName="prod-standardized", Arguments={"--LEANOPS_TOPICS": "orders"})
    capsys.readouterr()
    # WHEN topics and runs run THEN the gate is open and both histories are listed
    assert run_aws_command(_parser().parse_args([*common, "topics"])) == 0
    topics = capsys.readouterr().out
    assert "orders" in topics and "open" in topics
    assert run_aws_command(_parser().parse_args([*common, "runs"])) == 0
    runs = capsys.readouterr().out
    assert "cycle-1" in runs and "prod-standardized" in runs
