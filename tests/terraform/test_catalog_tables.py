"""The Iceberg tables Terraform plans are the ones the local runner creates (one creator per table)."""

from __future__ import annotations

import re
from typing import Any

from test_terraform_plans import resources_of

from leanops import definitions
from leanops.adapters.iceberg_ddl import GLUE_TO_ICEBERG_KEY, GLUE_TYPES_KEY
from leanops.local.tables import table_schema, terraform_table_kinds

FOR_EACH_KEY = re.compile(r'\["([^"]+)"\]$')
PLANNED_ENVIRONMENT = "dev"


def _kind(address: str) -> str:
    """Return the table kind of a catalog table address (for_each key ``raw/<topic>`` or the kind)."""
    match = FOR_EACH_KEY.search(address)
    assert match is not None, f"{address}: not a for_each instance"
    return match.group(1).split("/")[0]


def test_planned_tables_are_created_as_the_local_runner_creates_them(plans: dict[str, Any]) -> None:
    # GIVEN the Glue tables the dev stack plans, and Glue's Glue -> Iceberg type mapping (tables.json)
    tables = resources_of(plans[PLANNED_ENVIRONMENT], "aws_glue_catalog_table")
    glue_to_iceberg = definitions.load_json(definitions.TABLES_FILE)[GLUE_TYPES_KEY][GLUE_TO_ICEBERG_KEY]
    # THEN Terraform creates exactly the kinds tables.json gives it (the tables Firehose writes)
    planned_kinds = {_kind(address) for address in tables}
    assert planned_kinds == set(
        terraform_table_kinds(per_topic=True) + terraform_table_kinds(per_topic=False)
    )
    for address, values in tables.items():
        # AND each is an Iceberg CREATE whose Glue columns give the Iceberg schema the local runner creates
        local = table_schema(definitions.table(_kind(address)))
        glue_columns = values["storage_descriptor"][0]["columns"]
        assert [(column["name"], glue_to_iceberg[column["type"]]) for column in glue_columns] == [
            (field.name, str(field.field_type)) for field in local.fields
        ], address
        assert values["open_table_format_input"][0]["iceberg_input"][0]["metadata_operation"] == "CREATE"
        assert not values.get("partition_keys"), (
            f"{address}: Glue's Iceberg CreateTable has no partition spec"
        )
