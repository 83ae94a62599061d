"""Creates the tables Terraform creates in AWS (RAW per topic, shared error tables) locally.

The definitions come from leanops.definitions (schemas/tables.json + events.json); pyiceberg
writes them into the local catalog that local Spark shares.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from leanops import definitions
from leanops.exceptions import DefinitionError

if TYPE_CHECKING:
    from pyiceberg.catalog import Catalog
    from pyiceberg.partitioning import PartitionSpec
    from pyiceberg.schema import Schema

LOGGER = logging.getLogger(__name__)
SHARED_TABLE_KINDS = (
    definitions.DLQ_ERRORS,
    definitions.PARSE_ERRORS,
    definitions.CURATED_ERRORS,
    definitions.DRIFT_LOG,
)
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
    """Return the pyiceberg schema of a table definition (field ids from 1, in column order)."""
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
        for index, column in enumerate(table.columns, start=1)
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


def ensure_table(catalog: Catalog, kind: str, topic: str | None = None) -> str:
    """Create one table of the definition when it does not exist yet.

    Returns:
        The table's ``database.table`` identifier.

    """
    table = definitions.table(kind)
    identifier = table.identifier(topic)
    catalog.create_namespace_if_not_exists(table.database)
    if not catalog.table_exists(identifier):
        schema = table_schema(table)
        catalog.create_table(identifier, schema=schema, partition_spec=partition_spec(table, schema))
        LOGGER.info("created table %s", identifier)
    return identifier


def ensure_shared_tables(catalog: Catalog) -> list[str]:
    """Create the shared error tables and every layer's database."""
    for database in definitions.databases().values():
        catalog.create_namespace_if_not_exists(database)
    return [ensure_table(catalog, kind) for kind in SHARED_TABLE_KINDS]


def ensure_topic_tables(catalog: Catalog, topic: str) -> str:
    """Create a topic's RAW table (the jobs create its standardized and curated tables)."""
    return ensure_table(catalog, definitions.RAW, definitions.validate_topic_name(topic))
