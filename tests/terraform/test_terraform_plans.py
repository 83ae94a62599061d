"""What the planned stack of each environment contains: offline `terraform plan` with fake credentials."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tf_harness import (
    COMMAND_TIMEOUT_SECONDS,
    ENVIRONMENTS,
    REPO_ROOT,
    offline_environment,
    planned_resources,
)

from leanops import definitions, settings
from leanops.adapters import iceberg_ddl

SETTINGS_KEY_PATTERN = re.compile(r"^--(LEANOPS_[A-Z_]+)$")
TOPICS_BLOCK = re.compile(r"^topics\s*=\s*\{(.*?)^\}", re.S | re.M)
TOPIC_ENTRY = re.compile(r"^\s{2}([a-z][a-z0-9_]*)\s*=", re.M)
DATA_SERVICES = ("s3", "glue", "dynamodb", "sqs", "firehose", "kms", "sns", "lambda", "athena")
# Actions that support no resource-level permissions: "*" is the only resource AWS accepts.
RESOURCELESS_ACTIONS = frozenset(
    {
        "cloudwatch:PutMetricData",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        # Step Functions developer guide, "IAM policies for AWS X-Ray": the four X-Ray actions a
        # traced state machine needs, on "*" (no resource-level permissions).
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
    }
)
IAM_POLICY_TYPES = ("aws_iam_role_policy", "aws_iam_policy")


def tfvars_topics(environment: str) -> list[str]:
    """Return the topic names declared in environments/<environment>.tfvars."""
    text = (REPO_ROOT / "environments" / f"{environment}.tfvars").read_text(encoding="utf-8")
    block = TOPICS_BLOCK.search(text)
    assert block is not None, f"environments/{environment}.tfvars declares no topics block"
    return TOPIC_ENTRY.findall(block.group(1))


def resources_of(plan: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Return address -> planned values of every resource of one type."""
    return {
        change["address"]: change["change"].get("after") or {}
        for change in planned_resources(plan)
        if change["type"] == resource_type
    }


