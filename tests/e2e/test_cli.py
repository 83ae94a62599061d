"""tests/e2e/production_emulation.sh as users run it: separate processes, state in LEANOPS_HOME."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "production_emulation.sh"
FULL_TIMEOUT_SECONDS = 900


def emulate(
    home: Path, *args: str, cwd: Path | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LEANOPS_HOME": str(home)}
    return subprocess.run(
        [str(SCRIPT), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=timeout,
        check=False,
    )


def test_send_reports_refused_lines_and_status_accounts_for_the_rest(tmp_path: Path) -> None:
    # GIVEN a file with a good line, an empty line, a line SQS refuses and a malformed line
    home = tmp_path / "home"
    data = tmp_path / "in.jsonl"
    data.write_text('{"a": 1}\n\n{"bell": "\x07"}\n{broken\n', encoding="utf-8")
    # WHEN it is sent to a new topic (from another working directory)
    sent = emulate(home, "send", "--topic", "clicks", "--file", str(data), cwd=tmp_path)
    # THEN lines 2 and 3 are reported on stderr with their line numbers, nothing on stdout
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout == ""
    assert "line 2 not sent: empty line" in sent.stderr
    assert "line 3 not sent: character U+0007" in sent.stderr
    # AND status --json (another process) shows the 2 sent messages waiting in the queue
    status = emulate(home, "status", "--json")
    assert status.returncode == 0, status.stderr
    account = json.loads(status.stdout)["topics"]["clicks"]["account"]
    assert (account["sent"], account["buckets"]["waiting"], account["identity_holds"]) == (2, 2, True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["send", "--topic", "Bad-Name", "--file", "x.jsonl"], "must match"),
        (["send", "--topic", "errors", "--file", "x.jsonl"], "collides with a shared table"),
        (["run", "--fault", "no-such-fault=0.5"], "unknown fault"),
        (["run", "--fault", "firehose-throttle=2"], "must be in 0..1"),
        (["schema", "--topic", "orders"], "give both --topic and --file"),
    ],
)
def test_invalid_arguments_are_refused_with_a_clear_message(
    tmp_path: Path, args: list[str], message: str
) -> None:
    refused = emulate(tmp_path / "home", *args, cwd=tmp_path)
    assert refused.returncode == 2
    assert message in refused.stderr


def test_full_passes_and_query_prints_only_csv(tmp_path: Path) -> None:
    # GIVEN a fresh home WHEN full runs THEN every expected outcome is met
    home = tmp_path / "home"
    full = emulate(home, "full", cwd=tmp_path, timeout=FULL_TIMEOUT_SECONDS)
    assert full.returncode == 0, full.stderr[-4000:]
    assert "full: OK" in full.stderr
    # WHEN a query runs over its tables THEN stdout is exactly CSV with a header, NULL as empty
    query = emulate(
        home, "query", "SELECT order_id, amount, quantity FROM iceberg_curated_db.orders ORDER BY order_id"
    )
    assert query.returncode == 0, query.stderr[-2000:]
    rows = list(csv.reader(io.StringIO(query.stdout)))
    assert rows[0] == ["order_id", "amount", "quantity"]
    assert rows[1:] == [
        ["o-1", "120.50", "2"],
        ["o-2", "75.50", ""],
        ["o-3", "33.30", "3"],
        ["o-4", "10.00", ""],
    ]
    semantic = emulate(home, "query", "SELECT COUNT(*) AS days FROM semantic.orders_daily")
    assert semantic.returncode == 0 and semantic.stdout == "days\n3\n", semantic.stderr[-2000:]
