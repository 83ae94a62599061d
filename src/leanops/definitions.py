"""Loads the one definition of tables, the envelope and topic names from schemas/.

The files live in the repository's ``schemas/`` folder (Terraform reads them there with
``file()``); the build scripts copy them into ``leanops/_schemas`` inside the Lambda and Glue
bundles. ``LEANOPS_SCHEMAS_DIR`` overrides both.

The bundled copy is package data, read through :mod:`importlib.resources`, never through
``__file__``: Glue puts ``--extra-py-files`` zips on ``sys.path`` without extracting them
("Including Python files with PySpark native features", AWS Glue developer guide, "Using Python
libraries with AWS Glue"), and inside a zip a package folder is not a folder of the file system.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from leanops.exceptions import DefinitionError, TopicNameError

SCHEMAS_DIR_ENV = "LEANOPS_SCHEMAS_DIR"
TABLES_FILE = "tables.json"
ANALYST_ACCESS_KEY = "analyst_access"
ENVELOPE_FILE = "events.json"
CONTRACT_SCHEMA_FILE = "curated_schema.json"

RAW = "raw"
STANDARDIZED = "standardized"
CURATED = "curated"
PARSE_ERRORS = "parse_errors"
CURATED_ERRORS = "curated_errors"
DLQ_ERRORS = "dlq_errors"
DRIFT_LOG = "drift_log"


PACKAGE = "leanops"
BUNDLED_SCHEMAS = "_schemas"
SOURCE_SCHEMAS = "schemas"


def source_schemas_dir() -> Path | None:
    """Return the repository's ``schemas/`` when leanops runs from a source checkout (``src/``).

    None when the package is not a folder of the file system (a zip: the Glue bundle).
    """
    package = resources.files(PACKAGE)
    if not isinstance(package, Path):
        return None
    return package.parents[1] / SOURCE_SCHEMAS


def schemas_dir() -> Traversable:
    """Return the folder holding tables.json, events.json and curated_schema.json.

    In order: ``LEANOPS_SCHEMAS_DIR``, the package data ``leanops/_schemas`` (the bundles, also
    inside a zip), the repository's ``schemas/`` (a source checkout).

    Raises:
        DefinitionError: when no candidate folder holds tables.json.
    """
    override = os.environ.get(SCHEMAS_DIR_ENV)
    candidates: list[Traversable] = [Path(override)] if override else []
    candidates.append(resources.files(PACKAGE).joinpath(BUNDLED_SCHEMAS))
    source = source_schemas_dir()
    if source is not None:
        candidates.append(source)
    for candidate in candidates:
        if candidate.joinpath(TABLES_FILE).is_file():
            return candidate
    raise DefinitionError(TABLES_FILE, f"not found in any of {[str(c) for c in candidates]}")


@cache
def load_json(name: str) -> dict[str, Any]:
    """Read one JSON file of the schemas folder.

    Raises:
        DefinitionError: when the file is missing or not valid JSON.
    """
    path = schemas_dir().joinpath(name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DefinitionError(str(path), str(exc)) from exc


@dataclass(frozen=True)
class ColumnDef:
    """One column: name, Iceberg primitive type, whether it is required, and a comment."""

    name: str
    type: str
    required: bool = False
    comment: str = ""


@dataclass(frozen=True)
class PartitionField:
    """One partition field: an Iceberg transform (identity, day, ...) over a column."""

    transform: str
    column: str


@dataclass(frozen=True)
class TableDef:
    """A table of the pipeline, as defined in tables.json."""

    kind: str
    database: str
    name_template: str
    per_topic: bool
    description: str
    columns: tuple[ColumnDef, ...]
    partition_by: tuple[PartitionField, ...]

    def name(self, topic: str | None = None) -> str:
        """Return the table name (for a per-topic table, the topic's)."""
        if self.per_topic:
            if topic is None:
                raise DefinitionError(TABLES_FILE, f"table {self.kind} is per topic: a topic is needed")
            return self.name_template.format(topic=topic)
        return self.name_template

    def identifier(self, topic: str | None = None) -> str:
        """Return ``database.table`` as Athena names it."""
        return f"{self.database}.{self.name(topic)}"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in order."""
        return tuple(column.name for column in self.columns)


def envelope_columns() -> tuple[ColumnDef, ...]:
    """Return the envelope's fields as RAW columns, in order (from events.json)."""
    envelope = load_json(ENVELOPE_FILE)
    required = set(envelope.get("required", []))
    return tuple(
        ColumnDef(name, spec["x-iceberg-type"], name in required, spec.get("description", ""))
        for name, spec in envelope["properties"].items()
    )


@cache
def analyst_table_kinds() -> tuple[str, ...]:
    """Return the table kinds analysts may read (tables.json ``analyst_access.table_kinds``).

    The one definition Terraform's analyst policy and Lake Formation grants, the curated job's
    grants on the tables it creates and the local ``query --as analyst`` all read.
    """
    return tuple(load_json(TABLES_FILE)[ANALYST_ACCESS_KEY]["table_kinds"])


@cache
def table(kind: str) -> TableDef:
    """Return the definition of one table kind (raw, standardized, curated, parse_errors, ...).

    Raises:
        DefinitionError: when tables.json has no such table.
    """
    tables = load_json(TABLES_FILE)
    spec = tables["tables"].get(kind)
    if spec is None:
        raise DefinitionError(TABLES_FILE, f"no table {kind!r}; known: {sorted(tables['tables'])}")
    if spec.get("columns_from") == ENVELOPE_FILE:
        columns = envelope_columns()
    else:
        columns = tuple(
            ColumnDef(c["name"], c["type"], c.get("required", False), c.get("comment", ""))
            for c in spec["columns"]
        )
    return TableDef(
        kind=kind,
        database=tables["databases"][spec["database"]],
        name_template=spec["name"],
        per_topic=spec["per_topic"],
        description=spec.get("description", ""),
        columns=columns,
        partition_by=tuple(PartitionField(p["transform"], p["column"]) for p in spec.get("partition_by", [])),
    )


def all_tables() -> tuple[TableDef, ...]:
    """Return every table definition."""
    return tuple(table(kind) for kind in load_json(TABLES_FILE)["tables"])


def catalog_name() -> str:
    """Return the Spark catalog name the jobs use (the Glue Data Catalog in AWS)."""
    return str(load_json(TABLES_FILE)["catalog_name"])


def databases() -> dict[str, str]:
    """Return layer -> database name."""
    return dict(load_json(TABLES_FILE)["databases"])


def validate_topic_name(topic: str) -> str:
    """Check a topic name against tables.json's rule and reserved names.

    Returns:
        The topic name, unchanged.

    Raises:
        TopicNameError: naming the rule the name breaks.
    """
    rule = load_json(TABLES_FILE)["topic_name"]
    if not isinstance(topic, str) or not re.fullmatch(rule["pattern"], topic):
        raise TopicNameError(str(topic), f"must match {rule['pattern']}: {rule['description']}")
    if topic in rule["reserved"]:
        raise TopicNameError(
            topic, f"collides with a shared table name (reserved: {', '.join(rule['reserved'])})"
        )
    return topic
