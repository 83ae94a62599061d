"""Parses one message body into flat columns: the only per-row Python code of the pipeline.

Why Python and not Spark's JSON reader: the pipeline must keep every value exactly and reject
what JSON does not allow, and Spark's reader cannot report duplicate keys, NaN / Infinity
literals or lone UTF-16 surrogates, and cannot keep number literals beyond a double's precision
byte for byte. Python's ``json`` module with hooks can: numbers are kept as their literal text
(``parse_int`` / ``parse_float``), non-standard constants are refused (``parse_constant``) and
objects are checked for duplicate keys (``object_pairs_hook``, or, on the fast way, a colon
count that proves none was dropped: :func:`_parse_fast`).

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
from functools import lru_cache
from typing import Any, NamedTuple

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
# (\uD8xx..\uDFxx, hex digits in any case) or the character itself in the text (see
# _may_hold_surrogate).
_ESCAPED_SURROGATE = re.compile("\\\\u[dD][89a-fA-F]")
_ESCAPE_U = "\\u"
# JSON text of a string, non-ASCII kept (what json.dumps(ensure_ascii=False) gives, without
# building an encoder per call).
_json_string = json.encoder.encode_basestring  # type: ignore[attr-defined]
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")  # what RFC 8259 (and json.loads) allow around values
_PREVIEW_LENGTH = 40
_PATH_KEY_CACHE_SIZE = 65_536

PathPart = str | int
# What flattening fills: key path -> value text (None for JSON null), key path -> JSON type.
Flat = tuple[dict[str, str | None], dict[str, str]]


class ParsedBody(NamedTuple):
    """The outcome of parsing one body (a tuple: built once per row, in C).

    Attributes:
        values: key path (leanops.naming.path_key) -> value text (None for JSON null); empty
            when ``error`` is set.
        types: key path -> JSON type (string, number, boolean, null, array or object).
        error: None, or why the body was rejected (what and where).
    """

    values: dict[str, str | None]
    types: dict[str, str]
    error: str | None


class JsonNumber(str):
    """A JSON number kept as the exact text it was written with (``1e400``, ``0.1000``).

    A ``str`` subclass, so the decoder builds it in C (``parse_int`` / ``parse_float``); checks
    test ``type(value) is str`` for JSON strings, never ``isinstance``.
    """

    __slots__ = ()

    @property
    def literal(self) -> str:
        """The number's text."""
        return str.__str__(self)


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


# The exact decoder sees every key of every object (object_pairs_hook): duplicates are reported
# with their path. The fast one builds dicts in C, so a duplicate key silently keeps its last
# value; parse_body takes its result only where a colon count proves no key was dropped
# (:func:`_parse_fast`) and decodes again with the exact one otherwise.
_EXACT_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_from_pairs,
    parse_float=JsonNumber,
    parse_int=JsonNumber,
    parse_constant=_reject_constant,
)
_FAST_DECODER = json.JSONDecoder(
    parse_float=JsonNumber, parse_int=JsonNumber, parse_constant=_reject_constant
)
# A colon written as an escape (\u003a, hex in any case) decodes to a colon the text does not show.
_ESCAPED_COLON = re.compile(r"\\u003[aA]")
_COLON = ":"


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
    if isinstance(value, JsonNumber):  # a str subclass: tested before str
        return JSON_NUMBER
    if isinstance(value, str):
        return JSON_STRING
    if isinstance(value, bool):
        return JSON_BOOLEAN
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


def _check_value(value: Any, path: tuple[PathPart, ...], strict: bool) -> None:
    """Check a value kept whole as the exact way does, in document order (see :func:`_flatten`)."""
    if type(value) is str:
        _check_text(value, "string", path, strict)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, (*path, index), strict)
    elif isinstance(value, dict):
        _check_object(value, path, strict)
        for key, item in value.items():
            _check_value(item, (*path, key), strict)


def _compact(value: Any) -> str:
    """Return compact JSON text of a decoded value, numbers as their literal text."""
    if type(value) is list:
        return "[" + ",".join([_compact_scalar(item) for item in value]) + "]"
    if isinstance(value, dict):
        members = [_json_string(key) + _COLON + _compact_scalar(item) for key, item in value.items()]
        return "{" + ",".join(members) + "}"
    return _compact_scalar(value)


def _compact_scalar(value: Any) -> str:
    """Return compact JSON text of a decoded value, scalars without another call (most array items)."""
    kind = type(value)
    if kind is str:
        return _json_string(value)
    if kind is JsonNumber:
        return value.literal
    if kind is list or isinstance(value, dict):
        return _compact(value)
    if value is None:
        return JSON_NULL
    return JSON_TRUE if value else JSON_FALSE


