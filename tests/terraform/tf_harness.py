"""Shared helpers of the offline Terraform checks (imported by conftest.py and the test files)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "terraform_offline.sh"
INSTALL_IAC_SCRIPT = REPO_ROOT / "scripts" / "install_iac_tools.sh"
MIRROR = Path(os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins"))
PROVIDER_IN_MIRROR = MIRROR / "registry.terraform.io" / "hashicorp" / "aws"
IAC_VENV = Path(os.environ.get("LEANOPS_IAC_VENV", str(REPO_ROOT / ".venv-iac")))
ENVIRONMENTS = ("dev", "staging", "prod")
SUMMARY_FILE = REPO_ROOT / "build" / "terraform-summary.json"
COMMAND_TIMEOUT_SECONDS = 900
# Terraform runs in parallel (plans of the environments, module tests): the machines have 2 cores.
PARALLEL_TERRAFORM_RUNS = 2
MODULE_TESTS_DIR = REPO_ROOT / "tests" / "terraform" / "modules"
MODULES_WITH_TESTS = tuple(sorted(path.name for path in MODULE_TESTS_DIR.iterdir() if path.is_dir()))


@dataclass
class TerraformSummary:
    """What the checks saw, printed at the end of the run and written to build/."""

    resource_counts: dict[str, int] = field(default_factory=dict)
    checkov: dict[str, dict[str, int]] = field(default_factory=dict)
    module_tests: dict[str, str] = field(default_factory=dict)


SUMMARY = TerraformSummary()


def unavailable_reason() -> str | None:
    """Return why the offline checks cannot run here, or None when they can."""
    if shutil.which("terraform") is None:
        return "terraform not found on PATH"
    if not PROVIDER_IN_MIRROR.is_dir():
        return f"AWS provider mirror not found at {PROVIDER_IN_MIRROR}"
    return None


@dataclass(frozen=True)
class ScriptResult:
    """Exit code and output of one scripts/terraform_offline.sh command."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams, for assertion messages."""
        return f"{self.stdout}\n{self.stderr}"


# Runs one command of scripts/terraform_offline.sh (the `run_script` fixture).
RunScript = Callable[..., ScriptResult]


def planned_resources(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the managed resources a plan creates or changes."""
    return [change for change in plan.get("resource_changes", []) if change.get("mode") == "managed"]


def record_checkov(environment: str, counts: dict[str, int]) -> None:
    """Remember checkov's counts of one environment for the summary."""
    SUMMARY.checkov[environment] = counts


def record_module_test(module: str, outcome: str) -> None:
    """Remember the `terraform test` outcome of one module for the summary."""
    SUMMARY.module_tests[module] = outcome


def offline_environment(work: Path) -> dict[str, str]:
    """Return the environment of a terraform command run offline in a work folder (fake credentials)."""
    return {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(work / "terraformrc"),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
