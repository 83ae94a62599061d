"""Column naming reads like a table: input key or path -> column name."""

from __future__ import annotations

import pytest

from leanops import naming


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("amount", "amount"),
        ("Amount", "amount"),
        ("  Order ID  ", "order_id"),
        ("orderId", "orderid"),
        ("a.b", "a_b"),
        ("a__b", "a_b"),
        ("key with 'quotes' and \"double\"", "key_with_quotes_and_double"),
        ("1st", "f_1st"),
        ("_id", "id"),
        ("__", "f"),
        ("", "f"),
        ("trailing_", "trailing"),
        ("prix_€", "prix"),
        ("ünïcödé", "n_c_d"),
    ],
)
def test_normalize_key(key: str, expected: str) -> None:
    assert naming.normalize_key(key) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("customer", "id"), "customer__id"),
        (("Customer", "Address", "ZIP code"), "customer__address__zip_code"),
        (("message_id",), "body_message_id"),
        (("run_id",), "body_run_id"),
        (("curated_at",), "body_curated_at"),
        (("meta", "message_id"), "meta__message_id"),
    ],
)
def test_column_for_path(path: tuple[str, ...], expected: str) -> None:
    assert naming.column_for_path(path) == expected


def test_nested_key_and_flat_dotted_key_get_different_columns() -> None:
    assert naming.column_for_path(("a.b",)) != naming.column_for_path(("a", "b"))


def test_long_names_are_cut_with_a_stable_distinct_hash() -> None:
    deep = ("level",) * 60
    deeper = ("level",) * 61
    assert len(naming.column_for_path(deep)) <= 128
    assert naming.column_for_path(deep) == naming.column_for_path(deep)
    assert naming.column_for_path(deep) != naming.column_for_path(deeper)


def test_contract_paths_use_the_same_rule() -> None:
    assert naming.column_for_dotted_path("customer.id") == naming.column_for_path(("customer", "id"))


def test_find_collisions_names_every_source_path() -> None:
    collisions = naming.find_collisions([("Amount",), ("amount",), ("other",)])
    assert collisions == {"amount": ["Amount", "amount"]}
