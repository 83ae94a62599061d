"""Fixtures of the orchestration tests: the deployed state machine on moto (see orchestration_harness)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from moto.glue import models as glue_models
from orchestration_harness import (
    AWS_SDK_SERVICE_ERROR_NAMES,
    CURATED_JOB,
    LOCK_TABLE,
    MOTO_CONFIG,
    REGION,
    SERVICE_ERROR_NAMES,
    STANDARDIZED_JOB,
    STATE_MACHINE_NAME,
    WORKGROUP,
    Cycle,
    deployment_values,
    fail_runs_of,
    failing_glue_api,
    planner_zip,
    render_definition,
)


@pytest.fixture
def cycle(monkeypatch: pytest.MonkeyPatch) -> Iterator[Cycle]:
    """Deploy the state machine, its planner Lambda, Glue jobs, lock table and alert topic on moto."""
    failing_topics: set[str] = set()
    glue_api_faults: dict[str, list[str]] = {}
    monkeypatch.setattr(glue_models.FakeJob, "start_job_run", fail_runs_of(failing_topics))
    for operation in ("get_job_run", "start_job_run"):
        original = getattr(glue_models.GlueBackend, operation)
        monkeypatch.setattr(glue_models.GlueBackend, operation, failing_glue_api(original, glue_api_faults))
    for service, error_name in AWS_SDK_SERVICE_ERROR_NAMES.items():
        monkeypatch.setitem(SERVICE_ERROR_NAMES, service, error_name)
    with mock_aws(config=MOTO_CONFIG):
        iam, awslambda, glue = (boto3.client(name, region_name=REGION) for name in ("iam", "lambda", "glue"))
        dynamodb, sns, sqs = (boto3.client(name, region_name=REGION) for name in ("dynamodb", "sns", "sqs"))
        role_arn = iam.create_role(RoleName="cycle", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        planner_arn = awslambda.create_function(
            FunctionName="cycle-planner",
            Runtime="python3.11",
            Role=role_arn,
            Handler="handler.lambda_handler",
            Code={"ZipFile": planner_zip()},
        )["FunctionArn"]
        for job in (STANDARDIZED_JOB, CURATED_JOB):
            glue.create_job(
                Name=job, Role=role_arn, Command={"Name": "glueetl", "ScriptLocation": "s3://assets/job.py"}
            )
        dynamodb.create_table(
            TableName=LOCK_TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "lock_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "lock_id", "AttributeType": "S"}],
        )
        topic_arn = sns.create_topic(Name="alerts")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        athena = boto3.client("athena", region_name=REGION)
        athena.create_work_group(Name=WORKGROUP, Configuration={"EnforceWorkGroupConfiguration": True})
        sfn = boto3.client("stepfunctions", region_name=REGION)
        definition = render_definition(deployment_values(planner_arn, topic_arn))
        state_machine_arn = sfn.create_state_machine(
            name=STATE_MACHINE_NAME, definition=definition, roleArn=role_arn
        )["stateMachineArn"]
        yield Cycle(sfn, dynamodb, sqs, state_machine_arn, queue_url, athena, failing_topics, glue_api_faults)
