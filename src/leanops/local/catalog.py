"""pyiceberg's view of the local catalog (same SQLite file and warehouse as local Spark)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from leanops import definitions
from leanops.local.spark import catalog_uri, warehouse_uri

if TYPE_CHECKING:
    from pyiceberg.catalog.sql import SqlCatalog


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
