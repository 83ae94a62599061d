"""``maintain``: table maintenance locally, the same Glue job AWS's daily schedule starts.

The job (``maintenance_processor.py`` of the built bundle, leanops.jobs.maintenance) runs in the
local Glue worker with the arguments the schedule gives it in AWS (modules/orchestration,
maintenance.tf): the state tables, the retention, the cycle lock id; the policy's rules are the
job's own (leanops.maintenance_plan), so a setting AWS would refuse is refused here too.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from leanops import maintenance_plan, settings
from leanops.adapters.locks import cycle_lock_id
from leanops.local import deployed
from leanops.local.config import ResourceNames
from leanops.local.cycle import GlueJobs, JobOutcome, _run_job

if TYPE_CHECKING:
    from leanops.local.pipeline import LocalPipeline

LOGGER = logging.getLogger(__name__)
MAINTENANCE_JOB = "maintenance"


def maintenance_arguments(
    names: ResourceNames, topics: Sequence[str], run_id: str, overrides: Mapping[str, str] | None = None
) -> list[str]:
    """Return the job arguments of a maintenance run over ``topics`` (``--KEY value`` pairs).

    Args:
        names: the environment's resource names.
        topics: the topics to maintain (first, so the run's log names them).
        run_id: the run's id.
        overrides: more maintenance settings (``LEANOPS_SNAPSHOT_RETENTION_HOURS`` ...).

    """
    values = {
        settings.TOPICS: ",".join(topics),
        settings.CHECKPOINT_TABLE: names.checkpoint_table,
        settings.LOCK_TABLE: names.lock_table,
        settings.LOCK_TTL_SECONDS: str(deployed.GLUE_LOCK_TTL_SECONDS),
        settings.RUN_ID: run_id,
        maintenance_plan.CYCLE_LOCK_ID: cycle_lock_id(names.state_machine),
        # What the daily schedule passes in AWS (tests/terraform/test_plan_matches_emulation.py).
        maintenance_plan.RETENTION_HOURS: str(deployed.MAINTENANCE_SNAPSHOT_RETENTION_HOURS),
        maintenance_plan.LONGEST_JOB_MINUTES: str(deployed.MAINTENANCE_LONGEST_JOB_MINUTES),
        maintenance_plan.PARALLELISM: str(deployed.MAINTENANCE_PARALLELISM),
        maintenance_plan.CYCLE_INTERVAL_SECONDS: str(deployed.MAINTENANCE_CYCLE_INTERVAL_SECONDS),
        **dict(overrides or {}),
    }
    return [part for key, value in values.items() for part in (f"--{key}", value)]


def maintain(
    glue: GlueJobs,
    names: ResourceNames,
    topics: Sequence[str],
    environment: Mapping[str, str],
    overrides: Mapping[str, str] | None = None,
) -> JobOutcome:
    """Run the maintenance job over ``topics`` in the local Glue worker.

    Args:
        glue: runs the bundle's jobs (leanops.local.workers.GlueWorker).
        names: the environment's resource names.
        topics: the topics to maintain (the CLI's ``--topic``, or every declared topic).
        environment: the job's environment (the local AWS endpoint).
        overrides: more maintenance settings (retention, orphan age, ...).

    Returns:
        The job's outcome: per topic (and ``shared``) its status and, per table, files
        before/after, snapshots expired, orphan files removed.

    """
    run_id = f"local-{MAINTENANCE_JOB}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    argv = maintenance_arguments(names, topics, run_id, overrides)
    return _run_job(MAINTENANCE_JOB, list(topics), argv, glue, environment)


def maintain_pipeline(
    pipeline: LocalPipeline, topics: Sequence[str] | None = None, overrides: Mapping[str, str] | None = None
) -> JobOutcome:
    """Run maintenance over the local pipeline's topics (default: every declared topic).

    The CLI's ``maintain [--topic T]``: the pipeline's Glue worker, names and job environment.
    """
    chosen = list(topics) if topics else sorted(pipeline.topics())
    return maintain(pipeline.glue, pipeline.names, chosen, pipeline.aws.job_environment(), overrides)
