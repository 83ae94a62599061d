"""The whole local pipeline, in process: send -> SQS -> Lambdas -> Firehose -> RAW -> jobs."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

from leanops.cli.local_target import cmd_drift, cmd_errors, cmd_runs, cmd_topics, status_document
from leanops.local.duckdb_engine import LocalSqlEngine
from leanops.local.pipeline import LocalPipeline
from leanops.local.query import query_csv, write_csv

from .support import account_of, contract_for, new_topic, run_until_ok, send_lines


def order(order_id: str, amount: str, updated_at: str) -> str:
    return json.dumps(
        {"order_id": order_id, "customer": {"id": "c-1"}, "amount": amount, "updated_at": updated_at}
    )


def test_send_run_send_run_converges_and_accounts_for_every_message(
    pipeline: LocalPipeline, tmp_path: Path
) -> None:
    # GIVEN a topic with a contract, a first batch with a correction, a parse error and a contract error
    topic = new_topic("orders")
    pipeline.upload_contract(topic, contract_for(topic))
    first = send_lines(
        pipeline,
        topic,
        [
            order("o-1", "1.00", "2026-01-01T10:00:00Z"),
            order("o-1", "2.00", "2026-01-01T11:00:00Z"),
            "{broken",
            order("o-2", "abc", "2026-01-01T10:00:00Z"),
        ],
        tmp_path,
    )
    # WHEN it runs, then a later batch (an older correction arriving late, a new key) runs too
    assert run_until_ok(pipeline, [topic]) == 1
    second = send_lines(
        pipeline,
        topic,
        [order("o-1", "0.50", "2026-01-01T09:00:00Z"), order("o-3", "3.00", "2026-01-01T10:00:00Z")],
        tmp_path,
    )
    assert run_until_ok(pipeline, [topic]) == 1
    # THEN curated holds the latest version per key and every message is in exactly one place
    csv_text = query_csv(
        pipeline.catalog, f"SELECT order_id, amount FROM iceberg_curated_db.{topic} ORDER BY order_id"
    )
    assert csv_text == "order_id,amount\no-1,2.00\no-3,3.00\n"
    account = account_of(pipeline, topic)
    assert [account.members[message_id] for message_id in first + second] == [
        "superseded",
        "curated",
        "parse_errors",
        "curated_errors",
        "superseded",
        "curated",
    ]
    assert account.identity_holds and account.sent == 6 and account.retry_duplicates == 0


def test_a_topic_without_contract_waits_in_raw_until_its_contract_lands(
    pipeline: LocalPipeline, tmp_path: Path
) -> None:
    # GIVEN messages of a topic that has no contract yet
    topic = new_topic("late")
    ids = send_lines(pipeline, topic, [order("o-1", "1.00", "2026-01-01T10:00:00Z")], tmp_path)
    # WHEN a cycle runs THEN the gate keeps them waiting in RAW
    report = pipeline.run([topic])
    assert report.ok and report.cycle is not None and report.cycle.waiting == [topic]
    assert account_of(pipeline, topic).members[ids[0]] == "waiting"
    # WHEN the contract lands and a cycle runs THEN the backlog is processed
    pipeline.upload_contract(topic, contract_for(topic))
    assert run_until_ok(pipeline, [topic]) == 1
    assert account_of(pipeline, topic).members[ids[0]] == "curated"


def test_status_document_has_checkpoints_and_the_account(pipeline: LocalPipeline, tmp_path: Path) -> None:
    topic = new_topic("status")
    pipeline.upload_contract(topic, contract_for(topic))
    send_lines(pipeline, topic, [order("o-1", "1.00", "2026-01-01T10:00:00Z")], tmp_path)
    run_until_ok(pipeline, [topic])
    document = status_document(pipeline)
    entry = document["topics"][topic]
    assert {"standardized", "curated"} <= set(entry["checkpoints"])
    assert entry["account"]["buckets"]["curated"] == 1 and entry["account"]["identity_holds"]
    assert document["last_run"]["ok"] is True


def test_semantic_views_register_over_curated_tables(pipeline: LocalPipeline, tmp_path: Path) -> None:
    # GIVEN curated orders and payments tables of unique topics, and the repo's views pointed at them
    orders, payments = new_topic("orders"), new_topic("payments")
    pipeline.upload_contract(orders, contract_for(orders))
    pipeline.upload_contract(payments, contract_for(payments, "payments"))
    send_lines(pipeline, orders, [order("o-1", "10.00", "2026-01-01T10:00:00Z")], tmp_path)
    payment = {
        "payment_id": "p-1",
        "order_id": "o-1",
        "amount": "4.00",
        "currency": "EUR",
        "version": 1,
        "captured": True,
    }
    send_lines(pipeline, payments, [json.dumps(payment)], tmp_path)
    run_until_ok(pipeline, [orders, payments])
    folder = tmp_path / "team_semantic"
    (folder / "views").mkdir(parents=True)
    repo_semantic = Path(__file__).resolve().parents[2] / "semantic"
    for view in (repo_semantic / "views").glob("*.sql"):
        text = view.read_text(encoding="utf-8").replace(
            "iceberg_curated_db.orders", f"iceberg_curated_db.{orders}"
        )
        text = text.replace("iceberg_curated_db.payments", f"iceberg_curated_db.{payments}")
        (folder / "views" / f"{view.stem}_{orders}.sql").write_text(text, encoding="utf-8")
    # WHEN the views are created (DuckDB, from the Athena SQL) THEN each is queryable as semantic.<name>
    with LocalSqlEngine(pipeline.catalog, folder) as engine:
        assert set(engine.view_problems().values()) == {None}
    csv_text = query_csv(
        pipeline.catalog,
        "SELECT order_id, order_amount, captured_amount, payment_status "
        f"FROM semantic.order_payment_status_{orders}",
        folder,
    )
    # payments.amount is decimal(18,4): SUM of it is decimal(38,4) in Athena, as in DuckDB
    assert csv_text == "order_id,order_amount,captured_amount,payment_status\no-1,10.00,4.0000,partial\n"


def test_query_csv_quotes_and_prints_null_as_empty(pipeline: LocalPipeline) -> None:
    out = io.StringIO()
    write_csv(["a", "b", "c"], [("x,y", None, 'say "hi"'), ("line\nbreak", True, "")], out)
    assert out.getvalue() == 'a,b,c\n"x,y",,"say ""hi"""\n"line\nbreak",true,\n'
    assert (
        query_csv(pipeline.catalog, "SELECT 1 AS one, CAST(NULL AS VARCHAR) AS nothing")
        == "one,nothing\n1,\n"
    )


