"""Standardized transforms on small local DataFrames: parse, FIFO dedupe, shaping rows, kind sightings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from pyspark.sql import functions as F

from leanops import definitions
from leanops.naming import path_key
from leanops.transforms import standardize

from .builders import T0, micros, raw_frame

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pyspark.sql import DataFrame, SparkSession

pytestmark = pytest.mark.spark

MAX_FIELDS = 100
MAX_DEPTH = 4
RUN_ID = "run-1"
WRITTEN_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
PLUS_TWO = timezone(timedelta(hours=2))
ID, CUSTOMER_ID, AMOUNT = path_key(["id"]), path_key(["customer", "id"]), path_key(["amount"])
NOTE, TAGS = path_key(["note"]), path_key(["tags"])


@pytest.fixture(scope="module")
def parsed(spark: SparkSession) -> Iterator[DataFrame]:
    raw = raw_frame(
        spark,
        [
            {"message_id": "m1", "payload": '{"id": "o-1", "customer": {"id": "c-1"}, "amount": 12.50}'},
            {"message_id": "m2", "payload": '{"id": "o-2", "amount": "7", "note": null, "tags": ["a"]}'},
            {"message_id": "m3", "payload": '{"id": "o-3"'},
            {"message_id": "m4", "payload": None},
        ],
    )
    result = standardize.parse_bodies(raw, MAX_FIELDS, MAX_DEPTH).cache()
    yield result
    result.unpersist()


def test_parse_bodies_keeps_the_envelope_and_adds_body_shape_and_errors(parsed: DataFrame) -> None:
    # WHEN RAW rows are parsed
    rows = {row["message_id"]: row.asDict() for row in parsed.collect()}
    # THEN the envelope columns are kept and three columns are added
    raw_columns = definitions.table(definitions.RAW).column_names
    assert tuple(parsed.columns) == (*raw_columns, *standardize.PARSED_COLUMNS)
    # AND body is keyed by exact key path, and the shape lists each path with its JSON type
    assert rows["m1"]["body"] == {ID: "o-1", CUSTOMER_ID: "c-1", AMOUNT: "12.50"}
    m1_types = [(ID, "string"), (CUSTOMER_ID, "string"), (AMOUNT, "number")]
    assert standardize.shape_pairs(rows["m1"]["body_shape"]) == m1_types
    assert rows["m3"]["body_shape"] is None
    assert rows["m2"]["body"] == {ID: "o-2", AMOUNT: "7", NOTE: None, TAGS: '["a"]'}
    assert rows["m2"]["parse_error"] is None
    assert rows["m3"]["parse_error"] == "truncated JSON: Expecting ',' delimiter: line 1 column 13 (char 12)"
    assert rows["m3"]["body"] is None
    assert rows["m4"]["parse_error"] == "body is missing (NULL)"
    assert rows["m1"]["receive_count"] == 1


def test_standardized_rows_have_the_table_columns_then_the_body_columns(parsed: DataFrame) -> None:
    # WHEN rows are shaped with explicit path -> column entries (one path no row has)
    columns = {ID: "id", AMOUNT: "amount", CUSTOMER_ID: "customer__id", path_key(["x"]): "not_seen"}
    rows = standardize.standardized_rows(parsed, columns, RUN_ID, WRITTEN_AT)
    # THEN columns follow tables.json, then the body columns in name order, all strings
    body = sorted(columns.values())
    assert rows.columns == [*definitions.table(definitions.STANDARDIZED).column_names, *body]
    assert all(rows.schema[name].dataType.simpleString() == "string" for name in body)
    got = {
        row["message_id"]: row
        for row in rows.select("*", F.unix_micros("standardized_at").alias("at")).collect()
    }
    # AND only parsed rows are kept; a missing key is NULL; run id and time are stamped
    assert sorted(got) == ["m1", "m2"]
    assert (got["m1"]["id"], got["m1"]["amount"], got["m1"]["customer__id"], got["m1"]["not_seen"]) == (
        "o-1",
        "12.50",
        "c-1",
        None,
    )
    assert got["m2"]["customer__id"] is None
    assert got["m2"]["run_id"] == RUN_ID
    assert got["m2"]["at"] == micros(WRITTEN_AT)


def test_parse_error_rows_have_exactly_the_parse_errors_columns(parsed: DataFrame) -> None:
    rows = standardize.parse_error_rows(parsed, RUN_ID, WRITTEN_AT)
    assert tuple(rows.columns) == definitions.table(definitions.PARSE_ERRORS).column_names
    got = {row["message_id"]: row for row in rows.collect()}
    assert sorted(got) == ["m3", "m4"]
    assert got["m3"]["payload"] == '{"id": "o-3"'
    assert got["m3"]["error_reason"].startswith("truncated JSON")
    assert (got["m4"]["topic_name"], got["m4"]["run_id"]) == ("orders", RUN_ID)


def test_body_shape_splits_back_whatever_the_keys_hold() -> None:
    # GIVEN path keys holding tabs, line feeds and the separators' escapes
    types = {path_key(["a\tb"]): "string", path_key(["c\nd", "\\t"]): "number", path_key([""]): "null"}
    # THEN the shape gives back every pair, in order; an empty body has an empty shape
    assert standardize.shape_pairs(standardize.body_shape(types)) == list(types.items())
    assert standardize.shape_pairs(standardize.body_shape({})) == []


def test_kind_sightings_give_each_paths_first_message_and_last_sent_at(spark: SparkSession) -> None:
    # GIVEN rows of a few shapes: a type change, a JSON null, sent_at ties, a NULL sent_at
    early, late = T0, T0 + timedelta(hours=1)
    raw = raw_frame(
        spark,
        [
            {"message_id": "m2", "payload": '{"amount": "7", "gone": null}', "sent_at": early},
            {"message_id": "m1", "payload": '{"amount": 7.5}', "sent_at": late},
            {"message_id": "m0", "payload": '{"amount": 8, "x": true}', "sent_at": late},
            {"message_id": "m9", "payload": '{"amount": 9}', "sent_at": early},
            {"message_id": "m8", "payload": '{"amount": 9}', "sent_at": early},
            {"message_id": "m7", "payload": '{"x": false}', "sent_at": None},
            {"message_id": "m5", "payload": "{}", "sent_at": late},
            {"message_id": "m6", "payload": "not json", "sent_at": None},
        ],
    )
    # WHEN the sightings are aggregated
    sightings = standardize.kind_sightings(standardize.parse_bodies(raw, MAX_FIELDS, MAX_DEPTH))
    got = sorted(tuple(row) for row in sightings.collect())
    # THEN per path and kind: the first message by sent_at (NULL first, then message_id) and the last sent_at
    gone, x = path_key(["gone"]), path_key(["x"])
    assert got == sorted(
        [
            (AMOUNT, "string", "m2", micros(early), micros(early)),
            (AMOUNT, "number", "m8", micros(early), micros(late)),
            (gone, "null", "m2", micros(early), micros(early)),
            (x, "boolean", "m7", None, micros(late)),
        ],
        key=str,
    )


def test_first_arrival_wins_by_instant_then_receive_count_then_payload(spark: SparkSession) -> None:
    # GIVEN Lambda-retry copies of the same messages
    raw = raw_frame(
        spark,
        [
            # m1: 12:00+02:00 is 10:00Z, earlier than 10:30Z even though its wall clock is later
            {
                "message_id": "m1",
                "payload": "x",
                "ingested_at": T0 + timedelta(minutes=30),
                "receive_count": 1,
            },
            {
                "message_id": "m1",
                "payload": "x",
                "ingested_at": datetime(2026, 1, 1, 12, tzinfo=PLUS_TWO),
                "receive_count": 2,
            },
            # m2: same instant, the smaller receive count wins
            {"message_id": "m2", "payload": "x", "receive_count": 2},
            {"message_id": "m2", "payload": "x", "receive_count": 1},
            # m3: full tie on time and receive count: the smaller payload wins (determinism)
            {"message_id": "m3", "payload": "b"},
            {"message_id": "m3", "payload": "a"},
            {"message_id": "m4", "payload": "only"},
        ],
    )
    # WHEN duplicates are dropped
    kept = standardize.drop_retry_duplicates(raw)
    # THEN one row per message id is left: its first arrival, with all columns
    assert kept.columns == raw.columns
    got = {row["message_id"]: (row["receive_count"], row["payload"]) for row in kept.collect()}
    assert got == {"m1": (2, "x"), "m2": (1, "x"), "m3": (1, "a"), "m4": (1, "only")}


def test_a_naive_written_at_is_taken_as_utc_not_local_time(spark: SparkSession) -> None:
    naive = datetime(2026, 1, 2, 3, 4, 5)
    (row,) = spark.range(1).select(F.unix_micros(standardize.timestamp_literal(naive)).alias("at")).collect()
    assert row["at"] == micros(naive.replace(tzinfo=UTC))


def test_first_arrivals_keep_what_drop_retry_duplicates_keeps_and_count_the_copies(
    spark: SparkSession,
) -> None:
    # GIVEN m1 delivered three times (the second copy first), m2 once
    raw = raw_frame(
        spark,
        [
            {"message_id": "m1", "payload": '{"copy": 1}', "ingested_at": T0 + timedelta(seconds=5)},
            {"message_id": "m1", "payload": '{"copy": 2}', "ingested_at": T0},
            {"message_id": "m1", "payload": '{"copy": 3}', "ingested_at": T0, "receive_count": 2},
            {"message_id": "m2", "payload": "{}"},
        ],
    )
    # WHEN the first arrivals are taken (before the parse)
    first = standardize.first_arrivals(raw)
    # THEN the rows are drop_retry_duplicates', plus each message's number of copies
    assert first.columns == [*raw.columns, standardize.COPIES]
    got = {row["message_id"]: (row["payload"], row[standardize.COPIES]) for row in first.collect()}
    assert got == {"m1": ('{"copy": 2}', 3), "m2": ("{}", 1)}
    kept = {row["message_id"]: row["payload"] for row in standardize.drop_retry_duplicates(raw).collect()}
    assert kept == {message_id: payload for message_id, (payload, _) in got.items()}


def test_batch_summary_counts_and_bounds_each_outcome(spark: SparkSession) -> None:
    # GIVEN m1 (two copies) and m2 that parse, m3 and m4 (no sent_at) that do not
    later = T0 + timedelta(hours=1)
    raw = raw_frame(
        spark,
        [
            {"message_id": "m1", "payload": "{}"},
            {"message_id": "m1", "payload": "{}", "receive_count": 2},
            {"message_id": "m2", "payload": "{}", "sent_at": later},
            {"message_id": "m3", "payload": "[", "sent_at": later},
            {"message_id": "m4", "payload": "", "sent_at": None},
        ],
    )
    parsed = standardize.parse_bodies(standardize.first_arrivals(raw), MAX_FIELDS, MAX_DEPTH)
    # WHEN it is summarized
    (summary,) = standardize.batch_summary(parsed).collect()
    # THEN one row tells the rows read, the messages, the errors and each outcome's sent_at range
    assert summary.asDict() == {
        "rows_read": 5,
        "messages": 4,
        "parse_errors": 2,
        "parsed_low": micros(T0),
        "parsed_high": micros(later),
        "parsed_unsent": 0,
        "failed_low": micros(later),
        "failed_high": micros(later),
        "failed_unsent": 1,
    }


def test_batch_summary_of_an_empty_batch_reads_no_row(spark: SparkSession) -> None:
    empty = standardize.parse_bodies(standardize.first_arrivals(raw_frame(spark, [])), MAX_FIELDS, MAX_DEPTH)
    (summary,) = standardize.batch_summary(empty).collect()
    assert (summary["rows_read"], summary["messages"], summary["parsed_low"]) == (0, 0, None)
