"""Athena (Trino) SQL -> DuckDB: the translation, the tables a query reads, SHOW, and the mistakes."""

from __future__ import annotations

from typing import Any

import pytest

from leanops.exceptions import QueryError
from leanops.local.duckdb_engine import LocalSqlEngine
from leanops.local.query import csv_value
from leanops.local.sql_dialect import ShowDatabases, ShowTables, TableRef, parse_show, translate


class EmptyCatalog:
    """A catalog with no database: enough for queries over literals."""

    def list_namespaces(self) -> list[tuple[str, ...]]:
        return []

    def list_tables(self, namespace: str) -> list[tuple[str, ...]]:
        return []


def athena_values(sql: str, tmp_path: Any) -> list[str]:
    """Run Athena SQL on the local engine; return the first row as CSV values."""
    with LocalSqlEngine(EmptyCatalog(), semantic_folder=tmp_path) as engine:
        _, rows = engine.run(sql)
    return [csv_value(value) for value in rows[0]]


@pytest.mark.parametrize(
    ("athena", "expected"),
    [
        # date_trunc on a zoned timestamp, in the UTC session zone (Athena's)
        (
            "SELECT date_trunc('day', from_iso8601_timestamp('2026-01-02T01:30:00+02:00'))",
            ["2026-01-01T00:00:00+00:00"],
        ),
        ("SELECT from_iso8601_timestamp('2026-01-01T10:00:00Z')", ["2026-01-01T10:00:00+00:00"]),
        ("SELECT date_trunc('month', DATE '2026-03-17')", ["2026-03-01"]),
        # exact decimals: the scale is kept, nothing goes through a double
        ("SELECT CAST('120.5' AS DECIMAL(12,2))", ["120.50"]),
        ("SELECT CAST('0.1' AS DECIMAL(12,2)) + CAST('0.2' AS DECIMAL(12,2))", ["0.30"]),
        (
            "SELECT SUM(x) FROM (VALUES CAST('1.10' AS DECIMAL(12,2)), CAST('2.25' AS DECIMAL(12,2))) t(x)",
            ["3.35"],
        ),
        ("SELECT approx_distinct(x) FROM (VALUES 1, 2, 2, 3) AS t(x)", ["3"]),
        ("SELECT try_cast('abc' AS INTEGER), try_cast('42' AS INTEGER)", ["", "42"]),
        ("SELECT 'a' || 'b' || CAST(1 AS VARCHAR)", ["ab1"]),
        ("SELECT 7 / 2, 7.0 / 2", ["3", "3.5"]),  # integer division truncates, as in Trino
        (
            "SELECT x, row_number() OVER (ORDER BY x DESC), sum(x) OVER () FROM (VALUES 1, 2) AS t(x) "
            "ORDER BY x LIMIT 1",
            ["1", "2", "3"],
        ),
        ("SELECT SUM(x) FROM UNNEST(ARRAY[1, 2, 3]) AS t(x)", ["6"]),
        ("SELECT n FROM (SELECT ARRAY['a', 'b'] AS names) CROSS JOIN UNNEST(names) AS u(n) LIMIT 1", ["a"]),
        ('SELECT json_extract_scalar(\'{"a": {"b": "x"}}\', \'$.a.b\')', ["x"]),
        ("SELECT date_diff('day', DATE '2026-01-01', DATE '2026-02-01')", ["31"]),
        ("SELECT date_add('day', 1, DATE '2026-01-31')", ["2026-02-01"]),  # a DATE, as in Trino
        ("SELECT regexp_like('orders', '^ord'), cardinality(ARRAY[1, 2])", ["true", "2"]),
        ("SELECT CAST(NULL AS VARCHAR), TRUE", ["", "true"]),
        ("WITH a AS (SELECT 1 AS x) SELECT x + 1 FROM a", ["2"]),
    ],
)
def test_athena_constructs_give_athenas_answer_locally(
    athena: str, expected: list[str], tmp_path: Any
) -> None:
    assert athena_values(athena, tmp_path) == expected


