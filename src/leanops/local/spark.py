"""The local SparkSession: PySpark 3.5 + the Iceberg runtime jar + a JDBC catalog on SQLite.

pyiceberg's SqlCatalog (see leanops.local.catalog) opens the same SQLite file, so Spark and
pyiceberg see one catalog. The catalog is named as in AWS (tables.json ``catalog_name``), so
the jobs' SQL is the same in both places.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from leanops import definitions
from leanops.local import deployed

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PYSPARK_PYTHON = "PYSPARK_PYTHON"
SPARK_LOCAL_IP = "SPARK_LOCAL_IP"
LOOPBACK = "127.0.0.1"
ICEBERG_JAR = "iceberg-spark-runtime-3.5_2.12-1.9.2.jar"
LOCAL_MASTER = "local[2]"
APP_NAME = "leanops-local"
SQLITE_JDBC_JARS = ("/usr/share/java/sqlite-jdbc.jar", "/usr/share/java/xerial-sqlite-jdbc.jar")


def iceberg_jar() -> Path:
    """Return the Iceberg Spark runtime jar shipped by snowpark-connect-deps-iceberg==1.0.1."""
    import snowpark_connect_deps_iceberg

    jar = Path(snowpark_connect_deps_iceberg.__file__).parent / "jars" / ICEBERG_JAR
    if not jar.is_file():
        raise FileNotFoundError(f"{jar} is missing: pip install snowpark-connect-deps-iceberg==1.0.1")
    return jar


def sqlite_jdbc_jar() -> Path:
    """Return the SQLite JDBC driver (Debian package libxerial-sqlite-jdbc-java)."""
    for candidate in SQLITE_JDBC_JARS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FileNotFoundError("SQLite JDBC driver missing: apt-get install libxerial-sqlite-jdbc-java")


def catalog_uri(home: Path) -> str:
    """Return the SQLite file of the local catalog under LEANOPS_HOME."""
    return str(home / "catalog.db")


def warehouse_uri(home: Path) -> str:
    """Return the local Iceberg warehouse folder under LEANOPS_HOME as a file:// URI."""
    return (home / "warehouse").resolve().as_uri()


def spark_conf(home: Path) -> dict[str, str]:
    """Return the Spark settings of the local pipeline (the Glue jobs get theirs from Terraform).

    Plain data: the Glue worker (which must not import leanops.local) gets them as JSON.
    """
    catalog = f"spark.sql.catalog.{definitions.catalog_name()}"
    return {
        "spark.master": LOCAL_MASTER,
        "spark.app.name": APP_NAME,
        "spark.jars": f"{iceberg_jar()},{sqlite_jdbc_jar()}",
        **deployed.GLUE_SHARED_SPARK_CONF,
        catalog: "org.apache.iceberg.spark.SparkCatalog",
        f"{catalog}.catalog-impl": "org.apache.iceberg.jdbc.JdbcCatalog",
        f"{catalog}.uri": f"jdbc:sqlite:{catalog_uri(home)}",
        f"{catalog}.jdbc.schema-version": "V1",
        f"{catalog}.warehouse": warehouse_uri(home),
        # Each job sees what pyiceberg (the local Firehose) committed since, like a fresh Glue job.
        f"{catalog}.cache-enabled": "false",
        # pyiceberg creates the catalog tables (prepare_catalog); Iceberg's own initialisation
        # would leave a result set open that pins an SQLite read snapshot (SQLITE_BUSY_SNAPSHOT).
        f"{catalog}.jdbc.init-catalog-tables": "false",
        "spark.sql.defaultCatalog": definitions.catalog_name(),
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.memory": "2g",
        "spark.sql.adaptive.enabled": "true",
        "spark.driver.extraJavaOptions": "-Dlog4j2.level=WARN",
    }


def local_spark_session(home: Path) -> SparkSession:
    """Start (or return the running) local SparkSession over the catalog under ``home``."""
    from pyspark.sql import SparkSession

    from leanops.local.catalog import prepare_catalog

    # PySpark 3.5 starts its Python workers (mapInArrow in parse_bodies) with $PYSPARK_PYTHON,
    # default PATH's python3: they must run this interpreter, the one with leanops and pyarrow.
    os.environ.setdefault(PYSPARK_PYTHON, sys.executable)
    os.environ.setdefault(SPARK_LOCAL_IP, LOOPBACK)
    prepare_catalog(home)
    builder = SparkSession.builder
    for key, value in spark_conf(home).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
