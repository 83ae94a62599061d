"""Creates locally, as Glue does in AWS, the tables Terraform creates: RAW per topic, dlq_errors.

Those are the tables Firehose writes (``tables.json`` ``created_by`` = ``terraform``). In AWS
modules/catalog creates them with Glue CreateTable from Glue column types; here pyiceberg creates
them with the Iceberg schema Glue makes of those types (leanops.adapters.iceberg_ddl
``creation_columns``: timestamps without zone, every field optional, no partition spec), in the
local catalog that local Spark shares. The other tables (parse_errors, errors, drift_log, the
standardized and curated tables) are created by the jobs' own DDL on their first run, here as
in AWS: nothing creates them in advance.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from leanops import definitions
from leanops.adapters.iceberg_ddl import CREATED_BY_TERRAFORM, created_by, creation_columns
from leanops.exceptions import DefinitionError

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog
    from pyiceberg.partitioning import PartitionSpec
    from pyiceberg.schema import Schema

LOGGER = logging.getLogger(__name__)
PARTITION_FIELD_ID_START = 1000
_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)")


def iceberg_type(type_name: str) -> Any:
    """Return the pyiceberg type of an Iceberg primitive type name (``timestamptz``, ...).

    Raises:
        DefinitionError: for a type name tables.json should not hold.

    """
    from pyiceberg import types

    simple = {
        "string": types.StringType(),
        "int": types.IntegerType(),
        "long": types.LongType(),
        "double": types.DoubleType(),
        "boolean": types.BooleanType(),
        "date": types.DateType(),
        "timestamp": types.TimestampType(),
        "timestamptz": types.TimestamptzType(),
    }
    if type_name in simple:
        return simple[type_name]
    if match := _DECIMAL.fullmatch(type_name):
        return types.DecimalType(int(match.group(1)), int(match.group(2)))
    raise DefinitionError(definitions.TABLES_FILE, f"unsupported column type {type_name!r}")


def table_schema(table: definitions.TableDef) -> Schema:
    """Return the pyiceberg schema of a table as its creator makes it (field ids from 1, in order)."""
    from pyiceberg.schema import Schema
    from pyiceberg.types import NestedField

    fields = [
        NestedField(
            index,
            column.name,
            iceberg_type(column.type),
            required=column.required,
            doc=column.comment or None,
        )
        for index, column in enumerate(creation_columns(table), start=1)
    ]
    return Schema(*fields)


def partition_spec(table: definitions.TableDef, schema: Schema) -> PartitionSpec:
    """Return the partition spec of a table definition (transforms as tables.json names them)."""
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.transforms import parse_transform

    fields = []
    for offset, spec in enumerate(table.partition_by):
        source = schema.find_field(spec.column)
        fields.append(
            PartitionField(
                source_id=source.field_id,
                field_id=PARTITION_FIELD_ID_START + offset,
                transform=parse_transform(spec.transform),
                name=f"{spec.column}_{spec.transform}",
            )
        )
    return PartitionSpec(*fields)


def terraform_table_kinds(per_topic: bool) -> tuple[str, ...]:
    """Return the table kinds Terraform creates (tables.json ``created_by``), per topic or shared."""
    return tuple(
        table.kind
        for table in definitions.all_tables()
        if table.per_topic == per_topic and created_by(table) == CREATED_BY_TERRAFORM
    )


def ensure_table(catalog: Catalog, kind: str, topic: str | None = None) -> str:
    """Create one table Terraform creates in AWS, as Glue creates it, when it does not exist yet.

    Returns:
        The table's ``database.table`` identifier.

    Raises:
        DefinitionError: for a table the jobs create (their DDL does, on first use).

    """
    table = definitions.table(kind)
    if created_by(table) != CREATED_BY_TERRAFORM:
        raise DefinitionError(
            definitions.TABLES_FILE, f"table {kind} is created by the jobs' DDL, not in advance"
        )
    identifier = table.identifier(topic)
    catalog.create_namespace_if_not_exists(table.database)
    if not catalog.table_exists(identifier):
        schema = table_schema(table)
        catalog.create_table(identifier, schema=schema, partition_spec=partition_spec(table, schema))
        LOGGER.info("created table %s", identifier)
    return identifier


def ensure_shared_tables(catalog: Catalog) -> list[str]:
    """Create every layer's database and the shared tables Terraform creates (dlq_errors)."""
    for database in definitions.databases().values():
        catalog.create_namespace_if_not_exists(database)
    return [ensure_table(catalog, kind) for kind in terraform_table_kinds(per_topic=False)]


def ensure_topic_tables(catalog: Catalog, topic: str) -> list[str]:
    """Create a topic's tables Terraform creates (RAW); the jobs create its standardized and curated."""
    definitions.validate_topic_name(topic)
    return [ensure_table(catalog, kind, topic) for kind in terraform_table_kinds(per_topic=True)]
