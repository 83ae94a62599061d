"""``topics --remove T``: one command takes a topic out of the local home; AWS says what to change."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pytest

from leanops import definitions
from leanops.cli.main import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from leanops.local.pipeline import LocalPipeline
from leanops.local.tables import table_schema

from .test_aws_target import outputs_file

MAPPING_PROPERTY = {"leanops.column-path.order_id": '["order_id"]'}


class Terminal(io.StringIO):
    """A stdin that is a terminal, with the operator's answer."""

    def isatty(self) -> bool:
        return True


def cli(home: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--home", str(home), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def build_home(folder: Path) -> Path:
    """GIVEN topics orders and payments sent to, with contracts, tables, a checkpoint and error rows."""
    home = folder / "home"
    data = folder / "in.jsonl"
    data.write_text('{"order_id": "o-1"}\n')
    for topic in ("orders", "payments"):
        assert main(["--home", str(home), "send", "--topic", topic, "--file", str(data)]) == EXIT_OK
    assert main(["--home", str(home), "schema"]) == EXIT_OK
    with LocalPipeline(home) as pipeline:
        for topic in ("orders", "payments"):
            for kind in (definitions.STANDARDIZED, definitions.CURATED):
                table = definitions.table(kind)
                pipeline.catalog.create_table(
                    table.identifier(topic), table_schema(table), properties=MAPPING_PROPERTY
                )
            pipeline.clients["dynamodb"].put_item(
                TableName=pipeline.names.checkpoint_table,
                Item={"topic": {"S": topic}, "layer": {"S": "standardized"}, "snapshot": {"S": "1"}},
            )
        dlq_errors = pipeline.catalog.load_table(definitions.table(definitions.DLQ_ERRORS).identifier())
        rows = [
            {"topic_name": t, "message_id": f"m-{t}", "error_reason": "r"} for t in ("orders", "payments")
        ]
        dlq_errors.append(pa.Table.from_pylist(rows, schema=dlq_errors.schema().as_arrow()))
    return home


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home of its own, for a test that removes a topic."""
    return build_home(tmp_path)


@pytest.fixture(scope="module")
def intact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One home shared by the refusal tests: each checks that it leaves it whole."""
    return build_home(tmp_path_factory.mktemp("topics-remove"))


def state(home: Path, topic: str) -> dict[str, object]:
    """Return what the home holds of a topic."""
    with LocalPipeline(home) as pipeline:
        queues = {q.rsplit("/", 1)[-1] for q in pipeline.clients["sqs"].list_queues().get("QueueUrls", [])}
        contracts = pipeline.clients["s3"].list_objects_v2(Bucket=pipeline.names.schemas_bucket)
        dlq_errors = pipeline.catalog.load_table(definitions.table(definitions.DLQ_ERRORS).identifier())
        return {
            "declared": topic in pipeline.topics(),
            "queues": len(queues & {pipeline.names.queue(topic), pipeline.names.dlq(topic)}),
            "contract": any(item["Key"].endswith(f"/{topic}.json") for item in contracts.get("Contents", [])),
            "tables": [
                table.kind
                for table in definitions.all_tables()
                if table.per_topic and pipeline.catalog.table_exists(table.identifier(topic))
            ],
            "checkpoints": len(pipeline.checkpoint_items(topic)),
            "ledger": len(pipeline.ledger.entries(topic)),
            "dlq_error_rows": dlq_errors.scan(row_filter=f"topic_name == '{topic}'").to_arrow().num_rows,
        }


WHOLE = {
    "declared": True,
    "queues": 2,
    "contract": True,
    "tables": ["raw", "standardized", "curated"],
    "checkpoints": 1,
    "ledger": 1,
    "dlq_error_rows": 1,
}


def test_remove_takes_the_topic_out_keeping_the_shared_error_rows(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # WHEN orders is removed with --yes
    code, out, err = cli(home, capsys, "topics", "--remove", "orders", "--yes")
    # THEN it says what went and that the shared error tables keep its rows
    assert code == EXIT_OK, err
    assert "removed topic orders:" in out
    assert "iceberg_standardized_db.orders" in out and "checkpoints: standardized" in out
    (kept,) = [line for line in out.splitlines() if line.startswith("kept: the rows of orders in ")]
    shared = (
        definitions.DLQ_ERRORS,
        definitions.PARSE_ERRORS,
        definitions.CURATED_ERRORS,
        definitions.DRIFT_LOG,
    )
    assert all(definitions.table(kind).identifier() in kept for kind in shared)
    # AND nothing of orders is left but its rows in the shared tables; payments is untouched
    assert state(home, "orders") == {
        "declared": False,
        "queues": 0,
        "contract": False,
        "tables": [],
        "checkpoints": 0,
        "ledger": 0,
        "dlq_error_rows": 1,
    }
    assert state(home, "payments") == WHOLE
    # AND topics no longer lists it, and sending to it says it is unknown (it starts anew)
    code, out, _ = cli(home, capsys, "topics")
    assert code == EXIT_OK and "payments" in out and "orders" not in out
    data = home / "again.jsonl"
    data.write_text('{"order_id": "o-2"}\n')
    code, _, err = cli(home, capsys, "send", "--topic", "orders", "--file", str(data))
    assert code == EXIT_OK and "topic orders is unknown here (no queue)" in err
    # AND removing it twice is a mistake, not a silent success
    assert cli(home, capsys, "topics", "--remove", "orders", "--yes")[0] == EXIT_OK
    code, _, err = cli(home, capsys, "topics", "--remove", "orders", "--yes")
    assert code == EXIT_USAGE and "unknown topic orders" in one_line(err)


@pytest.mark.parametrize(
    ("argv", "stdin", "code", "message"),
    [
        (["--remove", "orders"], io.StringIO(""), EXIT_USAGE, "stdin is not a terminal; add --yes"),
        (["--remove", "nope", "--yes"], io.StringIO(""), EXIT_USAGE, "unknown topic nope; declared topics:"),
        (["--remove", "Bad-Name", "--yes"], io.StringIO(""), EXIT_USAGE, "Bad-Name"),
        (["--remove", "orders"], Terminal("n\n"), EXIT_FAILED, "not confirmed; nothing removed"),
    ],
    ids=["non-tty-without-yes", "unknown-topic", "invalid-name", "declined-on-a-terminal"],
)
def test_a_refused_removal_is_one_line_and_changes_nothing(
    intact: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    stdin: io.StringIO,
    code: int,
    message: str,
) -> None:
    monkeypatch.setattr("sys.stdin", stdin)
    got, out, err = cli(intact, capsys, "topics", *argv)
    assert (got, out) == (code, "")
    assert message in one_line(err)  # on a terminal: the question, then the answer's outcome
    assert state(intact, "orders") == WHOLE


def test_yes_on_a_terminal_removes(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    code, out, err = cli(home, capsys, "topics", "--remove", "orders")
    assert code == EXIT_OK and "removed topic orders:" in out
    assert "remove topic orders: its queue, DLQ and what waits in them" in err
    assert not state(home, "orders")["declared"]


def test_on_aws_removing_is_a_tfvars_change_and_nothing_is_tried(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = outputs_file(tmp_path, "https://sqs.eu-west-1.amazonaws.com/123456789012/prod-orders")
    argv = ["--target", "aws", "--tf-outputs", str(outputs), "topics", "--remove", "orders", "--yes"]
    code, out, err = cli(tmp_path / "home", capsys, *argv)
    line = one_line(err)
    assert (code, out) == (EXIT_USAGE, "")
    assert "topics map of environments/<env>.tfvars and run terraform apply" in line
    assert "DROP TABLE iceberg_standardized_db.orders and iceberg_curated_db.orders" in line
    assert json.loads(outputs.read_text())  # the outputs are only read
