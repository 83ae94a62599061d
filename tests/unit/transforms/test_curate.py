"""Curated transforms: exact conversion of every type, error rows, latest-per-key and its MERGE rule.

Conversion cases run through one apply_contract and one Spark action; each case is still its own
test (a table of input -> expected), so a failure names the field and the value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from pyspark.sql import functions as F

from leanops import definitions
from leanops.contracts import parse_contract
from leanops.exceptions import ContractError
from leanops.transforms import curate

from .builders import micros, standardized_frame

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pyspark.sql import DataFrame, SparkSession

pytestmark = pytest.mark.spark

RUN_ID = "run-cur"
WRITTEN_AT = datetime(2026, 1, 2, tzinfo=UTC)
VALID_TS = "2026-01-01T00:00:00Z"
NOT_ROUNDED = "; values are never rounded"
FIELDS: dict[str, Any] = {
    "k": {"type": "string", "required": True},
    "ts": {"type": "timestamp", "required": True},
    "i": {"type": "int"},
    "l": {"type": "long"},
    "d": {"type": "decimal(5,2)"},
    "f": {"type": "double"},
    "b": {"type": "boolean"},
    "dt": {"type": "date"},
    "cid": {"type": "string", "path": "customer.id"},
}
BODY_COLUMNS = ["k", "ts", "i", "l", "d", "f", "b", "dt", "customer__id"]
CONTRACT = parse_contract(
    json.dumps({"topic": "orders", "key": ["k"], "order_by": "ts", "fields": FIELDS}), "test"
)


@dataclass(frozen=True)
class Fails:
    """Expected outcome: the record is an error whose reasons include this text."""

    reason: str


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


CASES: list[tuple[str, str | None, Any]] = [
    ("i", "42", 42),
    ("i", "-7", -7),
    ("i", "+7", 7),
    ("i", "007", 7),
    ("i", "1.0", 1),
    ("i", "1e2", 100),
    ("i", "1E+2", 100),
    ("i", "2147483647", 2147483647),
    ("i", "-2147483648", -2147483648),
    ("i", "1.5", Fails("field 'i': value '1.5' is not a whole number (int)")),
    (
        "i",
        "2147483648",
        Fails("field 'i': value '2147483648' is out of the int range -2147483648..2147483647"),
    ),
    ("i", "abc", Fails("field 'i': value 'abc' is not a number (int)")),
    ("i", " 1", Fails("value ' 1' is not a number (int)")),
    ("i", "0x10", Fails("is not a number (int)")),
    ("i", "", Fails("value '' is not a number (int)")),
    ("l", "9223372036854775807", 9223372036854775807),
    ("l", "-9223372036854775808", -9223372036854775808),
    ("l", "1E18", 10**18),
    ("l", "9223372036854775808", Fails("is out of the long range")),
    ("l", "1e19", Fails("is out of the long range")),
    ("l", "1e999999999999", Fails("is out of the long range")),
    ("d", "123.45", Decimal("123.45")),
    ("d", "-0.01", Decimal("-0.01")),
    ("d", "1.230", Decimal("1.23")),
    ("d", "1.50e1", Decimal("15.00")),
    ("d", "+1.5E+1", Decimal("15.00")),
    ("d", "12345e-2", Decimal("123.45")),
    ("d", ".5", Decimal("0.50")),
    ("d", "0.000e99", Decimal("0.00")),
    ("d", "0e-999999999999", Decimal("0.00")),
    ("d", "1." + "0" * 45, Decimal("1.00")),
    ("i", "0." + "0" * 42 + "1e43", 1),
    (
        "d",
        "123.456",
        Fails("value '123.456' has more than 2 fractional digits (decimal(5,2)); values are never rounded"),
    ),
    ("d", "0.001", Fails("has more than 2 fractional digits")),
    ("d", "1234.5", Fails("value '1234.5' has more than 3 integer digits (decimal(5,2))")),
    ("d", "1e3", Fails("has more than 3 integer digits")),
    ("d", "1e-99999999999", Fails("has more than 2 fractional digits")),
    ("d", "12,5", Fails("is not a number (decimal(5,2))")),
    ("f", "1.5", 1.5),
    ("f", "-0.0", -0.0),
    ("f", "1e308", 1e308),
    ("f", "0e999999999999", 0.0),
    ("f", "1e400", Fails("value '1e400' is out of the double range (overflow)")),
    ("f", "-1e400", Fails("is out of the double range (overflow)")),
    ("f", "1e-400", Fails("value '1e-400' underflows to 0 as a double")),
    ("f", "NaN", Fails("value 'NaN' is not a number (double)")),
    ("f", "Infinity", Fails("is not a number (double)")),
    ("b", "true", True),
    ("b", "false", False),
    ("b", "True", Fails("value 'True' is not a boolean (true or false, lowercase)")),
    ("b", "1", Fails("is not a boolean")),
    ("dt", "2026-02-28", date(2026, 2, 28)),
    ("dt", "2024-02-29", date(2024, 2, 29)),
    ("dt", "2026-02-29", Fails("value '2026-02-29' is not a calendar date")),
    ("dt", "2026-02-30", Fails("is not a calendar date")),
    ("dt", "2026-13-01", Fails("is not a calendar date")),
    ("dt", "2026-04-00", Fails("is not a calendar date")),
    ("dt", "0000-01-01", Fails("is not a calendar date")),
    ("dt", "2026-1-5", Fails("value '2026-1-5' is not an ISO date (yyyy-MM-dd)")),
    ("dt", "2026-01-01T00:00:00", Fails("is not an ISO date (yyyy-MM-dd)")),
    ("ts", "2026-01-01T10:00:00Z", _at("2026-01-01T10:00:00+00:00")),
    ("ts", "2026-01-01T10:00:00", _at("2026-01-01T10:00:00+00:00")),
    ("ts", "2026-01-01 10:00:00", _at("2026-01-01T10:00:00+00:00")),
    ("ts", "2026-01-01T10:00Z", _at("2026-01-01T10:00:00+00:00")),
    ("ts", "2026-01-01T12:00:00+02:00", _at("2026-01-01T10:00:00+00:00")),
    ("ts", "2026-01-01T05:00:00-0500", _at("2026-01-01T10:00:00+00:00")),
    ("ts", "2026-01-01T15:45:00+05:45", _at("2026-01-01T10:00:00+00:00")),
    ("ts", "2025-12-31T23:30:00-01:00", _at("2026-01-01T00:30:00+00:00")),
    ("ts", "2026-01-01T10:00:00.123456Z", _at("2026-01-01T10:00:00.123456+00:00")),
    ("ts", "2026-01-01T10:00:00.1200000+01:00", _at("2026-01-01T09:00:00.120000+00:00")),
    (
        "ts",
        "2026-01-01T10:00:00.1234567Z",
        Fails("has more than microsecond precision; values are never truncated"),
    ),
    ("ts", "2026-01-01T24:00:00Z", Fails("value '2026-01-01T24:00:00Z' is not a valid date and time")),
    ("ts", "2026-02-30T00:00:00Z", Fails("is not a valid date and time")),
    ("ts", "2026-01-01T10:00:00+19:00", Fails("has an offset beyond +-18:00")),
    ("ts", "2026-01-01", Fails("value '2026-01-01' is not an ISO-8601 timestamp")),
    ("ts", "1767261600", Fails("is not an ISO-8601 timestamp")),
    ("k", None, Fails("required field 'k' is missing or null (path 'k')")),
    ("ts", None, Fails("required field 'ts' is missing or null (path 'ts')")),
    ("customer__id", "c-1 ü", "c-1 ü"),
    # exact means the whole text: Java's $ matched before a final line terminator
    ("d", "12.34\u2028", Fails("value '12.34\u2028' is not a number (decimal(5,2))")),
    ("f", "12.34\u2028", Fails("is not a number (double)")),
    ("f", "12\u0085", Fails("is not a number (double)")),
    ("i", "12\n", Fails("value '12\n' is not a number (int)")),
    ("l", "12\r\n", Fails("is not a number (long)")),
    ("d", "1.5\u2029", Fails("is not a number")),
    ("i", "1\u00a0", Fails("is not a number (int)")),
    ("dt", "2026-01-01\n", Fails("is not an ISO date (yyyy-MM-dd)")),
    ("dt", "2026-01-01\u2028", Fails("is not an ISO date (yyyy-MM-dd)")),
    ("ts", "2026-01-01T10:00:00Z\n", Fails("is not an ISO-8601 timestamp")),
    ("ts", "2026-01-01T10:00:00\u2028", Fails("is not an ISO-8601 timestamp")),
    ("b", "true\n", Fails("is not a boolean")),
    # a JSON array or an object kept whole is not a scalar; a string field takes its JSON text
    ("i", '{"v":1}', Fails("""value '{"v":1}' is not a number (int)""")),
    ("d", "[1]", Fails("is not a number (decimal(5,2))")),
    ("b", "[true]", Fails("is not a boolean")),
    ("ts", "{}", Fails("is not an ISO-8601 timestamp")),
    ("customer__id", '[1,"a"]', '[1,"a"]'),
    # an offset that moves the instant outside the years 1..9999 (UTC)
    ("ts", "9999-12-31T23:30:00-01:00", Fails("is outside the years 1..9999 once its offset is applied")),
    ("ts", "0001-01-01T00:30:00+01:00", Fails("is outside the years 1..9999 once its offset is applied")),
    ("ts", "9999-12-31T23:59:59.5Z", _at("9999-12-31T23:59:59.500000+00:00")),
    ("ts", "9999-12-31T23:30:00+01:00", _at("9999-12-31T22:30:00+00:00")),
    # (PySpark cannot collect an instant within a day of 0001-01-01: Python's fromtimestamp
    # probes a day earlier, year 0; the first day is checked in the test below)
    ("ts", "0001-01-03T00:30:00+01:00", _at("0001-01-02T23:30:00+00:00")),
]


def _case_id(case: tuple[str, str | None, Any]) -> str:
    return f"{case[0]}={case[1]!r}"


@pytest.fixture(scope="module")
def converted(spark: SparkSession) -> Iterator[dict[str, dict[str, Any]]]:
    """Every case as one row (the other fields valid or absent), converted in one action."""
    rows = [
        {"message_id": f"m{index:03d}", "k": f"case-{index}", "ts": VALID_TS, column: text}
        for index, (column, text, _) in enumerate(CASES)
    ]
    frame = curate.apply_contract(standardized_frame(spark, rows, BODY_COLUMNS), CONTRACT)
    collected = frame.select("*", F.unix_micros("ts").alias("ts_micros")).collect()
    yield {row["message_id"]: row.asDict() for row in collected}


FIELD_OF_COLUMN = {spec.source_column: spec.name for spec in CONTRACT.fields}


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=[_case_id(case) for case in CASES])
def test_each_value_converts_exactly_or_fails_with_a_named_reason(
    converted: dict[str, dict[str, Any]], index: int, case: tuple[str, str | None, Any]
) -> None:
    # GIVEN a standardized row whose field holds the case's text
    column, _, expected = case
    field = FIELD_OF_COLUMN[column]
    row = converted[f"m{index:03d}"]
    if isinstance(expected, Fails):
        # THEN the record fails, naming the field, and the typed value is NULL
        assert any(expected.reason in reason for reason in row["error_reasons"]), row["error_reasons"]
        assert row["failed_fields"] == [field]
        assert row[field] is None
    else:
        # THEN the typed value is exact and the record has no error
        assert row["error_reasons"] == []
        got = micros(expected) if field == "ts" else expected
        assert row["ts_micros" if field == "ts" else field] == got
        assert type(row[field]) is type(expected)


@pytest.fixture(scope="module")
def mixed(spark: SparkSession) -> Iterator[DataFrame]:
    """One valid record and one failing three rules, converted (cached: several tests read it)."""
    rows: list[dict[str, str | None]] = [
        {"message_id": "ok", "k": "a", "ts": VALID_TS, "d": "1.5", "customer__id": "c-1"},
        {"message_id": "bad", "k": None, "ts": VALID_TS, "i": "1.5", "d": "1.234", "b": "yes"},
    ]
    frame = curate.apply_contract(standardized_frame(spark, rows, BODY_COLUMNS), CONTRACT).cache()
    yield frame
    frame.unpersist()


def test_apply_contract_states_its_output_schema(mixed: DataFrame) -> None:
    assert mixed.columns == [
        "message_id",
        "topic_name",
        "sent_at",
        "ingested_at",
        *CONTRACT.field_names,
        curate.ERROR_REASONS,
        curate.FAILED_FIELDS,
        curate.RECORD_FIELDS,  # a struct: error_rows writes it as JSON, for failing rows only
        curate.RECEIVED_PAYLOAD,
    ]
    types = {field.name: field.dataType.simpleString() for field in mixed.schema.fields}
    assert [types[spec.name] for spec in CONTRACT.fields] == [
        "string",
        "timestamp",
        "int",
        "bigint",
        "decimal(5,2)",
        "double",
        "boolean",
        "date",
        "string",
    ]


def test_only_a_failing_row_carries_the_record_and_the_body(mixed: DataFrame) -> None:
    # WHEN a batch is converted  THEN the valid row holds no copy of its record or body
    rows = {row["message_id"]: row for row in mixed.collect()}
    assert (rows["ok"][curate.RECORD_FIELDS], rows["ok"][curate.RECEIVED_PAYLOAD]) == (None, None)
    assert rows["bad"][curate.RECORD_FIELDS]["message_id"] == "bad"


def test_conversion_summary_counts_both_outcomes_and_bounds_the_failures(mixed: DataFrame) -> None:
    # WHEN the converted batch is summarized
    (summary,) = curate.conversion_summary(mixed).collect()
    # THEN one row says how many rows are valid and invalid, and the invalid rows' sent_at range
    sent = micros(mixed.filter(F.col("message_id") == "bad").first()["sent_at"])
    assert summary.asDict() == {
        "rows": 2,
        "valid": 1,
        "invalid": 1,
        "invalid_low": sent,
        "invalid_high": sent,
        "invalid_unsent": 0,
    }


def test_error_rows_list_every_failed_rule_once_per_record(mixed: DataFrame) -> None:
    # WHEN the errors of a converted batch are shaped
    errors = curate.error_rows(mixed, RUN_ID, WRITTEN_AT)
    # THEN there is exactly one row per failing record, with the columns of the errors table
    assert tuple(errors.columns) == definitions.table(definitions.CURATED_ERRORS).column_names
    (row,) = errors.collect()
    assert row["message_id"] == "bad"
    assert row["error_reason"] == "; ".join(
        [
            "required field 'k' is missing or null (path 'k')",
            "field 'i': value '1.5' is not a whole number (int)",
            f"field 'd': value '1.234' has more than 2 fractional digits (decimal(5,2)){NOT_ROUNDED}",
            "field 'b': value 'yes' is not a boolean (true or false, lowercase)",
        ]
    )
    assert row["failed_fields"] == "k,i,d,b"
    assert row["run_id"] == RUN_ID
    # AND the record is the standardized row as JSON (absent values left out)
    record = json.loads(row["record"])
    assert (record["message_id"], record["i"], record["d"], record["b"]) == ("bad", "1.5", "1.234", "yes")
    assert "k" not in record


def test_valid_rows_have_the_curated_columns_then_the_contract_fields(mixed: DataFrame) -> None:
    valid = curate.valid_rows(mixed, CONTRACT, RUN_ID, WRITTEN_AT)
    assert valid.columns == [*definitions.table(definitions.CURATED).column_names, *CONTRACT.field_names]
    (row,) = valid.collect()
    assert (row["message_id"], row["k"], row["d"], row["cid"], row["i"]) == (
        "ok",
        "a",
        Decimal("1.50"),
        "c-1",
        None,
    )
    assert row["run_id"] == RUN_ID


def test_a_contract_column_missing_from_the_batch_counts_as_absent(spark: SparkSession) -> None:
    # GIVEN a batch in which no body ever had the fields "customer.id" (optional) or "ts" (required)
    frame = standardized_frame(spark, [{"message_id": "m1", "k": "a"}], ["k"])
    # WHEN converted
    (row,) = curate.apply_contract(frame, CONTRACT).collect()
    # THEN the optional field is NULL and the required one is reported missing
    assert row["cid"] is None
    assert row["error_reasons"] == ["required field 'ts' is missing or null (path 'ts')"]


def test_the_first_instant_of_year_one_is_valid_and_an_offset_before_it_is_not(spark: SparkSession) -> None:
    texts = ["0001-01-01T00:00:00Z", "0001-01-01T00:30:00-01:00", "0001-01-01T00:30:00+00:31"]
    rows = [{"message_id": f"m{i}", "k": "a", "ts": text} for i, text in enumerate(texts)]
    got = curate.apply_contract(standardized_frame(spark, rows, BODY_COLUMNS), CONTRACT).select(
        "message_id", F.unix_micros("ts").alias("ts"), F.size(curate.ERROR_REASONS).alias("errors")
    )
    first = micros(datetime(1, 1, 1, tzinfo=UTC))
    assert sorted(tuple(row) for row in got.collect()) == [
        ("m0", first, 0),
        ("m1", first + 90 * 60 * 1_000_000, 0),
        ("m2", None, 1),
    ]


def test_offsets_do_not_depend_on_the_session_time_zone(spark: SparkSession) -> None:
    # GIVEN a session time zone far from UTC
    texts = ["2026-03-29T01:30:00", "2026-03-29T03:30:00+02:00", "2026-10-25T02:30:00Z"]
    rows = [{"message_id": f"m{i}", "k": "a", "ts": text, "dt": "2026-03-29"} for i, text in enumerate(texts)]
    frame = standardized_frame(spark, rows, BODY_COLUMNS)
    previous = spark.conf.get("spark.sql.session.timeZone") or "UTC"
    spark.conf.set("spark.sql.session.timeZone", "Europe/Berlin")
    try:
        got = curate.apply_contract(frame, CONTRACT).select(
            "message_id", F.unix_micros("ts").alias("ts"), F.unix_date("dt").alias("dt")
        )
        result = {row["message_id"]: (row["ts"], row["dt"]) for row in got.collect()}
    finally:
        spark.conf.set("spark.sql.session.timeZone", previous)
    # THEN a timestamp without offset is UTC and offsets are applied as written
    march = micros(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
    day = (date(2026, 3, 29) - date(1970, 1, 1)).days
    assert result == {
        "m0": (march, day),
        "m1": (march, day),
        "m2": (micros(datetime(2026, 10, 25, 2, 30, tzinfo=UTC)), day),
    }


PLUS_TWO = timezone(timedelta(hours=2))
T10 = datetime(2026, 1, 1, 10, tzinfo=UTC)
VERSIONS = [
    # k1: 11:00+02:00 is 09:00Z, older than 10:00Z although its wall clock is later
    ("k1", datetime(2026, 1, 1, 11, tzinfo=PLUS_TWO), T10 + timedelta(hours=5), "m1"),
    ("k1", T10, T10, "m2"),
    # k2: same order_by: the later arrival (sent_at) wins
    ("k2", T10, T10 + timedelta(seconds=1), "m3"),
    ("k2", T10, T10, "m4"),
    # k3: same order_by and sent_at: the greater message_id wins
    ("k3", T10, T10, "m6"),
    ("k3", T10, T10, "m5"),
    ("k4", T10, T10, "m7"),
]


@pytest.fixture(scope="module")
def versions(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame(VERSIONS, "k string, ts timestamp, sent_at timestamp, message_id string")


def test_latest_per_key_orders_by_typed_value_then_arrival_then_message_id(versions: DataFrame) -> None:
    latest = curate.latest_per_key(versions, CONTRACT)
    assert latest.columns == versions.columns
    assert sorted((row["k"], row["message_id"]) for row in latest.collect()) == [
        ("k1", "m2"),
        ("k2", "m3"),
        ("k3", "m6"),
        ("k4", "m7"),
    ]


def test_newer_than_agrees_with_latest_per_key_and_never_updates_a_row_with_itself(
    versions: DataFrame,
) -> None:
    # GIVEN every (source, target) pair of versions of the same key
    pairs = versions.alias("s").join(versions.alias("t"), on=F.col("s.k") == F.col("t.k"), how="inner")
    # WHEN the MERGE condition is evaluated
    newer = pairs.select(
        F.col("s.message_id").alias("source"),
        F.col("t.message_id").alias("target"),
        F.expr(curate.newer_than(CONTRACT)).alias("newer"),
    )
    result = {(row["source"], row["target"]): row["newer"] for row in newer.collect()}
    # THEN exactly the latest version is newer than each other version, and no row is newer than itself
    assert {pair for pair, is_newer in result.items() if is_newer} == {
        ("m2", "m1"),
        ("m3", "m4"),
        ("m6", "m5"),
    }
    assert all(result[(message, message)] is False for _, _, _, message in VERSIONS)


def test_a_contract_field_named_like_an_added_column_is_rejected() -> None:
    fields = {"k": {"type": "string", "required": True}, "record": {"type": "string", "required": True}}
    text = json.dumps({"topic": "orders", "key": ["k"], "order_by": "record", "fields": fields})
    with pytest.raises(ContractError, match=r"field name\(s\) \['record'\] are reserved"):
        parse_contract(text, "orders.json")
