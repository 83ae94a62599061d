"""A malformed contract alerts on SNS once per contract version, not every cycle (moto)."""

from __future__ import annotations

from typing import Any

from leanops import definitions
from leanops.adapters.checkpoints import CONTRACT_ALERT_KEY, CheckpointStore
from leanops.jobs import report
from leanops.jobs.runtime import run_layer

from .conftest import JobEnvironment


def _cycle(job_env: JobEnvironment, topic: str) -> list[str]:
    """Run both layers over ``topic`` (no Spark is reached: the gate stops first); return statuses."""
    statuses = []
    for layer in (definitions.STANDARDIZED, definitions.CURATED):
        job_report = run_layer(None, layer, job_env.with_topics(topic), job_env.clients)  # type: ignore[arg-type]
        statuses += [outcome.status for outcome in job_report.outcomes]
    return statuses


def _contract_alerts(job_env: JobEnvironment) -> list[dict[str, Any]]:
    return [alert for alert in job_env.alerts() if "is malformed" in alert.get("Subject", "")]


def test_a_malformed_contract_alerts_once_per_version(job_env: JobEnvironment, unique_name: str) -> None:
    # GIVEN a malformed contract
    job_env.put_contract(unique_name, "{not json")
    # WHEN two cycles (each running both layers) read it
    first = _cycle(job_env, unique_name) + _cycle(job_env, unique_name)
    # THEN the topic is skipped every time, and SNS got one alert naming the file
    assert first == [report.CONTRACT_ERROR] * 4
    alerts = _contract_alerts(job_env)
    assert len(alerts) == 1
    assert f"{unique_name}.json: not valid JSON" in alerts[0]["Message"]
    # WHEN a new, still malformed version is uploaded and read by two more cycles
    job_env.put_contract(unique_name, '{"topic": "other"}')
    _cycle(job_env, unique_name)
    _cycle(job_env, unique_name)
    # THEN exactly one more alert, for the new version
    again = _contract_alerts(job_env)
    assert len(again) == 1 and "{not json" not in again[0]["Message"]
    item = job_env.clients.dynamodb.get_item(
        TableName=job_env.settings.checkpoint_table,
        Key={"topic": {"S": unique_name}, "layer": {"S": CONTRACT_ALERT_KEY}},
    )["Item"]
    assert item["contract_version"]["S"]


def test_claiming_a_version_is_conditional(job_env: JobEnvironment, unique_name: str) -> None:
    store = CheckpointStore(job_env.settings.checkpoint_table, job_env.clients.dynamodb)
    assert store.claim_contract_alert(unique_name, '"etag-1"', "run-1") is True
    assert store.claim_contract_alert(unique_name, '"etag-1"', "run-2") is False
    assert store.claim_contract_alert(unique_name, '"etag-2"', "run-3") is True
    assert store.get(unique_name, definitions.STANDARDIZED) is None  # layer checkpoints untouched
