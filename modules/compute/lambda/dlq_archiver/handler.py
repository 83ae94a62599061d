"""Lambda dlq_archiver: messages of a topic's DLQ -> dlq_errors rows -> Firehose.

Thin wiring (STYLE.md §2); the logic is :mod:`leanops.ingest.dlq_archiver`. Configured by
``LEANOPS_FIREHOSE_STREAMS`` and ``LEANOPS_NAME_PREFIX`` (a DLQ ``<prefix>-<topic>-dlq`` carries
``<topic>``); ``LEANOPS_REPLAY_KEY_ID`` (or the alias) verifies replayed messages' MACs.
Returns ``batchItemFailures``; when every message fails the invocation raises.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from leanops.adapters.aws import FIREHOSE_SERVICE, KMS_SERVICE, reused_client
from leanops.ingest.config import IngestSettings
from leanops.ingest.dlq_archiver import archive_dlq_batch
from leanops.ingest.envelope import KmsClient, is_replay
from leanops.ingest.types import FirehoseClient, PartialItemFailureResponse

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(
    event: dict,
    context: LambdaContext,
    firehose: FirehoseClient | None = None,
    kms: KmsClient | None = None,
) -> PartialItemFailureResponse:
    """Archive the DLQ batch into dlq_errors and report the messages that were not archived."""
    config = IngestSettings.from_mapping(os.environ)
    records = list(SQSEvent(event).records)
    logger.append_keys(name_prefix=config.name_prefix, batch_size=len(records))
    # A KMS client only for a batch holding a replayed message (its MAC is verified).
    if kms is None and any(is_replay(record) for record in records):
        kms = reused_client(KMS_SERVICE)
    outcome = archive_dlq_batch(records, config, firehose or reused_client(FIREHOSE_SERVICE), kms=kms)
    for message_id, reason in outcome.failures.items():
        logger.error("DLQ message not archived", message_id=message_id, reason=reason)
    logger.info("DLQ batch archived", archived=outcome.succeeded, failed=len(outcome.failures))
    return outcome.response()
