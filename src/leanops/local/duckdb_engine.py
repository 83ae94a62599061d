"""The local ``query`` engine: Athena SQL translated by sqlglot, run by DuckDB over the Iceberg tables.

No Spark, no JVM. The tables a statement names (``database.table``, as in Athena) are read
through the shared local catalog with pyiceberg (scan -> Arrow) and registered in an in-memory
DuckDB connection as ``database.table``; only those tables are read. ``semantic.<name>`` is the
view ``views/<name>.sql`` of the semantic folder (``leanops.local.semantic``), translated the same
way and created for the query, with the tables (and views) it reads. ``SHOW TABLES IN <database>
['pattern']`` and ``SHOW DATABASES`` are answered from the catalog's listing and the folder.

The session zone is UTC (Athena's is: "Timestamp with time zone", Athena user guide), so
``date_trunc`` and casts of zoned timestamps work as in Athena; integer division truncates, as in
Trino. Every mistake is a :class:`~leanops.exceptions.QueryError` with one line: a syntax error, an
unknown table or database (listing those that exist), a view over a table that does not exist
yet, a construct or function the local engine does not have.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from leanops.exceptions import QueryError
from leanops.local.semantic import SEMANTIC_DATABASE, VIEW_SUFFIX, VIEWS_DIR, semantic_dir, view_definitions
from leanops.local.sql_dialect import ShowDatabases, ShowTables, TableRef, parse_show, translate

if TYPE_CHECKING:
    import duckdb

# autoinstall off: no extension download at run time (ICU and JSON ship inside the duckdb wheel).
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": True,
}
SESSION_SETTINGS = ("SET TimeZone = 'UTC'", "SET integer_division = true")
SHOW_TABLES_COLUMN = "tab_name"  # Athena's SHOW TABLES result column
SHOW_DATABASES_COLUMN = "database_name"  # Athena's SHOW DATABASES result column
COLUMNS_SQL = (
    "SELECT column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position"
)
ENGINE_ERROR_END = "LINE "  # DuckDB's errors end with the statement and a caret: not one line

Rows = tuple[list[str], list[tuple[Any, ...]]]


class LocalSqlEngine:
    """One DuckDB connection over the local catalog; tables are read on first use, per statement."""

    def __init__(self, catalog: Any, semantic_folder: Path | None = None) -> None:
        """Open nothing yet.

        Args:
            catalog: the pyiceberg catalog of LEANOPS_HOME (``leanops.local.catalog.local_catalog``).
            semantic_folder: the semantic folder (default: ``leanops.local.semantic.semantic_dir()``).

        """
        self._catalog = catalog
        self._folder = semantic_folder
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._loaded: set[TableRef] = set()
        self._listing: dict[str, tuple[str, ...]] | None = None
        self._views: dict[str, str] | None = None

    def __enter__(self) -> LocalSqlEngine:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the DuckDB connection (the registered Arrow tables go with it)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._loaded.clear()

    @property
    def folder(self) -> Path:
        """Return the semantic folder this engine reads views from."""
        if self._folder is None:
            self._folder = semantic_dir()
        return self._folder

    def views(self) -> dict[str, str]:
        """Return view name -> Athena SELECT of the semantic folder."""
        if self._views is None:
            self._views = view_definitions(self.folder)
        return self._views

    def tables(self) -> dict[str, tuple[str, ...]]:
        """Return database -> its table names: the catalog's databases and the semantic views."""
        if self._listing is None:
            listing = {}
            for namespace in self._catalog.list_namespaces():
                database = ".".join(namespace)
                if database != SEMANTIC_DATABASE:  # the semantic layer is the folder, not the catalog
                    names = (identifier[-1] for identifier in self._catalog.list_tables(database))
                    listing[database] = tuple(sorted(names))
            listing[SEMANTIC_DATABASE] = tuple(sorted(self.views()))
            self._listing = dict(sorted(listing.items()))
        return self._listing

    def run(self, sql: str) -> Rows:
        """Run one Athena statement; return its column names and rows (Python values).

        Raises:
            QueryError: on a syntax error, an unknown table, an unsupported construct or an
                engine error, with one line saying what is wrong.

        """
        show = parse_show(sql)
        if isinstance(show, ShowDatabases):
            return [SHOW_DATABASES_COLUMN], [(database,) for database in self.tables()]
        if isinstance(show, ShowTables):
            return [SHOW_TABLES_COLUMN], [(name,) for name in self._show_tables(show)]
        translation = translate(sql)
        for table in translation.tables:
            self._load(table, ())
        return self._execute(translation.to_duckdb(self._schema(translation.tables)), "")

    def view_problems(self) -> dict[str, str | None]:
        """Create every semantic view; return view name -> None when it works, else the one-line reason."""
        outcome: dict[str, str | None] = {}
        for name in self.views():
            try:
                self._load(TableRef(SEMANTIC_DATABASE, name), ())
                outcome[name] = None
            except QueryError as exc:
                outcome[name] = exc.problem
        return outcome

    def _show_tables(self, show: ShowTables) -> list[str]:
        if show.database is None:
            raise QueryError(
                "unknown_table",
                f"SHOW TABLES needs IN <database> locally (no current database); {self._existing()}",
            )
        if show.database not in self.tables():
            raise QueryError("unknown_table", f"database {show.database} does not exist; {self._existing()}")
        return [name for name in self.tables()[show.database] if show.matches(name)]

    def _existing(self, database: str | None = None) -> str:
        """Return the one-line list of what exists: a database's tables, or every database's."""
        listing = self.tables()
        if database in listing:
            return f"tables in {database}: {', '.join(listing[database]) or '(none)'}"
        described = (f"{name} ({', '.join(tables) or 'no tables'})" for name, tables in listing.items())
        return f"databases: {'; '.join(described)}"

    def _unknown(self, table: TableRef, chain: tuple[TableRef, ...]) -> QueryError:
        if table.database not in self.tables():
            what = f"database {table.database} (of {table}) does not exist"
        else:
            what = f"table {table} does not exist"
        if chain:
            view = chain[-1]
            source = f"{VIEWS_DIR}/{view.name}{VIEW_SUFFIX}"
            what = f"semantic view {view} ({source}) reads {table}, which does not exist yet"
        return QueryError("unknown_table", f"{what}; {self._existing(table.database)}")

    def _load(self, table: TableRef, chain: tuple[TableRef, ...]) -> None:
        """Make ``table`` queryable in DuckDB: a catalog table read with pyiceberg, or a semantic view."""
        if table in self._loaded:
            return
        if table.database == SEMANTIC_DATABASE:
            self._create_view(table, chain)
        elif table.name in self.tables().get(table.database, ()):
            arrow = self._catalog.load_table((table.database, table.name)).scan().to_arrow()
            relation = f"__{table.database}__{table.name}"
            connection = self._duckdb()
            connection.register(relation, arrow)
            connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{table.database}"')
            connection.execute(f'CREATE VIEW "{table.database}"."{table.name}" AS SELECT * FROM "{relation}"')
        else:
            raise self._unknown(table, chain)
        self._loaded.add(table)

    def _create_view(self, view: TableRef, chain: tuple[TableRef, ...]) -> None:
        if view.name not in self.views():
            raise self._unknown(view, chain)
        if view in chain:
            cycle = " -> ".join(str(step) for step in (*chain, view))
            raise QueryError("unsupported", f"semantic views read each other in a cycle: {cycle}")
        source = f"{VIEWS_DIR}/{view.name}{VIEW_SUFFIX}"
        try:
            translation = translate(self.views()[view.name])
        except QueryError as exc:
            raise QueryError(exc.kind, f"semantic view {view} ({source}): {exc.problem}") from exc
        for table in translation.tables:
            self._load(table, (*chain, view))
        connection = self._duckdb()
        connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{SEMANTIC_DATABASE}"')
        select = translation.to_duckdb(self._schema(translation.tables))
        create = f'CREATE VIEW "{SEMANTIC_DATABASE}"."{view.name}" AS {select}'
        self._execute(create, f"semantic view {view} ({source})")

    def _schema(self, tables: tuple[TableRef, ...]) -> dict[str, dict[str, dict[str, str]]]:
        """Return database -> table -> column -> DuckDB type of the loaded ``tables`` (for sqlglot)."""
        schema: dict[str, dict[str, dict[str, str]]] = {}
        for table in tables:
            columns = self._duckdb().execute(COLUMNS_SQL, [table.database, table.name]).fetchall()
            schema.setdefault(table.database, {})[table.name] = dict(columns)
        return schema

    def _execute(self, text: str, source: str) -> Rows:
        """Run DuckDB text; ``source`` (the user's statement or the view file) goes into the error."""
        import duckdb

        try:
            result = self._duckdb().execute(text)
            columns = [column[0] for column in result.description or []]
            return columns, result.fetchall() if columns else []
        except duckdb.Error as exc:
            raise QueryError("engine", _engine_message(exc, source), text) from exc

    def _duckdb(self) -> duckdb.DuckDBPyConnection:
        if self._connection is None:
            import duckdb

            self._connection = duckdb.connect(":memory:", config=DUCKDB_CONFIG)
            for setting in SESSION_SETTINGS:
                self._connection.execute(setting)
        return self._connection


def _engine_message(exc: Exception, source: str) -> str:
    """Return DuckDB's error as one line (its hint lines joined, the echoed statement dropped)."""
    lines = []
    for line in str(exc).strip().splitlines():
        if line.startswith(ENGINE_ERROR_END):
            break
        if line.strip():
            lines.append(line.strip())
    where = f"{source}: " if source else ""
    return f"{where}the local engine (DuckDB) refused it: {'; '.join(lines) or type(exc).__name__}"


def run_sql(catalog: Any, sql: str, semantic_folder: Path | None = None) -> Rows:
    """Run one Athena statement over the local catalog; return its column names and rows.

    Raises:
        QueryError: see :meth:`LocalSqlEngine.run`.

    """
    with LocalSqlEngine(catalog, semantic_folder) as engine:
        return engine.run(sql)
