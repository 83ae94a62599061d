"""Table maintenance on the planned stacks: the Glue job, its daily schedule, least-privilege IAM."""

from __future__ import annotations

import json
from typing import Any

from tf_harness import planned_resources

from leanops import maintenance_plan, settings

JOB = "module.processing.aws_glue_job.maintenance[0]"
JOB_POLICY = "module.processing.aws_iam_role_policy.maintenance[0]"
SCHEDULE = "module.orchestration.aws_scheduler_schedule.maintenance[0]"
LAYER_JOB = 'module.processing.aws_glue_job.this["curated"]'


def _after(plan: dict[str, Any], address: str) -> dict[str, Any]:
    found = next((r["change"]["after"] for r in planned_resources(plan) if r["address"] == address), None)
    assert found is not None, f"{address} is not in the plan"
    return dict(found)


def test_a_daily_schedule_starts_the_maintenance_job_with_the_retention(plans: dict[str, Any]) -> None:
    # GIVEN the dev plan  WHEN reading the maintenance job and its schedule
    job, schedule = _after(plans["dev"], JOB), _after(plans["dev"], SCHEDULE)
    target = schedule["target"][0]
    request = json.loads(target["input"])
    # THEN the job runs maintenance_processor.py with the layer jobs' arguments, once at a time
    assert job["command"][0]["script_location"].endswith("/glue/scripts/maintenance_processor.py")
    assert job["default_arguments"] == _after(plans["dev"], LAYER_JOB)["default_arguments"]
    assert job["execution_property"][0]["max_concurrent_runs"] == 1
    # AND EventBridge Scheduler calls Glue StartJobRun (a universal target) once a day
    assert target["arn"] == "arn:aws:scheduler:::aws-sdk:glue:startJobRun"
    assert schedule["schedule_expression"].startswith("cron(")
    assert request["JobName"] == job["name"]
    # AND every argument the schedule passes is a key the job reads, the retention first of all
    arguments = {key.removeprefix("--") for key in request["Arguments"]}
    assert arguments <= set(maintenance_plan.SETTING_KEYS)
    assert request["Arguments"][f"--{maintenance_plan.RETENTION_HOURS}"] == "24"
    assert request["Arguments"][f"--{maintenance_plan.CYCLE_INTERVAL_SECONDS}"] == "900"
    assert request["Arguments"][f"--{maintenance_plan.CYCLE_LOCK_ID}"].startswith("cycle#")
    assert request["Arguments"][f"--{maintenance_plan.PARALLELISM}"] == str(
        maintenance_plan.DEFAULT_PARALLELISM
    )
    # AND the job accepts the settings the schedule gives it (retention vs cycle and refresh)
    given = {**dict.fromkeys((settings.CHECKPOINT_TABLE, settings.LOCK_TABLE), "t")}
    given.update({key.removeprefix("--"): value for key, value in request["Arguments"].items()})
    assert (
        maintenance_plan.MaintenanceSettings.from_mapping(given).policy.retention.total_seconds() == 24 * 3600
    )
    assert (
        maintenance_plan.MaintenanceSettings.from_mapping(given).parallelism
        == maintenance_plan.DEFAULT_PARALLELISM
    )


def test_the_maintenance_role_deletes_only_in_the_warehouse_and_never_with_a_wildcard(
    plans: dict[str, Any],
) -> None:
    # GIVEN the dev plan's maintenance policy
    statements = {s["Sid"]: s for s in json.loads(_after(plans["dev"], JOB_POLICY)["policy"])["Statement"]}
    # THEN deletes (expired snapshots' and orphan files) stay inside the databases' warehouse prefixes
    deleting = [s for s in statements.values() if "s3:DeleteObject" in s["Action"]]
    assert [s["Sid"] for s in deleting] == ["RewriteAndDeleteWarehouseFiles"]
    resources = deleting[0]["Resource"]
    assert len([r for r in resources if r.endswith(".db/*")]) == 3
    assert all(r.endswith((".db/*", "/tmp/*")) for r in resources)
    # AND no action is a wildcard; checkpoints are read, never written
    assert all("*" not in action for s in statements.values() for action in s["Action"])
    assert "dynamodb:UpdateItem" not in statements["CheckpointsAndLocks"]["Action"]
