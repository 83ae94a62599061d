"""The semantic layer, locally: ``semantic/views/<name>.sql`` become views ``semantic.<name>``.

Each file holds one SELECT over curated tables in SQL that Athena and Spark both accept;
Terraform turns the same files into Athena views. Locally they are Iceberg views in the shared
catalog (JDBC catalog, schema V1), so ``query "SELECT * FROM semantic.orders_daily"`` works.
``semantic/metrics.json`` names metrics as SQL expressions over a view.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leanops.local.config import repo_root

LOGGER = logging.getLogger(__name__)
SEMANTIC_DATABASE = "semantic"
VIEWS_DIR = Path("semantic") / "views"
METRICS_FILE = Path("semantic") / "metrics.json"


@dataclass(frozen=True)
class Metric:
    """A named metric: an SQL aggregate expression over one semantic view."""

    name: str
    view: str
    expression: str
    description: str

    def sql(self, group_by: str | None = None) -> str:
        """Return the SELECT computing the metric (optionally per a column of the view)."""
        target = f"{SEMANTIC_DATABASE}.{self.view}"
        if group_by:
            select = f"SELECT {group_by}, {self.expression} AS {self.name} FROM {target}"
            return f"{select} GROUP BY {group_by} ORDER BY {group_by}"
        return f"SELECT {self.expression} AS {self.name} FROM {target}"


def view_definitions(root: Path | None = None) -> dict[str, str]:
    """Return view name -> SELECT text of every ``semantic/views/*.sql``."""
    folder = (root or repo_root()) / VIEWS_DIR
    return {
        path.stem: path.read_text(encoding="utf-8").strip().rstrip(";")
        for path in sorted(folder.glob("*.sql"))
    }


def metrics(root: Path | None = None) -> dict[str, Metric]:
    """Return the metrics of ``semantic/metrics.json`` by name."""
    document = json.loads(((root or repo_root()) / METRICS_FILE).read_text(encoding="utf-8"))
    return {
        item["name"]: Metric(item["name"], item["view"], item["expression"], item.get("description", ""))
        for item in document["metrics"]
    }


def register_views(spark: Any, root: Path | None = None) -> dict[str, str | None]:
    """Create or replace every semantic view; a view over missing tables is reported, not fatal.

    Returns:
        view name -> None when registered, else the reason it was not.

    """
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {SEMANTIC_DATABASE}")
    outcome: dict[str, str | None] = {}
    for name, select in view_definitions(root).items():
        try:
            spark.sql(f"CREATE OR REPLACE VIEW {SEMANTIC_DATABASE}.{name} AS {select}")
            outcome[name] = None
        except Exception as exc:  # noqa: BLE001 - AnalysisException: its curated table does not exist yet
            reason = str(exc).splitlines()[0]
            LOGGER.warning("semantic view %s not registered: %s", name, reason)
            outcome[name] = reason
    return outcome
