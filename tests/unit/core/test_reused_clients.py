"""A Lambda execution environment reuses its boto3 clients across invocations (leanops.adapters.aws)."""

from __future__ import annotations

import pytest

from leanops.adapters.aws import FIREHOSE_SERVICE, KMS_SERVICE, reused_client


@pytest.fixture(autouse=True)
def _region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_FIREHOSE", raising=False)


def test_invocations_in_one_environment_share_one_client_per_service() -> None:
    # GIVEN one execution environment WHEN two invocations ask for their clients
    first, second = reused_client(FIREHOSE_SERVICE), reused_client(FIREHOSE_SERVICE)
    # THEN they get the same client, and each service its own
    assert first is second
    assert reused_client(KMS_SERVICE) is not first
    assert first.meta.service_model.service_name == FIREHOSE_SERVICE


def test_a_changed_endpoint_or_identity_gets_a_new_client_never_a_stale_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = reused_client(FIREHOSE_SERVICE)
    # GIVEN the service's endpoint changes (the local Firehose endpoint of another run)
    monkeypatch.setenv("AWS_ENDPOINT_URL_FIREHOSE", "http://127.0.0.1:4599")
    moved = reused_client(FIREHOSE_SERVICE)
    # THEN the client is a new one, on the new endpoint
    assert moved is not before
    assert moved.meta.endpoint_url == "http://127.0.0.1:4599"
    # and other credentials make another client too
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "other")
    assert reused_client(FIREHOSE_SERVICE) is not moved
