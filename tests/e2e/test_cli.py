"""tests/e2e/production_emulation.sh as users run it: separate processes, state in LEANOPS_HOME."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

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


def _one_error_line(completed: subprocess.CompletedProcess[str]) -> str:
    """Return the single ERROR line of a refused command (no traceback, nothing on stdout)."""
    assert "Traceback" not in completed.stderr, completed.stderr
    errors = [line for line in completed.stderr.splitlines() if " ERROR " in line]
    assert len(errors) == 1, completed.stderr
    assert completed.stdout == ""
    return errors[0]


def test_read_only_commands_on_an_empty_home_say_so_and_create_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for command in (["status"], ["replay", "--topic", "orders"]):
        refused = emulate(home, *command, cwd=tmp_path)
        assert refused.returncode == 2
        assert "no local pipeline in" in _one_error_line(refused)
    assert not home.exists()


def test_operator_mistakes_get_one_clear_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    # GIVEN a home where topic clicks was sent to, with no contract
    home = tmp_path / "home"
    data = tmp_path / "in.jsonl"
    data.write_text('{"a": 1}\n', encoding="utf-8")
    sent = emulate(home, "send", "--topic", "clicks", "--file", str(data), cwd=tmp_path)
    # THEN send says the data waits behind the gate, and how to open it
    assert sent.returncode == 0, sent.stderr
    assert "topic clicks has no contract yet: its data waits in RAW" in sent.stderr
    assert "schema --topic clicks --file clicks.json" in sent.stderr
    # WHEN run or replay name an unknown topic THEN one line names it and the declared ones
    for command in ("run", "replay"):
        refused = emulate(home, command, "--topic", "nope", cwd=tmp_path)
        assert refused.returncode == 2
        assert "unknown topic nope; declared topics: clicks" in _one_error_line(refused)
    # WHEN a malformed contract is uploaded THEN it is refused and nothing is uploaded
    bad = tmp_path / "clicks.json"
    bad.write_text('{"topic": "clicks", "key": ["id"], "fields": {}}', encoding="utf-8")
    refused = emulate(home, "schema", "--topic", "clicks", "--file", str(bad), cwd=tmp_path)
    assert refused.returncode == 2
    assert "nothing uploaded, the contract in force stays" in _one_error_line(refused)
    still_waiting = emulate(home, "send", "--topic", "clicks", "--file", str(data), cwd=tmp_path)
    assert "has no contract yet" in still_waiting.stderr
    # WHEN --force is given THEN it is uploaded, with a warning
    forced = emulate(home, "schema", "--topic", "clicks", "--file", str(bad), "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "schema --force: uploading it" in forced.stderr


def test_a_bad_fault_names_the_option_not_an_environment_variable(tmp_path: Path) -> None:
    refused = emulate(tmp_path / "home", "run", "--fault", "no-such-fault=0.5", cwd=tmp_path)
    assert refused.returncode == 2
    line = _one_error_line(refused)
    assert "--fault: unknown fault 'no-such-fault'; known: lambda-crash-before-put" in line
    assert "LEANOPS_FAULTS" not in line


def _edited_orders(tmp_path: Path, name: str, edit: Any) -> Path:
    document = json.loads((SCRIPT.parents[2] / "schemas" / "topics" / "orders.json").read_text())
    edit(document["fields"])
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_contract_changes_are_classified_and_a_breaking_upload_is_refused(tmp_path: Path) -> None:
    # GIVEN the repo's contracts in force, a compatible edit (new optional field), a breaking one
    home = tmp_path / "home"
    assert emulate(home, "schema", cwd=tmp_path).returncode == 0
    compatible = _edited_orders(tmp_path, "compatible.json", lambda f: f.update(note={"type": "string"}))
    breaking = _edited_orders(tmp_path, "breaking.json", lambda f: f.pop("gift"))
    # WHEN two files are compared THEN each change is printed, exit 1 only when one breaks
    checked = emulate(home, "contract", "check", str(compatible), str(breaking), cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    assert checked.stdout.splitlines() == [
        "orders: breaking: field gift: removed",
        "orders: breaking: field note: removed",
    ]
    # WHEN a folder is checked against the contracts in force THEN the same, per topic
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "orders.json").write_text(breaking.read_text(), encoding="utf-8")
    in_folder = emulate(home, "contract", "check", str(folder), cwd=tmp_path)
    assert in_folder.returncode == 1
    assert in_folder.stdout == "orders: breaking: field gift: removed\n"
    # WHEN the breaking one is uploaded THEN it is refused, naming the change; the compatible one applies
    refused = emulate(home, "schema", "--topic", "orders", "--file", str(breaking), cwd=tmp_path)
    assert refused.returncode == 2
    assert "orders: breaking change(s): field gift: removed; nothing uploaded" in _one_error_line(refused)
    applied = emulate(home, "schema", "--topic", "orders", "--file", str(compatible), cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert "schema: orders: field note: added (string, optional) (compatible)" in applied.stderr


def test_every_option_has_help() -> None:
    from leanops.cli.main import _parser

    parser = _parser()
    subparsers = next(action for action in parser._actions if action.dest == "command")
    for command, sub in [("", parser), *subparsers.choices.items()]:
        for action in sub._actions:
            if action.dest not in ("help", "command"):
                assert action.help, f"{command} {action.option_strings or action.dest} has no help"


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
    # AND SHOW TABLES lists the semantic views; an unknown table is one line listing those that exist
    views = emulate(home, "query", "SHOW TABLES IN semantic")
    assert views.returncode == 0 and "tab_name\norder_payment_status\norders_daily\n" in views.stdout
    unknown = emulate(home, "query", "SELECT * FROM iceberg_curated_db.nope")
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert "table iceberg_curated_db.nope does not exist; tables in iceberg_curated_db: " in unknown.stderr


def test_a_breaking_change_with_rebuild_recomputes_the_topic_and_the_account_balances(tmp_path: Path) -> None:
    # GIVEN the repo's contracts and three orders: o-1 valid under both contracts below, o-2 with
    # three decimals (an error under decimal(12,2)), o-3 without a quantity
    home = tmp_path / "home"
    assert emulate(home, "schema", cwd=tmp_path).returncode == 0
    data = tmp_path / "orders.jsonl"
    lines = [
        {
            "order_id": "o-1",
            "customer": {"id": "c"},
            "amount": "10.00",
            "quantity": 1,
            "updated_at": "2026-12-01T10:00:00Z",
        },
        {
            "order_id": "o-2",
            "customer": {"id": "c"},
            "amount": "1.234",
            "quantity": 2,
            "updated_at": "2026-12-01T10:00:00Z",
        },
        {"order_id": "o-3", "customer": {"id": "c"}, "amount": "5.00", "updated_at": "2026-12-01T10:00:00Z"},
    ]
    data.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert emulate(home, "send", "--topic", "orders", "--file", str(data), cwd=tmp_path).returncode == 0
    first = emulate(home, "run", cwd=tmp_path, timeout=FULL_TIMEOUT_SECONDS)
    assert first.returncode == 0, first.stderr[-4000:]

    # WHEN a breaking change (amount with three decimals, quantity required) is uploaded with --rebuild
    def breaking(fields: dict[str, Any]) -> None:
        fields["amount"]["type"] = "decimal(12,3)"
        fields["quantity"]["required"] = True

    v2 = _edited_orders(tmp_path, "orders_v2.json", breaking)
    refused = emulate(home, "schema", "--topic", "orders", "--file", str(v2), cwd=tmp_path)
    assert refused.returncode == 2 and "--rebuild uploads it" in _one_error_line(refused)
    accepted = emulate(home, "schema", "--topic", "orders", "--file", str(v2), "--rebuild", cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    assert "schema: orders: rebuild requested" in accepted.stderr
    # AND the next run rebuilds orders (nothing new arrived)
    second = emulate(home, "run", cwd=tmp_path, timeout=FULL_TIMEOUT_SECONDS)
    assert second.returncode == 0, second.stderr[-4000:]
    # THEN o-2 (rejected before) is curated with its three decimals, o-3 (valid before) is an error,
    # the run says "rebuilt", and the account balances with the same shape
    status = emulate(home, "status", "--json")
    assert status.returncode == 0, status.stderr[-2000:]
    orders = json.loads(status.stdout)["topics"]["orders"]
    assert orders["last_run"]["curated"]["status"] == "rebuilt"
    account = orders["account"]
    assert account["identity_holds"] is True
    assert (account["sent"], account["buckets"]["curated"], account["buckets"]["curated_errors"]) == (3, 2, 1)
    assert "rebuild" not in orders["checkpoints"]
    query = emulate(home, "query", "SELECT order_id, amount FROM iceberg_curated_db.orders ORDER BY order_id")
    assert query.stdout == "order_id,amount\no-1,10.000\no-2,1.234\n", query.stderr[-2000:]
