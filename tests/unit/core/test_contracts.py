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
        (json.dumps({k: v for k, v in VALID.items() if k != "key"}), "'key' is a required property"),
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
