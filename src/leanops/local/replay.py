"""``replay --topic T``: archived DLQ messages of a topic go back to its queue.

Rows of ``iceberg_raw_db.dlq_errors`` whose message is not in RAW yet are sent with
leanops.ingest.replay (original message id and sent time as attributes, signed with the stack's
replay HMAC key, so sqs_processor keeps them and a replayed message is deduplicated downstream).
"""

from __future__ import annotations

import logging

from leanops import definitions
from leanops.ingest.replay import ReplayResult, ReplaySigner, send_replay
from leanops.local.account import MESSAGE_ID, column_values
from leanops.local.pipeline import LocalPipeline
from leanops.local.provision import ensure_replay_key

LOGGER = logging.getLogger(__name__)
DLQ_COLUMNS = tuple(column.name for column in definitions.table(definitions.DLQ_ERRORS).columns)


def replay_topic(pipeline: LocalPipeline, topic: str) -> ReplayResult:
    """Send the topic's archived DLQ messages that are not in RAW back to its queue."""
    catalog = pipeline.catalog
    raw_ids = {
        row[MESSAGE_ID]
        for row in column_values(catalog, definitions.table(definitions.RAW).identifier(topic), (MESSAGE_ID,))
    }
    rows = column_values(catalog, definitions.table(definitions.DLQ_ERRORS).identifier(), DLQ_COLUMNS, topic)
    pending = {row[MESSAGE_ID]: row for row in rows if row[MESSAGE_ID] not in raw_ids}
    queue_url = pipeline.register_topic(topic)
    kms = pipeline.clients.get("kms") or pipeline.aws.client("kms")
    signer = ReplaySigner(kms, ensure_replay_key(kms, pipeline.names))
    result = send_replay(pipeline.clients["sqs"], queue_url, list(pending.values()), signer=signer)
    for message_id, reason in {**result.failed, **result.rejected}.items():
        LOGGER.warning("replay %s: message %s not replayed: %s", topic, message_id, reason)
    return result
