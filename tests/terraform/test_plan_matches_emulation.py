"""The emulation runs with the settings Terraform deploys: the dev plan against the local runner.

``differences(plan)`` lists every setting where the local runner (``leanops.local.deployed`` and
the code that uses it: the queues it provisions, its poller, its Lambda context, the Glue job
arguments and Spark settings of its Glue worker) differs from the planned stack. It must be
empty; a setting changed in Terraform alone makes it non-empty (the second test shows it for a
Glue argument, a Spark setting and a queue setting). The Iceberg tables' columns and types are
compared in ``test_catalog_tables.py``; the state machine's template inputs at the end here.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from tf_harness import REPO_ROOT, planned_resources

from leanops import definitions, settings
from leanops.local import deployed
from leanops.local.config import ResourceNames, TopicSettings
from leanops.local.cycle import job_arguments
from leanops.local.spark import spark_conf

PER_RUN_ARGUMENTS = {f"--{settings.TOPICS}", f"--{settings.RUN_ID}"}
CONF_SEPARATOR = " --conf "
ASL_TEMPLATE = REPO_ROOT / "modules" / "orchestration" / "state_machine.asl.json"
ORCHESTRATION_MAIN = REPO_ROOT / "modules" / "orchestration" / "main.tf"
HARNESS = REPO_ROOT / "tests" / "functional" / "orchestration" / "orchestration_harness.py"


def _after(plan: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        change["address"]: change["change"].get("after") or {}
        for change in planned_resources(plan)
        if change["type"] == resource_type
    }


def _local_names(plan: dict[str, Any]) -> ResourceNames:
    variables = plan["variables"]
    return ResourceNames(f"{variables['project']['value']}-{variables['environment']['value']}")


def _glue_differences(plan: dict[str, Any], home: Path) -> list[str]:
    names = _local_names(plan)
    argv = job_arguments(names, ["orders"], "run-1")
    local_arguments = dict(zip(argv[::2], argv[1::2], strict=True))
    local_conf = spark_conf(home)
    catalog = f"spark.sql.catalog.{definitions.catalog_name()}"
    found: list[str] = []
    for address, job in _after(plan, "aws_glue_job").items():
        arguments = dict(job["default_arguments"])
        conf = dict(item.split("=", 1) for item in arguments.pop("--conf").split(CONF_SEPARATOR))
        for key, value in conf.items():
            suffix = key.removeprefix(f"{catalog}.")
            if key in deployed.GLUE_SHARED_SPARK_CONF or key in (catalog, "spark.sql.defaultCatalog"):
                if local_conf.get(key) != value:
                    found.append(f"{address} --conf {key}={value}: locally {local_conf.get(key)!r}")
            elif suffix in deployed.GLUE_CATALOG_DIFFERENCES:
                aws_value, local_value, _ = deployed.GLUE_CATALOG_DIFFERENCES[suffix]
                local_actual = local_conf.get(key)
                if not value.startswith(aws_value) or (
                    (local_value is None) != (local_actual is None)
                    or (local_value is not None and not str(local_actual).startswith(local_value))
                ):
                    found.append(f"{address} --conf {key}={value}: locally {local_actual!r} (declared)")
            else:
                found.append(f"{address} --conf {key}={value}: not in the local Spark settings")
        for key, value in arguments.items():
            if key.startswith("--LEANOPS_"):
                local_value = local_arguments.get(key)
                comparable = {
                    f"--{settings.CONTRACTS_URI}": lambda v: v.rsplit("/", 2)[-2],
                    f"--{settings.ALERT_TOPIC_ARN}": lambda v: v.rsplit(":", 1)[-1],
                }.get(key, lambda v: v)
                if local_value is None or comparable(local_value) != comparable(value):
                    found.append(f"{address} {key}={value}: locally {local_value!r}")
            elif key in deployed.GLUE_AWS_ONLY_ARGUMENTS:
                expected, _ = deployed.GLUE_AWS_ONLY_ARGUMENTS[key]
                if not value.startswith(expected):
                    found.append(f"{address} {key}={value}: declared AWS-only as {expected!r}")
            elif key == "--datalake-formats":
                if (
                    value != deployed.GLUE_DATALAKE_FORMATS
                    or "iceberg-spark-runtime" not in local_conf["spark.jars"]
                ):
                    found.append(f"{address} {key}={value}: locally the Iceberg runtime jar")
            elif key == "--extra-py-files":
                if Path(value).name != deployed.GLUE_BUNDLE_NAME:
                    found.append(f"{address} {key}={value}: locally build/glue/{deployed.GLUE_BUNDLE_NAME}")
            elif key == "--additional-python-modules":
                wheels = sorted(path.name for path in (REPO_ROOT / "build" / "glue" / "wheels").glob("*.whl"))
                if sorted(Path(item).name for item in value.split(",")) != wheels:
                    found.append(f"{address} {key}={value}: locally {wheels}")
            else:
                found.append(f"{address} {key}={value}: not passed to the local jobs")
        for key in set(local_arguments) - PER_RUN_ARGUMENTS - set(arguments):
            found.append(f"{address}: the local jobs get {key}, the deployed ones do not")
    return found


def _topic_settings(plan: dict[str, Any], topic: str) -> TopicSettings:
    overrides = plan["variables"]["topics"]["value"][topic]
    fields = TopicSettings.__dataclass_fields__
    return TopicSettings(**{k: v for k, v in overrides.items() if k in fields and v is not None})


def _ingestion_differences(plan: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for address, mapping in _after(plan, "aws_lambda_event_source_mapping").items():
        topic = re.search(r'\["(\w+)"\]', address).group(1)  # type: ignore[union-attr]
        if ".dlq[" in address:
            continue
        local = _topic_settings(plan, topic)
        overrides = plan["variables"]["topics"]["value"][topic]
        expected_window = (
            overrides.get("maximum_batching_window_seconds") or deployed.ESM_BATCHING_WINDOW_SECONDS
        )
        observed = (
            mapping["batch_size"],
            mapping["maximum_batching_window_in_seconds"],
            tuple(mapping["function_response_types"]),
        )
        wanted = (local.batch_size, expected_window, deployed.ESM_FUNCTION_RESPONSE_TYPES)
        if observed != wanted:
            found.append(f"{address}: planned {observed}, locally {wanted}")
    for address, queue in _after(plan, "aws_sqs_queue").items():
        topic = re.search(r'\["(\w+)"\]', address).group(1)  # type: ignore[union-attr]
        local = _topic_settings(plan, topic)
        if ".dlq[" in address:
            wanted = (deployed.DLQ_VISIBILITY_TIMEOUT_SECONDS, deployed.DLQ_RETENTION_SECONDS, None)
            observed = (queue["visibility_timeout_seconds"], queue["message_retention_seconds"], None)
        else:
            wanted = (local.visibility_timeout, deployed.QUEUE_RETENTION_SECONDS, local.max_receive_count)
            redrive = json.loads(queue["redrive_policy"])
            observed = (
                queue["visibility_timeout_seconds"],
                queue["message_retention_seconds"],
                int(redrive["maxReceiveCount"]),
            )
        if observed != wanted:
            found.append(
                f"{address}: planned (visibility, retention, max receives) {observed}, locally {wanted}"
            )
    for address, function in _after(plan, "aws_lambda_function").items():
        if "module.compute" in address:
            observed = (function["timeout"], function["memory_size"])
            if observed != (deployed.LAMBDA_TIMEOUT_SECONDS, deployed.LAMBDA_MEMORY_MB):
                found.append(
                    f"{address}: planned (timeout, memory) {observed}, locally the deployed.py values"
                )
    for address, stream in _after(plan, "aws_kinesis_firehose_delivery_stream").items():
        iceberg = stream["iceberg_configuration"][0]
        parameters = {
            p["parameter_name"]: p["parameter_value"]
            for processor in iceberg["processing_configuration"][0]["processors"]
            for p in processor["parameters"]
        }
        observed = (
            iceberg["buffering_interval"],
            iceberg["buffering_size"],
            int(parameters["BufferSizeInMBs"]),
            int(parameters["BufferIntervalInSeconds"]),
        )
        wanted = (
            deployed.FIREHOSE_BUFFERING_INTERVAL_SECONDS,
            deployed.FIREHOSE_BUFFERING_SIZE_MIB,
            deployed.FIREHOSE_TRANSFORM_BUFFER_SIZE_MIB,
            deployed.FIREHOSE_TRANSFORM_BUFFER_INTERVAL_SECONDS,
        )
        if observed != wanted:
            found.append(f"{address}: planned buffering {observed}, locally {wanted}")
    return found


def differences(plan: dict[str, Any], home: Path) -> list[str]:
    """Every setting where the local runner differs from the plan."""
    return _glue_differences(plan, home) + _ingestion_differences(plan)


def test_the_local_runner_uses_what_dev_deploys(plans: dict[str, Any], tmp_path: Path) -> None:
    assert differences(plans["dev"], tmp_path) == []


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda args: args.update({"--LEANOPS_LOCK_TTL_SECONDS": "7200"}), "--LEANOPS_LOCK_TTL_SECONDS=7200"),
        (lambda args: args.update({"--job-bookmark-option": "job-bookmark-enable"}), "--job-bookmark-option"),
        (lambda args: args.update({"--enable-auto-scaling": "true"}), "--enable-auto-scaling=true"),
        (
            lambda args: args.update({"--conf": args["--conf"] + " --conf spark.sql.shuffle.partitions=64"}),
            "shuffle",
        ),
    ],
)
def test_a_glue_argument_changed_in_terraform_alone_is_a_difference(
    plans: dict[str, Any], tmp_path: Path, change: Any, named: str
) -> None:
    plan = copy.deepcopy(plans["dev"])
    job = next(c for c in planned_resources(plan) if c["type"] == "aws_glue_job")
    change(job["change"]["after"]["default_arguments"])
    found = differences(plan, tmp_path)
    assert found and all(named in line for line in found), found


def test_a_queue_setting_changed_in_terraform_alone_is_a_difference(
    plans: dict[str, Any], tmp_path: Path
) -> None:
    plan = copy.deepcopy(plans["dev"])
    queue = next(c for c in planned_resources(plan) if c["address"].endswith('aws_sqs_queue.this["orders"]'))
    queue["change"]["after"]["message_retention_seconds"] = 60
    assert [line for line in differences(plan, tmp_path) if "orders" in line]


def test_the_state_machine_the_tests_run_takes_the_inputs_terraform_gives_it() -> None:
    # The definition is unknown at plan time (it names the planner's ARN): the moto tests execute
    # the same template file; here its placeholders, Terraform's inputs and the harness's agree.
    spec = importlib.util.spec_from_file_location("orchestration_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    harness = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = harness  # dataclasses look their module up there
    spec.loader.exec_module(harness)
    placeholders = set(re.findall(r"\$\{(\w+)\}", ASL_TEMPLATE.read_text(encoding="utf-8")))
    block = ORCHESTRATION_MAIN.read_text(encoding="utf-8").split("templatefile(", 1)[1].split("})", 1)[0]
    terraform_inputs = set(re.findall(r"^\s*(\w+)\s*=", block, flags=re.MULTILINE))
    assert placeholders == terraform_inputs == set(harness.deployment_values("arn:planner", "arn:topic"))
