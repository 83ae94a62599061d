"""Personal data in curated: every contract field's ``pii`` rule applied to curated rows. Pure.

Built-in Spark functions only (no Python UDF). Applied to valid, converted rows (the latest per
key), so a masked field has been validated like any other, and a hashed key still meets its
other versions (equal values, equal hashes):

  * ``hash``: ``HMAC-SHA256(key, canonical text of the typed value)`` as lowercase hex, a
    ``string`` column; NULL stays NULL. The key is one per stack (leanops.adapters.pii_key derives
    it once per run from the stack's KMS HMAC key) and the same in every topic and run, so a
    hashed value stays joinable across topics.
  * ``redact``: the text ``[redacted]`` for a ``string`` field, NULL for every other type (NULL
    stays NULL: a redacted optional field still tells present from absent).
  * ``drop``: no column.

Canonical text (what is hashed, UTF-8): ``string`` as is; ``int``/``long`` in decimal digits;
``decimal`` in plain notation without trailing fractional zeros (``"12.30"`` and ``12.3`` in a
``decimal(12,2)`` both hash ``12.3``; ``12.00`` hashes ``12``, like the int 12); ``double`` as
Spark (Java's ``Double.toString``) prints it (``12.0``, ``1.0E10``); ``boolean`` ``true`` /
``false``; ``date`` ``yyyy-MM-dd``; ``timestamp`` the UTC instant ``yyyy-MM-ddTHH:mm:ss.ffffffZ``,
computed from its epoch microseconds, so it does not depend on the session time zone.

HMAC (RFC 2104; FIPS 198-1) over SHA-256 (block size 64 bytes):
``H((K ^ opad) || H((K ^ ipad) || message))``, K padded with zeros to the block (a key longer
than the block is first hashed). ``sha2`` gives hex and ``unhex`` its bytes; ``concat`` joins
binary values. The two padded keys are computed here in Python and enter the plan as the data of
a one-row DataFrame joined to the rows, never as literals: a literal would print (hence log) the
key in every plan string (``explain``, the Spark UI, a failed query's message).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from leanops.contracts import PII_DROP, PII_HASH, PII_REDACT, Contract, FieldSpec
from leanops.exceptions import ConfigurationError
from leanops.settings import PII_KEY_ID

REDACTED = "[redacted]"
HMAC_BLOCK_BYTES = 64  # SHA-256's block size (FIPS 180-4), B in RFC 2104
SHA256_BITS = 256
_INNER_PAD = 0x36  # RFC 2104 ipad byte
_OUTER_PAD = 0x5C  # RFC 2104 opad byte
_INNER_KEY = "_leanops_pii_inner_key"
_OUTER_KEY = "_leanops_pii_outer_key"
_PADS_SCHEMA = T.StructType(
    [T.StructField(_INNER_KEY, T.BinaryType(), False), T.StructField(_OUTER_KEY, T.BinaryType(), False)]
)
_MICROS_PER_DAY = 86_400_000_000
_MICROS_PER_HOUR = 3_600_000_000
_MICROS_PER_MINUTE = 60_000_000
_MICROS_PER_SECOND = 1_000_000
_EPOCH_DAY = "1970-01-01"
_DAYS_TYPE = "decimal(20,0)"  # exact integer division of epoch microseconds (no double rounding)

HmacKey = Callable[[], bytes]


def key_pads(key: bytes) -> tuple[bytes, bytes]:
    """Return RFC 2104's ``K ^ ipad`` and ``K ^ opad`` for SHA-256 (64 bytes each).

    Raises:
        ValueError: for an empty key.
    """
    if not key:
        raise ValueError("the HMAC key is empty")
    block_key = hashlib.sha256(key).digest() if len(key) > HMAC_BLOCK_BYTES else key
    padded = block_key.ljust(HMAC_BLOCK_BYTES, b"\0")
    return bytes(byte ^ _INNER_PAD for byte in padded), bytes(byte ^ _OUTER_PAD for byte in padded)


def hmac_sha256_hex(message: Column, inner_key: Column, outer_key: Column) -> Column:
    """Return HMAC-SHA256 of binary ``message`` as lowercase hex, from the padded keys (key_pads)."""
    inner = F.unhex(F.sha2(F.concat(inner_key, message), SHA256_BITS))
    return F.sha2(F.concat(outer_key, inner), SHA256_BITS)


def _two_digits(value: Column, width: int = 2) -> Column:
    return F.lpad(value.cast(T.StringType()), width, "0")


def _utc_text(timestamp: Column) -> Column:
    """Return ``yyyy-MM-ddTHH:mm:ss.ffffffZ`` of the instant, in UTC whatever the session zone."""
    micros = F.unix_micros(timestamp)
    of_day = F.pmod(micros, F.lit(_MICROS_PER_DAY))
    days = F.floor(micros.cast(_DAYS_TYPE) / F.lit(_MICROS_PER_DAY).cast(_DAYS_TYPE)).cast(T.IntegerType())
    day = F.date_add(F.lit(_EPOCH_DAY).cast(T.DateType()), days)
    hours = F.floor(of_day / F.lit(_MICROS_PER_HOUR))
    minutes = F.floor(F.pmod(of_day, F.lit(_MICROS_PER_HOUR)) / F.lit(_MICROS_PER_MINUTE))
    seconds = F.floor(F.pmod(of_day, F.lit(_MICROS_PER_MINUTE)) / F.lit(_MICROS_PER_SECOND))
    fraction = F.pmod(of_day, F.lit(_MICROS_PER_SECOND))
    return F.concat(
        day.cast(T.StringType()),
        F.lit("T"),
        _two_digits(hours),
        F.lit(":"),
        _two_digits(minutes),
        F.lit(":"),
        _two_digits(seconds),
        F.lit("."),
        _two_digits(fraction, 6),
        F.lit("Z"),
    )


def _plain_decimal(value: Column) -> Column:
    """Return a decimal's plain text without trailing fractional zeros (``12.30`` -> ``12.3``)."""
    text = value.cast(T.StringType())
    trimmed = F.regexp_replace(text, r"(\.[0-9]*?)0+\z", "$1")
    return F.regexp_replace(trimmed, r"\.\z", "")


