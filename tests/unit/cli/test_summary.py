"""The per-topic summary table of run, full and status."""

from __future__ import annotations

import io

from leanops.cli.summary import GATE_NO_CONTRACT, print_summary

ACCOUNTS = {
    "orders": {
        "sent": 9,
        "retry_duplicates": 2,
        "identity_holds": True,
        "buckets": {
            "curated": 4,
            "superseded": 2,
            "parse_errors": 1,
            "curated_errors": 1,
            "dlq_errors": 0,
            "firehose_errors": 0,
            "waiting": 1,
        },
    },
    "clicks": {
        "sent": 3,
        "retry_duplicates": 0,
        "identity_holds": False,
        "buckets": {"waiting": 2},
    },
}


def test_the_table_has_a_row_per_topic_with_its_gate_buckets_and_balance() -> None:
    out = io.StringIO()
    print_summary(ACCOUNTS, {"orders": "open", "clicks": GATE_NO_CONTRACT}, out)
    lines = out.getvalue().splitlines()
    header = next(line for line in lines if "topic" in line and "sent" in line)
    for column in (
        "gate",
        "curated",
        "superseded",
        "parse err",
        "curated err",
        "DLQ",
        "waiting",
        "retry dups",
    ):
        assert column in header
    orders = next(line for line in lines if "orders" in line).split()
    assert orders[orders.index("open") + 1 :] == [
        "│",
        "9",
        "│",
        "4",
        "│",
        "2",
        "│",
        "1",
        "│",
        "1",
        "│",
        "0",
        "│",
        "0",
        "│",
        "1",
        "│",
        "2",
        "│",
        "balanced",
        "│",
    ]
    clicks = next(line for line in lines if "clicks" in line)
    assert "no contract (data waits)" in clicks and "BROKEN" in clicks
    # not a terminal: no colour codes, nothing wrapped
    assert "\x1b[" not in out.getvalue()
