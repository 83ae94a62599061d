"""pyiceberg's view of the local catalog (same SQLite file and warehouse as local Spark)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from leanops import definitions
from leanops.local.spark import catalog_uri, warehouse_uri

if TYPE_CHECKING:
    from pyiceberg.catalog.sql import SqlCatalog

LOGGER = logging.getLogger(__name__)


def prepare_catalog(home: Path) -> None:
    """Create the catalog's tables (pyiceberg) and put the SQLite file in WAL mode.

    In SQLite's default rollback journal, one side cannot commit while the other (Spark's JDBC
    catalog keeps a read transaction open) reads; WAL lets pyiceberg and Spark both commit. The
    mode is stored in the file: every later connection uses it.
    """
    local_catalog(home)
    with sqlite3.connect(catalog_uri(home), timeout=30) as connection:
        mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode != "wal":
        LOGGER.warning(
            "catalog %s stays in journal mode %s: concurrent commits may fail", catalog_uri(home), mode
        )


def local_catalog(home: Path) -> SqlCatalog:
    """Open the local Iceberg catalog with pyiceberg."""
    from pyiceberg.catalog.sql import SqlCatalog

    home.mkdir(parents=True, exist_ok=True)
    (home / "warehouse").mkdir(exist_ok=True)
    return SqlCatalog(
        definitions.catalog_name(),
        uri=f"sqlite:///{catalog_uri(home)}",
        warehouse=warehouse_uri(home),
    )