@pytest.mark.parametrize(
    ("athena", "duckdb"),
    [
        ("SELECT approx_distinct(a) FROM db.t", "SELECT APPROX_COUNT_DISTINCT(a) AS _col0 FROM db.t"),
        ("SELECT try_cast(a AS INTEGER) AS n FROM db.t", "SELECT TRY_CAST(a AS INT) AS n FROM db.t"),
        ("SELECT from_iso8601_timestamp(a) AS t FROM db.t", "SELECT CAST(a AS TIMESTAMPTZ) AS t FROM db.t"),
        (
            "SELECT a FROM db.t CROSS JOIN UNNEST(b) AS u(x)",
            "SELECT a FROM db.t CROSS JOIN UNNEST(b) AS u(x)",
        ),
    ],
)
def test_translation_text(athena: str, duckdb: str) -> None:
    assert translate(athena).sql == duckdb


def test_unnamed_columns_are_named_as_athena_names_them() -> None:
    assert translate("SELECT COUNT(*), a, a + 1 AS b FROM db.t").sql == (
        "SELECT COUNT(*) AS _col0, a, a + 1 AS b FROM db.t"
    )


@pytest.mark.parametrize(
    ("athena", "tables"),
    [
        ("SELECT * FROM iceberg_curated_db.orders", [TableRef("iceberg_curated_db", "orders")]),
        (
            'SELECT * FROM "AwsDataCatalog".iceberg_curated_db."Orders"',
            [TableRef("iceberg_curated_db", "orders")],
        ),
        (
            "WITH recent AS (SELECT * FROM iceberg_curated_db.orders) "
            "SELECT * FROM recent JOIN semantic.orders_daily d ON true",
            [TableRef("iceberg_curated_db", "orders"), TableRef("semantic", "orders_daily")],
        ),
        ("SELECT * FROM (SELECT 1 AS x) t CROSS JOIN UNNEST(ARRAY[1]) AS u(y)", []),
        (
            "SELECT * FROM a.x WHERE id IN (SELECT id FROM b.y UNION SELECT id FROM a.x)",
            [TableRef("a", "x"), TableRef("b", "y")],
        ),
    ],
)
def test_tables_a_query_reads(athena: str, tables: list[TableRef]) -> None:
    assert list(translate(athena).tables) == tables


@pytest.mark.parametrize(
    ("sql", "kind", "message"),
    [
        ("SELEC 1", "syntax", "SQL syntax error at line 1, column 7, near '1'"),
        (
            "SELECT a FROM",
            "syntax",
            "SQL syntax error at line 1, column 13, near 'FROM': Expected table name",
        ),
        ("SELECT (1", "syntax", "Expecting )"),
        ("SELECT 1; SELECT 2", "syntax", "expected one SQL statement, got 2"),
        ("DROP TABLE iceberg_curated_db.orders", "unsupported", "only queries"),
        ("SELECT * FROM orders", "unknown_table", "table 'orders' needs its database"),
        ("SELECT * FROM other_catalog.db.t", "unknown_table", "unknown catalog 'other_catalog'"),
    ],
)
def test_mistakes_are_one_line_query_errors(sql: str, kind: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        translate(sql)
    assert caught.value.kind == kind
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_function_duckdb_lacks_is_one_line(tmp_path: Any) -> None:
    with pytest.raises(QueryError) as caught:
        athena_values("SELECT format_datetime(current_timestamp, 'yyyy')", tmp_path)
    assert caught.value.kind == "engine"
    assert "format_datetime" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("sql", "show"),
    [
        ("SHOW TABLES IN semantic", ShowTables("semantic")),
        ("show tables from `iceberg_curated_db`;", ShowTables("iceberg_curated_db")),
        ("SHOW TABLES IN iceberg_curated_db 'ord*|pay*'", ShowTables("iceberg_curated_db", "ord*|pay*")),
        ("SHOW TABLES", ShowTables(None)),
        ("SHOW DATABASES", ShowDatabases()),
        ("SHOW SCHEMAS", ShowDatabases()),
        ("SELECT 1", None),
    ],
)
def test_show_statements(sql: str, show: ShowTables | ShowDatabases | None) -> None:
    assert parse_show(sql) == show


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        (None, "orders", True),
        ("ord*", "orders", True),
        ("ord.*", "orders", True),
        ("or.ers", "orders", False),
        ("*ers", "orders", True),
        ("ord*|pay*", "payments", True),
        ("ord*", "payments", False),
        ("orders", "orders_daily", False),
    ],
)
def test_show_tables_patterns_as_athena_reads_them(pattern: str | None, name: str, matches: bool) -> None:
    assert ShowTables("db", pattern).matches(name) is matches