def allow_statements(plan: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return (address, statement) of every Allow statement of the stack's IAM policies."""
    found: list[tuple[str, dict[str, Any]]] = []
    for resource_type in IAM_POLICY_TYPES:
        for address, values in resources_of(plan, resource_type).items():
            policy = values.get("policy")
            if not policy:
                continue
            statements = json.loads(policy)["Statement"]
            found += [
                (address, s)
                for s in ([statements] if isinstance(statements, dict) else statements)
                if s["Effect"] == "Allow"
            ]
    return found


def as_list(value: str | list[str] | None) -> list[str]:
    """Return a policy field (string or list) as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_topic_gets_queue_dlq_mapping_and_raw_table(plans: dict[str, Any], environment: str) -> None:
    # GIVEN the topics of an environment's tfvars
    topics = tfvars_topics(environment)
    plan = plans[environment]
    # WHEN the stack is planned
    queues = {values["name"] for values in resources_of(plan, "aws_sqs_queue").values()}
    mappings = resources_of(plan, "aws_lambda_event_source_mapping")
    tables = {
        (values["database_name"], values["name"])
        for values in resources_of(plan, "aws_glue_catalog_table").values()
    }
    # THEN each topic has its queue, its DLQ, a partial-failure mapping and its RAW table
    prefix = f"leanops-{environment}"
    for topic in topics:
        assert f"{prefix}-{topic}" in queues and f"{prefix}-{topic}-dlq" in queues, (
            f"{environment}: queues of {topic}"
        )
        assert (definitions.table(definitions.RAW).database, topic) in tables, (
            f"{environment}: RAW table of {topic}"
        )
    assert len(mappings) == 2 * len(topics), f"{environment}: one queue and one DLQ mapping per topic"
    assert all(
        values["function_response_types"] == ["ReportBatchItemFailures"] for values in mappings.values()
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_shared_tables_come_from_the_definition(plans: dict[str, Any], environment: str) -> None:
    # GIVEN the shared (not per-topic) tables of schemas/tables.json that Terraform creates (the
    # others are the jobs' own: docs/DESIGN_NOTES.md, "Who creates which table")
    expected = {
        (table.database, table.name())
        for table in definitions.all_tables()
        if not table.per_topic and iceberg_ddl.created_by(table) == iceberg_ddl.CREATED_BY_TERRAFORM
    }
    assert expected == {("iceberg_raw_db", "dlq_errors")}
    # WHEN the stack is planned
    tables = {
        (values["database_name"], values["name"])
        for values in resources_of(plans[environment], "aws_glue_catalog_table").values()
    }
    # THEN each of them is created as an Iceberg table
    assert expected <= tables


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_glue_jobs_use_only_known_settings_keys(plans: dict[str, Any], environment: str) -> None:
    # GIVEN the setting keys the job code reads (src/leanops/settings.py)
    known_keys = {
        value
        for name, value in vars(settings).items()
        if name.isupper() and isinstance(value, str) and value.startswith("LEANOPS_")
    }
    # WHEN the Glue jobs' default arguments are planned
    jobs = resources_of(plans[environment], "aws_glue_job")
    assert len(jobs) == 3, f"{environment}: the standardized, curated and maintenance jobs"
    for address, values in jobs.items():
        leanops_keys = {
            match.group(1)
            for key in values["default_arguments"]
            if (match := SETTINGS_KEY_PATTERN.match(key))
        }
        # THEN every LEANOPS_* argument is a key the code knows, and the run's topics are not fixed
        assert leanops_keys <= known_keys, (
            f"{address} passes unknown keys {sorted(leanops_keys - known_keys)}"
        )
        assert {settings.CONTRACTS_URI, settings.CHECKPOINT_TABLE, settings.LOCK_TABLE} <= leanops_keys
        assert settings.TOPICS not in leanops_keys
        assert values["glue_version"] == "5.0"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_iam_statement_grants_every_action_or_every_data_resource(
    plans: dict[str, Any], environment: str
) -> None:
    # GIVEN every Allow statement of the stack's IAM policies
    statements = allow_statements(plans[environment])
    assert statements, "the plan must contain IAM policies known at plan time"
    for address, statement in statements:
        actions = as_list(statement.get("Action"))
        # THEN no statement grants "*" or "<service>:*"
        assert not [a for a in actions if a == "*" or a.endswith(":*")], (
            f"{address} {statement.get('Sid')}: {actions}"
        )
        # AND "*" resources only carry actions AWS cannot scope, never data actions
        if "*" in as_list(statement.get("Resource")):
            unscoped = [a for a in actions if a not in RESOURCELESS_ACTIONS]
            assert not unscoped, f"{address} {statement.get('Sid')} grants {unscoped} on every resource"
            assert not [a for a in actions if a.split(":")[0] in DATA_SERVICES]


@pytest.mark.parametrize(
    ("environment", "expected_shards"),
    [
        ("dev", {"auto-01": ["orders", "payments"]}),
        ("prod", {"auto-01": ["orders", "payments"], "finance": ["refunds"]}),
    ],
)
def test_topics_are_grouped_into_bounded_shards(
    plans: dict[str, Any], environment: str, expected_shards: dict[str, list[str]]
) -> None:
    # GIVEN the topics of an environment (prod pins refunds to the shard "finance")
    plan = plans[environment]
    # WHEN the stack is planned
    shards = plan["planned_values"]["outputs"]["shards"]["value"]
    jobs = resources_of(plan, "aws_glue_job")
    layer_jobs = [job for address, job in jobs.items() if ".maintenance" not in address]
    # THEN unpinned topics are grouped by name, pinned ones keep their shard, one job run per shard
    assert shards == expected_shards
    assert len(layer_jobs) == 2
    assert all(
        job["execution_property"][0]["max_concurrent_runs"] == len(expected_shards) for job in layer_jobs
    )
    # AND maintenance runs one at a time (it takes each topic's lock in turn)
    assert [
        job["execution_property"][0]["max_concurrent_runs"] for job in jobs.values() if job not in layer_jobs
    ] == [1]


def test_plan_json_files_are_written(plans: dict[str, Any], terraform_work: Path) -> None:
    # GIVEN the planned environments
    # THEN each plan JSON is on disk for checkov and terraform-compliance
    for environment in ENVIRONMENTS:
        assert (terraform_work / "plans" / f"{environment}.json").is_file()
        assert planned_resources(plans[environment])


BAD_TOPICS = (
    '{ "Orders-v2" = {}, dlq_errors = {}, orders = { batch_size = 0 }, refunds = { shard = "auto-09" } }'
)


@pytest.fixture(scope="module")
def bad_topics_plan_errors(plans: dict[str, Any], terraform_work: Path) -> str:
    """Plan dev with four badly declared topics at once; return Terraform's errors (one line)."""
    completed = subprocess.run(
        [
            "terraform",
            f"-chdir={terraform_work / 'root'}",
            "plan",
            "-refresh=false",
            "-input=false",
            "-lock=false",
            "-no-color",
            f"-var-file={REPO_ROOT / 'environments' / 'dev.tfvars'}",
            f"-var=topics={BAD_TOPICS}",
        ],
        env=offline_environment(terraform_work),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    assert completed.returncode != 0, "a plan with invalid topics must fail"
    return " ".join(completed.stderr.split())


@pytest.mark.parametrize(
    "message",
    [
        "Invalid topic name(s) 'Orders-v2': a topic name must match ^[a-z][a-z0-9_]{0,47}$",
        "Reserved topic name(s) dlq_errors: they collide with shared tables",
        "batch_size of topic(s) orders must be a whole number between 1 and 10000",
        "Shard names starting with 'auto-' are reserved",
    ],
)
def test_root_rejects_bad_topics_naming_topic_and_rule(bad_topics_plan_errors: str, message: str) -> None:
    # GIVEN the dev environment planned with a bad name, a reserved name, a bad batch size, a bad shard
    # WHEN Terraform validates the topics
    # THEN each error names the topic and the rule it breaks
    assert message in bad_topics_plan_errors
