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
    allowed = {action for s in statements.values() if s["Effect"] == "Allow" for action in s["Action"]}
    assert allowed == {
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


def test_staging_s_snowflake_role_cannot_read_the_curated_errors_table(plans: dict[str, Any]) -> None:
    # GIVEN staging's Snowflake role, which may read the curated database
    policy = _after(plans["staging"], POLICY)
    assert policy is not None
    statements = {s["Sid"]: s for s in json.loads(policy["policy"])["Statement"]}
    # THEN curated errors (the values as received, before pii masking) is denied explicitly,
    # in the catalog and in S3, as for the Athena analysts (schemas/tables.json analyst_access)
    tables, files = statements["DenyErrorTables"], statements["DenyErrorTableFiles"]
    assert tables["Effect"] == files["Effect"] == "Deny"
    assert [r.split(":")[-1] for r in tables["Resource"]] == ["table/iceberg_curated_db/errors"]
    (objects,) = files["Resource"]
    assert objects.endswith("/warehouse/iceberg_curated_db.db/errors/*")
    assert set(files["Action"]) == {"s3:GetObject", "s3:GetObjectVersion"}
    # AND every catalog read of the table is denied, as in the Athena analyst policy
    assert {"glue:GetTable", "glue:GetTables", "glue:GetTableVersions", "glue:GetPartitions"} <= set(
        tables["Action"]
    )
