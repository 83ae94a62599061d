"""The key of pii hash fields: one GenerateMac per run over a fixed message, stable, never shown."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from leanops.adapters.pii_key import DERIVATION_MESSAGE, MAC_ALGORITHM, PiiKey, pii_key_alias
from leanops.exceptions import ConfigurationError
from leanops.local.config import ResourceNames
from leanops.local.provision import ensure_pii_key, ensure_replay_key

REGION = "eu-west-1"
PREFIX = "leanops-dev"


class CountingKms:
    """A boto3 KMS client that counts GenerateMac calls."""

    def __init__(self, kms: Any) -> None:
        self.kms = kms
        self.generate_mac_calls = 0

    def generate_mac(self, **kwargs: Any) -> Any:
        self.generate_mac_calls += 1
        return self.kms.generate_mac(**kwargs)

    def describe_key(self, **kwargs: Any) -> Any:
        return self.kms.describe_key(**kwargs)


@pytest.fixture
def kms(aws: None) -> Any:
    return boto3.client("kms", region_name=REGION)


def test_the_key_is_derived_once_per_run_and_is_the_same_in_every_run(kms: Any) -> None:
    # GIVEN the stack's PII key, provisioned as locally (idempotent)
    key_id = ensure_pii_key(kms, ResourceNames(PREFIX))
    assert ensure_pii_key(kms, ResourceNames(PREFIX)) == key_id
    counting = CountingKms(kms)
    # WHEN one run asks for the key many times, and another run once
    run = PiiKey(pii_key_alias(PREFIX), counting)
    first = [run() for _ in range(5)]
    other_run = PiiKey(pii_key_alias(PREFIX), counting)()
    # THEN one GenerateMac per run, 32 bytes, the same in both runs (hashes stay joinable)
    assert counting.generate_mac_calls == 2
    assert len(first[0]) == 32
    assert set(first) == {other_run}
    # AND it is GenerateMac over the fixed, versioned message
    expected = kms.generate_mac(Message=DERIVATION_MESSAGE, KeyId=key_id, MacAlgorithm=MAC_ALGORITHM)["Mac"]
    assert other_run == expected


def test_the_pii_key_is_not_the_replay_key(kms: Any) -> None:
    names = ResourceNames(PREFIX)
    assert ensure_pii_key(kms, names) != ensure_replay_key(kms, names)


def test_the_derived_key_never_shows_in_a_repr(kms: Any) -> None:
    ensure_pii_key(kms, ResourceNames(PREFIX))
    key = PiiKey(pii_key_alias(PREFIX), kms)
    material = key()
    shown = repr(key)
    assert material.hex() not in shown
    assert repr(material) not in shown
    assert pii_key_alias(PREFIX) in shown


def test_a_missing_or_unusable_key_is_a_one_line_configuration_error(kms: Any) -> None:
    with pytest.raises(ConfigurationError, match="LEANOPS_PII_KEY_ID: is required"):
        PiiKey(None, kms)()
    with pytest.raises(ConfigurationError) as raised:
        PiiKey("alias/leanops-dev-absent", kms)()
    assert "LEANOPS_PII_KEY_ID" in str(raised.value)
    assert "NotFoundException" in str(raised.value)
    assert "\n" not in str(raised.value)
