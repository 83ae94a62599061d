"""The body as received travels RAW -> standardized ``_payload`` -> curated errors ``payload``, byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from leanops import definitions
from leanops.naming import path_key
from leanops.transforms import curate, standardize

from .builders import keyed_contract, raw_frame, standardized_frame

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

RUN_ID = "run-1"
WRITTEN_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
# Unicode escapes, spaces, a key order json.dumps would not keep, a number beyond a double, a nested object
ODD_BODY = (
    '{ "ts" : "2026-01-01T10:00:00Z",\t"n":"x\\u00e9\\ud83d\\ude00" ,"k":"a", '
    '"v": 1.10000000000000000001 , "o":{"z":1,"a":2}}'
)
CONTRACT = keyed_contract({"n": {"type": "int"}})
COLUMNS = {path_key([key]): key for key in ("k", "ts", "n", "v")} | {path_key(["o", "z"]): "o__z"}


def test_standardized_rows_keep_the_raw_payload_verbatim_and_errors_copy_it(spark: SparkSession) -> None:
    # GIVEN a RAW row whose body is valid JSON written oddly, failing the contract (n is not an int)
    raw = raw_frame(spark, [{"message_id": "m1", "payload": ODD_BODY}])
    parsed = standardize.parse_bodies(raw, 100, 4)
    # WHEN it is standardized, then curated
    rows = standardize.standardized_rows(parsed, COLUMNS, RUN_ID, WRITTEN_AT)
    errors = curate.error_rows(curate.apply_contract(rows, CONTRACT), RUN_ID, WRITTEN_AT)
    # THEN standardized keeps the body exactly as received, next to its flattened columns
    (standardized,) = rows.collect()
    assert standardized[standardize.RECEIVED_PAYLOAD] == ODD_BODY
    assert standardized["n"] == "x\u00e9\U0001f600"
    # AND the error row carries it byte for byte, and the flattened record without it
    (error,) = errors.collect()
    assert error["payload"].encode("utf-8") == ODD_BODY.encode("utf-8")
    record = json.loads(error["record"])
    assert standardize.RECEIVED_PAYLOAD not in record
    assert (record["k"], record["n"], record["v"]) == ("a", "x\u00e9\U0001f600", "1.10000000000000000001")
    assert error["failed_fields"] == "n"


def test_a_standardized_batch_without_the_column_gives_null_never_a_reserialised_body(
    spark: SparkSession,
) -> None:
    # GIVEN standardized rows of a table that predates _payload (the column is absent)
    frame = standardized_frame(spark, [{"message_id": "m1", "k": "a", "ts": "x"}], ["k", "ts"])
    old = frame.drop(standardize.RECEIVED_PAYLOAD)
    # WHEN their contract errors are shaped
    (error,) = curate.error_rows(curate.apply_contract(old, CONTRACT), RUN_ID, WRITTEN_AT).collect()
    # THEN the error row has the errors table's columns and no body (NULL), and still its record
    assert tuple(error.asDict()) == definitions.table(definitions.CURATED_ERRORS).column_names
    assert error["payload"] is None
    assert json.loads(error["record"])["ts"] == "x"
