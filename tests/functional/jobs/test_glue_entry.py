"""The thin Glue entry scripts, imported by path and run as the local runner runs them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

from leanops import settings as keys
from leanops.exceptions import ConfigurationError
from leanops.jobs import report
from leanops.jobs.entry import job_arguments, parse_plain_arguments

from .conftest import JobEnvironment
from .helpers import append_raw, envelope, order, order_contract

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts" / "glue"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--LEANOPS_TOPICS", "orders,payments"], {"LEANOPS_TOPICS": "orders,payments"}),
        (["--LEANOPS_TOPICS=orders", "--JOB_NAME", "std"], {"LEANOPS_TOPICS": "orders", "JOB_NAME": "std"}),
        (["stray", "--FLAG", "--KEY", "v"], {"FLAG": "", "KEY": "v"}),
        ([], {}),
    ],
)
def test_plain_arguments_are_key_value_pairs(argv: list[str], expected: dict[str, str]) -> None:
    assert parse_plain_arguments(argv) == expected


def test_arguments_override_the_environment() -> None:
    # GIVEN a lock table in the environment and another in the arguments
    environ = {keys.LOCK_TABLE: "from-env", keys.CHECKPOINT_TABLE: "cp-env", "UNRELATED": "x"}
    # WHEN merging  THEN arguments win, other setting keys come from the environment, others are ignored
    merged = job_arguments(["--LEANOPS_LOCK_TABLE", "from-args"], environ)
    assert merged == {keys.LOCK_TABLE: "from-args", keys.CHECKPOINT_TABLE: "cp-env"}


def test_missing_setting_is_named(spark: SparkSession, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN no setting in arguments or environment
    for key in (keys.TOPICS, keys.CONTRACTS_URI, keys.CHECKPOINT_TABLE, keys.LOCK_TABLE):
        monkeypatch.delenv(key, raising=False)
    # WHEN the script starts  THEN a ConfigurationError names the missing key
    with pytest.raises(ConfigurationError, match="LEANOPS_TOPICS"):
        _script("standardized_processor").main([], spark=spark)


def test_scripts_run_both_layers_with_glue_arguments(
    spark: SparkSession, job_env: JobEnvironment, unique_name: str
) -> None:
    # GIVEN one order in RAW and its contract
    job_env.put_contract(unique_name, order_contract(unique_name))
    append_raw(spark, unique_name, [envelope(unique_name, "m1", order("o1", "1.00", "2026-03-01T10:00:00Z"))])
    settings = job_env.settings
    argv = [
        f"--{keys.TOPICS}",
        unique_name,
        f"--{keys.CONTRACTS_URI}",
        settings.contracts_uri,
        f"--{keys.CHECKPOINT_TABLE}",
        settings.checkpoint_table,
        f"--{keys.LOCK_TABLE}",
        settings.lock_table,
        f"--{keys.ALERT_TOPIC_ARN}",
        str(settings.alert_topic_arn),
    ]
    # WHEN the two scripts run with Glue-style arguments (their boto3 clients made the normal way)
    standardized = _script("standardized_processor").main(argv, spark=spark)
    curated = _script("curated_processor").main(argv, spark=spark)
    # THEN each processed the topic
    assert standardized.outcome(unique_name).status == report.PROCESSED
    assert (curated.outcome(unique_name).status, curated.outcome(unique_name).rows_written) == (
        report.PROCESSED,
        1,
    )
    assert curated.run_id.startswith("curated-")
