"""Personal data through the curated job: hashed keys stay keys and join across topics, redact, drop."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from leanops.adapters.pii_key import DERIVATION_MESSAGE, MAC_ALGORITHM, pii_key_alias
from leanops.definitions import CURATED, CURATED_ERRORS
from leanops.exceptions import TopicFailuresError
from leanops.jobs import report
from leanops.local.config import ResourceNames
from leanops.local.provision import ensure_pii_key

from .conftest import JobEnvironment
from .helpers import append_raw, cycle, envelope, rows_of, run

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark
PREFIX = "leanops-pii"


def _customers_contract(topic: str) -> str:
    return json.dumps(
        {
            "topic": topic,
            "key": ["customer_id"],
            "order_by": "updated_at",
            "fields": {
                "customer_id": {"type": "string", "required": True, "pii": "hash"},
                "email": {"type": "string", "required": True, "pii": "hash"},
                "name": {"type": "string", "pii": "redact"},
                "phone": {"type": "string", "pii": "drop"},
                "credit": {"type": "decimal(12,2)", "required": True},
                "updated_at": {"type": "timestamp", "required": True},
            },
        }
    )


def _orders_contract(topic: str) -> str:
    return json.dumps(
        {
            "topic": topic,
            "key": ["order_id"],
            "order_by": "updated_at",
            "fields": {
                "order_id": {"type": "string", "required": True},
                "customer_id": {"type": "string", "required": True, "path": "customer.id", "pii": "hash"},
                "updated_at": {"type": "timestamp", "required": True},
            },
        }
    )


def _customer(customer_id: str, email: str, credit: str, updated_at: str, **extra: Any) -> dict[str, Any]:
    return {"customer_id": customer_id, "email": email, "credit": credit, "updated_at": updated_at, **extra}


@pytest.fixture
def pii_env(job_env: JobEnvironment) -> tuple[JobEnvironment, bytes]:
    """GIVEN the stack's PII key in moto (as the local emulation provisions it) and the jobs told of it."""
    kms = boto3.client("kms")
    key_id = ensure_pii_key(kms, ResourceNames(PREFIX))
    job_env.clients.kms = kms
    job_env.settings = replace(job_env.settings, pii_key_id=pii_key_alias(PREFIX))
    derived = kms.generate_mac(Message=DERIVATION_MESSAGE, KeyId=key_id, MacAlgorithm=MAC_ALGORITHM)["Mac"]
    return job_env, bytes(derived)


