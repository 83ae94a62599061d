"""The semantic layer's folder: ``views/<name>.sql`` become views ``semantic.<name>``; metrics.

The folder is the team's own: ``$LEANOPS_SEMANTIC_DIR`` when set, else the repository's
``semantic/``. Each ``views/<name>.sql`` holds one SELECT in Athena's SQL (Trino) over
``database.table`` names; Terraform turns the same files into Athena views, and the local
``query`` turns them into DuckDB views (``leanops.local.duckdb_engine``), created per query for
the views it names. ``metrics.json`` names metrics as SQL aggregate expressions over one view.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from leanops.local.config import repo_root

SEMANTIC_DATABASE = "semantic"
SEMANTIC_DIR_ENV = "LEANOPS_SEMANTIC_DIR"
DEFAULT_SEMANTIC_DIR = "semantic"  # under the repository root
VIEWS_DIR = "views"
METRICS_FILE = "metrics.json"
VIEW_SUFFIX = ".sql"


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


def semantic_dir(explicit: str | Path | None = None) -> Path:
    """Return the semantic folder: ``explicit``, else ``$LEANOPS_SEMANTIC_DIR``, else repo's ``semantic/``.

    A relative ``$LEANOPS_SEMANTIC_DIR`` is relative to the working directory.
    """
    chosen = explicit or os.environ.get(SEMANTIC_DIR_ENV)
    if chosen:
        return Path(chosen).expanduser().resolve()
    return repo_root() / DEFAULT_SEMANTIC_DIR


def view_definitions(folder: Path | None = None) -> dict[str, str]:
    """Return view name -> SELECT text (Athena SQL) of every ``views/*.sql`` of the semantic folder."""
    views = (folder or semantic_dir()) / VIEWS_DIR
    return {
        path.stem.lower(): path.read_text(encoding="utf-8").strip().rstrip(";").strip()
        for path in sorted(views.glob(f"*{VIEW_SUFFIX}"))
    }


def metrics(folder: Path | None = None) -> dict[str, Metric]:
    """Return the metrics of the semantic folder's ``metrics.json`` by name (none when it is absent)."""
    path = (folder or semantic_dir()) / METRICS_FILE
    if not path.is_file():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        item["name"]: Metric(item["name"], item["view"], item["expression"], item.get("description", ""))
        for item in document["metrics"]
    }
