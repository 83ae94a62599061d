"""The drift log over standardized runs on local Spark: added once, retyped once, vanished after the window, rerun-safe.

The return of a vanished field and the other cases are the pure logic's (tests/unit/transforms/test_drift.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from leanops import faults
from leanops.definitions import DRIFT_LOG, STANDARDIZED
from leanops.exceptions import InjectedFaultError

from .conftest import JobEnvironment
from .helpers import append_raw, envelope, order_contract, rows_of, run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DAY_SECONDS = 86_400


def _log(spark: SparkSession, topic: str) -> list[tuple[str, str, str | None, str | None, str | None]]:
    rows = rows_of(spark, DRIFT_LOG, topic, "detected_at")
    return sorted(
        (row["column_name"], row["change"], row["previous_type"], row["new_type"], row["example_message_id"])
        for row in rows
    )


def test_drift_log_over_runs_replay_flip_flop_vanish_and_a_crashed_rerun(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a topic whose vanish window is 1 day, and a first batch with a (string) and b
    settings = replace(job_env.with_topics(unique_name), drift_vanish_days=1)
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(
        spark,
        unique_name,
        [envelope(unique_name, "m9", '{"a": "x", "b": 1}', 0), envelope(unique_name, "m1", '{"a": "y"}', 5)],
    )
    run(spark, STANDARDIZED, settings, job_env.clients)
    # WHEN one message lacking b arrives, with a as a number
    append_raw(spark, unique_name, [envelope(unique_name, "m2", '{"a": 2}', 60)])
    run(spark, STANDARDIZED, settings, job_env.clients)
    # THEN added once with the first message (by sent_at), a retyped, and b not vanished
    first_two = [
        ("a", "added", None, "string", "m9"),
        ("a", "retyped", "string", "number", "m2"),
        ("b", "added", None, "number", "m9"),
    ]
    assert _log(spark, unique_name) == first_two
    # WHEN two days later a's kind flips back and b is still missing, and the job crashes after its commit
    append_raw(spark, unique_name, [envelope(unique_name, "m3", '{"a": "z"}', 2 * DAY_SECONDS)])
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.JOB_CRASH_AFTER_COMMIT}=1")
    with pytest.raises(InjectedFaultError):
        run(spark, STANDARDIZED, settings, job_env.clients)
    monkeypatch.delenv(faults.FAULTS_ENV)
    run(spark, STANDARDIZED, settings, job_env.clients)
    # THEN b vanished once (the rerun logs nothing twice) and a's flip back is no change
    assert _log(spark, unique_name) == sorted([*first_two, ("b", "vanished", "number", None, None)])
