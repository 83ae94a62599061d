"""Policy-as-code on the planned stacks: checkov and the terraform-compliance features."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tf_harness import ENVIRONMENTS, REPO_ROOT, RunScript, record_checkov

CHECKOV_COUNTS = re.compile(r"Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)")
SCENARIO_COUNTS = re.compile(r"\d+ scenarios \([^)]*\)")
COMPLIANCE_FEATURES = REPO_ROOT / "tests" / "terraform" / "compliance"
WILDCARD_STATEMENT = {"Sid": "InjectedWildcard", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_checkov_finds_no_failed_check(
    run_script: RunScript, iac_tools: Path, plans: dict[str, Any], environment: str
) -> None:
    # GIVEN the plan of an environment
    # WHEN checkov scans it (skips only inline, with a reason, next to the resource)
    outcome = run_script("checkov", environment)
    counts = CHECKOV_COUNTS.search(outcome.stdout)
    assert counts is not None, f"checkov printed no counts:\n{outcome.output}"
    passed, failed, skipped = (int(value) for value in counts.groups())
    record_checkov(environment, {"passed": passed, "failed": failed, "skipped": skipped})
    # THEN no check fails
    assert failed == 0 and outcome.returncode == 0, (
        f"checkov failed checks on {environment}:\n{outcome.stdout}"
    )
    assert passed > 0


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_compliance_features_hold(
    run_script: RunScript, iac_tools: Path, plans: dict[str, Any], environment: str
) -> None:
    # GIVEN the plan of an environment
    # WHEN the terraform-compliance features check it
    outcome = run_script("compliance", environment)
    # THEN every scenario passes
    assert outcome.returncode == 0, f"terraform-compliance failed on {environment}:\n{outcome.output}"
    scenarios = SCENARIO_COUNTS.search(outcome.stdout)
    assert scenarios is not None and "failed" not in scenarios.group(0), outcome.stdout


def test_compliance_features_catch_a_wildcard_grant(
    iac_tools: Path, plans: dict[str, Any], tmp_path: Path
) -> None:
    # GIVEN the dev plan with a statement granting s3:* on every resource injected into one role policy
    plan = json.loads(json.dumps(plans["dev"]))
    target = next(
        c
        for c in plan["resource_changes"]
        if c["type"] == "aws_iam_role_policy" and (c["change"].get("after") or {}).get("policy")
    )
    policy = json.loads(target["change"]["after"]["policy"])
    policy["Statement"].append(WILDCARD_STATEMENT)
    target["change"]["after"]["policy"] = json.dumps(policy)
    tampered = tmp_path / "tampered-plan.json"
    tampered.write_text(json.dumps(plan), encoding="utf-8")
    # WHEN the features check it
    completed = subprocess.run(
        [
            str(iac_tools / "bin" / "terraform-compliance"),
            "--no-ansi",
            "-f",
            str(COMPLIANCE_FEATURES),
            "-p",
            str(tampered),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # THEN they fail and name the resource
    assert completed.returncode != 0, "terraform-compliance accepted a policy granting s3:*"
    assert target["address"] in completed.stdout
