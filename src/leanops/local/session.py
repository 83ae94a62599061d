"""The local SparkSession as the runner starts it, sharing the SQLite catalog with pyiceberg."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from leanops import definitions
from leanops.local.spark import catalog_uri, local_spark_session

LOGGER = logging.getLogger(__name__)
PYSPARK_PYTHON = "PYSPARK_PYTHON"
PYSPARK_SUBMIT_ARGS = "PYSPARK_SUBMIT_ARGS"
QUIET_SUBMIT_ARGS = "--conf spark.ui.showConsoleProgress=false pyspark-shell"
SPARK_LOCAL_IP = "SPARK_LOCAL_IP"
LOOPBACK = "127.0.0.1"
STDOUT_FD = 1
STDERR_FD = 2


def enable_shared_catalog_access(home: Path) -> None:
    """Put the SQLite catalog in WAL mode, so that pyiceberg and Spark can both commit.

    In the default rollback journal, pyiceberg cannot commit while Spark's JDBC catalog holds a
    read transaction open. The mode is stored in the database file: once set, every later connection uses it.
    """
    home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(catalog_uri(home), timeout=30) as connection:
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode != "wal":
        LOGGER.warning(
            "catalog %s stays in journal mode %s: concurrent commits may fail", catalog_uri(home), mode
        )


@contextmanager
def jvm_output_to_stderr() -> Iterator[None]:
    """Start child processes (Spark's JVM) with their stdout on our stderr.

    The JVM inherits file descriptor 1 when it is launched and log4j writes to it; ``query``
    must print nothing but CSV on stdout. Our own stdout is restored when the block ends.
    """
    sys.stdout.flush()
    saved = os.dup(STDOUT_FD)
    try:
        os.dup2(STDERR_FD, STDOUT_FD)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, STDOUT_FD)
        os.close(saved)


def configure_shared_catalog(spark: Any) -> Any:
    """Make Spark's Iceberg JDBC catalog share the SQLite catalog with pyiceberg safely.

    * ``cache-enabled=false``: a job sees the snapshots pyiceberg (the local Firehose) committed
      since the last cycle, as a fresh Glue job does in AWS.
    * ``jdbc.init-catalog-tables=false``: Iceberg's catalog-table initialisation leaves a JDBC
      result set open, which pins an SQLite read snapshot on one pooled connection; Spark's
      next commit after a pyiceberg commit then fails with SQLITE_BUSY_SNAPSHOT. pyiceberg's
      SqlCatalog has created those tables already (LocalPipeline opens it first).

    Catalogs read these settings when first used, so this must run before the first query.
    """
    prefix = f"spark.sql.catalog.{definitions.catalog_name()}"
    spark.conf.set(f"{prefix}.cache-enabled", "false")
    spark.conf.set(f"{prefix}.jdbc.init-catalog-tables", "false")
    return spark


def start_local_session(home: Path) -> Any:
    """Start the local SparkSession for a CLI command: quiet, its JVM output on stderr."""
    os.environ.setdefault(PYSPARK_PYTHON, sys.executable)
    os.environ.setdefault(PYSPARK_SUBMIT_ARGS, QUIET_SUBMIT_ARGS)  # no progress bars on stderr
    os.environ.setdefault(SPARK_LOCAL_IP, LOOPBACK)
    with jvm_output_to_stderr():
        return configure_shared_catalog(local_spark_session(home))
