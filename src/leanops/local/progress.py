"""Progress of long work (send, delivery, jobs): a live bar on a terminal, a log line every ~10 s otherwise.

On a terminal (stderr is a TTY) it is rich's progress bar with the count, the rate and the time
left; elsewhere (CI, a pipe, a log file) a bar would only be noise, so the same figures are logged
as one line every ``LOG_INTERVAL_SECONDS`` (also while nothing advances: a job's first topic can
take minutes) and once at the end.
"""

from __future__ import annotations

import logging
import sys
import threading
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
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start counting ``description`` (``total`` units when known)."""
        self.description = description
        self.total = total
        self.done = 0
        self._interval = LOG_INTERVAL_SECONDS if interval is None else interval
        self._clock = clock
        self._started = clock()
        self._logged = self._started

    def advance(self, amount: int = 1) -> None:
        """Count ``amount`` units; log a line when the interval has passed."""
        self.done += amount
        self.tick()

    def tick(self) -> None:
        """Log a line when the interval has passed since the last one (not once all is done)."""
        finished = self.total is not None and self.done >= self.total
        if not finished and self._clock() - self._logged >= self._interval:
            self.log()

    def line(self, final: bool = False) -> str:
        """Return the progress line: count (of total), rate, and time left when the total is known.

        Args:
            final: the work is over: the time it took instead of the time left.

        """
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = self.done / elapsed
        of_total = f"/{self.total}" if self.total is not None else ""
        if final:
            return f"{self.description}: {self.done}{of_total} in {elapsed:,.0f} s ({_rate(rate)}/s)"
        text = f"{self.description}: {self.done}{of_total} ({_rate(rate)}/s"
        if self.total is not None and rate > 0:
            text += f", {max(self.total - self.done, 0) / rate:,.0f} s left"
        elif not self.done:
            text += f", {elapsed:,.0f} s so far"
        return text + ")"

    def log(self, final: bool = False) -> None:
        """Log the progress line now (``final``: the work is over)."""
        self._logged = self._clock()
        LOGGER.info("%s", self.line(final))


def _rate(per_second: float) -> str:
    """Return a rate readable at any size: ``1,234``, ``12``, ``0.25`` (topics of a job)."""
    return f"{per_second:,.0f}" if per_second >= 10 else f"{per_second:.2g}"


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
        counter.log(final=True)
        return
    counter = ProgressLog(description, total)
    stop = threading.Event()
    heartbeat = threading.Thread(target=_heartbeat, args=(counter, stop), name="progress", daemon=True)
    heartbeat.start()
    try:
        yield counter.advance
    finally:
        stop.set()
        heartbeat.join()
    counter.log(final=True)


def _heartbeat(counter: ProgressLog, stop: threading.Event) -> None:
    """Log the counter's line every interval, advanced or not, until ``stop`` is set."""
    while not stop.wait(LOG_INTERVAL_SECONDS / 10):
        counter.tick()
