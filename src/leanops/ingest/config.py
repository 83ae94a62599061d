"""Settings of the ingest Lambdas, read from their environment (set by Terraform or the runner).

``LEANOPS_FIREHOSE_STREAM`` and ``LEANOPS_QUEUE_TOPICS`` are the shared keys of
:mod:`leanops.settings`; the retry keys below are the ingest path's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leanops import definitions, settings
from leanops.exceptions import ConfigurationError, TopicNameError
from leanops.ingest.retry import DEFAULT_BASE_DELAY_SECONDS, DEFAULT_MAX_ATTEMPTS, RetryPolicy

FIREHOSE_MAX_ATTEMPTS = "LEANOPS_FIREHOSE_MAX_ATTEMPTS"
FIREHOSE_BASE_DELAY_MS = "LEANOPS_FIREHOSE_BASE_DELAY_MS"
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


def _validated_topics(queue_topics: Mapping[str, str]) -> dict[str, str]:
    for queue, topic in queue_topics.items():
        try:
            definitions.validate_topic_name(topic)
        except TopicNameError as exc:
            raise ConfigurationError(settings.QUEUE_TOPICS, f"queue {queue!r}: {exc}") from exc
    return dict(queue_topics)


@dataclass(frozen=True)
class IngestSettings:
    """What an ingest Lambda needs: its Firehose stream, queue -> topic, and retry policy."""

    firehose_stream: str
    queue_topics: Mapping[str, str]
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> IngestSettings:
        """Build the settings from the Lambda's environment.

        Raises:
            ConfigurationError: naming the missing or invalid key.
        """
        return cls(
            firehose_stream=settings.require(mapping, settings.FIREHOSE_STREAM),
            queue_topics=_validated_topics(settings.queue_topics(mapping)),
            retry=retry_policy(mapping),
        )

    def topic_of_queue(self, queue_name: str) -> str | None:
        """Return the topic of a queue, or None when the queue is not configured."""
        return self.queue_topics.get(queue_name)

    def unknown_queue_reason(self, queue_name: str) -> str:
        """Explain, for logs, that a queue has no topic."""
        known = ", ".join(sorted(self.queue_topics)) or "none"
        return f"queue {queue_name!r} has no topic in {settings.QUEUE_TOPICS} (configured queues: {known})"
