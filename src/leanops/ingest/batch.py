"""Batch bookkeeping shared by sqs_processor and dlq_archiver: partial failures per SQS message.

Semantics when every record fails: :meth:`BatchOutcome.response` raises
:class:`BatchFailedError` (powertools' ``BatchProcessor`` semantics, STYLE.md §2.2) instead of
returning every id. The outcome for the messages is the same (SQS makes them visible again),
but a failed invocation shows in the Lambda ``Errors`` metric and alarm, and Lambda's SQS poller
backs off on function errors, which is what we want when Firehose is down for minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leanops.exceptions import BatchFailedError
from leanops.ingest.types import PartialItemFailureResponse, PartialItemFailures


@dataclass(frozen=True)
class BatchOutcome:
    """What happened to one SQS batch.

    Attributes:
        source: what processed it (``sqs_processor``, ``dlq_archiver``), for errors.
        message_ids: SQS message ids of the batch, in event order.
        failures: failed SQS message id -> reason.
    """

    source: str
    message_ids: tuple[str, ...]
    failures: Mapping[str, str] = field(default_factory=dict)

    @property
    def failed_ids(self) -> list[str]:
        """Failed SQS message ids, in event order, each once."""
        return [message_id for message_id in dict.fromkeys(self.message_ids) if message_id in self.failures]

    @property
    def succeeded(self) -> int:
        """How many distinct messages succeeded."""
        return len(set(self.message_ids)) - len(self.failed_ids)

    def response(self) -> PartialItemFailureResponse:
        """Return ``batchItemFailures`` naming exactly the failed messages, in event order.

        Raises:
            BatchFailedError: when every message of a non-empty batch failed.
        """
        failed = self.failed_ids
        if self.message_ids and self.succeeded == 0:
            raise BatchFailedError(self.source, len(failed), [self.failures[m] for m in failed])
        return PartialItemFailureResponse(
            batchItemFailures=[PartialItemFailures(itemIdentifier=m) for m in failed]
        )
