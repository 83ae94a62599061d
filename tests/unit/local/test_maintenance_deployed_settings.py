"""Local ``maintain`` runs with the settings AWS's daily schedule passes (leanops.local.deployed)."""

from __future__ import annotations

from leanops import maintenance_plan, settings
from leanops.local import deployed
from leanops.local.config import ResourceNames
from leanops.local.maintenance import maintenance_arguments


def _arguments(overrides: dict[str, str] | None = None) -> dict[str, str]:
    argv = maintenance_arguments(ResourceNames("leanops-dev"), ["orders"], "run-1", overrides)
    return dict(zip(argv[::2], argv[1::2], strict=True))


def test_the_local_maintenance_run_gets_the_schedule_s_settings_from_deployed() -> None:
    # GIVEN no override  WHEN building the local maintenance run's arguments
    arguments = _arguments()
    # THEN retention, parallelism, longest job and cycle interval are the deployed values
    assert arguments[f"--{maintenance_plan.RETENTION_HOURS}"] == str(
        deployed.MAINTENANCE_SNAPSHOT_RETENTION_HOURS
    )
    assert arguments[f"--{maintenance_plan.PARALLELISM}"] == str(deployed.MAINTENANCE_PARALLELISM)
    assert arguments[f"--{maintenance_plan.LONGEST_JOB_MINUTES}"] == str(
        deployed.MAINTENANCE_LONGEST_JOB_MINUTES
    )
    assert arguments[f"--{maintenance_plan.CYCLE_INTERVAL_SECONDS}"] == str(
        deployed.MAINTENANCE_CYCLE_INTERVAL_SECONDS
    )
    # AND the job accepts them (the same rules as in AWS)
    given = {key.removeprefix("--"): value for key, value in arguments.items()}
    parsed = maintenance_plan.MaintenanceSettings.from_mapping(given)
    assert parsed.parallelism == deployed.MAINTENANCE_PARALLELISM
    assert parsed.policy.retention.total_seconds() == deployed.MAINTENANCE_SNAPSHOT_RETENTION_HOURS * 3600


def test_an_override_wins_over_the_deployed_setting() -> None:
    # GIVEN a CLI or benchmark override of the parallelism
    arguments = _arguments({maintenance_plan.PARALLELISM: "4"})
    # THEN the run gets the override, and still the state tables
    assert arguments[f"--{maintenance_plan.PARALLELISM}"] == "4"
    assert arguments[f"--{settings.CHECKPOINT_TABLE}"] == ResourceNames("leanops-dev").checkpoint_table
