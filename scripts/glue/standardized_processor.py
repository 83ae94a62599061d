"""Glue entry point of the standardized layer: thin wiring around leanops.jobs.

Arguments are the setting keys of leanops.settings (``--LEANOPS_TOPICS orders,payments``
``--LEANOPS_CONTRACTS_URI s3://bucket/contracts/`` ...). The Iceberg catalog comes from the
session's configuration (Terraform's ``--conf`` in Glue, the local runner's session locally).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from leanops.definitions import STANDARDIZED
from leanops.jobs.entry import run_entry

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from leanops.jobs import JobReport


def main(argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> JobReport:
    """Run the standardized layer over the topics of this job's shard.

    Args:
        argv: job arguments without the program name; None reads sys.argv.
        spark: the session to use; None gets or creates the active one.

    Returns:
        The run's report (the run raises when a topic failed, so Glue marks it failed).

    """
    return run_entry(STANDARDIZED, argv, spark)


if __name__ == "__main__":
    main()
