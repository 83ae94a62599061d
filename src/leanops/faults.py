"""Named fault points for chaos testing, driven by configuration (``LEANOPS_FAULTS``).

Product code calls :func:`maybe_fail` at the points where AWS can fail it (a Lambda crash
after its Firehose put, a job crash after its Iceberg commit, ...). With ``LEANOPS_FAULTS``
unset (always, in AWS) every call is a no-op. The local runner sets it from
``production_emulation.sh run --fault NAME=RATE --seed N``; one seeded generator per fault
name makes a run deterministic for a seed.

Format: ``LEANOPS_FAULTS="lambda-crash-after-put=0.3,job-crash-after-commit=0.5;seed=7;cycle=3"``.
``cycle`` (default 0) numbers the run: the local runner sets it to the count of earlier runs, so
that a repeated ``run --seed 7`` draws new faults each time (a run that crashed on its first draw
would otherwise crash the same way forever) and a replay from ``reset`` is still identical.
"""

from __future__ import annotations

import os
import random
import threading
from dataclasses import dataclass, field

from leanops.exceptions import ConfigurationError, InjectedFaultError

FAULTS_ENV = "LEANOPS_FAULTS"

LAMBDA_CRASH_BEFORE_PUT = "lambda-crash-before-put"
LAMBDA_CRASH_AFTER_PUT = "lambda-crash-after-put"
FIREHOSE_PARTIAL_FAILURE = "firehose-partial-failure"
FIREHOSE_THROTTLE = "firehose-throttle"
JOB_CRASH_BEFORE_COMMIT = "job-crash-before-commit"
JOB_CRASH_AFTER_COMMIT = "job-crash-after-commit"
CHECKPOINT_WRITE_FAILURE = "checkpoint-write-failure"
KNOWN_FAULTS = (
    LAMBDA_CRASH_BEFORE_PUT,
    LAMBDA_CRASH_AFTER_PUT,
    FIREHOSE_PARTIAL_FAILURE,
    FIREHOSE_THROTTLE,
    JOB_CRASH_BEFORE_COMMIT,
    JOB_CRASH_AFTER_COMMIT,
    CHECKPOINT_WRITE_FAILURE,
)


@dataclass
class FaultPlan:
    """Fault name -> rate (0..1), and one seeded generator per fault."""

    rates: dict[str, float]
    seed: int = 0
    cycle: int = 0
    _generators: dict[str, random.Random] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def should_fail(self, name: str) -> bool:
        """Draw once for fault ``name``: True with its rate."""
        rate = self.rates.get(name, 0.0)
        if rate <= 0.0:
            return False
        with self._lock:
            generator = self._generators.setdefault(name, random.Random(f"{self.seed}:{self.cycle}:{name}"))
            return generator.random() < rate


def parse_plan(text: str) -> FaultPlan:
    """Parse ``name=rate,name=rate;seed=N;cycle=M``.

    Raises:
        ConfigurationError: on an unknown fault name or a rate outside 0..1.
    """
    rates: dict[str, float] = {}
    numbers = {"seed": 0, "cycle": 0}
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name in numbers:
            try:
                numbers[name] = int(value)
            except ValueError as exc:
                raise ConfigurationError(FAULTS_ENV, f"{name} must be a whole number, got {value!r}") from exc
            continue
        if name not in KNOWN_FAULTS:
            raise ConfigurationError(FAULTS_ENV, f"unknown fault {name!r}; known: {', '.join(KNOWN_FAULTS)}")
        try:
            rate = float(value)
        except ValueError as exc:
            raise ConfigurationError(
                FAULTS_ENV, f"rate of {name} must be a number in 0..1, got {value!r}"
            ) from exc
        if not 0.0 <= rate <= 1.0:
            raise ConfigurationError(FAULTS_ENV, f"rate of {name} must be in 0..1, got {rate}")
        rates[name] = rate
    return FaultPlan(rates=rates, seed=numbers["seed"], cycle=numbers["cycle"])


_active: FaultPlan | None = None
_active_source: str | None = None


def active_plan() -> FaultPlan | None:
    """Return the plan of ``LEANOPS_FAULTS`` (parsed once per distinct value), or None."""
    global _active, _active_source
    text = os.environ.get(FAULTS_ENV, "")
    if not text:
        return None
    if text != _active_source:
        _active, _active_source = parse_plan(text), text
    return _active


def should_fail(name: str) -> bool:
    """Return True when the active plan draws a failure for fault ``name``."""
    plan = active_plan()
    return plan is not None and plan.should_fail(name)


def maybe_fail(name: str, where: str) -> None:
    """Raise InjectedFaultError when the active plan draws a failure for ``name``.

    Raises:
        InjectedFaultError: naming the fault and the place.
    """
    if should_fail(name):
        raise InjectedFaultError(name, where)
