"""The key of ``pii: hash`` fields, derived once per run from the stack's PII HMAC KMS key.

KMS never releases an HMAC key's material; GenerateMac returns the standard, raw HMAC of RFC 2104
over a message of at most 4,096 bytes, and "you can also use the raw result to implement
HMAC-based algorithms such as key derivation functions" (AWS KMS API Reference, "GenerateMac").
The curated job's hashing key is therefore ``GenerateMac(pii key, "leanops/pii-hash/v1",
HMAC_SHA_256)``: 32 bytes, one KMS call per run, the same in every run, job and topic while the
KMS key is the same (HMAC KMS keys are never rotated automatically: AWS KMS API Reference,
"EnableKeyRotation"), so a hashed value stays joinable. A new message version (``v2``) or a new
key gives every hash anew: that is a rebuild of every topic with hashed fields.

The derived key lives in this object's memory only: never logged, never in a repr, never in a
Spark plan (leanops.transforms.mask joins it as data). It is a separate KMS key from the replay
key (modules/storage), so the curated role, which may call GenerateMac on it, cannot sign replays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from leanops.exceptions import ConfigurationError
from leanops.settings import PII_KEY_ID

# The fixed, versioned message the hashing key is derived from (never change it in place).
DERIVATION_MESSAGE = b"leanops/pii-hash/v1"
# GenerateMac's MacAlgorithm for a key of KeySpec HMAC_256 (AWS KMS API Reference, "GenerateMac").
MAC_ALGORITHM = "HMAC_SHA_256"
ALIAS_PREFIX = "alias/"
_ALIAS_IN_ARN = ":alias/"


def pii_key_alias(name_prefix: str) -> str:
    """Return the alias of the stack's PII HMAC key (modules/storage, local provisioning)."""
    return f"{ALIAS_PREFIX}{name_prefix}-pii"


@dataclass
class PiiKey:
    """The stack's PII hashing key, derived on first use and kept for the rest of the run.

    Attributes:
        key_id: the PII HMAC KMS key (id, ARN or alias); None: no key configured.
        kms: a boto3 KMS client (created by the caller; only called on first use).
    """

    key_id: str | None
    kms: Any = field(default=None, repr=False)
    _material: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def configured(self) -> bool:
        """True when a key id is set."""
        return bool(self.key_id)

    def __call__(self) -> bytes:
        """Return the hashing key, calling GenerateMac once per instance.

        Raises:
            ConfigurationError: naming LEANOPS_PII_KEY_ID when no key is set or KMS refuses it.
        """
        if self._material is None:
            self._material = self._derive()
        return self._material

    def _derive(self) -> bytes:
        if not self.key_id:
            raise ConfigurationError(PII_KEY_ID, "is required to hash pii fields but not set")
        if self.kms is None:
            raise ConfigurationError(PII_KEY_ID, "no KMS client to derive the PII key with")
        try:
            key_id = self._resolved()
            response = self.kms.generate_mac(
                Message=DERIVATION_MESSAGE, KeyId=key_id, MacAlgorithm=MAC_ALGORITHM
            )
        except (ClientError, BotoCoreError) as exc:
            raise ConfigurationError(
                PII_KEY_ID, f"KMS GenerateMac on {self.key_id} failed: {_error_code(exc)}"
            ) from None  # the cause may echo the request; the message names the key and the code
        return bytes(response["Mac"])

    def _resolved(self) -> str:
        """Return the key id of an alias (DescribeKey), an id or ARN as is."""
        key = str(self.key_id)
        if key.startswith(ALIAS_PREFIX) or _ALIAS_IN_ARN in key:
            return str(self.kms.describe_key(KeyId=key)["KeyMetadata"]["KeyId"])
        return key


def _error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'ClientError')}: {error.get('Message', '')}".strip()
    return type(exc).__name__
