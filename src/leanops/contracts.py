"""Topic contracts ({topic}.json): parsing and validation. Pure: text in, Contract out.

The format is described by ``schemas/curated_schema.json`` (JSON Schema); this module adds the
checks a JSON Schema cannot express (key fields exist and are required, the topic matches the
file name, decimal precision and scale are possible, paths are valid and distinct).

A field's ``path`` is the original key path in the body (dotted, any Unicode, see
leanops.naming.parse_dotted_path), never a column name: the curated job finds its column in the
topic's recorded mapping (leanops.adapters.column_mapping). Rejected here, naming the field:
two fields on one path; a path through another field's path (that one would point at an
object, which flattening splits into its keys); a path deeper than the flattening depth (the
object at that depth is kept whole as JSON text: read it as a ``string`` field). Arrays are one
value (JSON text), their elements are not addressable; a path into an array, like one into an
object beyond the depth, is a per-record error (leanops.transforms.curate), never a NULL.

Personal data: a field's optional ``pii`` says how curated stores it (leanops.transforms.mask):
``hash`` (a keyed HMAC-SHA256 of the typed value, lowercase hex, a ``string`` column),
``redact`` (a fixed marker for a string, NULL otherwise) or ``drop`` (no curated column). The
value is validated first in every case. A key field may be hashed (the key is then the hash:
equal values still meet) but neither redacted nor dropped; the ``order_by`` field takes no
``pii`` at all (its typed value orders the versions of a key).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import jsonschema

from leanops import definitions, naming
from leanops.exceptions import ContractError, TopicNameError
from leanops.settings import DEFAULT_MAX_NESTING_DEPTH

CONTRACT_SUFFIX = ".json"
MAX_DECIMAL_PRECISION = 38
SIMPLE_TYPES = ("string", "int", "long", "double", "boolean", "date", "timestamp")
# Working columns of the curated conversion (leanops.transforms.curate); no field may take them.
ERROR_REASONS = "error_reasons"
FAILED_FIELDS = "failed_fields"
RECORD = "record"
CONVERSION_COLUMNS = frozenset({ERROR_REASONS, FAILED_FIELDS, RECORD})
_DECIMAL = re.compile(r"decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)")
# The field's ``pii`` rule (schemas/curated_schema.json; leanops.transforms.mask).
PII_HASH = "hash"
PII_REDACT = "redact"
PII_DROP = "drop"
PII_RULES = (PII_HASH, PII_REDACT, PII_DROP)
# A hashed field's curated column: the HMAC's lowercase hex text.
PII_HASH_SPARK_TYPE = "string"


@dataclass(frozen=True)
class FieldSpec:
    """One contract field.

    Attributes:
        name: curated column name.
        type: ``string``, ``int``, ``long``, ``double``, ``boolean``, ``date``, ``timestamp`` or
            ``decimal``.
        required: absent or JSON null is an error.
        path: the keys of the value in the body (the original keys, any Unicode).
        source_column: the path's readable candidate column (leanops.naming.column_for_path);
            the column it really has in a topic is in the topic's recorded mapping
            (leanops.adapters.column_mapping; leanops.transforms.field_paths).
        precision: decimal precision (decimal only).
        scale: decimal scale (decimal only).
        pii: how curated stores the value: ``hash``, ``redact``, ``drop`` or None (as is).
    """

    name: str
    type: str
    required: bool
    path: tuple[str, ...]
    source_column: str
    precision: int | None = None
    scale: int | None = None
    pii: str | None = None

    @property
    def dotted_path(self) -> str:
        """The path as the contract writes it (keys joined by ``.``)."""
        return naming.dotted_path(self.path)

    @property
    def spark_type(self) -> str:
        """The Spark SQL type of the curated column."""
        if self.type == "decimal":
            return f"decimal({self.precision},{self.scale})"
        return {"long": "bigint", "timestamp": "timestamp"}.get(self.type, self.type)

    @property
    def iceberg_type(self) -> str:
        """The Iceberg type of the converted value."""
        if self.type == "decimal":
            return f"decimal({self.precision},{self.scale})"
        return {"timestamp": "timestamptz"}.get(self.type, self.type)

    @property
    def stored(self) -> bool:
        """True when curated has a column for the field (its ``pii`` is not ``drop``)."""
        return self.pii != PII_DROP

    @property
    def curated_spark_type(self) -> str:
        """The Spark SQL type of the curated column: ``string`` for a hashed field, else spark_type."""
        return PII_HASH_SPARK_TYPE if self.pii == PII_HASH else self.spark_type


@dataclass(frozen=True)
class Contract:
    """A validated topic contract."""

    topic: str
    key: tuple[str, ...]
    order_by: str
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec:
        """Return the field called ``name``."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        """Field names in contract order."""
        return tuple(spec.name for spec in self.fields)

    @property
    def curated_fields(self) -> tuple[FieldSpec, ...]:
        """The fields curated has a column for (all but ``pii: drop``), in contract order."""
        return tuple(spec for spec in self.fields if spec.stored)

    @property
    def masked_fields(self) -> tuple[FieldSpec, ...]:
        """The fields with a ``pii`` rule, in contract order."""
        return tuple(spec for spec in self.fields if spec.pii is not None)


class _DuplicateKeyError(ValueError):
    """A contract object names one key twice (json.loads would keep the last silently)."""


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` of contract files: an object with a repeated key is refused."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(repr(key))
            seen.add(key)
    return obj


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = definitions.load_json(definitions.CONTRACT_SCHEMA_FILE)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _where(error: jsonschema.ValidationError) -> str:
    path = "/".join(str(part) for part in error.absolute_path)
    return f"at /{path}" if path else "at the top level"


def _explain(error: jsonschema.ValidationError) -> str:
    """Say a schema violation in the contract author's terms."""
    path = list(error.absolute_path)
    if path and path[-1] == "type" and error.validator == "pattern":
        return f"unknown type {error.instance!r}; use one of {', '.join(SIMPLE_TYPES)} or decimal(p,s)"
    if error.validator == "additionalProperties":
        return f"{error.message} (allowed keys are listed in schemas/curated_schema.json)"
    return error.message


