"""Topic contracts: the repo's own parse, and every malformed kind names the file and problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leanops.contracts import parse_contract, topic_of_contract_file
from leanops.exceptions import ContractError

REPO = Path(__file__).resolve().parents[3]
VALID = {
    "topic": "orders",
    "key": ["order_id"],
    "order_by": "updated_at",
    "fields": {
        "order_id": {"type": "string", "required": True},
        "amount": {"type": "decimal(12, 2)", "required": True},
        "updated_at": {"type": "timestamp", "required": True},
    },
}


def _with(**changes: object) -> str:
    return json.dumps({**VALID, **changes})


@pytest.mark.parametrize("path", sorted((REPO / "schemas" / "topics").glob("*.json")), ids=lambda p: p.name)
def test_repo_contracts_are_valid(path: Path) -> None:
    contract = parse_contract(path.read_text(), path.name, expected_topic=path.stem)
    assert contract.topic == path.stem
    assert set(contract.key) <= set(contract.field_names)


def test_fields_keep_order_types_and_source_columns() -> None:
    contract = parse_contract((REPO / "schemas/topics/orders.json").read_text(), "orders.json", "orders")
    assert contract.field_names[:2] == ("order_id", "customer_id")
    customer = contract.field("customer_id")
    assert customer.path == ("customer", "id")
    assert customer.source_column == "customer__id"
    amount = contract.field("amount")
    assert (amount.type, amount.precision, amount.scale, amount.spark_type) == (
        "decimal",
        12,
        2,
        "decimal(12,2)",
    )
    assert contract.field("updated_at").iceberg_type == "timestamptz"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "not valid JSON"),
        (_with(key=["missing"]), "key 'missing' is not a field"),
        (_with(order_by="nope"), "order_by 'nope' is not a field"),
        (_with(fields={**VALID["fields"], "x": {"type": "varchar"}}), "unknown type 'varchar'"),
        (_with(fields={**VALID["fields"], "x": {"type": "decimal(40,2)"}}), "decimal precision 40"),
        (_with(fields={**VALID["fields"], "x": {"type": "decimal(4,6)"}}), "scale 6 exceeds its precision 4"),
        (_with(topic="payments"), "declares topic 'payments'"),
        (_with(topic="Bad-Name"), "does not match"),
        (
            _with(fields={**VALID["fields"], "order_id": {"type": "string"}}),
            "key field 'order_id' must be required",
        ),
        (_with(fields={**VALID["fields"], "message_id": {"type": "string"}}), "reserved"),
        (_with(fields={**VALID["fields"], "record": {"type": "string"}}), "reserved"),
        (
            _with(fields={**VALID["fields"], "a": {"type": "string", "path": "order_id"}}),
            "read the same body value",
        ),
        (_with(fields={**VALID["fields"], "x": {"type": "int", "nullable": True}}), "nullable"),
        (
            _with(
                fields={**VALID["fields"], "c": {"type": "string"}, "cid": {"type": "string", "path": "c.id"}}
            ),
            "field 'c': path 'c' points at an object (field 'cid' reads 'c.id' inside it)",
        ),
        (
            _with(fields={**VALID["fields"], "deep": {"type": "string", "path": ".".join("k" * 33)}}),
            "field 'deep': path 'k.k.k",
        ),
        (
            _with(fields={**VALID["fields"], "deep": {"type": "string", "path": ".".join("k" * 33)}}),
            "deeper than the flattening depth 32",
        ),
        (_with(fields={**VALID["fields"], "x": {"type": "string", "path": "a..b"}}), "does not match"),
        (_with(fields={**VALID["fields"], "x": {"type": "string", "path": "a\\b"}}), "does not match"),
        (json.dumps({k: v for k, v in VALID.items() if k != "key"}), "'key' is a required property"),
        # json.loads keeps the last of two equal keys silently: a contract must say what it means
        (
            '{"topic": "orders", "key": ["id"], "order_by": "id", "fields": '
            '{"id": {"type": "string", "required": true}, "id": {"type": "int"}}}',
            "duplicate key 'id'",
        ),
        (
            '{"topic": "orders", "topic": "orders", "key": ["id"], "order_by": "id", "fields": {}}',
            "duplicate key 'topic'",
        ),
    ],
)
def test_malformed_contracts_name_file_and_problem(text: str, problem: str) -> None:
    with pytest.raises(ContractError) as caught:
        parse_contract(text, "s3://schemas/contracts/orders.json", expected_topic="orders")
    assert "s3://schemas/contracts/orders.json" in str(caught.value)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    ("name", "topic"),
    [("orders.json", "orders"), ("contracts/orders.json", "orders"), ("orders.txt", None), (".json", None)],
)
def test_topic_of_contract_file(name: str, topic: str | None) -> None:
    assert topic_of_contract_file(name) == topic


@pytest.mark.parametrize(
    ("path", "keys"),
    [
        ("名前", ("名前",)),
        ("customer.名前", ("customer", "名前")),
        ("a\\.b", ("a.b",)),
        ("customer__id", ("customer__id",)),
        (".".join("k" * 32), ("k",) * 32),
    ],
)
def test_paths_are_the_original_keys_any_unicode_dots_escaped(path: str, keys: tuple[str, ...]) -> None:
    fields = {**VALID["fields"], "x": {"type": "string", "path": path}}
    assert parse_contract(_with(fields=fields), "orders.json").field("x").path == keys


def test_two_fields_whose_paths_share_a_readable_name_are_both_valid() -> None:
    # GIVEN "Total" and "total": different keys (their columns differ, leanops.naming)
    fields = {
        **VALID["fields"],
        "a": {"type": "string", "path": "Total"},
        "b": {"type": "string", "path": "total"},
    }
    contract = parse_contract(_with(fields=fields), "orders.json")
    assert (contract.field("a").path, contract.field("b").path) == (("Total",), ("total",))


def test_the_flattening_depth_comes_from_the_caller() -> None:
    fields = {**VALID["fields"], "x": {"type": "string", "path": "a.b.c"}}
    with pytest.raises(ContractError, match="deeper than the flattening depth 2"):
        parse_contract(_with(fields=fields), "orders.json", max_depth=2)
