"""Athena's SQL (Trino) read with sqlglot and written for DuckDB: the local ``query``'s translation.

Pure: no catalog, no engine. ``translate`` parses one statement in Athena's dialect (Athena engine
v3 is Trino: "Athena engine version 3", Athena user guide), lists the tables it names
(``database.table`` as in Athena; ``"AwsDataCatalog".database.table`` too) and returns the DuckDB
text. ``parse_show`` reads Athena's ``SHOW TABLES [IN database_name] ['regular_expression']`` and
``SHOW DATABASES | SCHEMAS`` ("SHOW TABLES", "SHOW DATABASES", Athena user guide), which sqlglot
does not translate.

Supported: what sqlglot transpiles from Trino to DuckDB without loss: SELECT with joins, CTEs,
subqueries, UNION/INTERSECT/EXCEPT, GROUP BY/HAVING, window functions, ``UNNEST`` (with ``CROSS
JOIN UNNEST(...) AS t(x)``), ``CAST``/``TRY_CAST`` (``DECIMAL(p,s)`` exact), ``||``, ``date_trunc``,
``date_add``/``date_diff``, ``from_iso8601_timestamp``, ``approx_distinct``, ``json_extract_scalar``,
``regexp_like``, ``split``, ``cardinality`` and the other functions both engines share. Integer
division truncates, as in Trino (the engine sets DuckDB's ``integer_division``). A construct sqlglot
knows it cannot write for DuckDB is refused with one line; a Trino function DuckDB does not have
(``format_datetime``, ...) fails in DuckDB with one line naming it. Statements other than a query or
``SHOW`` (DDL, DML) are refused: locally, ``query`` only reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, UnsupportedError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from leanops.exceptions import QueryError

ATHENA_DIALECT = "trino"
LOCAL_DIALECT = "duckdb"
ATHENA_CATALOG = "awsdatacatalog"  # Athena's default catalog name (AwsDataCatalog), case-insensitive
_SHOW_TABLES = re.compile(
    r"^\s*SHOW\s+TABLES(?:\s+(?:IN|FROM)\s+[`\"]?(?P<database>\w+)[`\"]?)?"
    r"(?:\s+(?:LIKE\s+)?'(?P<pattern>[^']*)')?\s*;?\s*$",
    re.IGNORECASE,
)
DATE_PRESERVING = (exp.DateTrunc, exp.TimestampTrunc, exp.DateAdd, exp.DateSub)
DATE_UNITS = {"day", "week", "month", "quarter", "year"}
_SHOW_DATABASES = re.compile(r"^\s*SHOW\s+(?:DATABASES|SCHEMAS)\s*;?\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class TableRef:
    """A table (or semantic view) a statement reads, as Athena names it: ``database.table``."""

    database: str
    name: str

    def __str__(self) -> str:
        return f"{self.database}.{self.name}"


@dataclass(frozen=True)
class Translation:
    """One Athena statement, parsed, with the tables it reads; ``to_duckdb`` writes it for DuckDB."""

    statement: exp.Query
    tables: tuple[TableRef, ...]
    source: str

    @property
    def sql(self) -> str:
        """Return the DuckDB text without column types (DATE-typed literals are still kept dates)."""
        return self.to_duckdb()

    def to_duckdb(self, schema: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None) -> str:
        """Return the DuckDB text, with Trino's result types where DuckDB's differ.

        ``schema`` (database -> table -> column -> DuckDB type) gives the columns' types:
        ``date_trunc``/``date_add`` of a DATE is a DATE in Trino, a TIMESTAMP in DuckDB.

        Raises:
            QueryError: (kind ``unsupported``) on a construct sqlglot cannot write for DuckDB.

        """
        tree = _typed(self.statement, schema)
        _keep_dates(tree)
        try:
            return tree.sql(dialect=LOCAL_DIALECT, unsupported_level=ErrorLevel.RAISE)
        except UnsupportedError as exc:
            raise QueryError(
                "unsupported", f"not supported locally: {_first_line(exc)}", self.source
            ) from exc


@dataclass(frozen=True)
class ShowTables:
    """``SHOW TABLES IN database ['pattern']`` (``database`` None: no IN, not resolvable locally)."""

    database: str | None
    pattern: str | None = None

    def matches(self, table: str) -> bool:
        """Return whether a table name matches the pattern (Athena: ``*`` any characters, ``|`` or)."""
        if self.pattern is None:
            return True
        parts = (part.strip().replace(".*", "*") for part in self.pattern.split("|"))
        choices = (re.escape(part).replace(r"\*", ".*") for part in parts)
        return re.fullmatch("|".join(f"(?:{choice})" for choice in choices), table, re.IGNORECASE) is not None


@dataclass(frozen=True)
class ShowDatabases:
    """``SHOW DATABASES`` / ``SHOW SCHEMAS``."""


def parse_show(sql: str) -> ShowTables | ShowDatabases | None:
    """Return the SHOW statement ``sql`` is, or None when it is not a SHOW this module knows."""
    if _SHOW_DATABASES.match(sql):
        return ShowDatabases()
    found = _SHOW_TABLES.match(sql)
    if not found:
        return None
    database = found.group("database")
    return ShowTables(database.lower() if database else None, found.group("pattern"))


def _one_statement(sql: str) -> exp.Query:
    try:
        statements = [statement for statement in sqlglot.parse(sql, read=ATHENA_DIALECT) if statement]
    except ParseError as exc:
        raise QueryError("syntax", _syntax_message(exc), sql) from exc
    if len(statements) != 1:
        raise QueryError("syntax", f"expected one SQL statement, got {len(statements)}", sql)
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        kind = statement.key.upper()
        problem = f"only queries (SELECT, WITH, SHOW TABLES) run locally, not {kind}"
        raise QueryError("unsupported", problem, sql)
    return statement


def _cte_names(statement: exp.Query) -> set[str]:
    return {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}


def _table_refs(statement: exp.Query, sql: str) -> tuple[TableRef, ...]:
    """Return the tables read, normalised to lower case (Athena's names are), catalog dropped."""
    ctes = _cte_names(statement)
    found = set()
    for table in statement.find_all(exp.Table):
        if not table.name:
            continue
        if table.catalog:
            if table.catalog.lower() != ATHENA_CATALOG:
                raise QueryError("unknown_table", f"unknown catalog {table.catalog!r} in {table.sql()}", sql)
            table.set("catalog", None)
        if not table.db:
            if table.name.lower() in ctes:
                continue
            raise QueryError(
                "unknown_table",
                f"table {table.name!r} needs its database, as in Athena: <database>.{table.name}",
                sql,
            )
        found.add(TableRef(table.db.lower(), table.name.lower()))
    return tuple(sorted(found))


def translate(sql: str) -> Translation:
    """Translate one Athena (Trino) query into DuckDB's SQL and list the tables it reads.

    Args:
        sql: one statement as analysts write it in the Athena console.

    Returns:
        The DuckDB text and the ``database.table`` references (CTE names excluded).

    Raises:
        QueryError: on a syntax error (kind ``syntax``), a statement that is not a query or a
            construct sqlglot cannot write for DuckDB (``unsupported``), a table named without its
            database or in another catalog (``unknown_table``).

    """
    statement = _one_statement(sql)
    tables = _table_refs(statement, sql)
    _name_columns_as_athena(statement)
    translation = Translation(statement, tables, sql)
    translation.to_duckdb()  # an unsupported construct fails here, before any table is read
    return translation


def _typed(statement: exp.Query, schema: Mapping[str, Mapping[str, Mapping[str, str]]] | None) -> exp.Query:
    """Return a copy of the statement with sqlglot's types (columns too when the schema is known)."""
    tree = statement.copy()
    if not schema:
        return annotate_types(tree)
    try:
        mapping = MappingSchema(dict(schema), dialect=LOCAL_DIALECT)
        qualified = qualify(
            tree,
            schema=mapping,
            dialect=ATHENA_DIALECT,
            expand_stars=False,
            quote_identifiers=False,
        )
        return annotate_types(qualified, schema=mapping)
    except Exception:  # noqa: BLE001 - an unknown column (DuckDB says it better), a construct sqlglot's
        # optimizer lacks: keep the untyped text
        return annotate_types(statement.copy())


def _keep_dates(tree: exp.Query) -> None:
    """Cast ``date_trunc``/``date_add`` of a DATE back to DATE, as Trino returns it (DuckDB: TIMESTAMP)."""
    for node in list(tree.find_all(*DATE_PRESERVING)):
        argument = node.this
        unit = str(node.args.get("unit") or "").strip("'").lower()
        if argument is None or argument.type is None or not argument.type.is_type(exp.DataType.Type.DATE):
            continue
        if isinstance(node, exp.DateAdd | exp.DateSub) and unit and unit not in DATE_UNITS:
            continue
        node.replace(exp.cast(node.copy(), exp.DataType.Type.DATE))


def _name_columns_as_athena(statement: exp.Query) -> None:
    """Name each unnamed result column ``_col<position>``, as Athena (Trino) does (DuckDB: its text)."""
    if not isinstance(statement, exp.Select):
        return
    for position, column in enumerate(statement.expressions):
        if not isinstance(column, exp.Alias | exp.Column | exp.Star):
            column.replace(exp.alias_(column.copy(), f"_col{position}"))


def _syntax_message(exc: ParseError) -> str:
    """Return "SQL syntax error at line L, column C, near 'TOKEN': what" from sqlglot's first error."""
    if not exc.errors:
        return f"SQL syntax error: {_first_line(exc)}"
    error = exc.errors[0]
    what = str(error.get("description") or "").split(" but got <Token")[0]
    near = str(error.get("highlight") or "").strip()
    where = f"line {error.get('line')}, column {error.get('col')}" + (f", near {near!r}" if near else "")
    return f"SQL syntax error at {where}: {what}"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
