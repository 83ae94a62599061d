"""Lambda sqs_processor: SQS messages -> envelopes -> Firehose PutRecordBatch.

Thin wiring (STYLE.md §2); the logic is :mod:`leanops.ingest.sqs_processor`. Configured by
``LEANOPS_FIREHOSE_STREAMS`` (the stack's stream names, comma-separated), ``LEANOPS_NAME_PREFIX``
(a queue ``<prefix>-<topic>`` carries ``<topic>``) and optionally
``LEANOPS_FIREHOSE_MAX_ATTEMPTS`` / ``LEANOPS_FIREHOSE_BASE_DELAY_MS``; ``LEANOPS_REPLAY_KEY_ID``
is the HMAC KMS key a replayed message's MAC is verified with (a KMS client is made only for a
batch that holds a replayed message). Returns
``batchItemFailures`` (``function_response_types = ["ReportBatchItemFailures"]``); when every
message fails the invocation raises so SQS retries the whole batch.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import SQSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from leanops.adapters.aws import FIREHOSE_SERVICE, KMS_SERVICE, reused_client
from leanops.ingest.config import IngestSettings
from leanops.ingest.envelope import KmsClient, is_replay
from leanops.ingest.sqs_processor import process_sqs_batch
from leanops.ingest.types import FirehoseClient, PartialItemFailureResponse

logger = Logger()


@logger.inject_lambda_context
def lambda_handler(
    event: dict,
    context: LambdaContext,
    firehose: FirehoseClient | None = None,
    kms: KmsClient | None = None,
) -> PartialItemFailureResponse:
    """Deliver the batch to Firehose and report the messages that did not get there."""
    config = IngestSettings.from_mapping(os.environ)
    records = list(SQSEvent(event).records)
    logger.append_keys(name_prefix=config.name_prefix, batch_size=len(records))
    if kms is None and any(is_replay(record) for record in records):
        kms = reused_client(KMS_SERVICE)
    outcome = process_sqs_batch(records, config, firehose or reused_client(FIREHOSE_SERVICE), kms=kms)
    for message_id, reason in outcome.failures.items():
        logger.error("message not delivered to Firehose", message_id=message_id, reason=reason)
    logger.info("batch processed", delivered=outcome.succeeded, failed=len(outcome.failures))
    return outcome.response()
