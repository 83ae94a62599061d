"""Lake Formation grants turned on over the dev stack: it plans, checkov passes, new topics need no second apply.

On a fresh stack the pipeline's role ARNs are known only after apply, and the grants' for_each
keys once came from them: ``terraform plan`` refused the option outright ("Invalid for_each
argument"). The keys now come from lake_formation_roles (known at plan).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_terraform_plans import resources_of
from tf_harness import RunScript, ScriptResult

VARIANT = "dev+lake_formation"
ANALYST = "arn:aws:iam::111111111111:role/analysts"
CHECKOV_COUNTS = re.compile(r"Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)")


@pytest.fixture(scope="module")
def planned(run_script: RunScript, initialised_root: ScriptResult, terraform_work: Path) -> dict[str, Any]:
    """GIVEN dev's tfvars with enable_lake_formation_grants and one analyst role (tests/terraform/variants)."""
    assert initialised_root.returncode == 0, initialised_root.output
    outcome = run_script("plan", VARIANT)
    # THEN it plans at all (the role ARNs unknown until apply)
    assert outcome.returncode == 0, f"plan of {VARIANT} failed:\n{outcome.output}"
    plan: dict[str, Any] = json.loads(
        (terraform_work / "plans" / f"{VARIANT}.json").read_text(encoding="utf-8")
    )
    return plan


def test_every_pipeline_role_and_the_analyst_get_their_grants_and_errors_none(
    planned: dict[str, Any],
) -> None:
    grants = resources_of(planned, "aws_lakeformation_permissions")
    keys = {address.split('"')[1] for address in grants}
    roles = {key.split("-")[0] for key in keys if not key.startswith("analyst-")}
    assert roles == {"firehose", "standardized_job", "curated_job", "state_machine"}
    analyst_grants = [values for address, values in grants.items() if '"analyst-' in address]
    assert analyst_grants and all(values["principal"] == ANALYST for values in analyst_grants)
    # no analyst grant on all of curated's tables (that would include errors)
    assert not any(
        table.get("database_name") == "iceberg_curated_db" and table.get("wildcard")
        for values in analyst_grants
        for table in values.get("table", [])
    )


def test_the_curated_job_alone_is_told_the_analysts_and_may_grant(planned: dict[str, Any]) -> None:
    jobs = resources_of(planned, "aws_glue_job")
    arguments = {address: values.get("default_arguments") or {} for address, values in jobs.items()}
    told = {address for address, values in arguments.items() if "--LEANOPS_ANALYST_PRINCIPALS" in values}
    assert told == {'module.processing.aws_glue_job.this["curated"]'}
    assert (
        arguments['module.processing.aws_glue_job.this["curated"]']["--LEANOPS_ANALYST_PRINCIPALS"] == ANALYST
    )
    policies = resources_of(planned, "aws_iam_role_policy")
    granting = {
        address
        for address, values in policies.items()
        if values.get("policy") and "lakeformation:GrantPermissions" in values["policy"]
    }
    assert granting == {'module.processing.aws_iam_role_policy.this["curated"]'}


def test_checkov_finds_no_failed_check(
    run_script: RunScript, iac_tools: Path, planned: dict[str, Any]
) -> None:
    outcome = run_script("checkov", VARIANT)
    counts = CHECKOV_COUNTS.search(outcome.stdout)
    assert counts is not None, f"checkov printed no counts:\n{outcome.output}"
    assert int(counts.group(2)) == 0 and outcome.returncode == 0, outcome.stdout
