"""The Snowflake role on the planned stacks: only where asked for, read-only, scoped to curated."""

from __future__ import annotations

import json
from typing import Any

from tf_harness import planned_resources

ROLE = "module.snowflake_access.aws_iam_role.this[0]"
POLICY = "module.snowflake_access.aws_iam_role_policy.read_curated[0]"


def _after(plan: dict[str, Any], address: str) -> dict[str, Any] | None:
    return next((r["change"]["after"] for r in planned_resources(plan) if r["address"] == address), None)


def test_no_snowflake_role_unless_an_environment_asks_for_it(plans: dict[str, Any]) -> None:
    assert _after(plans["dev"], ROLE) is None
    assert _after(plans["prod"], ROLE) is None


def test_staging_s_snowflake_role_reads_curated_only(plans: dict[str, Any]) -> None:
    role, policy = _after(plans["staging"], ROLE), _after(plans["staging"], POLICY)
    assert role is not None and policy is not None
    trust = json.loads(role["assume_role_policy"])["Statement"][0]
    assert trust["Principal"]["AWS"].startswith("arn:aws:iam::999999999999:user/")
    assert trust["Condition"]["StringEquals"]["sts:ExternalId"] == [
        "EXAMPLE_GLUE_EXTERNAL_ID",
        "EXAMPLE_STORAGE_EXTERNAL_ID",
    ]
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    actions = {action for s in statements.values() for action in s["Action"]}
    assert actions == {
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetTables",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "kms:Decrypt",
    }
    (objects,) = statements["CuratedDataAndMetadataFiles"]["Resource"]
    assert objects.endswith("/iceberg_curated_db.db/*")
    assert all(
        r.split(":")[-1].split("/")[1] == "iceberg_curated_db"
        for r in statements["GlueCatalogCuratedTables"]["Resource"][1:]
    )
