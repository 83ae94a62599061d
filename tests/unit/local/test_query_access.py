"""``query --as analyst``: only what schemas/tables.json analyst_access allows, views' tables included."""

from __future__ import annotations

from pathlib import Path

import pytest

from leanops import definitions
from leanops.definitions import analyst_table_kinds
from leanops.exceptions import QueryError
from leanops.local.query import ANALYST, analyst_refusal, check_analyst_access, run_query

REPO = Path(__file__).resolve().parents[3]
SEMANTIC = REPO / "semantic"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM iceberg_curated_db.orders",
        "SELECT o.order_id FROM iceberg_curated_db.orders o JOIN iceberg_curated_db.payments p ON o.order_id = p.order_id",
        "WITH recent AS (SELECT * FROM iceberg_curated_db.orders) SELECT count(*) FROM recent",
        "SELECT * FROM semantic.order_payment_status",  # reads curated tables only
        "SELECT * FROM awsdatacatalog.iceberg_curated_db.orders",
        "SHOW TABLES IN iceberg_curated_db",
        "SHOW TABLES IN semantic",
        "SHOW DATABASES",
    ],
)
def test_analysts_may_read_curated_topic_tables_and_semantic_views(sql: str) -> None:
    check_analyst_access(sql, SEMANTIC)


@pytest.mark.parametrize(
    ("sql", "named"),
    [
        (
            "SELECT * FROM iceberg_standardized_db.orders",
            "iceberg_standardized_db.orders is not for analysts",
        ),
        ("SELECT payload FROM iceberg_raw_db.orders", "iceberg_raw_db.orders is not for analysts"),
        (
            "SELECT * FROM iceberg_curated_db.errors",
            "iceberg_curated_db.errors is not for analysts (curated_errors",
        ),
        ("SELECT * FROM iceberg_standardized_db.parse_errors", "iceberg_standardized_db.parse_errors"),
        ("SELECT * FROM iceberg_raw_db.dlq_errors", "iceberg_raw_db.dlq_errors"),
        ("SELECT * FROM iceberg_standardized_db.drift_log", "iceberg_standardized_db.drift_log"),
        (
            "SELECT o.* FROM iceberg_curated_db.orders o WHERE o.order_id IN "
            "(SELECT message_id FROM iceberg_curated_db.errors)",
            "iceberg_curated_db.errors",
        ),
        ("SHOW TABLES IN iceberg_standardized_db", "database iceberg_standardized_db is not for analysts"),
    ],
)
def test_everything_else_is_refused_in_one_line_naming_the_table(sql: str, named: str) -> None:
    with pytest.raises(QueryError) as raised:
        check_analyst_access(sql, SEMANTIC)
    assert raised.value.kind == "access_denied"
    assert named in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_view_that_reads_a_forbidden_table_is_refused_naming_the_view(tmp_path: Path) -> None:
    # GIVEN a team's semantic view over the standardized table
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "peek.sql").write_text("SELECT * FROM iceberg_standardized_db.orders\n")
    # WHEN an analyst reads the view THEN the view and the table it reads are named
    with pytest.raises(
        QueryError, match=r"semantic view semantic\.peek reads iceberg_standardized_db\.orders"
    ):
        check_analyst_access("SELECT * FROM semantic.peek", tmp_path)


def test_the_analyst_tables_are_tables_json_s_definition() -> None:
    # The one definition Terraform's analyst policy reads too (modules/analytics/analyst_access.tf).
    assert analyst_table_kinds() == tuple(
        definitions.load_json("tables.json")["analyst_access"]["table_kinds"]
    )
    assert analyst_refusal("iceberg_curated_db", "orders") is None
    assert analyst_refusal("iceberg_curated_db", "errors") is not None
    assert analyst_refusal("some_other_db", "x") is None  # left to the engine: it lists what exists


def test_run_query_as_analyst_refuses_before_reading_anything() -> None:
    # No catalog is needed to refuse: the check runs before any table is read.
    with pytest.raises(QueryError, match="not for analysts"):
        run_query(object(), "SELECT * FROM iceberg_curated_db.errors", SEMANTIC, reader=ANALYST)
