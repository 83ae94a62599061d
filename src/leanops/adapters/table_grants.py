"""Lake Formation reads the curated job grants analysts on the tables it creates.

Why the job: a Lake Formation table grant names an existing table (GrantPermissions on a missing
one fails with EntityNotFound), and the curated job creates a topic's table on its first cycle,
after ``terraform apply``. As that table's creator, the job's role may grant on it: "Table
creators ... can grant permissions on all tables that they create to principals in the same
AWS account" (Lake Formation developer guide, "Implicit Lake Formation permissions"). So a new
topic is open to the analysts from its first cycle, with no second apply; only the kinds of
tables.json ``analyst_access`` are ever granted (never the curated errors table).

Granted once per table and set of principals: the table records what it was granted in a table
property (:data:`GRANTED_PROPERTY`, a digest of the principals), so a cycle costs one property
read, a changed principal list is granted again, and a failed grant (alerted, never failing the
run: the data is right, only closed) is tried again on the next cycle. A principal removed from
the list keeps its grant until revoked (Terraform's grants, or by hand).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from leanops.adapters.alerts import Alerter

logger = logging.getLogger(__name__)

LAKE_FORMATION_SERVICE = "lakeformation"
ANALYST_PERMISSIONS = ("SELECT", "DESCRIBE")
GRANTED_PROPERTY = "leanops.analyst-grants"
DIGEST_LENGTH = 16


def principals_digest(principals: Sequence[str]) -> str:
    """Return the digest a table records once ``principals`` were granted (order-free)."""
    joined = "\n".join(sorted(principals)).encode("utf-8")
    return hashlib.sha256(joined).hexdigest()[:DIGEST_LENGTH]


class TableGrants:
    """Grants the analysts' principals SELECT and DESCRIBE on one table at a time."""

    def __init__(self, principals: Sequence[str], alerter: Alerter, client: Any | None = None) -> None:
        """Bind the principals (none: grant nothing), the alerter and a Lake Formation client.

        The client is created on first use when none is given (no principals: never).
        """
        self.principals = tuple(principals)
        self.digest = principals_digest(self.principals)
        self._alerter = alerter
        self._client = client

    @property
    def configured(self) -> bool:
        """Return True when there is someone to grant to."""
        return bool(self.principals)

    def grant_reads(self, database: str, table: str) -> bool:
        """Grant every principal SELECT and DESCRIBE on ``database.table``; return False on failure.

        A failure is alerted and logged, never raised: the run's data is right, the table only
        stays closed to the analysts until a later cycle's grant succeeds.
        """
        if self._client is None:
            self._client = boto3.client(LAKE_FORMATION_SERVICE)
        for principal in self.principals:
            try:
                self._client.grant_permissions(
                    Principal={"DataLakePrincipalIdentifier": principal},
                    Resource={"Table": {"DatabaseName": database, "Name": table}},
                    Permissions=list(ANALYST_PERMISSIONS),
                )
            except (ClientError, BotoCoreError) as exc:
                self._alerter.alert(
                    f"Lake Formation grant failed: {database}.{table}",
                    f"could not grant {principal} {', '.join(ANALYST_PERMISSIONS)} on {database}.{table}: "
                    f"{exc}. The table stays closed to the analysts; the next cycle tries again.",
                )
                return False
        logger.info(
            "granted %d analyst principal(s) SELECT, DESCRIBE on %s.%s", len(self.principals), database, table
        )
        return True
