"""AWS hard limits on the planned stacks, and the 1,000-topic stack our users run.

Every planned environment is measured against the limits AWS enforces at apply (not at plan):

* IAM quotas ("IAM and AWS STS quotas"): a role's inline policies total at most 10,240 characters,
  a managed policy at most 6,144 (whitespace not counted);
* Lambda quotas: a function's environment variables total at most 4 KB;
* Step Functions quotas: a state machine definition is at most 1,048,576 characters;
* Amazon SQS policy quotas: a queue policy is at most 8,192 bytes;
* Athena API reference, NamedQuery: a query string is at most 262,144 bytes (not adjustable; the
  per-topic named queries come in parts above ``operational_query_topics`` topics);
* Lambda ScalingConfig: an SQS mapping's MaximumConcurrency is 2-1000; and the Lambda developer
  guide's rule that a queue's visibility timeout is at least six times the function timeout (plus
  the batching window).

None of the per-function sizes may grow with the topics: no policy or environment names one topic
(the Lambdas derive a queue's topic from its name; IAM names the stack's queues by pattern).

The 1,000-topic plan takes minutes on two cores, so it is opt-in: set LEANOPS_SCALE_TOPICS=1000
(any count) to plan dev with that many generated topics and check the same limits on it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from tf_harness import (
    COMMAND_TIMEOUT_SECONDS,
    ENVIRONMENTS,
    REPO_ROOT,
    SUMMARY,
    ScriptResult,
    offline_environment,
    planned_resources,
)

ASL_TEMPLATE = REPO_ROOT / "modules" / "orchestration" / "state_machine.asl.json"
INLINE_ROLE_POLICIES_MAX_CHARS = 10_240
MANAGED_POLICY_MAX_CHARS = 6_144
LAMBDA_ENVIRONMENT_MAX_BYTES = 4 * 1024
STATE_MACHINE_DEFINITION_MAX_CHARS = 1_048_576
SQS_QUEUE_POLICY_MAX_BYTES = 8_192
ATHENA_QUERY_MAX_BYTES = 262_144
VISIBILITY_TIMEOUT_FACTOR = 6
SCALE_TOPICS_ENV = "LEANOPS_SCALE_TOPICS"
WHITESPACE = re.compile(r"\s")
INDEX = re.compile(r"\[[^\]]*\]$")


def _after(change: dict[str, Any]) -> dict[str, Any]:
    return change["change"].get("after") or {}


def _module_config(plan: dict[str, Any], address: str) -> dict[str, Any]:
    """Return the configuration of the module holding a resource address."""
    config = plan["configuration"]["root_module"]
    for name in re.findall(r"module\.([^.\[]+)", address):
        config = config["module_calls"][name]["module"]
    return config


def _role_of(plan: dict[str, Any], change: dict[str, Any]) -> str:
    """Return the role an inline policy is attached to: module + role resource + the policy's index.

    The role's name is unknown at plan time; this stack attaches each policy instance to the role
    instance of the same index (``aws_iam_role.this[each.key]``, ``aws_iam_role.firehose[0]``).
    """
    config = _module_config(plan, change["address"])
    resource = next(
        r for r in config["resources"] if r["type"] == change["type"] and r["name"] == change["name"]
    )
    references = resource["expressions"].get("role", {}).get("references", [])
    role = next((r for r in references if r.startswith("aws_iam_role.") and r.count(".") == 1), None)
    if role is None:
        return change["address"]
    index = INDEX.search(change["address"])
    return f"{change.get('module_address', '')}.{role}{index.group(0) if index else ''}"


def limit_report(plan: dict[str, Any]) -> dict[str, Any]:
    """Measure what AWS limits in a plan: sizes per role, policy, function, state machine, queue."""
    report: dict[str, Any] = {
        "inline_policies_per_role": defaultdict(int),
        "managed_policies": {},
        "lambda_environments": {},
        "state_machine_definitions": {},
        "queue_policies": {},
        "athena_queries": {},
        "unknown": [],
    }
    for change in planned_resources(plan):
        values, kind, address = _after(change), change["type"], change["address"]
        if kind == "aws_iam_role_policy":
            if values.get("policy") is None:
                report["unknown"].append(address)
                continue
            size = len(WHITESPACE.sub("", values["policy"]))
            report["inline_policies_per_role"][_role_of(plan, change)] += size
        elif kind == "aws_iam_policy":
            if values.get("policy") is None:
                report["unknown"].append(address)
                continue
            report["managed_policies"][address] = len(WHITESPACE.sub("", values["policy"]))
        elif kind == "aws_lambda_function":
            variables = (values.get("environment") or [{}])[0].get("variables") or {}
            report["lambda_environments"][address] = len(
                json.dumps(variables, separators=(",", ":")).encode("utf-8")
            )
        elif kind == "aws_sfn_state_machine":
            # Unknown at plan by design: provider 5.100 validates a known definition with the
            # ValidateStateMachineDefinition API during plan (no API offline). Its size is bounded
            # from the template and what grows (the shards' topics, the semantic views) instead.
            size = len(values["definition"]) if values.get("definition") else _definition_bound(plan)
            report["state_machine_definitions"][address] = size
        elif kind == "aws_athena_named_query" and values.get("query"):
            report["athena_queries"][address] = len(values["query"].encode("utf-8"))
        elif kind == "aws_sqs_queue" and values.get("policy"):
            report["queue_policies"][address] = len(values["policy"].encode("utf-8"))
    report["inline_policies_per_role"] = dict(report["inline_policies_per_role"])
    return report


def limit_violations(report: dict[str, Any]) -> list[str]:
    """Return every measured size over its AWS limit."""
    limits = {
        "inline_policies_per_role": INLINE_ROLE_POLICIES_MAX_CHARS,
        "managed_policies": MANAGED_POLICY_MAX_CHARS,
        "lambda_environments": LAMBDA_ENVIRONMENT_MAX_BYTES,
        "state_machine_definitions": STATE_MACHINE_DEFINITION_MAX_CHARS,
        "queue_policies": SQS_QUEUE_POLICY_MAX_BYTES,
        "athena_queries": ATHENA_QUERY_MAX_BYTES,
    }
    return [
        f"{kind}: {address} is {size} (limit {limit})"
        for kind, limit in limits.items()
        for address, size in report[kind].items()
        if size > limit
    ]


def _queue_visibility_violations(plan: dict[str, Any]) -> list[str]:
    """Return the topic queues whose visibility timeout breaks the 6 x function timeout rule."""
    resources = {c["address"]: _after(c) for c in planned_resources(plan)}
    timeout = resources['module.compute.aws_lambda_function.this["sqs_processor"]']["timeout"]
    found = []
    for address, mapping in resources.items():
        if not address.startswith("module.ingestion.aws_lambda_event_source_mapping.this["):
            continue
        key = address.removeprefix("module.ingestion.aws_lambda_event_source_mapping.this")
        queue = resources[f"module.ingestion.aws_sqs_queue.this{key}"]
        needed = VISIBILITY_TIMEOUT_FACTOR * timeout + mapping["maximum_batching_window_in_seconds"]
        if queue["visibility_timeout_seconds"] < needed:
            found.append(f"{queue['name']}: {queue['visibility_timeout_seconds']}s < {needed}s")
        concurrency = [c["maximum_concurrency"] for c in mapping.get("scaling_config") or []]
        if any(not 2 <= value <= 1000 for value in concurrency):
            found.append(f"{address}: maximum_concurrency {concurrency} outside 2-1000")
    return found


def _per_topic_growth(plan: dict[str, Any], topics: list[str]) -> list[str]:
    """Return the IAM policies and Lambda environments that name one topic (they grow with topics)."""
    found = []
    for change in planned_resources(plan):
        values = _after(change)
        if change["type"] in ("aws_iam_role_policy", "aws_iam_policy"):
            text = values.get("policy") or ""
        elif change["type"] == "aws_lambda_function":
            text = json.dumps((values.get("environment") or [{}])[0].get("variables") or {})
        else:
            continue
        named = [t for t in topics if re.search(rf"[-/:]{re.escape(t)}(-dlq)?(?![a-z0-9_])", text)]
        if named:
            found.append(f"{change['address']} names topic(s) {named}")
    return found


def _definition_bound(plan: dict[str, Any]) -> int:
    """Return an upper bound of the state machine definition's size in this plan.

    The template, every placeholder as 2,048 characters, every topic name quoted in the shards
    (JSON escaping cannot grow a topic name: the rule allows [a-z0-9_] only) with 64 characters
    per shard, and every semantic view statement JSON-escaped twice over (x2).
    """
    template = ASL_TEMPLATE.read_text(encoding="utf-8")
    placeholders = len(re.findall(r"\$\{\w+\}", template))
    topics = _topics(plan)
    views = [
        _after(c).get("query") or ""
        for c in planned_resources(plan)
        if c["type"] == "aws_athena_named_query" and '"semantic_' in c["address"]
    ]
    return (
        len(template)
        + 2_048 * placeholders
        + sum(len(topic) + 3 for topic in topics)
        + 64 * len(topics)
        + 2 * sum(len(view) for view in views)
    )


def _topics(plan: dict[str, Any]) -> list[str]:
    """Return the planned topics (the keys of the topic queues)."""
    return sorted(
        c["index"]
        for c in planned_resources(plan)
        if c["address"].startswith("module.ingestion.aws_sqs_queue.this[")
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_policy_environment_or_definition_passes_an_aws_limit(
    plans: dict[str, Any], environment: str
) -> None:
    # GIVEN the plan of an environment
    report = limit_report(plans[environment])
    # THEN every measured size is under its AWS limit, and the ingest path is measured at all
    assert not limit_violations(report), limit_violations(report)
    assert 'module.compute.aws_lambda_function.this["sqs_processor"]' in report["lambda_environments"]
    assert any("module.compute" in role for role in report["inline_policies_per_role"])
    assert not report["unknown"], (
        f"every policy must be known at plan time (checked offline): {report['unknown']}"
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_no_policy_or_environment_grows_with_the_topics(plans: dict[str, Any], environment: str) -> None:
    # GIVEN the topics of an environment
    plan = plans[environment]
    topics = _topics(plan)
    assert topics
    # THEN no IAM policy and no Lambda environment names one of them (queue, DLQ, table)
    assert not _per_topic_growth(plan, topics)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_queues_outlast_six_function_timeouts(plans: dict[str, Any], environment: str) -> None:
    # GIVEN the planned topic queues, their mappings and sqs_processor's timeout
    # THEN every visibility timeout is >= 6 x the timeout + the batching window (Lambda developer
    # guide, SQS event source mapping) and every set maximum concurrency is within 2-1000
    assert not _queue_visibility_violations(plans[environment])


def test_firehose_streams_wait_for_the_transform_they_invoke(plans: dict[str, Any]) -> None:
    # GIVEN the dev plan's configuration
    plan = plans["dev"]
    calls = plan["configuration"]["root_module"]["module_calls"]
    transform_arn = calls["ingestion"]["expressions"]["firehose_transform_function_arn"]["references"]
    # THEN the ingestion module gets the transform's ARN from an output that depends on the function
    (output_name,) = {INDEX.sub("", ref).split(".")[2] for ref in transform_arn if ref.count(".") >= 2}
    output = calls["compute"]["module"]["outputs"][output_name]
    assert "aws_lambda_function.this" in output.get("depends_on", []), output
    # AND the stream invokes exactly that function, known at plan time
    streams = [c for c in planned_resources(plan) if c["type"] == "aws_kinesis_firehose_delivery_stream"]
    lambda_arns = {
        p["parameter_value"]
        for s in streams
        for p in _after(s)["iceberg_configuration"][0]["processing_configuration"][0]["processors"][0][
            "parameters"
        ]
        if p["parameter_name"] == "LambdaArn"
    }
    assert lambda_arns == {"arn:aws:lambda:eu-west-1:111111111111:function:leanops-dev-firehose-transform"}


# -- the 1,000-topic stack (opt-in: minutes of plan) ---------------------------------------------
def scale_tfvars(count: int) -> str:
    """Return a tfvars of ``count`` topics with the settings a stack of that size runs with."""
    topics = "\n".join(f"  t{index:04d} = {{}}" for index in range(count))
    return (
        f"topics = {{\n{topics}\n}}\n"
        "topics_per_job_run    = 50\n"
        "max_parallel_shards   = 5\n"
        "firehose_stream_count = 4\n"
    )


@pytest.fixture(scope="module")
def scale_plan(
    initialised_root: ScriptResult, terraform_work: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], float]:
    """Plan dev with LEANOPS_SCALE_TOPICS generated topics; return (plan JSON, seconds)."""
    count = int(os.environ.get(SCALE_TOPICS_ENV) or 0)
    if count <= 0:
        pytest.skip(f"the {SCALE_TOPICS_ENV}-topic plan is opt-in: set {SCALE_TOPICS_ENV}=1000 to run it")
    assert initialised_root.returncode == 0, initialised_root.output
    folder = tmp_path_factory.mktemp("scale")
    (folder / "scale.tfvars").write_text(scale_tfvars(count), encoding="utf-8")
    root, out = terraform_work / "root", folder / "scale.tfplan"
    started = time.monotonic()
    for arguments in (
        [
            "plan",
            "-refresh=false",
            "-input=false",
            "-lock=false",
            "-no-color",
            f"-var-file={REPO_ROOT / 'environments' / 'dev.tfvars'}",
            f"-var-file={folder / 'scale.tfvars'}",
            f"-out={out}",
        ],
        ["show", "-json", str(out)],
    ):
        completed = subprocess.run(
            ["terraform", f"-chdir={root}", *arguments],
            env=offline_environment(terraform_work),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS * 3,
            check=False,
        )
        assert completed.returncode == 0, f"{arguments[0]} failed:\n{completed.stderr[-5000:]}"
    return json.loads(completed.stdout), time.monotonic() - started


def test_a_stack_of_many_topics_plans_within_every_aws_limit(
    scale_plan: tuple[dict[str, Any], float],
) -> None:
    # GIVEN dev planned with LEANOPS_SCALE_TOPICS topics (4 streams, shards of 50 topics)
    plan, seconds = scale_plan
    count = int(os.environ[SCALE_TOPICS_ENV])
    report = limit_report(plan)
    resources = len(planned_resources(plan))
    largest_role = max(report["inline_policies_per_role"].items(), key=lambda item: item[1])
    SUMMARY.resource_counts[f"dev with {count} topics"] = resources
    print(
        f"\n{count} topics: {resources} resources planned in {seconds:.0f}s; largest inline policies"
        f" {largest_role[1]} chars ({largest_role[0]}); largest Lambda environment"
        f" {max(report['lambda_environments'].values())} bytes; state machines"
        f" {report['state_machine_definitions']} (upper bound: unknown at plan); largest Athena query"
        f" {max(report['athena_queries'].values())} bytes ({len(report['athena_queries'])} named queries);"
        f" unknown: {report['unknown']}"
    )
    # THEN it has every topic and no size passes its AWS limit
    assert len(_topics(plan)) == count
    assert not limit_violations(report), limit_violations(report)
    assert not report["unknown"], report["unknown"]
    assert not _queue_visibility_violations(plan)
