"""The one definition of tables and topic names."""

from __future__ import annotations

import pytest

from leanops import definitions
from leanops.exceptions import TopicNameError


def test_raw_columns_are_the_envelope() -> None:
    raw = definitions.table(definitions.RAW)
    assert raw.column_names[:6] == (
        "topic_name",
        "message_id",
        "payload",
        "sent_at",
        "ingested_at",
        "receive_count",
    )
    assert raw.identifier("orders") == "iceberg_raw_db.orders"


@pytest.mark.parametrize(
    ("kind", "identifier"),
    [
        (definitions.PARSE_ERRORS, "iceberg_standardized_db.parse_errors"),
        (definitions.CURATED_ERRORS, "iceberg_curated_db.errors"),
        (definitions.DLQ_ERRORS, "iceberg_raw_db.dlq_errors"),
    ],
)
def test_shared_error_tables(kind: str, identifier: str) -> None:
    table = definitions.table(kind)
    assert table.identifier() == identifier
    assert {"topic_name", "message_id", "error_reason"} <= set(table.column_names)


def test_every_error_table_traces_back_to_its_message() -> None:
    for kind in (definitions.PARSE_ERRORS, definitions.CURATED_ERRORS, definitions.DLQ_ERRORS):
        columns = definitions.table(kind).column_names
        assert "message_id" in columns and "topic_name" in columns


@pytest.mark.parametrize("topic", ["orders", "a", "click_stream_v2", "x" * 48])
def test_valid_topic_names(topic: str) -> None:
    assert definitions.validate_topic_name(topic) == topic


@pytest.mark.parametrize(
    ("topic", "problem"),
    [
        ("Orders", "must match"),
        ("1orders", "must match"),
        ("orders-eu", "must match"),
        ("x" * 49, "must match"),
        ("", "must match"),
        ("dlq_errors", "collides"),
        ("errors", "collides"),
        ("drift_log", "collides"),
    ],
)
def test_invalid_topic_names(topic: str, problem: str) -> None:
    with pytest.raises(TopicNameError, match=problem):
        definitions.validate_topic_name(topic)
