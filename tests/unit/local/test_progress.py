"""Progress of long work when stderr is not a terminal: one line every interval, and at the end."""

from __future__ import annotations

import logging
import threading

import pytest

from leanops.local import progress as progress_module
from leanops.local.progress import ProgressLog, progress


def test_a_line_every_interval_with_count_rate_and_time_left(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    counter = ProgressLog("send orders", total=100, interval=10.0, clock=lambda: now[0])
    with caplog.at_level(logging.INFO):
        for second in range(1, 21):
            now[0] = float(second)
            counter.advance(2)  # 2 messages a second
    lines = [record.getMessage() for record in caplog.records]
    assert lines == ["send orders: 20/100 (2/s, 40 s left)", "send orders: 40/100 (2/s, 30 s left)"]


def test_without_a_total_there_is_no_time_left() -> None:
    now = [0.0]
    counter = ProgressLog("deliver", total=None, clock=lambda: now[0])
    now[0] = 4.0
    counter.done = 8
    assert counter.line() == "deliver: 8 (2/s)"


def test_the_context_logs_once_at_the_end_off_a_terminal(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO), progress("send clicks", total=3) as advance:
        advance(3)
    assert [r.getMessage().split(" in ")[0] for r in caplog.records] == ["send clicks: 3/3"]


def test_the_last_line_says_how_long_it_took_and_slow_rates_keep_their_digits() -> None:
    now = [0.0]
    counter = ProgressLog("job curated (topics)", total=2, clock=lambda: now[0])
    now[0], counter.done = 8.0, 2
    assert counter.line(final=True) == "job curated (topics): 2/2 in 8 s (0.25/s)"
    now[0], counter.done = 16.0, 1
    assert counter.line() == "job curated (topics): 1/2 (0.062/s, 16 s left)"


def test_a_line_comes_every_interval_even_when_nothing_advances(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "LOG_INTERVAL_SECONDS", 0.05)
    with caplog.at_level(logging.INFO), progress("job curated (topics)", total=2):
        waited = threading.Event()
        waited.wait(0.3)  # a long first topic: no advance
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) >= 3 and lines[0].startswith("job curated (topics): 0/2 (0/s, ")
    assert lines[0].endswith(" s so far)") and lines[-1].startswith("job curated (topics): 0/2 in ")