def _flatten(
    obj: dict[str, Any], path: tuple[str, ...], max_depth: int, flat: Flat, checked: bool, strict: bool
) -> int:
    """Add every leaf of ``obj`` to ``flat`` (key path -> value text, key path -> JSON type).

    Args:
        obj: a decoded object.
        path: its key path.
        max_depth: the deepest path flattened; an object at this depth is kept whole.
        flat: what is filled.
        checked: the exact way: report a duplicate key (an object the exact decoder marked) and,
            if ``strict``, a lone surrogate in any key or string, with its path.
        strict: check every key and string for a lone surrogate (only where ``checked``).

    Returns:
        The colons the decoded values account for (:func:`_parse_fast`): one per key, plus every
        colon inside the keys and strings (those kept whole included, as their text shows them).
    """
    if checked:
        _check_object(obj, path, strict)
    values, types = flat
    colons = len(obj) + "".join(obj).count(_COLON)
    for key, value in obj.items():
        child = (*path, key)
        kind = type(value)
        text: str | None
        if kind is str:
            if checked:
                _check_text(value, "string", child, strict)
            text, json_kind = value, JSON_STRING
            colons += value.count(_COLON)
        elif kind is JsonNumber:
            text, json_kind = value.literal, JSON_NUMBER
        elif value is None:
            text, json_kind = None, JSON_NULL
        elif kind is bool:
            text, json_kind = (JSON_TRUE if value else JSON_FALSE), JSON_BOOLEAN
        elif isinstance(value, dict) and value and len(child) < max_depth:
            colons += _flatten(value, child, max_depth, flat, checked, strict)
            continue
        else:  # an array, an empty object, or one at the flattening depth: kept whole
            if checked:
                _check_value(value, child, strict)
            text, json_kind = _compact(value), JSON_ARRAY if kind is list else JSON_OBJECT
            colons += text.count(_COLON)
        path_key = _key_for(child)
        values[path_key] = text
        types[path_key] = json_kind
    return colons


def _skip_whitespace(text: str, position: int) -> int:
    match = _JSON_WHITESPACE.match(text, position)
    return match.end() if match is not None else position


def _decode_object(text: str | None, decoder: json.JSONDecoder) -> dict[str, Any]:
    if text is None:
        raise BodyParseError("body is missing (NULL)")
    if not text:
        raise BodyParseError("body is empty")
    if not text.strip():
        raise BodyParseError(f"body is only whitespace ({len(text)} characters)")
    start = _skip_whitespace(text, 0)
    try:
        document, end = decoder.raw_decode(text, start)
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


def _parse_fast(text: str, max_depth: int) -> Flat | None:
    """Decode and flatten with the fast decoder; None where its result may have lost a duplicate key.

    Why the count proves it: outside strings, JSON has exactly one colon per key. Let the text
    hold K keys and L colons inside strings, so ``text.count(":") == K + L``. The decoded values
    hold K' <= K keys (K' < K exactly when a duplicate was dropped) and, with no escaped colon in
    the text, at most L colons inside their strings (fewer when a dropped duplicate held some).
    So the colons they account for equal the text's only when no key was dropped.
    """
    flat, colons = _flatten_document(text, max_depth, checked=False, strict=False)
    if colons != text.count(_COLON) or _ESCAPED_COLON.search(text) is not None:
        return None
    return flat


def _may_hold_surrogate(text: str) -> bool:
    """Return whether decoding ``text`` may give a string holding a UTF-16 surrogate.

    Only its escape or the character itself can put one there. The checks are ordered by cost:
    a substring test before the escape's regex; for the character, ASCII text cannot hold it,
    and UTF-8 encoding fails on exactly the surrogate code points (Python's strict codec).
    """
    if _ESCAPE_U in text and _ESCAPED_SURROGATE.search(text) is not None:
        return True
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _flatten_document(text: str | None, max_depth: int, checked: bool, strict: bool) -> tuple[Flat, int]:
    """Decode (the exact decoder where ``checked``, else the fast one) and flatten (:func:`_flatten`)."""
    document = _decode_object(text, _EXACT_DECODER if checked else _FAST_DECODER)
    flat: Flat = ({}, {})
    return flat, _flatten(document, (), max_depth, flat, checked, strict)


def parse_body(text: str | None, max_fields: int, max_depth: int) -> ParsedBody:
    """Parse one message body into flat column values and their JSON types.

    A body goes the fast way (:func:`_parse_fast`) unless it may hold a lone surrogate (only its
    escape or the character itself can put one in: then every string is checked) or the fast
    way cannot prove it has no duplicate key; both ways give the same result.

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
        strict = text is not None and _may_hold_surrogate(text)
        flat = None if strict or not text else _parse_fast(text, max_depth)
        if flat is None:
            flat, _ = _flatten_document(text, max_depth, checked=True, strict=strict)
        values, types = flat
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
