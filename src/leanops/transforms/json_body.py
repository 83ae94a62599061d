"""Parses one message body into flat columns: the only per-row Python code of the pipeline.

Why Python and not Spark's JSON reader: the pipeline must keep every value exactly and reject
what JSON does not allow, and Spark's reader cannot report duplicate keys, NaN / Infinity
literals or lone UTF-16 surrogates, and cannot keep number literals beyond a double's precision
byte for byte. Python's ``json`` module with hooks can: numbers are kept as their literal text
(``parse_int`` / ``parse_float``), non-standard constants are refused (``parse_constant``) and
objects are checked for duplicate keys (``object_pairs_hook``).

Flattening: nested objects become one value per leaf, keyed by the leaf's exact key path
(:func:`leanops.naming.path_key`: ``["customer","id"]``; the standardized job turns paths into
columns, injectively per topic, see leanops.naming); arrays and objects nested deeper than
``max_depth`` are kept whole as compact JSON text under their own path (numbers keep their
literal text there too; array elements are not flattened: an array is one value); an empty
object is ``{}``; JSON strings are unquoted; numbers are their literal text; booleans are
``true`` / ``false``; JSON null is ``None``. Any keys are accepted: no valid JSON object is
rejected because of its keys (only duplicate keys in one object are, and lone surrogates).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from leanops import naming
from leanops.exceptions import BodyParseError
from leanops.settings import MAX_FIELDS_PER_MESSAGE

JSON_STRING = "string"
JSON_NUMBER = "number"
JSON_BOOLEAN = "boolean"
JSON_NULL = "null"
JSON_ARRAY = "array"
JSON_OBJECT = "object"
JSON_TRUE = "true"
JSON_FALSE = "false"

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# What can put a UTF-16 surrogate (U+D800..U+DFFF) into a decoded string: its JSON escape
# (\uD8xx..\uDFxx, hex digits in any case) or the character itself in the text.
_MAYBE_SURROGATE = re.compile("\\\\u[dD][89a-fA-F]|[\ud800-\udfff]")
# JSON text of a string, non-ASCII kept (what json.dumps(ensure_ascii=False) gives, without
# building an encoder per call).
_json_string = json.encoder.encode_basestring  # type: ignore[attr-defined]
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")  # what RFC 8259 (and json.loads) allow around values
_PREVIEW_LENGTH = 40
_PATH_KEY_CACHE_SIZE = 65_536

PathPart = str | int


@dataclass(frozen=True)
class ParsedBody:
    """The outcome of parsing one body.

    Attributes:
        values: key path (leanops.naming.path_key) -> value text (None for JSON null); empty
            when ``error`` is set.
        types: key path -> JSON type (string, number, boolean, null, array or object).
        error: None, or why the body was rejected (what and where).
    """

    values: dict[str, str | None]
    types: dict[str, str]
    error: str | None


@dataclass(frozen=True, slots=True)
class JsonNumber:
    """A JSON number kept as the exact text it was written with (``1e400``, ``0.1000``)."""

    literal: str


class _ObjectWithDuplicateKeys(dict[str, Any]):
    """A decoded JSON object in which some keys appeared more than once (reported with its path)."""

    duplicate_keys: tuple[str, ...] = ()


def _object_from_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _ObjectWithDuplicateKeys(pairs)
    marked.duplicate_keys = tuple(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
    return marked


def _reject_constant(literal: str) -> Any:
    raise BodyParseError(
        f"invalid JSON: {literal} is not a JSON number (NaN and Infinity literals are not allowed)"
    )


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_from_pairs,
    parse_float=JsonNumber,
    parse_int=JsonNumber,
    parse_constant=_reject_constant,
)


@lru_cache(maxsize=_PATH_KEY_CACHE_SIZE)
def _key_for(path: tuple[str, ...]) -> str:
    return naming.path_key(path)


def _where(path: Sequence[PathPart]) -> str:
    if not path:
        return "the top level"
    text = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" if index else part
        for index, part in enumerate(path)
    )
    return f"path '{text}'"


def _preview(text: str) -> str:
    shown = text if len(text) <= _PREVIEW_LENGTH else f"{text[:_PREVIEW_LENGTH]}..."
    return shown.encode("utf-8", "backslashreplace").decode("utf-8")


def json_type(value: Any) -> str:
    """Return the JSON type name of a decoded value (string, number, boolean, null, array, object)."""
    if isinstance(value, str):
        return JSON_STRING
    if isinstance(value, bool):
        return JSON_BOOLEAN
    if isinstance(value, JsonNumber):
        return JSON_NUMBER
    if value is None:
        return JSON_NULL
    if isinstance(value, list):
        return JSON_ARRAY
    return JSON_OBJECT


def _check_text(text: str, role: str, path: Sequence[PathPart], strict: bool) -> str:
    if not strict:
        return text
    match = _LONE_SURROGATE.search(text)
    if match is not None:
        code = f"\\u{ord(match.group()):04x}"
        problem = f"holds a lone UTF-16 surrogate ({code}); it cannot be stored as UTF-8"
        raise BodyParseError(f"{role} {_preview(text)!r} at {_where(path)} {problem}")
    return text


def _check_object(obj: dict[str, Any], path: Sequence[PathPart], strict: bool) -> None:
    if type(obj) is _ObjectWithDuplicateKeys:
        keys = ", ".join(repr(_preview(key)) for key in obj.duplicate_keys)
        raise BodyParseError(f"duplicate key {keys} in the object at {_where(path)}")
    if strict:
        for key in obj:
            _check_text(key, "key", path, strict)


def _serialize(value: Any, path: tuple[PathPart, ...], strict: bool) -> str:
    """Return compact JSON text of a decoded value, numbers as their literal text."""
    if isinstance(value, str):
        return _json_string(_check_text(value, "string", path, strict))
    if isinstance(value, bool):
        return JSON_TRUE if value else JSON_FALSE
    if isinstance(value, JsonNumber):
        return value.literal
    if value is None:
        return JSON_NULL
    if isinstance(value, list):
        return (
            "[" + ",".join(_serialize(item, (*path, index), strict) for index, item in enumerate(value)) + "]"
        )
    _check_object(value, path, strict)
    members = (f"{_json_string(key)}:{_serialize(item, (*path, key), strict)}" for key, item in value.items())
    return "{" + ",".join(members) + "}"


def _flatten_object(
    obj: dict[str, Any],
    path: tuple[str, ...],
    max_depth: int,
    flat: tuple[dict[str, str | None], dict[str, str]],
    strict: bool,
) -> None:
    """Add every leaf of ``obj`` to ``flat`` (key path -> value text, key path -> JSON type)."""
    _check_object(obj, path, strict)
    values, types = flat
    for key, value in obj.items():
        child = (*path, key)
        kind = type(value)
        text: str | None
        if kind is str:
            text, json_kind = _check_text(value, "string", child, strict), JSON_STRING
        elif kind is JsonNumber:
            text, json_kind = value.literal, JSON_NUMBER
        elif value is None:
            text, json_kind = None, JSON_NULL
        elif kind is bool:
            text, json_kind = (JSON_TRUE if value else JSON_FALSE), JSON_BOOLEAN
        elif kind is list:
            text, json_kind = _serialize(value, child, strict), JSON_ARRAY
        elif value and len(child) < max_depth:
            _flatten_object(value, child, max_depth, flat, strict)
            continue
        else:  # an empty object, or one at the flattening depth: kept whole
            text, json_kind = _serialize(value, child, strict), JSON_OBJECT
        path_key = _key_for(child)
        values[path_key] = text
        types[path_key] = json_kind


def _skip_whitespace(text: str, position: int) -> int:
    match = _JSON_WHITESPACE.match(text, position)
    return match.end() if match is not None else position


def _decode_object(text: str | None) -> dict[str, Any]:
    if text is None:
        raise BodyParseError("body is missing (NULL)")
    if not text:
        raise BodyParseError("body is empty")
    if not text.strip():
        raise BodyParseError(f"body is only whitespace ({len(text)} characters)")
    start = _skip_whitespace(text, 0)
    try:
        document, end = _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        raise BodyParseError(f"{'truncated' if truncated else 'invalid'} JSON: {exc}") from None
    rest = _skip_whitespace(text, end)
    if rest != len(text):
        position = json.JSONDecodeError("trailing data after the JSON value", text, rest)
        raise BodyParseError(f"invalid JSON: {position}")
    if not isinstance(document, dict):
        raise BodyParseError(f"body is a JSON {json_type(document)}, not an object")
    return document


def parse_body(text: str | None, max_fields: int, max_depth: int) -> ParsedBody:
    """Parse one message body into flat column values and their JSON types.

    Args:
        text: the body, verbatim (None when absent).
        max_fields: the most leaf fields (columns) a body may have.
        max_depth: the deepest path flattened into columns; an object found at this depth is
            kept whole, as JSON text, in one column.

    Returns:
        The values and types keyed by key path, or (``values`` and ``types`` empty) the reason
        the body was rejected.
    """
    try:
        document = _decode_object(text)
        # A body without a surrogate (escaped or not) cannot decode to one: skip the per-string check.
        strict = text is not None and _MAYBE_SURROGATE.search(text) is not None
        values: dict[str, str | None] = {}
        types: dict[str, str] = {}
        _flatten_object(document, (), max_depth, (values, types), strict)
        if len(values) > max_fields:  # distinct key paths have distinct keys (naming.path_key)
            allowed = f"the limit of {max_fields} ({MAX_FIELDS_PER_MESSAGE})"
            raise BodyParseError(f"body has {len(values)} fields, more than {allowed}")
        return ParsedBody(values=values, types=types, error=None)
    except BodyParseError as exc:
        return ParsedBody(values={}, types={}, error=exc.reason)
    except RecursionError:
        limit = sys.getrecursionlimit()
        reason = f"body nests deeper than Python's JSON parser supports (recursion limit {limit})"
        return ParsedBody(values={}, types={}, error=reason)
