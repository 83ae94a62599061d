"""Run-time settings of the Lambdas and Glue jobs, from one mapping of named keys.

In AWS, Terraform sets these as Lambda environment variables and as Glue job arguments
(``--LEANOPS_TOPICS orders,payments``); locally the runner passes the same keys. Only
configuration differs between the two places: no code asks "am I local".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from leanops.exceptions import ConfigurationError

# The ingest Lambdas' stream names (comma-separated: the stack's firehose_stream_count streams) and
# the stack's name prefix, from which they derive a queue's topic (leanops.naming.queue_name).
FIREHOSE_STREAMS = "LEANOPS_FIREHOSE_STREAMS"
NAME_PREFIX = "LEANOPS_NAME_PREFIX"
CONTRACTS_URI = "LEANOPS_CONTRACTS_URI"
CHECKPOINT_TABLE = "LEANOPS_CHECKPOINT_TABLE"
LOCK_TABLE = "LEANOPS_LOCK_TABLE"
TOPICS = "LEANOPS_TOPICS"
ALERT_TOPIC_ARN = "LEANOPS_ALERT_TOPIC_ARN"
LOCK_TTL_SECONDS = "LEANOPS_LOCK_TTL_SECONDS"
MAX_FIELDS_PER_MESSAGE = "LEANOPS_MAX_FIELDS_PER_MESSAGE"
MAX_NESTING_DEPTH = "LEANOPS_MAX_NESTING_DEPTH"
RUN_ID = "LEANOPS_RUN_ID"
# The drift log's window: a field with no value in the messages sent in the last N days (before
# the topic's newest message) is "vanished" (leanops.transforms.drift).
DRIFT_VANISH_DAYS = "LEANOPS_DRIFT_VANISH_DAYS"
# The curated job: topics to rebuild from the whole standardized table in this run (comma list,
# a subset of LEANOPS_TOPICS; optional, given by hand: modules/processing/README.md).
REBUILD_TOPICS = "LEANOPS_REBUILD_TOPICS"
# The stack's PII HMAC KMS key (id, ARN or alias; modules/storage): the curated job derives the key
# of contract fields with ``pii: hash`` from it (leanops.adapters.pii_key).
PII_KEY_ID = "LEANOPS_PII_KEY_ID"
# IAM principals (comma list of role/user ARNs) the curated job grants Lake Formation SELECT and
# DESCRIBE on each analyst-readable per-topic table it creates (Terraform's analysts when
# enable_lake_formation_grants; modules/analytics/lake_formation.tf).
ANALYST_PRINCIPALS = "LEANOPS_ANALYST_PRINCIPALS"

# The rule of modules/analytics' lake_formation_principals validation (grants go to IAM principals).
IAM_PRINCIPAL_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+")
DEFAULT_LOCK_TTL_SECONDS = 3600
DEFAULT_MAX_FIELDS_PER_MESSAGE = 1000
DEFAULT_MAX_NESTING_DEPTH = 32
DEFAULT_DRIFT_VANISH_DAYS = 7


def whole_number(mapping: Mapping[str, str], key: str, default: int, minimum: int = 1) -> int:
    """Return an integer setting, ``default`` when unset.

    Raises:
        ConfigurationError: naming the key when the value is not a whole number or is below
            ``minimum``.
    """
    raw = mapping.get(key)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise ConfigurationError(key, f"must be a whole number, got {raw!r}") from exc
    if value < minimum:
        rule = {0: "must not be negative", 1: "must be positive"}.get(minimum, f"must be at least {minimum}")
        raise ConfigurationError(key, f"{rule}, got {value}")
    return value


def require(mapping: Mapping[str, str], key: str) -> str:
    """Return a required setting.

    Raises:
        ConfigurationError: when it is missing or empty.
    """
    value = mapping.get(key)
    if not value:
        raise ConfigurationError(key, "is required but not set")
    return str(value)


def name_list(mapping: Mapping[str, str], key: str, what: str) -> tuple[str, ...]:
    """Return a required comma-separated list of names (spaces around names ignored).

    Args:
        mapping: the settings.
        key: the setting's key.
        what: what one name is, for the error message ("topic", "stream").

    Raises:
        ConfigurationError: when the setting is missing, names nothing, or names one twice.
    """
    names = tuple(name.strip() for name in require(mapping, key).split(",") if name.strip())
    if not names:
        raise ConfigurationError(key, f"names no {what}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigurationError(key, f"names {what}(s) {', '.join(repeated)} more than once")
    return names


def optional_name_list(mapping: Mapping[str, str], key: str, what: str) -> tuple[str, ...]:
    """Return an optional comma-separated list of names (empty when unset or blank; else as name_list)."""
    if not str(mapping.get(key) or "").strip():
        return ()
    return name_list(mapping, key, what)


@dataclass(frozen=True)
class JobSettings:
    """What a Glue job run needs: its topics, where contracts and checkpoints live."""

    topics: tuple[str, ...]
    contracts_uri: str
    checkpoint_table: str
    lock_table: str
    alert_topic_arn: str | None = None
    lock_ttl_seconds: int = DEFAULT_LOCK_TTL_SECONDS
    max_fields_per_message: int = DEFAULT_MAX_FIELDS_PER_MESSAGE
    max_nesting_depth: int = DEFAULT_MAX_NESTING_DEPTH
    drift_vanish_days: int = DEFAULT_DRIFT_VANISH_DAYS
    run_id: str | None = None
    pii_key_id: str | None = None
    analyst_principals: tuple[str, ...] = ()
    rebuild_topics: tuple[str, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> JobSettings:
        """Build the settings from environment variables or job arguments.

        Raises:
            ConfigurationError: naming the missing or invalid key.
        """
        return cls(
            topics=name_list(mapping, TOPICS, "topic"),
            contracts_uri=require(mapping, CONTRACTS_URI).rstrip("/") + "/",
            checkpoint_table=require(mapping, CHECKPOINT_TABLE),
            lock_table=require(mapping, LOCK_TABLE),
            alert_topic_arn=mapping.get(ALERT_TOPIC_ARN) or None,
            lock_ttl_seconds=whole_number(mapping, LOCK_TTL_SECONDS, DEFAULT_LOCK_TTL_SECONDS),
            max_fields_per_message=whole_number(
                mapping, MAX_FIELDS_PER_MESSAGE, DEFAULT_MAX_FIELDS_PER_MESSAGE
            ),
            max_nesting_depth=whole_number(mapping, MAX_NESTING_DEPTH, DEFAULT_MAX_NESTING_DEPTH),
            drift_vanish_days=whole_number(mapping, DRIFT_VANISH_DAYS, DEFAULT_DRIFT_VANISH_DAYS),
            run_id=mapping.get(RUN_ID) or None,
            rebuild_topics=_rebuild_topics(mapping),
            pii_key_id=mapping.get(PII_KEY_ID) or None,
            analyst_principals=_analyst_principals(mapping),
        )


def _analyst_principals(mapping: Mapping[str, str]) -> tuple[str, ...]:
    """Return LEANOPS_ANALYST_PRINCIPALS (empty when unset).

    Raises:
        ConfigurationError: when an entry is not an IAM role or user ARN, or one repeats.
    """
    principals = optional_name_list(mapping, ANALYST_PRINCIPALS, "principal")
    wrong = [arn for arn in principals if not IAM_PRINCIPAL_ARN.fullmatch(arn)]
    if wrong:
        raise ConfigurationError(ANALYST_PRINCIPALS, f"{', '.join(wrong)}: not an IAM role or user ARN")
    return principals


def _rebuild_topics(mapping: Mapping[str, str]) -> tuple[str, ...]:
    """Return LEANOPS_REBUILD_TOPICS (empty when unset).

    Raises:
        ConfigurationError: when it names a topic LEANOPS_TOPICS does not, or one twice.
    """
    rebuild = optional_name_list(mapping, REBUILD_TOPICS, "topic")
    if not rebuild:
        return ()
    topics = name_list(mapping, TOPICS, "topic")
    outside = [topic for topic in rebuild if topic not in topics]
    if outside:
        raise ConfigurationError(REBUILD_TOPICS, f"names topic(s) {', '.join(outside)} not in {TOPICS}")
    return rebuild
