"""The AWS adapters of the job runtime against moto: contracts, checkpoints, locks, alerts."""

from __future__ import annotations

import time

import pytest

from leanops.adapters import Alerter, CheckpointStore, ContractStore, LockStore
from leanops.adapters.locks import EXPIRES_AT_ATTRIBUTE, LOCK_ID_KEY, OWNER_ATTRIBUTE
from leanops.exceptions import CheckpointConflictError, ContractError, InjectedFaultError, LockHeldError

from .conftest import JobEnvironment
from .helpers import order_contract

LAYER = "standardized"
TTL_SECONDS = 600


def _contracts(env: JobEnvironment) -> ContractStore:
    return ContractStore(env.settings.contracts_uri, env.clients.s3)


def _checkpoints(env: JobEnvironment) -> CheckpointStore:
    return CheckpointStore(env.settings.checkpoint_table, env.clients.dynamodb)


def _locks(env: JobEnvironment) -> LockStore:
    return LockStore(env.settings.lock_table, env.clients.dynamodb)


def test_missing_contract_keeps_the_gate_closed(job_env: JobEnvironment, unique_name: str) -> None:
    # GIVEN no contract file  WHEN loading  THEN None (gate closed)
    assert _contracts(job_env).load(unique_name) is None


def test_valid_contract_loads(job_env: JobEnvironment, unique_name: str) -> None:
    # GIVEN a valid contract in S3
    job_env.put_contract(unique_name, order_contract(unique_name))
    # WHEN loading it
    contract = _contracts(job_env).load(unique_name)
    # THEN it is parsed with its key and fields
    assert contract is not None
    assert contract.key == ("order_id",)
    assert contract.field("customer_id").source_column == "customer__id"


def test_malformed_contract_names_its_s3_uri(job_env: JobEnvironment, unique_name: str) -> None:
    # GIVEN a contract that is not JSON
    job_env.put_contract(unique_name, "{not json")
    store = _contracts(job_env)
    # WHEN loading it  THEN a ContractError names the S3 object
    with pytest.raises(
        ContractError, match=rf"s3://leanops-contracts/contracts/{unique_name}\.json: not valid JSON"
    ):
        store.load(unique_name)


def test_checkpoint_starts_empty_and_advances(job_env: JobEnvironment, unique_name: str) -> None:
    store = _checkpoints(job_env)
    # GIVEN no checkpoint  THEN get returns None
    assert store.get(unique_name, LAYER) is None
    # WHEN advancing twice from the expected values
    store.advance(unique_name, LAYER, None, "101", "run-1")
    store.advance(unique_name, LAYER, "101", "202", "run-2")
    # THEN the latest snapshot id is stored
    assert store.get(unique_name, LAYER) == "202"


def test_checkpoint_that_moved_is_a_conflict(job_env: JobEnvironment, unique_name: str) -> None:
    # GIVEN a run that read checkpoint 101, then another run advanced it to 202
    store = _checkpoints(job_env)
    store.advance(unique_name, LAYER, None, "101", "run-1")
    store.advance(unique_name, LAYER, "101", "202", "run-other")
    # WHEN the first run advances from 101  THEN CheckpointConflictError, and 202 stays
    with pytest.raises(CheckpointConflictError, match="expected '101'"):
        store.advance(unique_name, LAYER, "101", "303", "run-1")
    # AND a first-ever write also conflicts when one exists already
    with pytest.raises(CheckpointConflictError):
        store.advance(unique_name, LAYER, None, "404", "run-3")
    assert store.get(unique_name, LAYER) == "202"


def test_checkpoint_write_failure_fault_leaves_it_unchanged(
    job_env: JobEnvironment, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the checkpoint-write-failure fault at rate 1
    monkeypatch.setenv("LEANOPS_FAULTS", "checkpoint-write-failure=1")
    store = _checkpoints(job_env)
    # WHEN advancing  THEN the injected fault propagates and nothing is written
    with pytest.raises(InjectedFaultError):
        store.advance(unique_name, LAYER, None, "101", "run-1")
    assert store.get(unique_name, LAYER) is None


def test_held_lock_is_refused_and_released_by_its_owner(job_env: JobEnvironment, unique_name: str) -> None:
    locks = _locks(job_env)
    lock_id = f"topic#{unique_name}"
    # GIVEN a lock held by run-a
    locks.acquire(lock_id, "run-a", TTL_SECONDS)
    # WHEN run-b tries to take it  THEN LockHeldError names the owner
    with pytest.raises(LockHeldError, match="locked by run run-a"):
        locks.acquire(lock_id, "run-b", TTL_SECONDS)
    # AND run-b cannot release it, run-a can, and then run-b can take it
    assert locks.release(lock_id, "run-b") is False
    assert locks.release(lock_id, "run-a") is True
    locks.acquire(lock_id, "run-b", TTL_SECONDS)


def test_expired_lock_is_taken_over_with_a_log_line(
    job_env: JobEnvironment, unique_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a lock whose owner died and whose expiry has passed
    lock_id = f"topic#{unique_name}"
    job_env.clients.dynamodb.put_item(
        TableName=job_env.settings.lock_table,
        Item={
            LOCK_ID_KEY: {"S": lock_id},
            OWNER_ATTRIBUTE: {"S": "dead-run"},
            EXPIRES_AT_ATTRIBUTE: {"N": str(int(time.time()) - 5)},
        },
    )
    # WHEN a new run acquires it
    _locks(job_env).acquire(lock_id, "new-run", TTL_SECONDS)
    # THEN it owns the lock, and the takeover is logged
    item = job_env.clients.dynamodb.get_item(
        TableName=job_env.settings.lock_table, Key={LOCK_ID_KEY: {"S": lock_id}}
    )
    assert item["Item"][OWNER_ATTRIBUTE]["S"] == "new-run"
    assert "taken over by new-run from dead-run" in caplog.text


def test_alert_is_published_to_sns(job_env: JobEnvironment) -> None:
    # GIVEN an alerter on the alert topic  WHEN alerting with a long subject
    Alerter(job_env.settings.alert_topic_arn, job_env.clients.sns).alert("x" * 150, "topic orders failed")
    # THEN one SNS message arrives, its subject cut to 100 characters
    (alert,) = job_env.alerts()
    assert alert["Message"] == "topic orders failed"
    assert len(alert["Subject"]) == 100


def test_alert_without_topic_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    # GIVEN no alert topic  WHEN alerting  THEN the alert is logged
    Alerter(None).alert("subject", "message")
    assert "ALERT subject: message" in caplog.text
