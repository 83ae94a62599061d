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

from leanops import definitions, maintenance_plan, settings
from leanops.local import deployed
from leanops.local.config import ResourceNames, TopicSettings
from leanops.local.cycle import job_arguments
from leanops.local.delivery import CONCURRENT_BATCHES
from leanops.local.maintenance import maintenance_arguments
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
            concurrency = mapping["scaling_config"][0]["maximum_concurrency"]
            if concurrency != deployed.DLQ_ARCHIVER_MAXIMUM_CONCURRENCY:
                found.append(
                    f"{address}: planned maximum_concurrency {concurrency},"
                    f" locally {deployed.DLQ_ARCHIVER_MAXIMUM_CONCURRENCY}"
                )
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
        # Locally a topic queue keeps CONCURRENT_BATCHES in flight, AWS's starting pollers: a
        # topic's maximum_concurrency below that would make AWS slower than the emulation.
        cap = next((c["maximum_concurrency"] for c in mapping.get("scaling_config") or []), None)
        if cap is not None and cap < CONCURRENT_BATCHES:
            found.append(f"{address}: planned maximum_concurrency {cap}, locally {CONCURRENT_BATCHES}")
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


def _maintenance_arguments_deployed(plan: dict[str, Any]) -> dict[str, str]:
    """The maintenance job's settings in AWS: its default arguments, then what the schedule adds."""
    deployed_arguments: dict[str, str] = {}
    for address, job in _after(plan, "aws_glue_job").items():
        if address.endswith("aws_glue_job.maintenance[0]"):
            deployed_arguments.update(job["default_arguments"])
    for address, schedule in _after(plan, "aws_scheduler_schedule").items():
        if address.endswith("aws_scheduler_schedule.maintenance[0]"):
            deployed_arguments.update(json.loads(schedule["target"][0]["input"])["Arguments"])
    keys = {f"--{key}" for key in maintenance_plan.SETTING_KEYS} - PER_RUN_ARGUMENTS
    return {key: value for key, value in deployed_arguments.items() if key in keys}


def _maintenance_differences(plan: dict[str, Any]) -> list[str]:
    # The maintenance job reads maintenance_plan.SETTING_KEYS only: the state tables and lock TTL
    # from its default arguments, retention, parallelism, cycle lock ... from its daily schedule.
    argv = maintenance_arguments(_local_names(plan), ["orders"], "run-1")
    local_arguments = dict(zip(argv[::2], argv[1::2], strict=True))
    planned = _maintenance_arguments_deployed(plan)
    found = [
        f"maintenance {key}={value}: locally {local_arguments.get(key)!r}"
        for key, value in planned.items()
        if local_arguments.get(key) != value
    ]
    found += [
        f"maintenance: the local job gets {key}, the deployed one does not"
        for key in sorted(set(local_arguments) - PER_RUN_ARGUMENTS - set(planned))
    ]
    return found


def differences(plan: dict[str, Any], home: Path) -> list[str]:
    """Every setting where the local runner differs from the plan."""
    return _glue_differences(plan, home) + _ingestion_differences(plan) + _maintenance_differences(plan)


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


@pytest.mark.parametrize(
    ("address", "scaling_config"),
    [
        ('aws_lambda_event_source_mapping.dlq["orders"]', [{"maximum_concurrency": 10}]),
        ('aws_lambda_event_source_mapping.this["orders"]', [{"maximum_concurrency": 2}]),
    ],
)
def test_a_mapping_concurrency_changed_in_terraform_alone_is_a_difference(
    plans: dict[str, Any], address: str, scaling_config: list[dict[str, int]]
) -> None:
    # GIVEN the dev plan WHEN a DLQ mapping's cap changes, or a topic mapping gets one below the
    # five batches the local poller keeps in flight
    plan = copy.deepcopy(plans["dev"])
    mapping = next(c for c in planned_resources(plan) if c["address"].endswith(address))
    mapping["change"]["after"]["scaling_config"] = scaling_config
    # THEN the emulation differs on that mapping's concurrency
    found = _ingestion_differences(plan)
    assert len(found) == 1 and address in found[0] and "maximum_concurrency" in found[0], found


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (maintenance_plan.PARALLELISM, "4"),
        (maintenance_plan.RETENTION_HOURS, "48"),
    ],
)
def test_a_maintenance_setting_changed_in_terraform_alone_is_a_difference(
    plans: dict[str, Any], key: str, value: str
) -> None:
    # GIVEN the dev plan, WHEN its maintenance schedule starts the job with another setting
    plan = copy.deepcopy(plans["dev"])
    schedule = next(
        c for c in planned_resources(plan) if c["address"].endswith("aws_scheduler_schedule.maintenance[0]")
    )
    target = schedule["change"]["after"]["target"][0]
    request = json.loads(target["input"])
    request["Arguments"][f"--{key}"] = value
    target["input"] = json.dumps(request)
    # THEN the local maintenance run differs, on that setting alone
    found = _maintenance_differences(plan)
    assert len(found) == 1 and found[0].startswith(f"maintenance --{key}={value}: locally "), found
    assert _maintenance_differences(plans["dev"]) == []


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
