"""The CLI's ``query --as analyst``: a refused table is one line on stderr and a non-zero exit."""

from __future__ import annotations

from pathlib import Path

import pytest

from leanops.cli.main import main
from leanops.local.catalog import prepare_catalog


def test_an_analyst_query_of_an_error_table_exits_non_zero_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a local home with a catalog
    prepare_catalog(tmp_path)
    # WHEN an analyst queries the curated errors table
    code = main(
        ["--home", str(tmp_path), "query", "--as", "analyst", "SELECT * FROM iceberg_curated_db.errors"]
    )
    # THEN the exit is non-zero, stdout is empty, stderr names the table, without a traceback
    captured = capsys.readouterr()
    assert code != 0
    assert captured.out == ""
    assert "iceberg_curated_db.errors is not for analysts" in captured.err
    assert "Traceback" not in captured.err


def test_an_unknown_reader_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["query", "--as", "root", "SELECT 1"])
    assert raised.value.code != 0
    assert "invalid choice: 'root'" in capsys.readouterr().err
