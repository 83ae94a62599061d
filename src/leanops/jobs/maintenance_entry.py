"""The Glue entry of table maintenance: arguments -> settings, the session, the Glue Job bookends.

``scripts/glue/maintenance_processor.py`` is ``main``; see leanops.jobs.maintenance for the job.
"""

from __future__ import annotations

import os
import sys
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
    """Return the run's settings: environment values overridden by arguments (as entry.job_arguments).

    entry.job_arguments resolves the layer jobs' keys (LEANOPS_TOPICS and the contract location
    required); maintenance has its own keys (maintenance_plan.SETTING_KEYS), topics optional.
    """
    given = list(sys.argv[1:] if argv is None else argv)
    if entry.in_glue():
        from awsglue.utils import getResolvedOptions

        wanted = [entry.JOB_NAME, *(key for key in SETTING_KEYS if f"{entry.ARGUMENT_PREFIX}{key}" in given)]
        parsed = dict(getResolvedOptions(["job", *given], wanted))
    else:
        parsed = entry.parse_plain_arguments(given)
    merged = {key: os.environ[key] for key in SETTING_KEYS if os.environ.get(key)}
    merged.update({key: value for key, value in parsed.items() if value != ""})
    return merged


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> MaintenanceReport:
    """Run maintenance as the Glue job does (``--LEANOPS_*`` arguments of leanops.maintenance_plan)."""
    configure_json_logging()
    arguments = _arguments(argv)
    session = spark or entry._default_session()  # noqa: SLF001 - the entry points' one session getter
    with entry.glue_job(session, arguments):
        return run_maintenance(session, MaintenanceSettings.from_mapping(arguments))
