"""Fixtures of the offline Terraform checks: one work folder, one plan per environment.

Every check shells out to scripts/terraform_offline.sh, the one implementation shared with CI and
developers. The work folder (staged root, `.terraform` of the root and of each module, linking the
provider from the mirror) lives for the whole test session, so `terraform init` runs once per folder.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from tf_harness import (
    COMMAND_TIMEOUT_SECONDS,
    ENVIRONMENTS,
    IAC_VENV,
    INSTALL_IAC_SCRIPT,
    MODULES_WITH_TESTS,
    PARALLEL_TERRAFORM_RUNS,
    REPO_ROOT,
    SCRIPT,
    SUMMARY,
    SUMMARY_FILE,
    RunScript,
    ScriptResult,
    planned_resources,
    unavailable_reason,
)


@pytest.fixture(scope="session")
def terraform_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's work folder, or a skip naming what is missing."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"offline Terraform checks skipped: {reason}")
    return tmp_path_factory.mktemp("terraform-work")


@pytest.fixture(scope="session")
def run_script(terraform_work: Path) -> RunScript:
    """Run one command of scripts/terraform_offline.sh in the session's work folder."""

    def run(*arguments: str) -> ScriptResult:
        environment = {
            **os.environ,
            "LEANOPS_TF_WORK": str(terraform_work),
            "LEANOPS_IAC_VENV": str(IAC_VENV),
        }
        completed = subprocess.run(
            ["bash", str(SCRIPT), *arguments],
            cwd=REPO_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
        return ScriptResult(completed.returncode, completed.stdout, completed.stderr)

    return run


@pytest.fixture(scope="session")
def iac_tools() -> Path:
    """The venv holding checkov and terraform-compliance (installed on first use)."""
    completed = subprocess.run(
        ["bash", str(INSTALL_IAC_SCRIPT)],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"scripts/install_iac_tools.sh failed:\n{completed.stdout}\n{completed.stderr}")
    return IAC_VENV


@pytest.fixture(scope="session")
def initialised_root(run_script: RunScript) -> ScriptResult:
    """Init (from the mirror) and validate the root once, before the parallel runs use it."""
    return run_script("validate")


@pytest.fixture(scope="session")
def plans(
    run_script: RunScript, initialised_root: ScriptResult, terraform_work: Path
) -> dict[str, dict[str, Any]]:
    """Environment -> its plan as JSON (terraform show -json), planned once per session, in parallel."""
    assert initialised_root.returncode == 0, (
        f"terraform init/validate of the root failed:\n{initialised_root.output}"
    )
    with ThreadPoolExecutor(max_workers=PARALLEL_TERRAFORM_RUNS) as pool:
        outcomes = dict(
            zip(ENVIRONMENTS, pool.map(lambda env: run_script("plan", env), ENVIRONMENTS), strict=True)
        )
    result: dict[str, dict[str, Any]] = {}
    for environment, outcome in outcomes.items():
        assert outcome.returncode == 0, f"plan of {environment} failed:\n{outcome.output}"
        plan = json.loads((terraform_work / "plans" / f"{environment}.json").read_text(encoding="utf-8"))
        result[environment] = plan
        SUMMARY.resource_counts[environment] = len(planned_resources(plan))
    return result


@pytest.fixture(scope="session")
def module_test_outcomes(run_script: RunScript) -> dict[str, ScriptResult]:
    """Module -> outcome of its `terraform test`, run for every module with tests, two at a time."""
    with ThreadPoolExecutor(max_workers=PARALLEL_TERRAFORM_RUNS) as pool:
        return dict(
            zip(
                MODULES_WITH_TESTS,
                pool.map(lambda module: run_script("test", module), MODULES_WITH_TESTS),
                strict=True,
            )
        )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print resource counts, checkov counts and module test outcomes; write them to build/."""
    if not (SUMMARY.resource_counts or SUMMARY.checkov or SUMMARY.module_tests):
        return
    terminalreporter.section("terraform offline checks")
    for environment, count in SUMMARY.resource_counts.items():
        terminalreporter.write_line(f"plan {environment}: {count} resources")
    for environment, counts in SUMMARY.checkov.items():
        terminalreporter.write_line(
            f"checkov {environment}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
        )
    for module, outcome in SUMMARY.module_tests.items():
        terminalreporter.write_line(f"terraform test {module}: {outcome}")
    SUMMARY_FILE.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY_FILE.write_text(json.dumps(SUMMARY.__dict__, indent=2, sort_keys=True), encoding="utf-8")
    terminalreporter.write_line(f"summary written to {SUMMARY_FILE.relative_to(REPO_ROOT)}")
