"""``full`` (make e2e) ends with the per-topic summary table, its verdict as the table's caption."""

from __future__ import annotations

import io

from leanops.cli.summary import GATE_OPEN, print_summary

ACCOUNT = {
    "sent": 2,
    "retry_duplicates": 0,
    "identity_holds": True,
    "buckets": {"curated": 1, "parse_errors": 1},
}


def test_the_verdict_is_the_line_right_below_the_table() -> None:
    out = io.StringIO()
    print_summary({"orders": ACCOUNT}, {"orders": GATE_OPEN}, out, caption="full: OK: every sample line (9s)")
    lines = out.getvalue().rstrip("\n").splitlines()
    assert lines[-1].strip() == "full: OK: every sample line (9s)"
    assert lines[-2].startswith("└") and any(line.startswith("│ orders") for line in lines)
