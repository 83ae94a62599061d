"""The contract's ``pii`` key: parsed, refused where it would break latest-wins, classified as breaking."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from leanops.contract_evolution import BREAKING, COMPATIBLE, classify
from leanops.contracts import Contract, parse_contract
from leanops.exceptions import ContractError

CONTRACT: dict[str, Any] = {
    "topic": "customers",
    "key": ["customer_id"],
    "order_by": "updated_at",
    "fields": {
        "customer_id": {"type": "string", "required": True},
        "email": {"type": "string", "pii": "hash"},
        "name": {"type": "string", "required": True, "pii": "redact"},
        "birth_date": {"type": "date", "pii": "redact"},
        "phone": {"type": "string", "pii": "drop"},
        "score": {"type": "decimal(12,2)"},
        "updated_at": {"type": "timestamp", "required": True},
    },
}


def _parse(document: dict[str, Any]) -> Contract:
    return parse_contract(json.dumps(document), "customers.json", "customers")


def _edited(*path: str, value: Any) -> dict[str, Any]:
    document = copy.deepcopy(CONTRACT)
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value
    return document


def test_each_field_keeps_its_pii_rule_and_curated_types_follow_it() -> None:
    # GIVEN a contract with a hashed, two redacted and a dropped field
    contract = _parse(CONTRACT)
    # THEN each field keeps its rule
    assert {spec.name: spec.pii for spec in contract.fields} == {
        "customer_id": None,
        "email": "hash",
        "name": "redact",
        "birth_date": "redact",
        "phone": "drop",
        "score": None,
        "updated_at": None,
    }
    # AND curated has no column for the dropped field; a hash is a string; a redaction keeps its type
    curated = {spec.name: spec.curated_spark_type for spec in contract.curated_fields}
    assert "phone" not in curated
    assert curated["email"] == "string"
    assert curated["birth_date"] == "date"
    assert curated["score"] == "decimal(12,2)"
    assert [spec.name for spec in contract.masked_fields] == ["email", "name", "birth_date", "phone"]


@pytest.mark.parametrize("rule", ["hash", "redact", "drop"])
def test_every_rule_applies_to_every_type(rule: str) -> None:
    fields = {
        f"f_{kind.split('(')[0]}": {"type": kind, "pii": rule}
        for kind in ("string", "int", "long", "double", "decimal(10,3)", "boolean", "date", "timestamp")
    }
    contract = _parse(_edited("fields", value={**CONTRACT["fields"], **fields}))
    assert all(contract.field(name).pii == rule for name in fields)


def test_a_hashed_key_is_allowed_the_key_is_then_the_hash() -> None:
    contract = _parse(_edited("fields", "customer_id", "pii", value="hash"))
    assert contract.field("customer_id").pii == "hash"
    assert contract.field("customer_id").curated_spark_type == "string"


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            ("fields", "customer_id", "pii", "redact"),
            "customers.json: key field 'customer_id' cannot take pii 'redact'",
        ),
        (("fields", "customer_id", "pii", "drop"), "key field 'customer_id' cannot take pii 'drop'"),
        (("fields", "updated_at", "pii", "hash"), "order_by field 'updated_at' cannot take pii 'hash'"),
        (("fields", "updated_at", "pii", "redact"), "order_by field 'updated_at' cannot take pii 'redact'"),
        (("fields", "updated_at", "pii", "drop"), "order_by field 'updated_at' cannot take pii 'drop'"),
        (("fields", "email", "pii", "encrypt"), "at /fields/email/pii: 'encrypt' is not one of"),
        (("fields", "email", "pii", True), "at /fields/email/pii"),
    ],
)
def test_pii_that_would_break_latest_wins_or_is_unknown_is_refused_naming_the_field(
    edit: tuple[Any, ...], problem: str
) -> None:
    *path, value = edit
    with pytest.raises(ContractError) as raised:
        _parse(_edited(*path, value=value))
    assert problem in str(raised.value)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("fields", "score", "pii", "hash"),
            (BREAKING, "field score: pii changed none -> hash (the rows curated holds stay in clear"),
        ),
        (
            ("fields", "email", "pii", "drop"),
            (BREAKING, "field email: pii changed hash -> drop (the rows curated holds keep the old masking"),
        ),
        (
            ("fields", "email", "pii", None),
            (BREAKING, "field email: pii changed hash -> none (the rows curated holds stay masked"),
        ),
        (
            ("fields", "nickname", {"type": "string", "pii": "redact"}),
            (COMPATIBLE, "field nickname: added (string, optional, pii redact)"),
        ),
    ],
)
def test_adding_changing_or_removing_pii_is_breaking(
    edit: tuple[Any, ...], expected: tuple[str, str]
) -> None:
    # GIVEN the contract in force and one edit of a field's pii
    *path, value = edit
    evolution = classify(_parse(CONTRACT), _parse(_edited(*path, value=value)))
    # THEN it is the only change, with its kind and why
    assert len(evolution.changes) == 1
    change = evolution.changes[0]
    assert change.kind == expected[0]
    assert str(change).startswith(expected[1])


def test_an_unchanged_pii_rule_is_no_change() -> None:
    assert classify(_parse(CONTRACT), _parse(CONTRACT)).changes == ()
