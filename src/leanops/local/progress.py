"""Progress of long work (send, delivery, jobs): a live bar on a terminal, a log line every ~10 s otherwise.

On a terminal (stderr is a TTY) it is rich's progress bar with the count, the rate and the time
left; elsewhere (CI, a pipe, a log file) a bar would only be noise, so the same figures are logged
as one line every ``LOG_INTERVAL_SECONDS`` and once at the end.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

LOGGER = logging.getLogger(__name__)
LOG_INTERVAL_SECONDS = 10.0


class ProgressLog:
    """Counts work done and logs it at most every ``interval`` seconds (and when closed)."""

    def __init__(
        self,
        description: str,
        total: int | None,
        interval: float = LOG_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start counting ``description`` (``total`` units when known)."""
        self.description = description
        self.total = total
        self.done = 0
        self._interval = interval
        self._clock = clock
        self._started = clock()
        self._logged = self._started

    def advance(self, amount: int = 1) -> None:
        """Count ``amount`` units; log a line when the interval has passed."""
        self.done += amount
        if self._clock() - self._logged >= self._interval:
            self.log()

    def line(self) -> str:
        """Return the progress line: count (of total), rate, and time left when the total is known."""
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = self.done / elapsed
        of_total = f"/{self.total}" if self.total is not None else ""
        text = f"{self.description}: {self.done}{of_total} ({rate:,.0f}/s"
        if self.total is not None and rate > 0:
            text += f", {max(self.total - self.done, 0) / rate:,.0f} s left"
        return text + ")"

    def log(self) -> None:
        """Log the progress line now."""
        self._logged = self._clock()
        LOGGER.info("%s", self.line())


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Show the progress of one piece of work; yields ``advance(amount)``.

    Args:
        description: what is being done ("send orders", "deliver leanops-dev-orders").
        total: how many units in all, when known (for the time left).

    """
    if sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=True) as bar:
            task = bar.add_task(description, total=total)
            counter = ProgressLog(description, total)

            def advance(amount: int = 1) -> None:
                counter.done += amount
                bar.update(task, advance=amount)

            yield advance
            LOGGER.info("%s", counter.line())
        return
    counter = ProgressLog(description, total)
    yield counter.advance
    counter.log()
