"""``maintain`` locally: the maintenance job of the bundle, with the arguments AWS's schedule gives it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from leanops import maintenance_plan
from leanops import settings as keys
from leanops.jobs.maintenance_entry import _arguments
from leanops.local.config import ResourceNames
from leanops.local.maintenance import MAINTENANCE_JOB, maintain

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "glue" / "maintenance_processor.py"


class FakeGlue:
    """Records the job runs; answers with a maintenance report."""

    def __init__(self) -> None:
        self.runs: list[tuple[str, list[str]]] = []

    def run(
        self,
        job: str,
        argv: list[str],
        environment: Mapping[str, str],
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> dict[str, Any]:
        self.runs.append((job, argv))
        topics = [{"topic": "orders", "status": "maintained", "message": "", "tables": []}]
        return {"ok": True, "summary": "maintenance run r: 3 table(s)", "report": {"topics": topics}}


def test_maintain_runs_the_bundle_s_maintenance_job_with_the_schedule_s_arguments() -> None:
    # GIVEN the local Glue worker (faked) and the environment's names
    glue, names = FakeGlue(), ResourceNames("leanops-local")
    # WHEN maintaining one topic with a longer retention
    outcome = maintain(glue, names, ["orders"], {}, {maintenance_plan.RETENTION_HOURS: "48"})
    # THEN the maintenance job ran with the state tables, the cycle lock and the retention
    ((job, argv),) = glue.runs
    arguments = dict(zip(argv[::2], argv[1::2], strict=True))
    assert job == MAINTENANCE_JOB and SCRIPT.is_file()
    assert arguments[f"--{keys.TOPICS}"] == "orders"
    assert arguments[f"--{keys.CHECKPOINT_TABLE}"] == names.checkpoint_table
    assert arguments[f"--{maintenance_plan.CYCLE_LOCK_ID}"] == "cycle#leanops-local-cycle"
    assert arguments[f"--{maintenance_plan.RETENTION_HOURS}"] == "48"
    # AND the job's arguments are exactly what the job reads
    assert {key.removeprefix("--") for key in arguments} <= set(maintenance_plan.SETTING_KEYS)
    assert outcome.ok and outcome.topic("orders") is not None


def test_the_entry_reads_its_keys_from_arguments_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(maintenance_plan.RETENTION_HOURS, "12")
    monkeypatch.setenv(keys.LOCK_TABLE, "locks-env")
    merged = _arguments([f"--{keys.LOCK_TABLE}", "locks-arg", f"--{keys.CHECKPOINT_TABLE}", "cp"])
    assert merged[keys.LOCK_TABLE] == "locks-arg"
    assert merged[maintenance_plan.RETENTION_HOURS] == "12"
    assert (
        maintenance_plan.MaintenanceSettings.from_mapping(merged).policy.retention.total_seconds()
        == 12 * 3600
    )
