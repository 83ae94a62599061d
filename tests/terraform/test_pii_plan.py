"""Personal data in the planned stacks: the pii key, who may derive it, and what analysts may read.

The analysts' policy is checked against schemas/tables.json ``analyst_access`` (the definition the
local ``query --as analyst`` reads too): every table kind analysts may not read is denied
explicitly, in the catalog and in S3, and none of it is allowed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from tf_harness import ENVIRONMENTS, planned_resources

from leanops import definitions
from leanops.adapters.pii_key import pii_key_alias
from leanops.definitions import analyst_table_kinds

GENERATE_MAC = "kms:GenerateMac"


def _after(plan: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        change["address"]: change["change"].get("after") or {}
        for change in planned_resources(plan)
        if change["type"] == resource_type
    }


def _prefix(plan: dict[str, Any]) -> str:
    variables = plan["variables"]
    return f"{variables['project']['value']}-{variables['environment']['value']}"


def _list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def pii_findings(plan: dict[str, Any]) -> list[str]:
    """Every way the plan's pii key, its grant or the jobs' argument differ from the rule."""
    alias = pii_key_alias(_prefix(plan))
    found: list[str] = []
    keys = [
        key for address, key in _after(plan, "aws_kms_key").items() if address.endswith("aws_kms_key.pii[0]")
    ]
    if len(keys) != 1:
        return [f"expected one pii key (module.storage.aws_kms_key.pii), found {len(keys)}"]
    if (keys[0]["customer_master_key_spec"], keys[0]["key_usage"]) != ("HMAC_256", "GENERATE_VERIFY_MAC"):
        found.append("the pii key is not an HMAC_256 GENERATE_VERIFY_MAC key")
    aliases = {
        a["name"] for address, a in _after(plan, "aws_kms_alias").items() if address.endswith(".pii[0]")
    }
    if aliases != {alias}:
        found.append(f"the pii key's alias is {aliases}, not {alias}")
    derivers = []
    for address, policy in _after(plan, "aws_iam_role_policy").items():
        for statement in json.loads(policy.get("policy") or "{}").get("Statement", []):
            condition = statement.get("Condition", {}).get("ForAnyValue:StringEquals", {})
            if (
                GENERATE_MAC in _list(statement.get("Action", []))
                and condition.get("kms:ResourceAliases") == alias
            ):
                derivers.append(address)
                if sorted(_list(statement["Action"])) != ["kms:DescribeKey", GENERATE_MAC]:
                    found.append(f"{address}: the pii key statement grants more: {statement['Action']}")
    if derivers != ['module.processing.aws_iam_role_policy.this["curated"]']:
        found.append(f"only the curated job may derive the pii key; found {derivers}")
    for address, job in _after(plan, "aws_glue_job").items():
        if (
            address.endswith('aws_glue_job.this["curated"]')
            and job["default_arguments"].get("--LEANOPS_PII_KEY_ID") != alias
        ):
            found.append(f"{address}: --LEANOPS_PII_KEY_ID is not {alias}")
    return found


def analyst_findings(plan: dict[str, Any]) -> list[str]:
    """Every way the analysts' policy differs from tables.json analyst_access (empty: it holds)."""
    policies = [
        p for a, p in _after(plan, "aws_iam_policy").items() if a.endswith("aws_iam_policy.analyst[0]")
    ]
    if len(policies) != 1:
        return ["expected the analysts' policy (module.analytics.aws_iam_policy.analyst)"]
    statements = json.loads(policies[0]["policy"])["Statement"]
    found = [
        f"{statement['Sid']}: wildcard action {action}"
        for statement in statements
        for action in _list(statement["Action"])
        if "*" in action
    ]
    allowed = [r for s in statements if s["Effect"] == "Allow" for r in _list(s["Resource"])]
    denied = {r for s in statements if s["Effect"] == "Deny" for r in _list(s["Resource"])}
    readable = set(analyst_table_kinds())
    for table in definitions.all_tables():
        if table.kind in readable:
            continue
        # a Deny on the whole database covers its shared tables too
        names = ["*"] if table.per_topic else ["*", table.name()]
        if not any(
            resource.endswith(f":table/{table.database}/{name}") for resource in denied for name in names
        ):
            found.append(f"{table.kind}: no explicit Deny on its Glue table(s) in {table.database}")
        prefixes = [f"/{table.database}.db/{'' if name == '*' else name + '/'}*" for name in names]
        if not any(r.startswith("arn:aws:s3:::") and r.endswith(tuple(prefixes)) for r in denied):
            found.append(f"{table.kind}: no explicit Deny on its data {prefixes[-1]}")
        if table.per_topic and any(f"/{table.database}" in resource for resource in allowed):
            found.append(f"{table.kind}: its database {table.database} is allowed somewhere")
    return found


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_the_curated_job_derives_the_pii_key(plans: dict[str, Any], environment: str) -> None:
    assert pii_findings(plans[environment]) == []


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_analysts_are_denied_every_table_tables_json_keeps_from_them(
    plans: dict[str, Any], environment: str
) -> None:
    assert analyst_findings(plans[environment]) == []


def test_an_analyst_policy_that_forgets_the_errors_table_is_caught(plans: dict[str, Any]) -> None:
    # GIVEN the dev plan with the curated errors table left out of the analysts' denies
    plan = json.loads(json.dumps(plans["dev"]))
    errors = definitions.table(definitions.CURATED_ERRORS)
    for change in planned_resources(plan):
        after = change["change"].get("after") or {}
        if change["address"].endswith("aws_iam_policy.analyst[0]"):
            document = json.loads(after["policy"])
            for statement in document["Statement"]:
                if statement["Effect"] == "Deny":
                    statement["Resource"] = [r for r in statement["Resource"] if errors.name() not in r]
            after["policy"] = json.dumps(document)
    # THEN the check names it
    assert any(finding.startswith("curated_errors:") for finding in analyst_findings(plan))
