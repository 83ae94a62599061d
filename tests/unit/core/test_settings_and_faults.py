"""Settings from one mapping; the fault plan is deterministic per seed."""

from __future__ import annotations

import pytest

from leanops import faults, settings
from leanops.exceptions import ConfigurationError, InjectedFaultError

BASE = {
    settings.TOPICS: "orders, payments",
    settings.CONTRACTS_URI: "s3://schemas/contracts",
    settings.CHECKPOINT_TABLE: "cp",
    settings.LOCK_TABLE: "locks",
}


def test_job_settings_from_arguments() -> None:
    job = settings.JobSettings.from_mapping(BASE)
    assert job.topics == ("orders", "payments")
    assert job.contracts_uri == "s3://schemas/contracts/"
    assert job.lock_ttl_seconds == settings.DEFAULT_LOCK_TTL_SECONDS


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({settings.TOPICS: ""}, "LEANOPS_TOPICS: is required"),
        ({settings.TOPICS: " , "}, "names no topic"),
        ({settings.LOCK_TTL_SECONDS: "soon"}, "whole number"),
        ({settings.LOCK_TTL_SECONDS: "-5"}, "must be positive"),
    ],
)
def test_bad_settings_name_the_key(override: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        settings.JobSettings.from_mapping({**BASE, **override})


def test_name_lists_are_comma_separated_and_refuse_repeats() -> None:
    assert settings.name_list(
        {settings.FIREHOSE_STREAMS: "a-raw, a-raw-2"}, settings.FIREHOSE_STREAMS, "stream"
    ) == (
        "a-raw",
        "a-raw-2",
    )
    with pytest.raises(ConfigurationError):
        settings.name_list({settings.FIREHOSE_STREAMS: "a-raw,a-raw"}, settings.FIREHOSE_STREAMS, "stream")


def test_fault_plan_is_deterministic_per_seed() -> None:
    plans = [faults.parse_plan(f"{faults.JOB_CRASH_AFTER_COMMIT}=0.5;seed={seed}") for seed in (7, 7, 8)]
    draws = [[plan.should_fail(faults.JOB_CRASH_AFTER_COMMIT) for _ in range(40)] for plan in plans]
    assert draws[0] == draws[1]
    assert draws[0] != draws[2]
    assert 5 < sum(draws[0]) < 35


def test_fault_rates_zero_and_one() -> None:
    plan = faults.parse_plan(f"{faults.FIREHOSE_THROTTLE}=1,{faults.LAMBDA_CRASH_BEFORE_PUT}=0")
    assert all(plan.should_fail(faults.FIREHOSE_THROTTLE) for _ in range(10))
    assert not any(plan.should_fail(faults.LAMBDA_CRASH_BEFORE_PUT) for _ in range(10))


@pytest.mark.parametrize(
    ("text", "message"), [("disk-full=0.1", "unknown fault"), (f"{faults.FIREHOSE_THROTTLE}=2", "0..1")]
)
def test_bad_fault_plans(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        faults.parse_plan(text)


def test_maybe_fail_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(faults.FAULTS_ENV, raising=False)
    faults.maybe_fail(faults.JOB_CRASH_BEFORE_COMMIT, "nowhere")
    monkeypatch.setenv(faults.FAULTS_ENV, f"{faults.JOB_CRASH_BEFORE_COMMIT}=1;seed=1")
    with pytest.raises(InjectedFaultError, match="job-crash-before-commit at merge"):
        faults.maybe_fail(faults.JOB_CRASH_BEFORE_COMMIT, "merge")


def test_each_cycle_draws_its_own_stream_deterministically() -> None:
    def draws(text: str) -> list[bool]:
        plan = faults.parse_plan(text)
        return [plan.should_fail(faults.JOB_CRASH_AFTER_COMMIT) for _ in range(20)]

    name = faults.JOB_CRASH_AFTER_COMMIT
    assert draws(f"{name}=0.5;seed=7;cycle=1") == draws(f"{name}=0.5;seed=7;cycle=1")
    assert draws(f"{name}=0.5;seed=7;cycle=1") != draws(f"{name}=0.5;seed=7;cycle=2")
    with pytest.raises(ConfigurationError, match="cycle must be a whole number"):
        faults.parse_plan(f"{name}=0.5;cycle=x")
