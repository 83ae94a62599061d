"""``query`` through the CLI's entry point: CSV on stdout; a mistake is one line on stderr and exit 2."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from leanops.cli.main import EXIT_OK, EXIT_USAGE, main
from leanops.local.catalog import local_catalog

from .test_query import ORDERS, create_table


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("leanops-cli-home")
    catalog = local_catalog(home)
    create_table(catalog, "iceberg_curated_db", "orders", ORDERS)
    create_table(catalog, "iceberg_raw_db", "orders", pa.table({"message_id": pa.array([], pa.string())}))
    return home


def query(home: Path, sql: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--home", str(home), "query", sql])
    out, err = capsys.readouterr()
    return code, out, err


def test_query_prints_csv_only(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = query(
        home, "SELECT order_id, amount FROM iceberg_curated_db.orders ORDER BY 1 LIMIT 1", capsys
    )
    assert (code, out) == (EXIT_OK, "order_id,amount\no-1,120.50\n"), err


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELEC order_id FROM iceberg_curated_db.orders", "query: SQL syntax error at line 1, column"),
        (
            "SELECT * FROM iceberg_curated_db.nope",
            "query: table iceberg_curated_db.nope does not exist; tables in iceberg_curated_db: orders",
        ),
        (
            "SHOW TABLES IN nodb",
            "query: database nodb does not exist; databases: iceberg_curated_db (orders)",
        ),
    ],
)
def test_mistakes_are_one_line_on_stderr_and_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], sql: str, message: str
) -> None:
    code, out, err = query(home, sql, capsys)
    assert code == EXIT_USAGE
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], err


def test_a_home_without_catalog_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = query(tmp_path / "empty", "SELECT 1", capsys)
    assert code == EXIT_USAGE and out == ""
    assert "no local" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "empty").exists()  # a query creates nothing
