"""The boto3 clients a job run uses, created once per run and only when not injected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3

S3_SERVICE = "s3"
DYNAMODB_SERVICE = "dynamodb"
SNS_SERVICE = "sns"
KMS_SERVICE = "kms"


@dataclass
class AwsClients:
    """boto3 clients of one job run (tests and the local runner inject theirs).

    Attributes:
        s3: client of the contract store.
        dynamodb: client of the checkpoint and lock tables.
        sns: client of the alert topic.
        kms: client of the PII key derivation (leanops.adapters.pii_key).

    """

    s3: Any | None = None
    dynamodb: Any | None = None
    sns: Any | None = None
    kms: Any | None = None

    def completed(self) -> AwsClients:
        """Return a copy where every missing client is created with boto3's default chain.

        ``AWS_ENDPOINT_URL`` (moto locally) and the region come from the environment, so the
        same code runs in Glue and on the local runner.
        """
        return AwsClients(
            s3=self.s3 or boto3.client(S3_SERVICE),
            dynamodb=self.dynamodb or boto3.client(DYNAMODB_SERVICE),
            sns=self.sns or boto3.client(SNS_SERVICE),
            kms=self.kms or boto3.client(KMS_SERVICE),
        )