def _field_spec(name: str, raw: dict[str, Any], source: str) -> FieldSpec:
    type_text = raw["type"].replace(" ", "")
    precision = scale = None
    if match := _DECIMAL.fullmatch(type_text):
        precision, scale = int(match.group(1)), int(match.group(2))
        if not 1 <= precision <= MAX_DECIMAL_PRECISION:
            raise ContractError(
                source,
                f"field {name!r}: decimal precision {precision} is not within 1..{MAX_DECIMAL_PRECISION}",
            )
        if scale > precision:
            raise ContractError(
                source, f"field {name!r}: decimal scale {scale} exceeds its precision {precision}"
            )
        type_name = "decimal"
    elif type_text in SIMPLE_TYPES:
        type_name = type_text
    else:
        raise ContractError(
            source,
            f"field {name!r}: unknown type {raw['type']!r}; "
            f"use one of {', '.join(SIMPLE_TYPES)} or decimal(p,s)",
        )
    try:
        path = naming.parse_dotted_path(raw.get("path", name))
    except ValueError as exc:
        raise ContractError(source, f"field {name!r}: {exc}") from exc
    return FieldSpec(
        name=name,
        type=type_name,
        required=bool(raw.get("required", False)),
        path=path,
        source_column=naming.column_for_path(path),
        precision=precision,
        scale=scale,
        pii=raw.get("pii"),
    )


def _check_pii(key: list[str], order_by: str, by_name: dict[str, FieldSpec], source: str) -> None:
    """Refuse a ``pii`` rule that would break latest-wins: none on order_by, only hash on a key."""
    spec = by_name[order_by]
    if spec.pii is not None:
        raise ContractError(
            source,
            f"order_by field {order_by!r} cannot take pii {spec.pii!r}: its typed value orders the "
            "versions of a key (a hash or a redacted value does not); mask another field",
        )
    for name in key:
        spec = by_name[name]
        if spec.pii not in (None, PII_HASH):
            raise ContractError(
                source,
                f"key field {name!r} cannot take pii {spec.pii!r}: the key must stay distinct per "
                f"record; use pii {PII_HASH!r} (the key is then its keyed hash)",
            )


