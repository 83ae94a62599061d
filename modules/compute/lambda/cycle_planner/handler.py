"""Lambda cycle_planner: which shards and topics a Step Functions cycle runs Glue jobs for.

Thin wiring (STYLE.md §2); the logic is :mod:`leanops.planner`. Configured by
``LEANOPS_CONTRACTS_URI`` (the schema gate) and ``LEANOPS_CHECKPOINT_TABLE``. Input:
``{"shards": {"shard-0": ["orders", "payments"]}, "cycle": "<execution id>"}``; output:
``{"shards": [{"name": "shard-0", "topics": "orders"}], "skipped": {...}, "work": {...},
"planned_at": <epoch seconds>}`` with only the shards and topics that have work.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from leanops.adapters.aws import DYNAMODB_SERVICE, GLUE_SERVICE, S3_SERVICE, reused_client
from leanops.adapters.contract_store import ContractStore
from leanops.planner import CyclePlan, CyclePlanner, GlueTableStateReader, parse_shards
from leanops.settings import CHECKPOINT_TABLE, CONTRACTS_URI, require

logger = Logger()

CYCLE_KEY = "cycle"


@logger.inject_lambda_context
def lambda_handler(
    event: dict[str, Any],
    context: LambdaContext,
    s3: Any | None = None,
    glue: Any | None = None,
    dynamodb: Any | None = None,
) -> CyclePlan:
    """Plan one cycle: keep only the shards and topics with an open gate and new data."""
    logger.append_keys(cycle=event.get(CYCLE_KEY))
    shards = parse_shards(event)
    s3 = s3 or reused_client(S3_SERVICE)
    planner = CyclePlanner(
        contracts=ContractStore(require(os.environ, CONTRACTS_URI), s3),
        checkpoint_table=require(os.environ, CHECKPOINT_TABLE),
        dynamodb_client=dynamodb or reused_client(DYNAMODB_SERVICE),
        tables=GlueTableStateReader(glue or reused_client(GLUE_SERVICE), s3),
    )
    plan = planner.plan(shards)
    logger.info("cycle planned", shards=plan["shards"], skipped=plan["skipped"], work=plan["work"])
    return plan
