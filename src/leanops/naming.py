"""Turns JSON keys and paths into deterministic, Athena-safe snake_case column names.

One naming module for the whole project (Lambda, Glue, local runner, contracts): rules come
from ``schemas/tables.json`` (``column_naming``).

Rules, applied to each key of a path:
  * trim, lowercase, every run of characters outside ``[a-z0-9]`` becomes one ``_``;
  * leading and trailing ``_`` are dropped; an empty result becomes ``f``;
  * a name that does not start with a letter gets the prefix ``f_`` (``1st`` -> ``f_1st``).
Keys of a nested path are joined with ``__`` (``customer.id`` -> ``customer__id``), so a nested
key never collides with a flat key holding a dot (``{"a.b": 1}`` -> ``a_b``). A column name
longer than ``max_length`` is cut and suffixed with a short hash of the full name. A body column
that would collide with a system column (``message_id``, ``run_id`` ...) gets the prefix ``body_``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import cache

from leanops import definitions

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_HASH_LENGTH = 8


@cache
def _rules() -> dict[str, object]:
    return dict(definitions.load_json(definitions.TABLES_FILE)["column_naming"])


def nested_separator() -> str:
    """Return the separator between the keys of a nested path in a column name (``__``)."""
    return str(_rules()["nested_separator"])


def normalize_key(key: str) -> str:
    """Return the snake_case form of one JSON key.

    Args:
        key: a JSON object key, any text.

    Returns:
        A name of ``[a-z0-9_]`` that starts with a letter.
    """
    name = _NON_ALNUM.sub("_", key.strip().lower()).strip("_")
    if not name:
        return "f"
    if not name[0].isalpha():
        return f"{_rules()['leading_non_letter_prefix']}{name}"
    return name


def shorten(name: str) -> str:
    """Cut a name to the maximum column length, keeping it unique with a hash suffix."""
    max_length = int(str(_rules()["max_length"]))
    if len(name) <= max_length:
        return name
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    return f"{name[: max_length - _HASH_LENGTH - 1].rstrip('_')}_{digest}"


@cache
def system_columns() -> frozenset[str]:
    """Return the column names that body fields may not take (standardized and curated)."""
    names: set[str] = set()
    for kind in (definitions.STANDARDIZED, definitions.CURATED):
        names.update(definitions.table(kind).column_names)
    return frozenset(names)


def column_for_path(path: Sequence[str]) -> str:
    """Return the standardized column name of a body value at a path of JSON keys.

    Args:
        path: the keys from the body's root to the value, e.g. ``("customer", "id")``.

    Returns:
        The column name, e.g. ``customer__id``.
    """
    name = shorten(nested_separator().join(normalize_key(key) for key in path))
    if name in system_columns():
        return shorten(f"{_rules()['reserved_collision_prefix']}{name}")
    return name


def column_for_dotted_path(dotted: str) -> str:
    """Return the column of a contract ``path`` (keys joined by ``.``)."""
    return column_for_path(dotted.split("."))


def find_collisions(paths: Iterable[Sequence[str]]) -> dict[str, list[str]]:
    """Group paths whose column names collide.

    Returns:
        column name -> the dotted source paths (two or more) that map to it.
    """
    seen: dict[str, list[str]] = {}
    for path in paths:
        seen.setdefault(column_for_path(path), []).append(".".join(path))
    return {column: sources for column, sources in seen.items() if len(sources) > 1}
