"""``query`` on a small local catalog: pyiceberg tables in a tmp LEANOPS_HOME, DuckDB, no Spark."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from leanops.exceptions import QueryError
from leanops.local.catalog import local_catalog
from leanops.local.duckdb_engine import LocalSqlEngine
from leanops.local.query import query_csv
from leanops.local.semantic import metrics, semantic_dir

REPO_SEMANTIC = Path(__file__).resolve().parents[3] / "semantic"
ORDERS = pa.table(
    {
        "order_id": ["o-1", "o-2", "o-3"],
        "customer_id": ["c-1", "c-2", "c-1"],
        "amount": pa.array([Decimal("120.50"), Decimal("75.50"), Decimal("33.30")], pa.decimal128(12, 2)),
        "quantity": pa.array([2, None, 3], pa.int32()),
        "gift": [True, False, None],
        "order_date": [date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 17)],
        "updated_at": pa.array(
            [datetime(2026, 1, 1, 10, tzinfo=UTC), datetime(2026, 1, 1, 23, 30, tzinfo=UTC), None],
            pa.timestamp("us", tz="UTC"),
        ),
        "loaded_at": pa.array([datetime(2026, 1, 2, 8)] * 3, pa.timestamp("us")),  # Iceberg timestamp: UTC
    }
)
PAYMENTS = pa.table(
    {
        "payment_id": ["p-1", "p-2"],
        "order_id": ["o-1", "o-2"],
        "amount": pa.array([Decimal("120.50"), Decimal("10.00")], pa.decimal128(12, 2)),
        "currency": ["EUR", "EUR"],
        "captured": [True, True],
        "captured_at": pa.array([datetime(2026, 1, 1, 11, tzinfo=UTC)] * 2, pa.timestamp("us", tz="UTC")),
    }
)


def create_table(catalog: Any, database: str, name: str, rows: pa.Table) -> None:
    if (database,) not in catalog.list_namespaces():
        catalog.create_namespace(database)
    catalog.create_table((database, name), schema=rows.schema).append(rows)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LEANOPS_HOME whose catalog holds curated orders and payments and an empty RAW table."""
    home = tmp_path_factory.mktemp("leanops-home")
    catalog = local_catalog(home)
    create_table(catalog, "iceberg_curated_db", "orders", ORDERS)
    create_table(catalog, "iceberg_curated_db", "payments", PAYMENTS)
    create_table(catalog, "iceberg_raw_db", "orders", pa.table({"message_id": pa.array([], pa.string())}))
    return home


@pytest.fixture()
def catalog(home: Path) -> Any:
    return local_catalog(home)


def test_csv_has_exact_decimals_utc_timestamps_and_null_as_empty(catalog: Any) -> None:
    csv_text = query_csv(
        catalog,
        "SELECT order_id, amount, quantity, gift, order_date, updated_at, loaded_at "
        "FROM iceberg_curated_db.orders ORDER BY order_id",
    )
    assert csv_text == (
        "order_id,amount,quantity,gift,order_date,updated_at,loaded_at\n"
        "o-1,120.50,2,true,2026-01-01,2026-01-01T10:00:00+00:00,2026-01-02T08:00:00+00:00\n"
        "o-2,75.50,,false,2026-01-01,2026-01-01T23:30:00+00:00,2026-01-02T08:00:00+00:00\n"
        "o-3,33.30,3,,2026-01-17,,2026-01-02T08:00:00+00:00\n"
    )


def test_athena_sql_over_the_tables(catalog: Any) -> None:
    # GIVEN an analyst's Athena query: a date_trunc of a DATE column, exact sums, a window, ||
    sql = (
        "SELECT date_trunc('month', order_date) AS month, SUM(amount) AS revenue, "
        "approx_distinct(customer_id) AS customers, "
        "max(customer_id || ':' || order_id) AS last_key, "
        "CAST(SUM(amount) AS DECIMAL(12,1)) AS rounded "
        "FROM iceberg_curated_db.orders GROUP BY 1 ORDER BY 1"
    )
    # THEN the month is a DATE, as in Athena, and the sum keeps its scale
    assert (
        query_csv(catalog, sql)
        == "month,revenue,customers,last_key,rounded\n2026-01-01,229.30,2,c-2:o-2,229.3\n"
    )
    ranked = query_csv(
        catalog,
        "SELECT order_id, row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rank "
        "FROM iceberg_curated_db.orders WHERE customer_id = 'c-1' ORDER BY rank",
    )
    assert ranked == "order_id,rank\no-1,1\no-3,2\n"


