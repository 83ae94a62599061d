"""The Glue entry of table maintenance: arguments -> settings, the session, the Glue Job bookends.

``scripts/glue/maintenance_processor.py`` is ``main``; see leanops.jobs.maintenance for the job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from leanops.jobs import entry
from leanops.jobs.jsonlog import configure_json_logging
from leanops.jobs.maintenance import run_maintenance
from leanops.jobs.maintenance_report import MaintenanceReport
from leanops.maintenance_plan import SETTING_KEYS, MaintenanceSettings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _arguments(argv: Sequence[str] | None) -> dict[str, str]:
    """Return the run's settings: maintenance's own keys (maintenance_plan.SETTING_KEYS), none required."""
    return entry.job_arguments(argv, required=(), optional=SETTING_KEYS)


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> MaintenanceReport:
    """Run maintenance as the Glue job does (``--LEANOPS_*`` arguments of leanops.maintenance_plan)."""
    configure_json_logging()
    arguments = _arguments(argv)
    session = spark or entry._default_session()  # noqa: SLF001 - the entry points' one session getter
    with entry.glue_job(session, arguments):
        return run_maintenance(session, MaintenanceSettings.from_mapping(arguments))
