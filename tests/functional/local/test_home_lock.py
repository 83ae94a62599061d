"""Two local commands on one LEANOPS_HOME never run at once: the second waits, saying so."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from leanops.local.aws import LocalAws


def test_second_command_waits_for_the_first_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a first command holding the home
    first, second = LocalAws(tmp_path), LocalAws(tmp_path)
    first._take_home_lock()
    events: list[str] = []

    def run_second() -> None:
        second._take_home_lock()
        events.append("second started")
        second._release_home_lock()

    # WHEN a second command starts on the same home
    with caplog.at_level(logging.WARNING, logger="leanops.local.aws"):
        waiter = threading.Thread(target=run_second)
        waiter.start()
        time.sleep(0.5)
        events.append("first finished")
        first._release_home_lock()
        waiter.join(timeout=10)
    # THEN it started only after the first finished, and said why it waited
    assert events == ["first finished", "second started"]
    assert "waiting for it to finish" in caplog.text


def test_different_homes_do_not_wait(tmp_path: Path) -> None:
    first, second = LocalAws(tmp_path / "a"), LocalAws(tmp_path / "b")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first._take_home_lock()
    done = threading.Event()
    threading.Thread(target=lambda: (second._take_home_lock(), done.set())).start()
    assert done.wait(timeout=5)
    first._release_home_lock()
    second._release_home_lock()
