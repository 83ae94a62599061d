"""Topic contracts in S3: ``{LEANOPS_CONTRACTS_URI}{topic}.json`` opens the schema gate.

A contract's version is the S3 object's ``VersionId`` as GetObject returns it (the schemas bucket
is versioned), else its ``ETag``: read from the same GetObject as the text, so it names exactly the
bytes that were parsed (the runtime alerts once per malformed version, not every cycle).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.exceptions import ClientError

from leanops.adapters.aws import S3_SERVICE
from leanops.contracts import CONTRACT_SUFFIX, Contract, parse_contract
from leanops.exceptions import ConfigurationError, ContractError
from leanops.settings import CONTRACTS_URI, DEFAULT_MAX_NESTING_DEPTH

logger = logging.getLogger(__name__)

S3_SCHEME = "s3"
MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
UNVERSIONED = "null"  # the VersionId S3 reports for an object written while versioning was off


@dataclass(frozen=True)
class LoadedContract:
    """A topic's contract as read once: the parsed contract or why it is malformed, and its version.

    Attributes:
        contract: the valid contract (None: absent or malformed).
        version: the object's VersionId, else its ETag (None: no object).
        error: why the object is not a valid contract (None: valid or absent).
    """

    contract: Contract | None = None
    version: str | None = None
    error: ContractError | None = None


def object_version(response: Mapping[str, Any]) -> str | None:
    """Return an S3 object's version as the jobs name it: its VersionId, else its ETag.

    Of a GetObject, HeadObject or PutObject response (None: neither).
    """
    version_id = response.get("VersionId")
    if version_id and version_id != UNVERSIONED:
        return str(version_id)
    etag = response.get("ETag")
    return str(etag) if etag else None


def split_s3_uri(uri: str) -> tuple[str, str]:
    """Split ``s3://bucket/prefix/`` into the bucket and the key prefix (ending with ``/`` or empty).

    Raises:
        ConfigurationError: when the URI is not an ``s3://bucket/...`` URI.

    """
    parsed = urlparse(uri)
    if parsed.scheme != S3_SCHEME or not parsed.netloc:
        raise ConfigurationError(CONTRACTS_URI, f"must be s3://bucket/prefix/, got {uri!r}")
    prefix = parsed.path.lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return parsed.netloc, prefix


class ContractStore:
    """Reads topic contracts from an S3 prefix."""

    def __init__(
        self, contracts_uri: str, s3_client: Any | None = None, max_depth: int = DEFAULT_MAX_NESTING_DEPTH
    ) -> None:
        """Open the store.

        Args:
            contracts_uri: ``s3://bucket/prefix/`` holding ``{topic}.json`` files.
            s3_client: a boto3 S3 client; created when None.
            max_depth: the flattening depth (LEANOPS_MAX_NESTING_DEPTH): a longer contract path is refused.

        """
        self.bucket, self.prefix = split_s3_uri(contracts_uri)
        self._s3 = s3_client or boto3.client(S3_SERVICE)
        self._max_depth = max_depth

    def uri_of(self, topic: str) -> str:
        """Return the S3 URI of a topic's contract."""
        return f"{S3_SCHEME}://{self.bucket}/{self.key_of(topic)}"

    def key_of(self, topic: str) -> str:
        """Return the S3 key of a topic's contract."""
        return f"{self.prefix}{topic}{CONTRACT_SUFFIX}"

    def load_versioned(self, topic: str) -> LoadedContract:
        """Load and validate a topic's contract, with the version of the object read.

        Raises:
            botocore.exceptions.ClientError: on an S3 failure other than a missing object.

        """
        try:
            response = self._s3.get_object(Bucket=self.bucket, Key=self.key_of(topic))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in MISSING_OBJECT_CODES:
                return LoadedContract()
            raise
        version = object_version(response)
        text = response["Body"].read()
        try:
            contract = parse_contract(
                text, source=self.uri_of(topic), expected_topic=topic, max_depth=self._max_depth
            )
        except ContractError as exc:
            return LoadedContract(version=version, error=exc)
        return LoadedContract(contract=contract, version=version)

    def load(self, topic: str) -> Contract | None:
        """Load and validate a topic's contract.

        Args:
            topic: the topic name.

        Returns:
            The contract, or None when the file does not exist (the schema gate is closed).

        Raises:
            ContractError: when the file exists but is malformed, naming its S3 URI.
            botocore.exceptions.ClientError: on any other S3 failure (access denied, ...).

        """
        loaded = self.load_versioned(topic)
        if loaded.error is not None:
            raise loaded.error
        return loaded.contract
