"""Only a real replay keeps an original id: sqs_processor's trust decision on a fake KMS."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError

from leanops.ingest.envelope import build_envelope, encode_mac, replay_mac_message
from leanops.ingest.replay_trust import trusted_replays

RecordFactory = Callable[..., SQSRecord]
SECRET = b"test-only-hmac-key"
INGESTED = datetime(2026, 1, 1, 10, 0, 1, tzinfo=UTC)
BODY = '{"order_id":"o-1"}'


class FakeKms:
    """HMAC-SHA-256 with a test key; ``error`` makes VerifyMac fail with that code."""

    def __init__(self, error: str = "") -> None:
        self.error = error
        self.verified = 0

    def generate_mac(self, *, Message: bytes, KeyId: str, MacAlgorithm: str) -> Mapping[str, Any]:
        return {"Mac": hmac.new(SECRET, Message, hashlib.sha256).digest(), "KeyId": KeyId}

    def verify_mac(self, *, Message: bytes, KeyId: str, MacAlgorithm: str, Mac: bytes) -> Mapping[str, Any]:
        self.verified += 1
        expected = hmac.new(SECRET, Message, hashlib.sha256).digest()
        code = self.error or ("" if hmac.compare_digest(expected, Mac) else "KMSInvalidMacException")
        if code:
            raise ClientError({"Error": {"Code": code, "Message": code}}, "VerifyMac")
        return {"MacValid": True}

    def describe_key(self, *, KeyId: str) -> Mapping[str, Any]:
        return {"KeyMetadata": {"KeyId": "key-1"}}


def _attributes(original: str, mac: bytes | None, sent: str = "1767000000000") -> dict[str, Any]:
    attributes = {
        "leanops_original_message_id": {"DataType": "String", "StringValue": original},
        "leanops_original_sent_at": {"DataType": "Number", "StringValue": sent},
    }
    if mac is not None:
        attributes["leanops_replay_mac"] = {"DataType": "String", "StringValue": encode_mac(mac)}
    return attributes


def _signed(topic: str, original: str, body: str, sent: str = "1767000000000") -> bytes:
    return bytes(
        FakeKms().generate_mac(
            Message=replay_mac_message(topic, original, sent, body), KeyId="k", MacAlgorithm=""
        )["Mac"]
    )


def test_a_signed_replay_keeps_the_original_id_and_a_forged_one_its_own(make_record: RecordFactory) -> None:
    # GIVEN a genuine replay, and forgeries: no MAC, a MAC for another topic, for another body,
    # for another id, and a plain message
    records = {
        "signed": make_record(
            BODY, "signed", message_attributes=_attributes("orig", _signed("orders", "orig", BODY))
        ),
        "no-mac": make_record(BODY, "no-mac", message_attributes=_attributes("orig", None)),
        "other-topic": make_record(
            BODY, "other-topic", message_attributes=_attributes("orig", _signed("payments", "orig", BODY))
        ),
        "other-body": make_record(
            '{"x":1}', "other-body", message_attributes=_attributes("orig", _signed("orders", "orig", BODY))
        ),
        "other-id": make_record(
            BODY, "other-id", message_attributes=_attributes("victim", _signed("orders", "orig", BODY))
        ),
        "plain": make_record(BODY, "plain"),
    }
    kms = FakeKms()
    # WHEN sqs_processor decides whom to trust
    trusted, failures = trusted_replays(
        [(r, "orders") for r in records.values()], kms, "alias/leanops-dev-replay"
    )
    # THEN only the genuine replay keeps "orig"; the others keep their own ids; nothing fails
    assert trusted == {"signed"} and failures == {}
    assert kms.verified == 4  # one VerifyMac per replay carrying a MAC, none for a plain message
    ids = {
        name: build_envelope(r, "orders", INGESTED, name in trusted)["message_id"]
        for name, r in records.items()
    }
    assert ids == {"signed": "orig", **{name: name for name in records if name != "signed"}}
    forged = build_envelope(records["no-mac"], "orders", INGESTED, trusted_replay=False)
    assert forged["replayed_at"] is None and forged["sent_at"] == "2026-01-01T10:00:00.123000Z"


def test_a_kms_error_a_retry_may_fix_fails_the_replay_alone(make_record: RecordFactory) -> None:
    replay = make_record(BODY, "r-1", message_attributes=_attributes("orig", _signed("orders", "orig", BODY)))
    plain = make_record(BODY, "p-1")
    trusted, failures = trusted_replays(
        [(replay, "orders"), (plain, "orders")], FakeKms("ThrottlingException"), "k"
    )
    assert trusted == set()
    assert list(failures) == ["r-1"] and "VerifyMac failed, will retry" in failures["r-1"]


def test_without_a_kms_client_a_replay_is_kept_as_a_new_message(make_record: RecordFactory) -> None:
    replay = make_record(BODY, "r-1", message_attributes=_attributes("orig", _signed("orders", "orig", BODY)))
    assert trusted_replays([(replay, "orders")], None, "k") == (set(), {})