def _hash(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def test_curated_holds_masked_values_and_hashed_keys_join_across_topics(
    spark: SparkSession, pii_env: tuple[JobEnvironment, bytes], unique_name: str
) -> None:
    job_env, key = pii_env
    customers, orders = f"{unique_name}_c", f"{unique_name}_o"
    settings = job_env.with_topics(customers, orders)
    job_env.put_contract(customers, _customers_contract(customers))
    job_env.put_contract(orders, _orders_contract(orders))
    # GIVEN two versions of customer c1 (the later one corrects it), c2, and a record that fails
    # its contract (credit with three decimals), each with a phone number and a name
    append_raw(
        spark,
        customers,
        [
            envelope(
                customers,
                "m1",
                _customer("c1", "zoë@example.com", "1.50", "2026-03-01T10:00:00Z", name="Zoë", phone="+33 6"),
            ),
            envelope(
                customers,
                "m2",
                _customer(
                    "c1", "zoë@example.com", "2.5", "2026-03-01T11:00:00Z", name="Zoë B", phone="+33 7"
                ),
                5,
            ),
            envelope(customers, "m3", _customer("c2", "名前@例え.jp", "3.00", "2026-03-01T10:00:00Z"), 6),
            envelope(
                customers,
                "m4",
                _customer("c3", "bad@example.com", "1.234", "2026-03-01T10:00:00Z", phone="+1 555"),
            ),
        ],
    )
    append_raw(
        spark,
        orders,
        [
            envelope(
                orders,
                "o-m1",
                {"order_id": "o1", "customer": {"id": "c1"}, "updated_at": "2026-03-01T10:00:00Z"},
            )
        ],
    )
    # WHEN a cycle runs
    _, curated = cycle(spark, settings, job_env.clients)
    # THEN curated holds the latest version per (hashed) key, the name redacted, no phone column
    assert curated.outcome(customers).status == report.PROCESSED
    rows = {row["customer_id"]: row.asDict() for row in rows_of(spark, CURATED, customers)}
    assert set(rows) == {_hash(key, "c1"), _hash(key, "c2")}
    latest = rows[_hash(key, "c1")]
    assert (latest["message_id"], latest["credit"], latest["name"]) == ("m2", Decimal("2.50"), "[redacted]")
    assert latest["email"] == _hash(key, "zoë@example.com")
    assert rows[_hash(key, "c2")]["name"] is None  # absent stays absent
    assert rows[_hash(key, "c2")]["email"] == _hash(key, "名前@例え.jp")
    assert "phone" not in latest
    assert not any(
        "Zoë" in str(value) or "+33" in str(value) for row in rows.values() for value in row.values()
    )
    # AND the same customer id hashes the same in the other topic: the topics still join
    (order_row,) = rows_of(spark, CURATED, orders)
    assert order_row["customer_id"] == _hash(key, "c1")
    # AND the failed record is in curated errors as received (not for analysts: schemas/tables.json)
    (error,) = rows_of(spark, CURATED_ERRORS, customers)
    assert error["message_id"] == "m4"
    assert "bad@example.com" in error["payload"]
    # WHEN a newer version of c1 arrives in a later cycle
    append_raw(
        spark,
        customers,
        [envelope(customers, "m5", _customer("c1", "new@example.com", "9.99", "2026-03-01T12:00:00Z"), 60)],
    )
    cycle(spark, settings, job_env.clients)
    # THEN it replaces the kept version of the same hashed key (no second c1 row)
    rows = {row["customer_id"]: row.asDict() for row in rows_of(spark, CURATED, customers)}
    assert set(rows) == {_hash(key, "c1"), _hash(key, "c2")}
    assert (rows[_hash(key, "c1")]["message_id"], rows[_hash(key, "c1")]["email"]) == (
        "m5",
        _hash(key, "new@example.com"),
    )


def test_a_hashed_field_without_a_pii_key_fails_its_topic_and_stores_nothing_in_clear(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN a contract that hashes a field, and a job run with no LEANOPS_PII_KEY_ID
    settings = job_env.with_topics(unique_name)
    job_env.put_contract(unique_name, _customers_contract(unique_name))
    append_raw(
        spark,
        unique_name,
        [envelope(unique_name, "m1", _customer("c1", "a@b.c", "1.00", "2026-03-01T10:00:00Z"))],
    )
    run(spark, "standardized", settings, job_env.clients)
    # WHEN curated runs
    with pytest.raises(TopicFailuresError) as raised:
        run(spark, CURATED, settings, job_env.clients)
    # THEN the topic fails naming the setting, and curated holds no row of it
    outcome = raised.value.report.outcome(unique_name)
    assert outcome.status == report.FAILED
    assert "LEANOPS_PII_KEY_ID" in outcome.message
    assert "customer_id, email" in outcome.message
    assert rows_of(spark, CURATED, unique_name) == []


def test_a_rebuild_masks_the_rows_curated_held_in_clear(
    spark: SparkSession, pii_env: tuple[JobEnvironment, bytes], unique_name: str
) -> None:
    job_env, key = pii_env
    # GIVEN customers curated in clear under a contract without pii
    clear = json.loads(_customers_contract(unique_name))
    for spec in clear["fields"].values():
        spec.pop("pii", None)
    job_env.put_contract(unique_name, json.dumps(clear))
    append_raw(
        spark,
        unique_name,
        [
            envelope(
                unique_name,
                "m1",
                _customer("c1", "zoë@example.com", "1.00", "2026-03-01T10:00:00Z", name="Zoë", phone="+33 6"),
            )
        ],
    )
    cycle(spark, job_env.with_topics(unique_name), job_env.clients)
    (before,) = rows_of(spark, CURATED, unique_name)
    assert (before["customer_id"], before["phone"]) == ("c1", "+33 6")
    # WHEN the contract gains its pii rules (a breaking change) and the topic is rebuilt
    job_env.put_contract(unique_name, _customers_contract(unique_name))
    rebuild = replace(job_env.with_topics(unique_name), rebuild_topics=(unique_name,))
    outcome = run(spark, CURATED, rebuild, job_env.clients).outcome(unique_name)
    # THEN the rows curated held are masked: hashed key and email, name redacted, no phone column
    assert outcome.status == report.REBUILT
    (after,) = [row.asDict() for row in rows_of(spark, CURATED, unique_name)]
    assert (after["customer_id"], after["email"], after["name"]) == (
        _hash(key, "c1"),
        _hash(key, "zoë@example.com"),
        "[redacted]",
    )
    assert "phone" not in after
