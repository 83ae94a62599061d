"""How an upload accepts a breaking contract change: refused, --rebuild, or --force (if it can apply)."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from leanops.adapters.contract_store import object_version
from leanops.cli.operations import changes_needing_rebuild, review_evolution
from leanops.contracts import Contract, parse_contract
from leanops.exceptions import UsageError

FIELDS: dict[str, Any] = {
    "order_id": {"type": "string", "required": True},
    "customer_id": {"type": "string", "required": True},
    "amount": {"type": "decimal(12,2)", "required": True},
    "quantity": {"type": "int"},
    "updated_at": {"type": "timestamp", "required": True},
}


def contract(key: str = "order_id", order_by: str = "updated_at", **fields: Any) -> Contract:
    merged = {name: spec for name, spec in {**FIELDS, **fields}.items() if spec is not None}
    document = {"topic": "orders", "key": [key], "order_by": order_by, "fields": merged}
    return parse_contract(json.dumps(document), "orders.json", "orders")


IN_FORCE = contract()


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (contract(), []),
        (contract(quantity={"type": "long"}), []),  # a lossless promotion: applied in place
        (contract(amount={"type": "decimal(14,2)", "required": True}), []),
        (contract(quantity=None), []),  # a removal: the column stays, NULL from then on
        (
            contract(order_by="quantity", quantity={"type": "int", "required": True}),
            [],
        ),  # a new order_by: NULL orders first, no freeze
        (contract(key="customer_id"), ["key changed ['order_id'] -> ['customer_id']"]),
        (contract(quantity={"type": "string"}), ["field quantity: curated column type int -> string"]),
        (
            contract(amount={"type": "decimal(12,3)", "required": True}),
            ["field amount: curated column type decimal(12,2) -> decimal(12,3)"],
        ),
    ],
)
def test_changes_needing_rebuild_are_those_the_curated_rows_cannot_take(
    new: Contract, expected: list[str]
) -> None:
    assert changes_needing_rebuild(IN_FORCE, new) == expected


def test_a_breaking_change_is_refused_unless_rebuild_or_an_appliable_force(
    caplog: pytest.LogCaptureFixture,
) -> None:
    removed = contract(quantity=None)
    # WHEN neither flag is given THEN it is refused, naming the change and both ways out
    with pytest.raises(UsageError, match=r"field quantity: removed; nothing uploaded.*--rebuild.*--force"):
        review_evolution("orders", IN_FORCE, removed, force=False)
    # WHEN --rebuild is given THEN it is accepted, said so
    with caplog.at_level(logging.WARNING):
        review_evolution("orders", IN_FORCE, removed, force=False, rebuild=True)
    assert "schema --rebuild: orders: breaking change(s) accepted: field quantity: removed" in caplog.text
    # WHEN --force is given THEN a removal applies, a key change does not
    review_evolution("orders", IN_FORCE, removed, force=True)
    with pytest.raises(UsageError, match="--force cannot apply key changed"):
        review_evolution("orders", IN_FORCE, contract(key="customer_id"), force=True)
    # AND --rebuild accepts the key change
    review_evolution("orders", IN_FORCE, contract(key="customer_id"), force=False, rebuild=True)


@pytest.mark.parametrize(
    ("response", "version"),
    [
        ({"VersionId": "v-3", "ETag": '"e"'}, "v-3"),
        ({"VersionId": "null", "ETag": '"e"'}, '"e"'),  # written while versioning was off
        ({"ETag": '"e"'}, '"e"'),
        ({}, None),
    ],
)
def test_object_version_is_the_version_id_else_the_etag(
    response: dict[str, Any], version: str | None
) -> None:
    assert object_version(response) == version