def canonical_text(value: Column, spec: FieldSpec) -> Column:
    """Return the text of a typed value that ``hash`` hashes (see the module docstring)."""
    if spec.type == "string":
        return value
    if spec.type == "decimal":
        return _plain_decimal(value)
    if spec.type == "timestamp":
        return _utc_text(value)
    return value.cast(T.StringType())


def _masked(spec: FieldSpec, value: Column) -> Column:
    if spec.pii == PII_HASH:
        message = canonical_text(value, spec).cast(T.BinaryType())
        return hmac_sha256_hex(message, F.col(_INNER_KEY), F.col(_OUTER_KEY))
    if spec.pii == PII_REDACT:
        marker = F.lit(REDACTED) if spec.type == "string" else F.lit(None)
        return F.when(value.isNotNull(), marker).cast(spec.spark_type)
    return value


def apply_pii(frame: DataFrame, contract: Contract, hmac_key: HmacKey | None) -> DataFrame:
    """Mask the contract fields of curated rows by their ``pii`` rules; other columns unchanged.

    Args:
        frame: valid converted rows (typed contract columns named as the fields).
        contract: the topic's contract.
        hmac_key: returns the stack's HMAC key (called only when a field is hashed, once).

    Returns:
        The same columns in the same order, a hashed field as lowercase hex text, a redacted one
        as the marker or NULL, a dropped one left out.

    Raises:
        ConfigurationError: when a field is hashed and no key is configured (never stored in clear).
    """
    rules = {spec.name: spec for spec in contract.masked_fields}
    if not rules:
        return frame
    hashed = sorted(name for name, spec in rules.items() if spec.pii == PII_HASH)
    source = frame
    if hashed:
        if hmac_key is None:
            raise ConfigurationError(
                PII_KEY_ID,
                f"topic {contract.topic} hashes field(s) {', '.join(hashed)} (pii: hash) but the job "
                "has no PII key: set it to the stack's PII HMAC key (modules/storage)",
            )
        inner, outer = key_pads(hmac_key())
        pads = frame.sparkSession.createDataFrame([(bytearray(inner), bytearray(outer))], _PADS_SCHEMA)
        source = frame.crossJoin(F.broadcast(pads))
    columns = [
        _masked(rules[name], F.col(name)).alias(name) if name in rules else F.col(name)
        for name in frame.columns
        if name not in rules or rules[name].pii != PII_DROP
    ]
    return source.select(*columns)
