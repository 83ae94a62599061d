"""What the two Glue entry scripts share: arguments -> settings, the session, the Glue Job bookends.

In Glue, arguments come through ``awsglue.utils.getResolvedOptions``; elsewhere (the local
runner, tests) plain ``--KEY value`` pairs with the same keys are parsed. Setting keys not given
as arguments are read from the environment, so both ways of configuring work everywhere.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from leanops import settings as setting_keys
from leanops.jobs.jsonlog import configure_json_logging
from leanops.jobs.report import JobReport
from leanops.jobs.runtime import run_layer
from leanops.settings import JobSettings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

logger = logging.getLogger(__name__)

GLUE_MODULE = "awsglue"
JOB_NAME = "JOB_NAME"
ARGUMENT_PREFIX = "--"
REQUIRED_KEYS = (
    setting_keys.TOPICS,
    setting_keys.CONTRACTS_URI,
    setting_keys.CHECKPOINT_TABLE,
    setting_keys.LOCK_TABLE,
)
OPTIONAL_KEYS = (
    setting_keys.ALERT_TOPIC_ARN,
    setting_keys.LOCK_TTL_SECONDS,
    setting_keys.DRIFT_VANISH_DAYS,
    setting_keys.MAX_FIELDS_PER_MESSAGE,
    setting_keys.MAX_NESTING_DEPTH,
    setting_keys.RUN_ID,
    setting_keys.REBUILD_TOPICS,
    setting_keys.PII_KEY_ID,
    setting_keys.ANALYST_PRINCIPALS,
)
SETTING_KEYS = REQUIRED_KEYS + OPTIONAL_KEYS


def in_glue() -> bool:
    """Return True when the AWS Glue libraries are importable (the script runs in Glue)."""
    return importlib.util.find_spec(GLUE_MODULE) is not None


def parse_plain_arguments(argv: Sequence[str]) -> dict[str, str]:
    """Parse ``--KEY value`` and ``--KEY=value`` pairs; anything else is ignored.

    Args:
        argv: the arguments, without the program name.

    Returns:
        KEY -> value.

    """
    parsed: dict[str, str] = {}
    arguments = list(argv)
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        index += 1
        if not argument.startswith(ARGUMENT_PREFIX):
            continue
        key, equals, value = argument[len(ARGUMENT_PREFIX) :].partition("=")
        if not equals and index < len(arguments) and not arguments[index].startswith(ARGUMENT_PREFIX):
            value = arguments[index]
            index += 1
        parsed[key] = value
    return parsed


def _glue_arguments(argv: Sequence[str], required: Sequence[str], optional: Sequence[str]) -> dict[str, str]:
    from awsglue.utils import getResolvedOptions

    wanted = [JOB_NAME, *required]
    wanted += [key for key in optional if f"{ARGUMENT_PREFIX}{key}" in argv]
    return dict(getResolvedOptions(["job", *argv], wanted))


def job_arguments(
    argv: Sequence[str] | None,
    environ: Mapping[str, str] | None = None,
    required: Sequence[str] = REQUIRED_KEYS,
    optional: Sequence[str] = OPTIONAL_KEYS,
) -> dict[str, str]:
    """Return the run's setting mapping: environment values overridden by arguments.

    Args:
        argv: the arguments without the program name; None reads ``sys.argv[1:]``.
        environ: the environment; None reads ``os.environ``.
        required: the keys Glue must be given (getResolvedOptions fails without them); the layer
            jobs' by default.
        optional: the keys read when given; the layer jobs' by default.

    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    given = _glue_arguments(arguments, required, optional) if in_glue() else parse_plain_arguments(arguments)
    environment = os.environ if environ is None else environ
    merged = {key: environment[key] for key in (*required, *optional) if environment.get(key)}
    merged.update({key: value for key, value in given.items() if value != ""})
    return merged


@contextmanager
def glue_job(spark: SparkSession, arguments: Mapping[str, str]) -> Iterator[None]:
    """Initialise and commit an ``awsglue.job.Job`` around the run, in Glue only."""
    if not in_glue() or JOB_NAME not in arguments:
        yield
        return
    from awsglue.context import GlueContext
    from awsglue.job import Job

    job = Job(GlueContext(spark.sparkContext))
    job.init(arguments[JOB_NAME], dict(arguments))
    yield
    job.commit()


def run_entry(layer: str, argv: Sequence[str] | None, spark: SparkSession | None) -> JobReport:
    """Run one layer as a Glue job would: settings from arguments, the session, run_layer.

    Args:
        layer: ``standardized`` or ``curated``.
        argv: the job arguments (``--LEANOPS_TOPICS orders,payments`` ...); None reads sys.argv.
        spark: the session to use; None gets (or creates) the active one.

    Returns:
        The run's report.

    Raises:
        ConfigurationError: naming a missing or invalid setting.
        TopicFailuresError: when a topic failed (Glue then marks the run failed).

    """
    configure_json_logging()
    arguments = job_arguments(argv)
    settings = JobSettings.from_mapping(arguments)
    session = spark or _default_session()
    with glue_job(session, arguments):
        job_report = run_layer(session, layer, settings)
    return job_report


class GlueEntryPoint:
    """The ``main`` of a Glue entry script: ``main(argv=None, spark=None) -> JobReport``.

    Arguments are the setting keys of leanops.settings (``--LEANOPS_TOPICS orders,payments``
    ``--LEANOPS_CONTRACTS_URI s3://bucket/contracts/`` ...). The Iceberg catalog comes from the
    session's configuration (Terraform's ``--conf`` in Glue, the local runner's session locally).
    """

    def __init__(self, layer: str) -> None:
        """Bind the entry point to a layer (``standardized`` or ``curated``)."""
        self.layer = layer

    def __call__(self, argv: Sequence[str] | None = None, spark: SparkSession | None = None) -> JobReport:
        """Run the layer over the topics of this job's shard (see :func:`run_entry`)."""
        return run_entry(self.layer, argv, spark)


def _default_session() -> Any:
    from pyspark.sql import SparkSession

    return SparkSession.builder.getOrCreate()