def test_operator_commands_show_errors_drift_runs_and_topics(
    pipeline: LocalPipeline, tmp_path: Path, capsys: Any
) -> None:
    # GIVEN a topic run once with a parse error, a contract error and a new field
    topic = new_topic("orders")
    pipeline.upload_contract(topic, contract_for(topic))
    lines = [
        order("o-1", "1.00", "2026-01-01T10:00:00Z"),
        "{broken",
        order("o-2", "abc", "2026-01-01T10:00:00Z"),
    ]
    send_lines(pipeline, topic, lines, tmp_path)
    assert run_until_ok(pipeline, [topic]) == 1
    capsys.readouterr()
    # WHEN the operator commands run over it
    for command in (cmd_errors, cmd_drift):
        assert command(pipeline, argparse.Namespace(topic=topic)) == 0
    assert cmd_runs(pipeline, argparse.Namespace(limit=50)) == 0
    assert cmd_topics(pipeline, argparse.Namespace(remove=None, yes=False)) == 0
    out = capsys.readouterr().out
    # THEN errors groups both error rows by table and reason, with an example message
    errors_part, drift_part = out.split(f"drift of {topic}")[0], out.split(f"drift of {topic}")[1]
    assert "parse_errors" in errors_part and "errors" in errors_part and "{broken" in errors_part
    # AND drift lists the topic's first fields, runs the run that processed it, topics its open gate
    assert "order_id" in drift_part and "added" in drift_part
    assert topic in out.split("runs")[-1] and "open" in out.split("topics")[-1]
