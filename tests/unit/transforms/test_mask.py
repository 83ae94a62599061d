"""PII masking in curated: HMAC-SHA256 from Spark built-ins equals Python's hmac; redact; drop.

The HMAC cases run as one Spark action over a table of (key, text) pairs, Unicode included, and
are compared with Python's ``hmac`` one by one; the canonical-text cases say which typed values
hash the same (and that the session time zone does not matter).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from pyspark.sql import functions as F

from leanops.contracts import Contract, parse_contract
from leanops.exceptions import ConfigurationError
from leanops.transforms import mask

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

pytestmark = pytest.mark.spark

KEY = bytes(range(1, 33))  # 32 bytes, as GenerateMac's HMAC_SHA_256 returns
KEYS = [KEY, b"k", bytes(range(64)), bytes(range(100)), "clé-ключ-鍵".encode()]
TEXTS = [
    "",
    "a",
    "alice@example.com",
    "Zoë Ångström",
    "名前",
    "年齢",
    "😀 emoji",
    "e\u0301",  # combining accent: bytes as given, never normalised
    "line\u2028sep\n",
    'tab\tquote"backslash\\',
    "\u0000nul",
    "x" * 1000,
    "12.30",
]


def _python_hmac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def test_hmac_from_spark_built_ins_equals_pythons_hmac_on_every_key_and_text(spark: SparkSession) -> None:
    # GIVEN every (key, text) pair, the keys' RFC 2104 pads computed in Python
    cases = [(index, text) for index in range(len(KEYS)) for text in TEXTS]
    pads = {index: mask.key_pads(key) for index, key in enumerate(KEYS)}
    frame = spark.createDataFrame(
        [(index, text, bytearray(pads[index][0]), bytearray(pads[index][1])) for index, text in cases],
        "key_index int, text string, inner binary, outer binary",
    )
    # WHEN Spark computes the HMAC with sha2 / unhex / concat only
    rows = frame.select(
        "key_index",
        "text",
        mask.hmac_sha256_hex(F.col("text").cast("binary"), F.col("inner"), F.col("outer")).alias("mac"),
    ).collect()
    # THEN each one is Python's hmac, lowercase hex
    assert len(rows) == len(cases)
    for row in rows:
        assert row["mac"] == _python_hmac(KEYS[row["key_index"]], row["text"]), (
            row["key_index"],
            row["text"],
        )


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        mask.key_pads(b"")


CONTRACT = parse_contract(
    json.dumps(
        {
            "topic": "customers",
            "key": ["customer_id"],
            "order_by": "updated_at",
            "fields": {
                "customer_id": {"type": "string", "required": True, "pii": "hash"},
                "email": {"type": "string", "pii": "hash"},
                "name": {"type": "string", "pii": "redact"},
                "age": {"type": "int", "pii": "redact"},
                "phone": {"type": "string", "pii": "drop"},
                "amount": {"type": "decimal(12,2)", "pii": "hash"},
                "visits": {"type": "long", "pii": "hash"},
                "ratio": {"type": "double", "pii": "hash"},
                "vip": {"type": "boolean", "pii": "hash"},
                "born": {"type": "date", "pii": "hash"},
                "seen_at": {"type": "timestamp", "pii": "hash"},
                "city": {"type": "string"},
                "updated_at": {"type": "timestamp", "required": True},
            },
        }
    ),
    "customers.json",
    "customers",
)
SCHEMA = (
    "message_id string, customer_id string, email string, name string, age int, phone string, "
    "amount decimal(12,2), visits bigint, ratio double, vip boolean, born date, seen_at timestamp, "
    "city string, updated_at timestamp"
)
T0 = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)


def _frame(spark: SparkSession, rows: list[dict[str, Any]]) -> DataFrame:
    names = [part.split()[0] for part in SCHEMA.split(", ")]
    defaults = {"customer_id": "c1", "updated_at": T0}
    return spark.createDataFrame(
        [tuple({**defaults, **row}.get(name) for name in names) for row in rows], SCHEMA
    )


def _masked(
    spark: SparkSession, rows: list[dict[str, Any]], contract: Contract = CONTRACT
) -> list[dict[str, Any]]:
    calls: list[int] = []

    def key() -> bytes:
        calls.append(1)
        return KEY

    result = mask.apply_pii(_frame(spark, rows), contract, key)
    collected = [row.asDict() for row in result.orderBy("message_id").collect()]
    assert len(calls) == 1  # the key is asked for once per frame
    return collected


def test_columns_keep_their_order_a_dropped_field_has_none_and_others_are_untouched(
    spark: SparkSession,
) -> None:
    # GIVEN one row
    [row] = _masked(spark, [{"message_id": "m1", "city": "Lyon", "phone": "+33 6 12"}])
    # THEN phone is gone, the other columns keep their order, unmasked ones their values
    assert list(row) == [
        "message_id",
        "customer_id",
        "email",
        "name",
        "age",
        "amount",
        "visits",
        "ratio",
        "vip",
        "born",
        "seen_at",
        "city",
        "updated_at",
    ]
    assert (row["message_id"], row["city"], row["updated_at"]) == ("m1", "Lyon", T0.replace(tzinfo=None))
    # AND the hashed key is the keyed hash of its text
    assert row["customer_id"] == _python_hmac(KEY, "c1")


def test_redact_gives_the_marker_for_strings_and_null_for_other_types_null_stays_null(
    spark: SparkSession,
) -> None:
    rows = _masked(
        spark,
        [
            {"message_id": "m1", "name": "Zoë", "age": 41},
            {"message_id": "m2", "name": None, "age": None},
            {"message_id": "m3", "name": "", "age": 0},
        ],
    )
    assert [(row["name"], row["age"]) for row in rows] == [
        (mask.REDACTED, None),
        (None, None),
        (mask.REDACTED, None),
    ]


def test_masked_column_types_are_what_the_curated_table_declares(spark: SparkSession) -> None:
    # GIVEN the masked frame and the curated columns the contract declares (leanops.adapters.iceberg_ddl)
    result = mask.apply_pii(_frame(spark, [{"message_id": "m1"}]), CONTRACT, lambda: KEY)
    types = dict(result.dtypes)
    # THEN every contract column has its declared curated type (a hash is a string)
    assert {spec.name: types[spec.name] for spec in CONTRACT.curated_fields} == {
        spec.name: spec.curated_spark_type for spec in CONTRACT.curated_fields
    }


@pytest.mark.parametrize(
    ("column", "values", "canonical"),
    [
        ("email", ["Alice@example.com"], "Alice@example.com"),  # case kept: hash what was validated
        ("email", ["名前@例え.jp"], "名前@例え.jp"),
        ("amount", [Decimal("12.30"), Decimal("12.3")], "12.3"),
        ("amount", [Decimal("12.00"), Decimal("12")], "12"),
        ("amount", [Decimal("-0.50")], "-0.5"),
        ("amount", [Decimal("0.00")], "0"),
        ("amount", [Decimal("0.01")], "0.01"),
        ("amount", [Decimal("9999999999.99")], "9999999999.99"),
        ("visits", [12], "12"),
        ("visits", [-9223372036854775808], "-9223372036854775808"),
        ("ratio", [12.5], "12.5"),
        ("vip", [True], "true"),
        ("vip", [False], "false"),
        ("born", [date(2026, 2, 28)], "2026-02-28"),
        ("born", [date(1, 1, 1)], "0001-01-01"),
        (
            "seen_at",
            [
                datetime(2026, 1, 1, 10, 0, 0, 120000, tzinfo=UTC),
                datetime(2026, 1, 1, 12, 0, 0, 120000, tzinfo=timezone(timedelta(hours=2))),
                datetime(2025, 12, 31, 23, 0, 0, 120000, tzinfo=timezone(timedelta(hours=-11))),
            ],
            "2026-01-01T10:00:00.120000Z",
        ),
        ("seen_at", [datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)], "1969-12-31T23:59:59.999999Z"),
        ("seen_at", [datetime(1, 1, 1, 0, 0, tzinfo=UTC)], "0001-01-01T00:00:00.000000Z"),
        ("seen_at", [datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)], "9999-12-31T23:59:59.999999Z"),
    ],
)
def test_equal_typed_values_hash_the_same_their_canonical_text(
    spark: SparkSession, column: str, values: list[Any], canonical: str
) -> None:
    # GIVEN the same typed value written in different ways
    rows = _masked(spark, [{"message_id": f"m{index}", column: value} for index, value in enumerate(values)])
    # THEN every row holds HMAC(key, canonical text), lowercase hex
    assert {row[column] for row in rows} == {_python_hmac(KEY, canonical)}


def test_an_int_and_a_decimal_of_the_same_value_hash_the_same_so_topics_join(spark: SparkSession) -> None:
    [row] = _masked(spark, [{"message_id": "m1", "amount": Decimal("12.00"), "visits": 12}])
    assert row["amount"] == row["visits"] == _python_hmac(KEY, "12")


def test_null_stays_null_when_hashed(spark: SparkSession) -> None:
    [row] = _masked(spark, [{"message_id": "m1", "email": None, "seen_at": None}])
    assert (row["email"], row["seen_at"]) == (None, None)


def test_the_timestamp_text_does_not_depend_on_the_session_time_zone(spark: SparkSession) -> None:
    instant = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # inside a DST change in Europe
    expected = _python_hmac(KEY, "2026-03-29T01:30:00.000000Z")
    before = spark.conf.get("spark.sql.session.timeZone")
    try:
        for zone in ("UTC", "Europe/Paris", "America/St_Johns", "Pacific/Kiritimati"):
            spark.conf.set("spark.sql.session.timeZone", zone)
            [row] = _masked(spark, [{"message_id": "m1", "seen_at": instant}])
            assert row["seen_at"] == expected, zone
    finally:
        spark.conf.set("spark.sql.session.timeZone", before)


def test_the_key_never_appears_in_the_plan(spark: SparkSession) -> None:
    # GIVEN a masked frame
    result = mask.apply_pii(_frame(spark, [{"message_id": "m1", "email": "a@b.c"}]), CONTRACT, lambda: KEY)
    # WHEN its plans are printed (as explain, the Spark UI and failed queries' messages do)
    plans = result._jdf.queryExecution().toString()
    # THEN neither the key nor its pads are in them, in any spelling
    inner, outer = mask.key_pads(KEY)
    for secret in (KEY, inner, outer):
        for spelling in (secret.hex(), secret.hex().upper(), str(list(secret))[1:20]):
            assert spelling not in plans


def test_a_hash_without_a_key_is_a_configuration_error_never_a_clear_value(spark: SparkSession) -> None:
    with pytest.raises(ConfigurationError) as raised:
        mask.apply_pii(_frame(spark, [{"message_id": "m1"}]), CONTRACT, None)
    assert "LEANOPS_PII_KEY_ID" in str(raised.value)
    assert "customer_id, email" in str(raised.value)


def test_a_contract_without_pii_leaves_the_frame_as_it_is(spark: SparkSession) -> None:
    plain = parse_contract(
        json.dumps(
            {
                "topic": "plain",
                "key": ["customer_id"],
                "order_by": "updated_at",
                "fields": {
                    "customer_id": {"type": "string", "required": True},
                    "updated_at": {"type": "timestamp", "required": True},
                },
            }
        ),
        "plain.json",
        "plain",
    )
    frame = _frame(spark, [{"message_id": "m1"}])

    def no_key() -> bytes:
        raise AssertionError("no field is hashed: the key is not derived")

    assert mask.apply_pii(frame, plain, no_key) is frame