def _check_paths(fields: tuple[FieldSpec, ...], source: str, max_depth: int) -> None:
    """Refuse paths no value can be read from: too deep, shared, or through another field's path."""
    by_path: dict[tuple[str, ...], str] = {}
    for spec in fields:
        if len(spec.path) > max_depth:
            kept = naming.dotted_path(spec.path[:max_depth])
            raise ContractError(
                source,
                f"field {spec.name!r}: path {spec.dotted_path!r} has {len(spec.path)} keys, deeper than "
                f"the flattening depth {max_depth} (LEANOPS_MAX_NESTING_DEPTH); the object at "
                f"{kept!r} is kept whole as JSON text: read it as a string field",
            )
        if spec.path in by_path:
            raise ContractError(
                source,
                f"fields {by_path[spec.path]!r} and {spec.name!r} read the same body value "
                f"(path {spec.dotted_path!r})",
            )
        by_path[spec.path] = spec.name
    for spec in fields:
        for depth in range(1, len(spec.path)):
            if spec.path[:depth] in by_path:
                other = by_path[spec.path[:depth]]
                raise ContractError(
                    source,
                    f"field {other!r}: path {naming.dotted_path(spec.path[:depth])!r} points at an object "
                    f"(field {spec.name!r} reads {spec.dotted_path!r} inside it); objects are split into "
                    "their keys: name a leaf",
                )


def parse_contract(
    text: str | bytes,
    source: str,
    expected_topic: str | None = None,
    max_depth: int = DEFAULT_MAX_NESTING_DEPTH,
) -> Contract:
    """Parse and validate the text of a contract.

    Args:
        text: the file's content.
        source: where it came from (file name or S3 URI), used in every error.
        expected_topic: the topic its file name says; the contract's ``topic`` must match it.
        max_depth: the flattening depth of the standardized layer (LEANOPS_MAX_NESTING_DEPTH);
            a longer path is refused.

    Returns:
        The contract.

    Raises:
        ContractError: naming the file and the problem.
    """
    try:
        document = json.loads(text, object_pairs_hook=_object_without_duplicate_keys)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ContractError(source, f"not valid JSON: {exc}") from exc
    except _DuplicateKeyError as exc:
        raise ContractError(
            source, f"not valid JSON: duplicate key {exc.args[0]} (which value wins would be arbitrary)"
        ) from None
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        problems = "; ".join(f"{_where(e)}: {_explain(e)}" for e in errors[:5])
        raise ContractError(source, problems)
    topic = document["topic"]
    try:
        definitions.validate_topic_name(topic)
    except TopicNameError as exc:
        raise ContractError(source, exc.problem) from exc
    if expected_topic is not None and topic != expected_topic:
        raise ContractError(source, f"declares topic {topic!r} but its file is for topic {expected_topic!r}")
    fields = tuple(_field_spec(name, raw, source) for name, raw in document["fields"].items())
    by_name = {spec.name: spec for spec in fields}
    reserved = (naming.system_columns() | CONVERSION_COLUMNS) & set(by_name)
    if reserved:
        raise ContractError(
            source,
            f"field name(s) {sorted(reserved)} are reserved (system or working columns of the curated table)",
        )
    for role, names in (("key", document["key"]), ("order_by", [document["order_by"]])):
        for name in names:
            if name not in by_name:
                raise ContractError(source, f"{role} {name!r} is not a field; fields: {', '.join(by_name)}")
            if not by_name[name].required:
                raise ContractError(source, f"{role} field {name!r} must be required: true")
    _check_pii(document["key"], document["order_by"], by_name, source)
    _check_paths(fields, source, max_depth)
    return Contract(topic=topic, key=tuple(document["key"]), order_by=document["order_by"], fields=fields)


def topic_of_contract_file(file_name: str) -> str | None:
    """Return the topic a contract file name is for (``orders.json`` -> ``orders``), else None."""
    base = file_name.rsplit("/", 1)[-1]
    if not base.endswith(CONTRACT_SUFFIX) or base.startswith("."):
        return None
    return base[: -len(CONTRACT_SUFFIX)]
