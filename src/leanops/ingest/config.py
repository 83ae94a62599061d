"""Settings of the ingest Lambdas, read from their environment (set by Terraform or the runner).

``LEANOPS_FIREHOSE_STREAMS`` (the stack's stream names, comma-separated) and
``LEANOPS_NAME_PREFIX`` (the stack's name prefix) are shared keys of :mod:`leanops.settings`; the
retry keys below are the ingest path's own. The environment holds no per-topic entry, so its size
does not grow with the topics (Lambda caps a function's environment at 4 KB, Lambda quotas): the
topic of a queue is derived from its name (:func:`leanops.naming.topic_of_queue_name`) and
validated against the topic-name rule, and the stream of a table is computed
(:func:`leanops.ingest.streams.stream_for`).

``LEANOPS_REPLAY_KEY_ID`` is the HMAC KMS key that signs DLQ replays (:mod:`leanops.ingest.envelope`):
Terraform sets the key id; unset, the key is found by its alias ``alias/<prefix>-replay``
(DescribeKey), as the local emulation does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leanops import definitions, naming, settings
from leanops.exceptions import TopicNameError
from leanops.ingest.envelope import replay_key_alias
from leanops.ingest.retry import DEFAULT_BASE_DELAY_SECONDS, DEFAULT_MAX_ATTEMPTS, RetryPolicy
from leanops.ingest.streams import stream_for

FIREHOSE_MAX_ATTEMPTS = "LEANOPS_FIREHOSE_MAX_ATTEMPTS"
FIREHOSE_BASE_DELAY_MS = "LEANOPS_FIREHOSE_BASE_DELAY_MS"
REPLAY_KEY_ID = "LEANOPS_REPLAY_KEY_ID"
_MS_PER_SECOND = 1000.0


def retry_policy(mapping: Mapping[str, str]) -> RetryPolicy:
    """Return the Firehose retry policy configured in ``mapping``.

    Raises:
        ConfigurationError: when a retry setting is not a valid number.
    """
    attempts = settings.whole_number(mapping, FIREHOSE_MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, minimum=1)
    default_ms = int(DEFAULT_BASE_DELAY_SECONDS * _MS_PER_SECOND)
    base_ms = settings.whole_number(mapping, FIREHOSE_BASE_DELAY_MS, default_ms, minimum=0)
    return RetryPolicy(max_attempts=attempts, base_delay_seconds=base_ms / _MS_PER_SECOND)


@dataclass(frozen=True)
class IngestSettings:
    """What an ingest Lambda needs: streams, name prefix, retry policy, the replay key."""

    firehose_streams: tuple[str, ...]
    name_prefix: str
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    replay_key: str = ""

    @property
    def replay_key_id(self) -> str:
        """Return the replay HMAC key as configured (key id), else its alias."""
        return self.replay_key or replay_key_alias(self.name_prefix)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> IngestSettings:
        """Build the settings from the Lambda's environment.

        Raises:
            ConfigurationError: naming the missing or invalid key.
        """
        return cls(
            firehose_streams=settings.name_list(mapping, settings.FIREHOSE_STREAMS, "stream"),
            name_prefix=settings.require(mapping, settings.NAME_PREFIX),
            retry=retry_policy(mapping),
            replay_key=mapping.get(REPLAY_KEY_ID, ""),
        )

    def _derive(self, queue_name: str, dlq: bool) -> tuple[str | None, str]:
        """Return (topic, "") for a queue of this stack, else (None, why not)."""
        candidate = naming.topic_of_queue_name(self.name_prefix, queue_name, dlq)
        if candidate is None:
            return None, ""
        try:
            return definitions.validate_topic_name(candidate), ""
        except TopicNameError as exc:
            return None, f": {exc}"

    def topic_of_queue(self, queue_name: str, dlq: bool = False) -> str | None:
        """Return the topic of one of the stack's queues (``dlq``: of its DLQs), or None."""
        return self._derive(queue_name, dlq)[0]

    def unknown_queue_reason(self, queue_name: str, dlq: bool = False) -> str:
        """Explain, for logs, that a queue is not one of the stack's topic queues (or DLQs)."""
        kind = "DLQ" if dlq else "topic queue"
        expected = naming.queue_name(self.name_prefix, "<topic>", dlq)
        problem = self._derive(queue_name, dlq)[1]
        return (
            f"queue {queue_name!r} is not a {kind} of this stack"
            f" ({settings.NAME_PREFIX}={self.name_prefix!r}: expected {expected!r}){problem}"
        )

    def stream_of_table(self, table: str) -> str:
        """Return the stream that carries the records of a RAW table (a topic, or dlq_errors)."""
        return stream_for(table, self.firehose_streams)
