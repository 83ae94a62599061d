"""`terraform test` of the orchestration, monitoring and analytics modules (offline, mocked AWS provider)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PROVIDER_MIRROR = Path("/opt/tf-plugins")
MODULES = ("orchestration", "monitoring", "analytics")
TERRAFORM_TIMEOUT_SECONDS = 300
CLI_CONFIG = """provider_installation {
  filesystem_mirror {
    path    = "%s"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
"""

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not installed"),
    pytest.mark.skipif(not PROVIDER_MIRROR.is_dir(), reason=f"no AWS provider mirror at {PROVIDER_MIRROR}"),
]


def terraform(
    module_dir: Path, data_dir: Path, cli_config: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_DATA_DIR": str(data_dir),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }
    return subprocess.run(
        ["terraform", *args, "-no-color"],
        cwd=module_dir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TERRAFORM_TIMEOUT_SECONDS,
    )


@pytest.mark.parametrize("module", MODULES)
def test_module_is_formatted_valid_and_passes_its_tests(module: str, tmp_path: Path) -> None:
    # GIVEN the module and the offline provider mirror
    module_dir = REPO / "modules" / module
    cli_config = tmp_path / "terraform.rc"
    cli_config.write_text(CLI_CONFIG % PROVIDER_MIRROR)
    data_dir = tmp_path / ".terraform"
    # WHEN formatting is checked, the module initialised, validated and tested
    steps = [
        ("fmt", "-check", "-recursive"),
        ("init", "-backend=false", "-input=false"),
        ("validate",),
        ("test",),
    ]
    for step in steps:
        result = terraform(module_dir, data_dir, cli_config, *step)
        # THEN every step succeeds
        assert result.returncode == 0, (
            f"terraform {' '.join(step)} in modules/{module}:\n{result.stdout}\n{result.stderr}"
        )
