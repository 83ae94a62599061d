"""Column naming reads like a table: input key or path -> column name; the mapping is injective and stable."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leanops import naming

ATHENA_SAFE = re.compile(r"[a-z][a-z0-9_]{0,127}")


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
        ("ünïcödé", "unicode"),
        ("prénom", "prenom"),
        ("Straße", "strasse"),
        ("ﬁle", "file"),
        ("名前", "f_d54d12f9"),
        ("年齢", "f_1910bd12"),
        ("ıd", "d_df0d1f89"),
        ("café_名", "cafe_a952498d"),
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


@pytest.mark.parametrize(
    ("dotted", "path"),
    [
        ("customer.id", ("customer", "id")),
        ("名前", ("名前",)),
        ("a\\.b.c", ("a.b", "c")),
        ("back\\\\slash", ("back\\slash",)),
        ("customer__id", ("customer__id",)),
    ],
)
def test_dotted_paths_split_on_unescaped_dots_and_round_trip(dotted: str, path: tuple[str, ...]) -> None:
    assert naming.parse_dotted_path(dotted) == path
    assert naming.dotted_path(path) == dotted


def test_a_backslash_escapes_only_a_dot_or_a_backslash() -> None:
    with pytest.raises(ValueError, match="must be followed by"):
        naming.parse_dotted_path("a\\b")


def test_keys_without_ascii_letters_get_distinct_columns() -> None:
    # GIVEN the keys of {"名前":"x","年齢":3}, which once both became "f"
    assigned = naming.assign_columns({}, [("名前",), ("年齢",)])
    # THEN each has its own Athena-safe column
    assert len(set(assigned.values())) == 2
    assert all(ATHENA_SAFE.fullmatch(column) for column in assigned.values())


def test_a_path_whose_candidate_is_taken_gets_a_hashed_column_and_the_first_naming_wins() -> None:
    # GIVEN "amount" seen in an earlier batch
    first = naming.assign_columns({}, [("amount",)])
    assert first == {("amount",): "amount"}
    # WHEN "Amount" (same candidate) and "amount" again arrive
    later = naming.assign_columns(first, [("Amount",), ("amount",)])
    # THEN "amount" keeps its column and "Amount" gets another one
    assert later == {("Amount",): f"amount_{naming._digest(naming.path_key(('Amount',)))}"}


def test_a_field_named_like_a_nested_column_is_another_column() -> None:
    assigned = naming.assign_columns({}, [("customer", "id"), ("customer__id",), ("customer_id",)])
    assert len(set(assigned.values())) == 3
    assert assigned[("customer", "id")] == "customer__id"


def test_assignment_does_not_depend_on_the_order_paths_arrive_in() -> None:
    paths = [("Amount",), ("amount",), ("AMOUNT",), ("名前",)]
    assert naming.assign_columns({}, paths) == naming.assign_columns({}, list(reversed(paths)))


def test_path_keys_are_exact_and_round_trip() -> None:
    for path in [("a.b",), ("a", "b"), ('q"uote', "back\\slash", "名前"), ("",)]:
        assert naming.path_of_key(naming.path_key(path)) == path
    assert naming.path_key(("a.b",)) != naming.path_key(("a", "b"))


KEYS = st.text(min_size=0, max_size=12)
PATHS = st.lists(st.lists(KEYS, min_size=1, max_size=3).map(tuple), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(PATHS, PATHS)
def test_mapping_is_injective_safe_and_stable_across_batches(first: list, second: list) -> None:
    # GIVEN two batches of arbitrary key paths of one topic
    known = naming.assign_columns({}, first)
    known = {**known, **naming.assign_columns(known, second)}
    # THEN every path has a column, no two paths share one, none takes a system column
    assert set(known) == set(first) | set(second)
    assert len(set(known.values())) == len(known)
    assert not set(known.values()) & naming.system_columns()
    assert all(ATHENA_SAFE.fullmatch(column) for column in known.values())
    # AND a known path keeps its column when seen again
    assert naming.assign_columns(known, [*first, *second]) == {}