def test_only_the_tables_a_query_names_are_read(catalog: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[tuple[str, str]] = []
    load_table = catalog.load_table
    monkeypatch.setattr(
        catalog, "load_table", lambda identifier: loaded.append(identifier) or load_table(identifier)
    )
    query_csv(catalog, "SELECT COUNT(*) FROM iceberg_curated_db.orders")
    assert loaded == [("iceberg_curated_db", "orders")]


def test_semantic_views_and_metrics_of_the_repo_run_locally(catalog: Any) -> None:
    # GIVEN the repo's own semantic folder (Athena SQL) WHEN its views are queried
    assert query_csv(catalog, "SELECT * FROM semantic.orders_daily ORDER BY order_date", REPO_SEMANTIC) == (
        "order_date,orders,customers,revenue,items,gift_orders\n2026-01-01,2,2,196.00,2,1\n2026-01-17,1,1,33.30,3,0\n"
    )
    status = query_csv(
        catalog,
        "SELECT order_id, captured_amount, payment_status FROM semantic.order_payment_status ORDER BY order_id",
        REPO_SEMANTIC,
    )
    assert (
        status
        == "order_id,captured_amount,payment_status\no-1,120.50,paid\no-2,10.00,partial\no-3,0.00,unpaid\n"
    )
    # THEN every view is created and every metric answers
    with LocalSqlEngine(catalog, REPO_SEMANTIC) as engine:
        assert set(engine.view_problems().values()) == {None}
        answers = {name: engine.run(metric.sql())[1][0][0] for name, metric in metrics(REPO_SEMANTIC).items()}
    assert answers["revenue"] == Decimal("229.30") and answers["unpaid_orders"] == 1


def test_show_tables_lists_catalog_tables_and_semantic_views(catalog: Any) -> None:
    assert query_csv(catalog, "SHOW TABLES IN semantic", REPO_SEMANTIC) == (
        "tab_name\norder_payment_status\norders_daily\npayments_by_order\n"
    )
    assert query_csv(catalog, "SHOW TABLES IN iceberg_curated_db 'pay*'") == "tab_name\npayments\n"
    assert query_csv(catalog, "SHOW DATABASES", REPO_SEMANTIC) == (
        "database_name\niceberg_curated_db\niceberg_raw_db\nsemantic\n"
    )


def test_the_team_semantic_folder_comes_from_leanops_semantic_dir(
    catalog: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the team's own folder, with a view over a table that does not exist yet
    shutil.copytree(REPO_SEMANTIC, tmp_path / "team")
    (tmp_path / "team" / "views" / "refunds_daily.sql").write_text(
        "SELECT COUNT(*) AS refunds FROM iceberg_curated_db.refunds", encoding="utf-8"
    )
    monkeypatch.setenv("LEANOPS_SEMANTIC_DIR", str(tmp_path / "team"))
    assert semantic_dir() == tmp_path / "team"
    # WHEN the views are checked THEN the one over the missing table is reported, the others work
    with LocalSqlEngine(catalog) as engine:
        problems = engine.view_problems()
    assert problems["orders_daily"] is None
    assert problems["refunds_daily"] == (
        "semantic view semantic.refunds_daily (views/refunds_daily.sql) reads iceberg_curated_db.refunds, "
        "which does not exist yet; tables in iceberg_curated_db: orders, payments"
    )
    # AND a query naming it fails with that one line
    with pytest.raises(QueryError, match="reads iceberg_curated_db.refunds, which does not exist yet"):
        query_csv(catalog, "SELECT * FROM semantic.refunds_daily")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "SELECT * FROM iceberg_curated_db.nope",
            "table iceberg_curated_db.nope does not exist; tables in iceberg_curated_db: orders, payments",
        ),
        (
            "SELECT * FROM nodb.orders",
            "database nodb (of nodb.orders) does not exist; databases: iceberg_curated_db (orders, payments); "
            "iceberg_raw_db (orders); semantic (",
        ),
        (
            "SELECT * FROM semantic.nope",
            "table semantic.nope does not exist; tables in semantic: order_payment",
        ),
        ("SELECT no_such_column FROM iceberg_curated_db.orders", 'column "no_such_column" not found'),
        ("SHOW TABLES IN nodb", "database nodb does not exist; databases: iceberg_curated_db (orders"),
    ],
)
def test_unknown_names_are_one_line_listing_what_exists(catalog: Any, sql: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        query_csv(catalog, sql, REPO_SEMANTIC)
    assert message in caught.value.problem and "\n" not in str(caught.value)


def test_views_reading_each_other_in_a_cycle_are_one_line(catalog: Any, tmp_path: Path) -> None:
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "a.sql").write_text("SELECT * FROM semantic.b", encoding="utf-8")
    (tmp_path / "views" / "b.sql").write_text("SELECT * FROM semantic.a;", encoding="utf-8")
    with pytest.raises(QueryError, match=r"in a cycle: semantic\.a -> semantic\.b -> semantic\.a$"):
        query_csv(catalog, "SELECT * FROM semantic.a", tmp_path)
