"""Lambda firehose_transform: Firehose data transformation that checks and routes each record.

Thin wiring (STYLE.md §2); the logic is :mod:`leanops.ingest.transform`. Envelopes go to
``iceberg_raw_db.<topic_name>``, dlq_errors rows to ``iceberg_raw_db.dlq_errors`` (through
``metadata.otfMetadata``); anything else is ``ProcessingFailed``.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import KinesisFirehoseEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from leanops.ingest.transform import transform_records
from leanops.ingest.types import TransformationResponse

logger = Logger()


@logger.inject_lambda_context
@event_source(data_class=KinesisFirehoseEvent)
def lambda_handler(event: KinesisFirehoseEvent, context: LambdaContext) -> TransformationResponse:
    """Return one transformation result per record, in order."""
    logger.append_keys(invocation_id=event.invocation_id, delivery_stream_arn=event.delivery_stream_arn)
    outcome = transform_records(event.records)
    for record_id, reason in outcome.failures.items():
        logger.error("record failed the transformation", record_id=record_id, reason=reason)
    logger.info("records transformed", total=len(outcome.response["records"]), failed=len(outcome.failures))
    return outcome.response
