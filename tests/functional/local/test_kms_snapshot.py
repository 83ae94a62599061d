"""The local state snapshot keeps moto's KMS keys: a replay signed in one command verifies in the next."""

from __future__ import annotations

from pathlib import Path

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.kms.models import kms_backends

from leanops.local.aws import load_snapshot, save_snapshot

REGION = "eu-west-1"


def test_kms_keys_survive_the_snapshot(tmp_path: Path) -> None:
    with mock_aws():
        # GIVEN an HMAC key (the replay key) and an RSA key, and a MAC made before the snapshot
        kms = boto3.client("kms", region_name=REGION)
        hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
        rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        mac = kms.generate_mac(Message=b"orders|m-1", KeyId=hmac_key, MacAlgorithm="HMAC_SHA_256")["Mac"]
        signature = kms.sign(
            KeyId=rsa_key, Message=b"m", MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256"
        )["Signature"]
        # WHEN the state is saved, moto's KMS is emptied (a new command) and the state restored
        save_snapshot(tmp_path / "state.pickle")
        kms_backends[DEFAULT_ACCOUNT_ID][REGION].reset()
        assert load_snapshot(tmp_path / "state.pickle")
        # THEN both keys are there and still verify what was made with them before
        assert kms.verify_mac(Message=b"orders|m-1", KeyId=hmac_key, MacAlgorithm="HMAC_SHA_256", Mac=mac)[
            "MacValid"
        ]
        assert kms.verify(
            KeyId=rsa_key,
            Message=b"m",
            MessageType="RAW",
            Signature=signature,
            SigningAlgorithm="RSASSA_PSS_SHA_256",
        )["SignatureValid"]
