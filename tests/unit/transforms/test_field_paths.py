"""Contract paths read through the topic's recorded mapping: the right column, or an error naming the field."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from leanops import naming
from leanops.transforms import curate

from .builders import keyed_contract, standardized_frame

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

VALID_TS = "2026-01-01T00:00:00Z"
CONTRACT = keyed_contract(
    {
        "name": {"type": "string", "path": "名前"},
        "age": {"type": "int", "path": "年齢"},
        "total": {"type": "decimal(5,2)", "path": "amount"},
        "cust": {"type": "string", "path": "customer"},
        "qty": {"type": "int", "path": "qty"},
        "sku": {"type": "string", "path": "items.0.sku"},
        "deep": {"type": "string", "path": "a.b.c"},
        "customer__id": {"type": "string"},
    }
)
# GIVEN a topic that showed these key paths, in this order, over several batches
MAPPING = naming.assign_columns(
    {},
    [
        ("k",),
        ("ts",),
        ("名前",),
        ("年齢",),
        ("Amount",),
        ("customer", "id"),
        ("qty",),
        ("qty", "v"),
        ("items",),
        ("a", "b"),
    ],
)
MAPPING = {**MAPPING, **naming.assign_columns(MAPPING, [("amount",)])}
COLUMN = {naming.dotted_path(path): column for path, column in MAPPING.items()}


def _convert(spark: SparkSession, body: dict[str, str]) -> dict[str, Any]:
    row = {"message_id": "m1", COLUMN["k"]: "k1", COLUMN["ts"]: VALID_TS}
    row |= {COLUMN[dotted]: text for dotted, text in body.items()}
    frame = standardized_frame(spark, [row], sorted(MAPPING.values()))
    (converted,) = curate.apply_contract(frame, CONTRACT, MAPPING).collect()
    return converted.asDict()


def test_the_mapping_gives_distinct_columns_to_keys_that_once_collided() -> None:
    assert COLUMN["名前"] != COLUMN["年齢"]
    assert COLUMN["amount"] != COLUMN["Amount"] == "amount"


def test_unicode_paths_and_a_later_colliding_key_read_their_own_columns(spark: SparkSession) -> None:
    # WHEN a row holds 名前, 年齢, "Amount" (column amount) and "amount" (another column)
    row = _convert(spark, {"名前": "x", "年齢": "3", "Amount": "9.99", "amount": "1.50"})
    # THEN each field reads exactly its key path
    assert (row["name"], row["age"], row["total"]) == ("x", 3, Decimal("1.50"))
    assert row["error_reasons"] == []


def test_a_field_named_like_a_column_does_not_read_another_paths_column(spark: SparkSession) -> None:
    # GIVEN field customer__id (path "customer__id") while customer.id owns column customer__id
    row = _convert(spark, {"customer.id": "c-1"})
    # THEN the field is absent, not c-1
    assert row["customer__id"] is None
    assert row["failed_fields"] == ["cust"]  # cust (path "customer") is the object customer.id is in


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (
            {"customer.id": "c-1"},
            "cust",
            "field 'cust' (path 'customer'): the value is a JSON object, split into its keys' columns",
        ),
        (
            {"qty.v": "1"},
            "qty",
            "field 'qty': the value is a JSON object, split into its keys' columns: name one of its leaves",
        ),
        (
            {"items": '[{"sku":"s1"}]'},
            "sku",
            "field 'sku' (path 'items.0.sku'): path runs into the value at 'items', which is not an object",
        ),
        ({"a.b": '{"c":"x"}'}, "deep", "path runs into the value at 'a.b', which is not an object"),
    ],
)
def test_a_path_at_an_object_or_into_a_leaf_is_an_error_never_a_null(
    spark: SparkSession, body: dict[str, str], field: str, reason: str
) -> None:
    row = _convert(spark, body)
    assert any(reason in text for text in row["error_reasons"]), row["error_reasons"]
    assert row["failed_fields"] == [field]


def test_a_required_field_at_an_object_reports_the_object_not_missing(spark: SparkSession) -> None:
    contract = keyed_contract({"qty": {"type": "int", "required": True}})
    row = {"message_id": "m1", COLUMN["k"]: "k1", COLUMN["ts"]: VALID_TS, COLUMN["qty.v"]: "1"}
    frame = standardized_frame(spark, [row], sorted(MAPPING.values()))
    (converted,) = curate.apply_contract(frame, contract, MAPPING).collect()
    assert converted["error_reasons"] == [
        "field 'qty': the value is a JSON object, split into its keys' columns: name one of its leaves"
    ]
