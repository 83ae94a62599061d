r"""Turns JSON key paths into Athena-safe snake_case column names, injective per topic.

One naming module for the whole project (Lambda, Glue, local runner, contracts): rules come
from ``schemas/tables.json`` (``column_naming``).

Readable name of one key (:func:`normalize_key`):
  * casefold, Unicode NFKD, combining marks dropped (``Prénom`` -> ``prenom``, ``Straße`` ->
    ``strasse``); every run of characters outside ``[a-z0-9]`` becomes one ``_``; leading and
    trailing ``_`` are dropped;
  * a key holding letters or digits that have no ASCII form (``名前``, ``año`` keeps ``ano``
    but ``ı`` has none) gets ``_`` + a short hash of the original key, so two such keys stay
    apart (``名前`` -> ``f_<hash>``, ``年齢`` -> ``f_<other hash>``); an empty result becomes ``f``;
  * a name that does not start with a letter gets the prefix ``f_`` (``1st`` -> ``f_1st``).
Keys of a nested path are joined with ``__`` (``customer.id`` -> ``customer__id``); a single key
never yields ``__``, so a nested key never meets a flat key holding a dot (``{"a.b": 1}`` ->
``a_b``). A body column that would take a system column's name (``message_id``, ``run_id`` ...)
gets the prefix ``body_``. Names are cut to ``max_length`` (128, within Glue's 255-character
column name limit: AWS Glue API "Column", Name: "Maximum length of 255",
docs.aws.amazon.com/glue/latest/webapi/API_Column.html; Athena wants lowercase names of at most
255 characters, "Name databases, tables, and columns",
docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html) with a short hash of
what was cut.

Injective and stable (:func:`assign_columns`): the readable name is only a candidate. The
standardized job records, per topic, the column every key path got (leanops.adapters.
column_mapping); a key path keeps its column forever, and a new path whose candidate is taken
(``Amount`` after ``amount``, ``prix_€`` after ``prix``) gets the candidate + ``_`` + a short hash
of the path. Two different key paths of one topic never share a column.

Key paths are written two ways: :func:`path_key` (a JSON array of the keys: exact, used inside
the pipeline) and the dotted form users write in contracts (:func:`parse_dotted_path`: keys
joined by ``.``, a ``.`` or ``\`` inside a key escaped with ``\``).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from leanops import definitions

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_HASH_LENGTH = 8
_FULL_HASH_LENGTH = 40
_EMPTY_NAME = "f"
_PATH_SEPARATOR = "."
_ESCAPE = "\\"
_COMBINING_MARK = "Mn"
_LETTER_OR_DIGIT = ("L", "N")

KeyPath = tuple[str, ...]


@cache
def _rules() -> dict[str, object]:
    return dict(definitions.load_json(definitions.TABLES_FILE)["column_naming"])


def nested_separator() -> str:
    """Return the separator between the keys of a nested path in a column name (``__``)."""
    return str(_rules()["nested_separator"])


def _max_length() -> int:
    return int(str(_rules()["max_length"]))


def _digest(text: str, length: int = _HASH_LENGTH) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def _transliterate(key: str) -> tuple[str, bool]:
    """Return the ASCII letters, digits and separators of a key, and whether letters or digits were lost."""
    decomposed = unicodedata.normalize("NFKD", key.strip().casefold())
    kept = "".join(char for char in decomposed if unicodedata.category(char) != _COMBINING_MARK)
    lost = any(not char.isascii() and unicodedata.category(char)[0] in _LETTER_OR_DIGIT for char in kept)
    return kept, lost


def normalize_key(key: str) -> str:
    """Return the readable snake_case name of one JSON key.

    Args:
        key: a JSON object key, any text.

    Returns:
        A name of ``[a-z0-9_]`` that starts with a letter; a hash of the key is appended when
        letters or digits of the key have no ASCII form.
    """
    kept, lost = _transliterate(key)
    name = _NON_ALNUM.sub("_", kept).strip("_") or _EMPTY_NAME
    if lost:
        name = f"{name}_{_digest(key)}"
    if not name[0].isalpha():
        return f"{_rules()['leading_non_letter_prefix']}{name}"
    return name


def with_suffix(name: str, suffix: str) -> str:
    """Return ``name_suffix``, cutting ``name`` so the result fits the maximum column length."""
    return f"{name[: _max_length() - len(suffix) - 1].rstrip('_')}_{suffix}"


def shorten(name: str) -> str:
    """Cut a name to the maximum column length, keeping it unique with a hash suffix."""
    if len(name) <= _max_length():
        return name
    return with_suffix(name, _digest(name))


@cache
def system_columns() -> frozenset[str]:
    """Return the column names that body fields may not take (standardized and curated)."""
    names: set[str] = set()
    for kind in (definitions.STANDARDIZED, definitions.CURATED):
        names.update(definitions.table(kind).column_names)
    return frozenset(names)


def column_for_path(path: Sequence[str]) -> str:
    """Return the readable candidate column of a body value at a path of JSON keys.

    The column a path really gets is decided per topic by :func:`assign_columns` (the candidate,
    unless another path of the topic took it first).

    Args:
        path: the keys from the body's root to the value, e.g. ``("customer", "id")``.

    Returns:
        The candidate column name, e.g. ``customer__id``.
    """
    name = shorten(nested_separator().join(normalize_key(key) for key in path))
    if name in system_columns():
        return shorten(f"{_rules()['reserved_collision_prefix']}{name}")
    return name


def path_key(path: Sequence[str]) -> str:
    """Return the exact text of a key path: a compact JSON array of its keys (``["customer","id"]``)."""
    return json.dumps(list(path), ensure_ascii=False, separators=(",", ":"))


def path_of_key(text: str) -> KeyPath:
    """Return the key path written by :func:`path_key`."""
    return tuple(str(key) for key in json.loads(text))


def parse_dotted_path(dotted: str) -> KeyPath:
    r"""Split a dotted path as contracts write it: keys joined by ``.``; ``\.`` and ``\\`` escape.

    Raises:
        ValueError: when the path ends with a lone ``\`` or escapes another character.
    """
    keys, current, chars = [], [], iter(dotted)
    for char in chars:
        if char == _ESCAPE:
            escaped = next(chars, None)
            if escaped not in (_ESCAPE, _PATH_SEPARATOR):
                raise ValueError(f"'\\' must be followed by '.' or '\\' in path {dotted!r}")
            current.append(escaped)
        elif char == _PATH_SEPARATOR:
            keys.append("".join(current))
            current = []
        else:
            current.append(char)
    keys.append("".join(current))
    return tuple(keys)


def dotted_path(path: Sequence[str]) -> str:
    """Return a key path as users read and write it (the inverse of :func:`parse_dotted_path`)."""
    escape = {_ESCAPE: _ESCAPE * 2, _PATH_SEPARATOR: _ESCAPE + _PATH_SEPARATOR}
    return _PATH_SEPARATOR.join("".join(escape.get(char, char) for char in key) for key in path)


def assign_columns(known: Mapping[KeyPath, str], paths: Iterable[KeyPath]) -> dict[KeyPath, str]:
    """Give every key path not yet known a column no other path of the topic has.

    Deterministic: the new paths are taken in sorted order; each gets its candidate
    (:func:`column_for_path`) when free, else the candidate + ``_`` + a hash of the path
    (longer hashes, then a counter, if that too is taken).

    Args:
        known: the topic's recorded key path -> column (first naming wins forever).
        paths: key paths seen now (known ones are skipped).

    Returns:
        The new entries only: key path -> column.
    """
    taken = set(known.values()) | system_columns()
    assigned: dict[KeyPath, str] = {}
    for path in sorted(set(paths) - set(known)):
        column = _free_column(column_for_path(path), path_key(path), taken)
        taken.add(column)
        assigned[path] = column
    return assigned


def _free_column(candidate: str, key: str, taken: set[str]) -> str:
    if candidate not in taken:
        return candidate
    for length in (_HASH_LENGTH, _FULL_HASH_LENGTH):
        column = with_suffix(candidate, _digest(key, length))
        if column not in taken:
            return column
    counter = 1
    while with_suffix(candidate, f"{_digest(key)}_{counter}") in taken:
        counter += 1
    return with_suffix(candidate, f"{_digest(key)}_{counter}")


# -- queue names -------------------------------------------------------------------------------
# Terraform (modules/ingestion) names a topic's queues "<prefix>-<topic>" and "<prefix>-<topic>-dlq".
# The topic-name rule (schemas/tables.json topic_name) admits no "-", so a queue name read back
# gives exactly one topic: the Lambdas derive it instead of carrying a queue -> topic map.
QUEUE_NAME_SEPARATOR = "-"
DLQ_SUFFIX = "-dlq"


def queue_name(prefix: str, topic: str, dlq: bool = False) -> str:
    """Return the name of a topic's queue (or of its DLQ) in the stack named by ``prefix``.

    Args:
        prefix: the stack's name prefix (``<project>-<environment>``).
        topic: the topic name.
        dlq: whether to name the topic's dead-letter queue.

    Returns:
        ``<prefix>-<topic>`` or ``<prefix>-<topic>-dlq``.
    """
    return f"{prefix}{QUEUE_NAME_SEPARATOR}{topic}{DLQ_SUFFIX if dlq else ''}"


def topic_of_queue_name(prefix: str, name: str, dlq: bool = False) -> str | None:
    """Return the candidate topic of a queue name, the inverse of :func:`queue_name`.

    Args:
        prefix: the stack's name prefix.
        name: a queue name.
        dlq: whether ``name`` must be a DLQ name.

    Returns:
        The part between ``<prefix>-`` and the suffix, or None when the name does not have that
        shape. The caller validates it as a topic name (it may still contain ``-``).
    """
    head = f"{prefix}{QUEUE_NAME_SEPARATOR}"
    tail = DLQ_SUFFIX if dlq else ""
    if not name.startswith(head) or not name.endswith(tail):
        return None
    candidate = name[len(head) : len(name) - len(tail)]
    return candidate or None
