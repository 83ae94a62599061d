"""The curated job opens each topic table it creates to the analysts (Lake Formation, moto): no second apply."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from leanops.adapters.iceberg_ddl import qualified_name, table_properties
from leanops.adapters.table_grants import ANALYST_PERMISSIONS, GRANTED_PROPERTY, principals_digest
from leanops.definitions import CURATED, CURATED_ERRORS, table
from leanops.jobs import report

from .conftest import JobEnvironment
from .helpers import append_raw, cycle, envelope, order, order_contract

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark
ANALYST = "arn:aws:iam::123456789012:role/analysts"
AUDITOR = "arn:aws:iam::123456789012:role/auditors"


def _granted(lakeformation: Any) -> dict[tuple[str, str], set[str]]:
    """Return (principal, database.table) -> permissions of every table grant in moto."""
    granted: dict[tuple[str, str], set[str]] = {}
    for entry in lakeformation.list_permissions()["PrincipalResourcePermissions"]:
        resource = entry["Resource"].get("Table")
        if resource is not None:
            key = (
                entry["Principal"]["DataLakePrincipalIdentifier"],
                f"{resource['DatabaseName']}.{resource['Name']}",
            )
            granted.setdefault(key, set()).update(entry["Permissions"])
    return granted


def _order(topic: str, message_id: str, order_id: str, seconds: int) -> dict[str, Any]:
    return envelope(topic, message_id, order(order_id, "1.00", "2026-03-01T10:00:00Z"), seconds)


def test_a_new_topic_s_curated_table_is_granted_to_the_analysts_once_and_errors_never(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN analysts configured for the curated job and a new topic with its contract
    lakeformation = boto3.client("lakeformation")
    job_env.clients.lakeformation = lakeformation
    settings = replace(job_env.with_topics(unique_name), analyst_principals=(ANALYST,))
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(
        spark, unique_name, [_order(unique_name, "m1", "o1", 1), envelope(unique_name, "m2", {"x": 1}, 2)]
    )
    # WHEN its first cycle creates the curated table (and a row fails its contract: errors)
    _, curated = cycle(spark, settings, job_env.clients)
    # THEN the analysts may read that table, and the errors table was not granted
    assert curated.outcome(unique_name).status == report.PROCESSED
    curated_def = table(CURATED)
    granted = _granted(lakeformation)
    assert granted == {(ANALYST, curated_def.identifier(unique_name)): set(ANALYST_PERMISSIONS)}
    assert table(CURATED_ERRORS).identifier() not in {name for _, name in granted}
    name = qualified_name(curated_def, unique_name)
    assert table_properties(spark, name)[GRANTED_PROPERTY] == principals_digest((ANALYST,))
    # WHEN the next cycle runs with new data: no grant again (the table says it was granted)
    lakeformation.revoke_permissions(
        Principal={"DataLakePrincipalIdentifier": ANALYST},
        Resource={"Table": {"DatabaseName": curated_def.database, "Name": curated_def.name(unique_name)}},
        Permissions=list(ANALYST_PERMISSIONS),
    )
    append_raw(spark, unique_name, [_order(unique_name, "m3", "o2", 3)])
    cycle(spark, settings, job_env.clients)
    assert _granted(lakeformation) == {}
    # WHEN an auditor joins the analysts' principals: the next cycle grants both again
    both = replace(settings, analyst_principals=(ANALYST, AUDITOR))
    append_raw(spark, unique_name, [_order(unique_name, "m4", "o3", 4)])
    cycle(spark, both, job_env.clients)
    assert set(_granted(lakeformation)) == {
        (ANALYST, curated_def.identifier(unique_name)),
        (AUDITOR, curated_def.identifier(unique_name)),
    }
    assert table_properties(spark, name)[GRANTED_PROPERTY] == principals_digest((AUDITOR, ANALYST))


class _RefusingLakeFormation:
    """A Lake Formation client refusing every grant (the role lacks the permission)."""

    def grant_permissions(self, **_: Any) -> None:
        from botocore.exceptions import ClientError

        raise ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "no grant"}}, "GrantPermissions"
        )


def test_a_refused_grant_is_alerted_never_fails_the_run_and_is_tried_again(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN analysts configured but a Lake Formation that refuses the job's grant
    job_env.clients.lakeformation = _RefusingLakeFormation()
    settings = replace(job_env.with_topics(unique_name), analyst_principals=(ANALYST,))
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(spark, unique_name, [_order(unique_name, "m1", "o1", 1)])
    # WHEN the first cycle runs
    _, curated = cycle(spark, settings, job_env.clients)
    # THEN the data is curated, the refusal alerted by table, and the table not marked granted
    assert curated.outcome(unique_name).status == report.PROCESSED
    subjects = [alert["Subject"] for alert in job_env.alerts()]
    assert any("Lake Formation grant failed" in subject and unique_name in subject for subject in subjects)
    name = qualified_name(table(CURATED), unique_name)
    assert GRANTED_PROPERTY not in table_properties(spark, name)
    # WHEN Lake Formation accepts grants again: the next cycle grants
    lakeformation = boto3.client("lakeformation")
    job_env.clients.lakeformation = lakeformation
    append_raw(spark, unique_name, [_order(unique_name, "m2", "o2", 2)])
    cycle(spark, settings, job_env.clients)
    assert set(_granted(lakeformation)) == {(ANALYST, table(CURATED).identifier(unique_name))}
