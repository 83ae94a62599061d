"""Property tests: flattening round trip, exact numbers, exact conversion, order-independent dedupes.

The Spark properties draw a whole batch per example (one or two actions each) and run few
examples, to keep the suite fast.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leanops.naming import path_key
from leanops.transforms import curate, standardize
from leanops.transforms.json_body import parse_body

from .builders import T0, keyed_contract, raw_frame, standardized_frame

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SPARK_SETTINGS = settings(max_examples=4, deadline=None)
CONVERSION_SETTINGS = settings(max_examples=3, deadline=None)
NO_LIMIT = 10**6
KEYS = st.text(alphabet="abcdefgh", min_size=1, max_size=3)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8)
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(KEYS, JSON_VALUES, max_size=5)


def _expected_leaves(
    obj: dict[str, Any], path: tuple[str, ...], max_depth: int
) -> dict[str, tuple[Any, str]]:
    """Oracle: path key -> (value text, JSON type), written independently of the parser."""
    leaves: dict[str, tuple[Any, str]] = {}
    for key, value in obj.items():
        child = (*path, key)
        if isinstance(value, dict) and value and len(child) < max_depth:
            leaves |= _expected_leaves(value, child, max_depth)
        elif isinstance(value, dict | list):
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
            leaves[path_key(child)] = (text, "object" if isinstance(value, dict) else "array")
        elif isinstance(value, bool):
            leaves[path_key(child)] = ("true" if value else "false", "boolean")
        elif value is None:
            leaves[path_key(child)] = (None, "null")
        elif isinstance(value, str):
            leaves[path_key(child)] = (value, "string")
        else:
            leaves[path_key(child)] = (json.dumps(value), "number")
    return leaves


@given(document=DOCUMENTS, max_depth=st.integers(min_value=1, max_value=4), ascii_only=st.booleans())
def test_flattening_round_trips_every_leaf_path_and_value(
    document: dict[str, Any], max_depth: int, ascii_only: bool
) -> None:
    # GIVEN any JSON object, serialized with or without escapes and with spaces
    text = json.dumps(document, ensure_ascii=ascii_only, indent=1 if ascii_only else None)
    # WHEN parsed
    parsed = parse_body(text, NO_LIMIT, max_depth)
    # THEN every leaf path is one entry holding exactly the leaf's value text and JSON type
    expected = _expected_leaves(document, (), max_depth)
    assert parsed.error is None
    assert parsed.values == {column: value for column, (value, _) in expected.items()}
    assert parsed.types == {column: json_type for column, (_, json_type) in expected.items()}


COLON_TEXT = st.text(alphabet="ab:", max_size=3)


@given(
    members=st.lists(st.tuples(COLON_TEXT, COLON_TEXT | st.integers()), max_size=5),
    escape_colons=st.booleans(),
)
def test_a_duplicate_key_is_reported_whatever_colons_the_text_holds(
    members: list[tuple[str, Any]], escape_colons: bool
) -> None:
    # GIVEN an object written member by member (so keys may repeat), with colons in its keys and
    # strings, written raw or as the escape \u003a
    def token(value: Any) -> str:
        text = json.dumps(value)
        return text.replace(":", "\\u003a") if escape_colons else text

    body = "{" + ",".join(f"{token(key)}: {token(value)}" for key, value in members) + "}"
    # WHEN parsed
    parsed = parse_body(body, NO_LIMIT, NO_LIMIT)
    # THEN it is refused exactly when a key repeats, and otherwise keeps every member
    keys = [key for key, _ in members]
    if len(set(keys)) < len(keys):
        assert parsed.error is not None
        assert parsed.error.startswith("duplicate key")
    else:
        assert parsed.error is None
        assert parsed.values == {path_key([key]): str(value) for key, value in members}


NUMBER_LITERALS = st.decimals(allow_nan=False, allow_infinity=False).map(str) | st.from_regex(
    r"-?(0|[1-9][0-9]{0,60})(\.[0-9]{1,40})?([eE][+-]?[0-9]{1,4})?", fullmatch=True
)


@given(literal=NUMBER_LITERALS)
def test_any_json_number_literal_survives_byte_for_byte(literal: str) -> None:
    parsed = parse_body(f'{{"n": {literal}, "a": [{literal}]}}', NO_LIMIT, NO_LIMIT)
    assert parsed.values == {path_key(["n"]): literal, path_key(["a"]): f"[{literal}]"}


SCALE = 4
PRECISION = 12
CONTRACT = keyed_contract({"d": {"type": f"decimal({PRECISION},{SCALE})"}, "n": {"type": "long"}}, "props")
FITTING = st.decimals(
    min_value=-(10 ** (PRECISION - SCALE)) + 1, max_value=10 ** (PRECISION - SCALE) - 1, places=SCALE
)
TOO_PRECISE = st.builds(
    lambda value, extra: value + Decimal(extra).scaleb(-(SCALE + 1)),
    FITTING,
    st.integers(min_value=1, max_value=9),
)
NOTATIONS = st.sampled_from(["plain", "exponent", "padded"])


def _write(value: Decimal, notation: str) -> str:
    if notation == "exponent":
        return format(value, "e")
    if notation == "padded":
        return f"{value:f}000" if "." in f"{value:f}" else f"{value:f}.000"
    return f"{value:f}"


@pytest.mark.spark
@CONVERSION_SETTINGS
@given(
    cases=st.lists(st.tuples(FITTING | TOO_PRECISE, NOTATIONS), min_size=1, max_size=40),
    integers=st.lists(st.integers(min_value=-(2**64), max_value=2**64), min_size=1, max_size=40),
)
def test_decimals_and_longs_convert_exactly_or_fail(
    spark: SparkSession, cases: list[tuple[Decimal, str]], integers: list[int]
) -> None:
    # GIVEN decimals in any notation and integers around the long range
    rows = [
        {"message_id": f"d{index}", "k": "k", "ts": "2026-01-01T00:00:00Z", "d": _write(value, notation)}
        for index, (value, notation) in enumerate(cases)
    ]
    rows += [
        {"message_id": f"n{i}", "k": "k", "ts": "2026-01-01T00:00:00Z", "n": str(n)}
        for i, n in enumerate(integers)
    ]
    converted = curate.apply_contract(standardized_frame(spark, rows, ["k", "ts", "d", "n"]), CONTRACT)
    got = {row["message_id"]: row for row in converted.collect()}
    # THEN a value that fits converts exactly, and one that does not is an error (never rounded)
    for index, (value, _) in enumerate(cases):
        row = got[f"d{index}"]
        fits = value == value.quantize(Decimal(1).scaleb(-SCALE))
        assert (row["d"] == value, row["failed_fields"]) == ((True, []) if fits else (False, ["d"]))
    for index, number in enumerate(integers):
        row = got[f"n{index}"]
        fits = -(2**63) <= number < 2**63
        assert (row["n"], row["failed_fields"]) == ((number, []) if fits else (None, ["n"]))


ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))])


@st.composite
def _retry_copies(draw: st.DrawFn) -> list[dict[str, Any]]:
    """RAW rows with Lambda-retry copies: instants written in several time zones, ties included."""
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        instant = T0 + timedelta(minutes=draw(st.integers(min_value=0, max_value=2)))
        rows.append(
            {
                "message_id": draw(st.sampled_from(["a", "b", "c"])),
                "ingested_at": instant.astimezone(draw(ZONES)),
                "receive_count": draw(st.integers(min_value=1, max_value=2)),
                "payload": draw(st.sampled_from(["x", "y"])),
            }
        )
    return rows


@pytest.mark.spark
@SPARK_SETTINGS
@given(rows=_retry_copies(), seed=st.integers(min_value=0, max_value=1000))
def test_first_arrival_is_independent_of_input_order(
    spark: SparkSession, rows: list[dict[str, Any]], seed: int
) -> None:
    shuffled = random.Random(seed).sample(rows, len(rows))
    kept = [
        sorted(
            (r["message_id"], r["receive_count"], r["payload"])
            for r in standardize.drop_retry_duplicates(raw_frame(spark, batch)).collect()
        )
        for batch in (rows, shuffled)
    ]
    first: dict[str, tuple[str, int, str]] = {}
    for row in sorted(rows, key=lambda r: (r["ingested_at"], r["receive_count"], r["payload"])):
        first.setdefault(row["message_id"], (row["message_id"], row["receive_count"], row["payload"]))
    assert kept[0] == kept[1] == sorted(first.values())


@st.composite
def _versions(draw: st.DrawFn) -> list[tuple[str, datetime, datetime, str]]:
    """Typed versions of a few keys: order_by values in several zones, ties on order_by and sent_at."""
    count = draw(st.integers(min_value=1, max_value=12))
    return [
        (
            draw(st.sampled_from(["k1", "k2"])),
            (T0 + timedelta(hours=draw(st.integers(min_value=0, max_value=2)))).astimezone(draw(ZONES)),
            T0 + timedelta(seconds=draw(st.integers(min_value=0, max_value=1))),
            f"m{index}",
        )
        for index in range(count)
    ]


@pytest.mark.spark
@SPARK_SETTINGS
@given(versions=_versions(), seed=st.integers(min_value=0, max_value=1000))
def test_latest_per_key_is_independent_of_input_order(
    spark: SparkSession, versions: list[tuple[str, datetime, datetime, str]], seed: int
) -> None:
    schema = "k string, ts timestamp, sent_at timestamp, message_id string"
    shuffled = random.Random(seed).sample(versions, len(versions))
    kept = [
        sorted(
            (row["k"], row["message_id"])
            for row in curate.latest_per_key(spark.createDataFrame(batch, schema), CONTRACT).collect()
        )
        for batch in (versions, shuffled)
    ]
    latest: dict[str, tuple[datetime, datetime, str]] = {}
    for key, ts, sent_at, message_id in versions:
        latest[key] = max(latest.get(key, (ts, sent_at, message_id)), (ts, sent_at, message_id))
    assert kept[0] == kept[1] == sorted((key, version[2]) for key, version in latest.items())
