"""Bounded retries with exponential backoff and full jitter (AWS's recommended scheme)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BASE_DELAY_SECONDS = 0.1
DEFAULT_MAX_DELAY_SECONDS = 5.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed Firehose put is retried.

    Attributes:
        max_attempts: calls per record in total (first try included); at least 1.
        base_delay_seconds: backoff before the second attempt's upper bound; doubles per attempt.
        max_delay_seconds: cap of one backoff.
        sleep: how to wait (tests pass a recorder).
        jitter: returns a float in [0, 1) scaling each backoff (full jitter).
    """

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    base_delay_seconds: float = DEFAULT_BASE_DELAY_SECONDS
    max_delay_seconds: float = DEFAULT_MAX_DELAY_SECONDS
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be at least 1, got {self.max_attempts}")
        if self.base_delay_seconds < 0 or self.max_delay_seconds < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def backoff_seconds(self, failed_attempt: int) -> float:
        """Return the wait after attempt number ``failed_attempt`` (1-based) failed."""
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * (2 ** (failed_attempt - 1)))
        return ceiling * self.jitter()

    def wait_after(self, failed_attempt: int) -> None:
        """Sleep the backoff of ``failed_attempt``."""
        self.sleep(self.backoff_seconds(failed_attempt))
