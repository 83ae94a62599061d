"""Contract evolution: each change between two contracts is compatible or breaking, and says why."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from leanops.contract_evolution import BREAKING, COMPATIBLE, classify
from leanops.contracts import Contract, parse_contract

IN_FORCE: dict[str, Any] = {
    "topic": "orders",
    "key": ["order_id"],
    "order_by": "updated_at",
    "fields": {
        "order_id": {"type": "string", "required": True},
        "customer_id": {"type": "string", "required": True, "path": "customer.id"},
        "amount": {"type": "decimal(12,2)", "required": True},
        "quantity": {"type": "int"},
        "gift": {"type": "boolean"},
        "updated_at": {"type": "timestamp", "required": True},
    },
}


def _contract(document: dict[str, Any]) -> Contract:
    return parse_contract(json.dumps(document), "orders.json", "orders")


def _changed(edit: Any) -> list[tuple[str, str]]:
    document = copy.deepcopy(IN_FORCE)
    edit(document)
    evolution = classify(_contract(IN_FORCE), _contract(document))
    return [(change.kind, str(change)) for change in evolution.changes]


def _set(*path: str, value: Any) -> Any:
    def edit(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _set("fields", "note", value={"type": "string"}),
            [(COMPATIBLE, "field note: added (string, optional)")],
        ),
        (
            _set("fields", "quantity", "type", value="long"),
            [(COMPATIBLE, "field quantity: type widened int -> long")],
        ),
        (
            _set("fields", "quantity", "type", value="double"),
            [(COMPATIBLE, "field quantity: type widened int -> double")],
        ),
        (
            _set("fields", "amount", "type", value="decimal(18,2)"),
            [(COMPATIBLE, "field amount: precision widened decimal(12,2) -> decimal(18,2) (same scale)")],
        ),
        (
            _set("fields", "customer_id", "required", value=False),
            [(COMPATIBLE, "field customer_id: required -> optional")],
        ),
        (_set("fields", "gift", "description", value="a gift order"), []),
        (_set("description", value="Orders of the shop"), []),
    ],
)
def test_compatible_changes(edit: Any, expected: list[tuple[str, str]]) -> None:
    assert _changed(edit) == expected


def _remove_gift(document: dict[str, Any]) -> None:
    del document["fields"]["gift"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_remove_gift, [(BREAKING, "field gift: removed")]),
        (
            _set("fields", "note", value={"type": "string", "required": True}),
            [(BREAKING, "field note: added as required (earlier records lack it)")],
        ),
        (
            _set("fields", "amount", "type", value="decimal(12,3)"),
            [
                (
                    BREAKING,
                    "field amount: type changed decimal(12,2) -> decimal(12,3) (not a lossless widening)",
                )
            ],
        ),
        (
            _set("fields", "quantity", "type", value="string"),
            [(BREAKING, "field quantity: type changed int -> string (not a lossless widening)")],
        ),
        (
            _set("fields", "quantity", "required", value=True),
            [(BREAKING, "field quantity: optional -> required (earlier records may lack it)")],
        ),
        (
            _set("fields", "customer_id", "path", value="buyer.id"),
            [(BREAKING, "field customer_id: path changed customer.id -> buyer.id")],
        ),
        (
            _set("key", value=["order_id", "customer_id"]),
            [(BREAKING, "key: changed ['order_id'] -> ['order_id', 'customer_id']")],
        ),
        (_set("order_by", value="amount"), [(BREAKING, "order_by: changed updated_at -> amount")]),
    ],
)
def test_breaking_changes(edit: Any, expected: list[tuple[str, str]]) -> None:
    assert _changed(edit) == expected


def test_breaking_changes_come_first_and_make_the_evolution_breaking() -> None:
    document = copy.deepcopy(IN_FORCE)
    document["fields"]["note"] = {"type": "string"}
    del document["fields"]["gift"]
    evolution = classify(_contract(IN_FORCE), _contract(document))
    assert evolution.is_breaking
    assert [change.kind for change in evolution.changes] == [BREAKING, COMPATIBLE]
    assert not classify(_contract(IN_FORCE), _contract(IN_FORCE)).changes
