"""send: which bodies SQS refuses, how a file is split into bodies, and the ledger (moto)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from leanops.local.ledger import Ledger
from leanops.local.sender import SQS_MAX_BODY_BYTES, read_bodies, refusal_reason, send_file

REGION = "eu-west-1"


@pytest.mark.parametrize(
    ("body", "refused_because"),
    [
        ("", "empty line"),
        ("\x00", "U+0000"),
        ('{"a": "\x07"}', "U+0007 at column 8"),
        ("\ufffe", "U+FFFE"),
        ("\udc80", "U+DC80"),
        ("x" * (SQS_MAX_BODY_BYTES + 1), f"SQS's limit is {SQS_MAX_BODY_BYTES}"),
        ("é" * (SQS_MAX_BODY_BYTES // 2 + 1), "bytes"),
    ],
)
def test_refusal_reason_names_what_sqs_refuses(body: str, refused_because: str) -> None:
    # GIVEN a body SQS would refuse WHEN it is checked THEN the reason says why
    reason = refusal_reason(body)
    assert reason is not None and refused_because in reason


@pytest.mark.parametrize(
    "body",
    [
        "   ",
        "\t",
        "not json",
        "x" * SQS_MAX_BODY_BYTES,
        '{"emoji": "😀", "cjk": "客户"}',
        "line with \r at the end\r",
    ],
)
def test_refusal_reason_accepts_what_sqs_accepts(body: str) -> None:
    assert refusal_reason(body) is None


def test_read_bodies_keeps_each_line_verbatim(tmp_path: Path) -> None:
    # GIVEN a file with blank, whitespace, CRLF and non-UTF-8 lines and no final newline
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"a":1}\n\n   \r\n\xff\xfe\n{"b":2}')
    # WHEN it is read THEN each line is one body, with only the "\n" removed
    assert list(read_bodies(path)) == [
        (1, '{"a":1}'),
        (2, ""),
        (3, "   \r"),
        (4, "\udcff\udcfe"),
        (5, '{"b":2}'),
    ]


def test_send_file_sends_acceptable_lines_and_reports_the_others(aws: None, tmp_path: Path) -> None:
    # GIVEN a queue and a file mixing good, malformed, empty and refused lines
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="q-orders")["QueueUrl"]
    path = tmp_path / "in.jsonl"
    lines = ['{"ok": 1}', "{truncated", "", '{"bell": "\x07"}'] + [f'{{"n": {i}}}' for i in range(12)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ledger = Ledger(tmp_path)
    # WHEN it is sent
    report = send_file(sqs, queue_url, "orders", path, ledger)
    # THEN 14 bodies are on the queue verbatim, lines 3 and 4 are reported, the ledger has the 14
    assert [(refused.line, refused.reason.split(":")[0]) for refused in report.refused] == [
        (3, "empty line"),
        (4, "character U+0007 at column 11 is outside SQS's allowed characters"),
    ]
    assert [entry.line for entry in ledger.entries("orders")] == [1, 2] + list(range(5, 17))
    bodies = set()
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            bodies.add(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    assert bodies == {line for number, line in enumerate(lines, start=1) if number not in (3, 4)}
    assert {entry.message_id for entry in report.sent} == {entry.message_id for entry in ledger.entries()}
