"""parse_body: every rejection reason, flattening by key path, exact numbers, unicode and the depth cap.

Values are keyed by exact key path (leanops.naming.path_key); the tables below write them dotted
(leanops.naming.dotted_path) for reading.
"""

from __future__ import annotations

from typing import TypeVar

import pytest

from leanops import naming
from leanops.transforms.json_body import ParsedBody, parse_body

MAX_FIELDS = 50
MAX_DEPTH = 8
NOT_UTF8 = "; it cannot be stored as UTF-8"
V = TypeVar("V")


def _dotted(by_key: dict[str, V]) -> dict[str, V]:
    return {naming.dotted_path(naming.path_of_key(key)): value for key, value in by_key.items()}


def _parse(text: str | None, max_fields: int = MAX_FIELDS, max_depth: int = MAX_DEPTH) -> ParsedBody:
    parsed = parse_body(text, max_fields, max_depth)
    return ParsedBody(values=_dotted(parsed.values), types=_dotted(parsed.types), error=parsed.error)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (None, "body is missing (NULL)"),
        ("", "body is empty"),
        (" \t\r\n ", "body is only whitespace (5 characters)"),
        ('{"a": 1', "truncated JSON: Expecting ',' delimiter: line 1 column 8 (char 7)"),
        ('{"a": "ab', "truncated JSON: Unterminated string starting at: line 1 column 7 (char 6)"),
        ('{"a": 1,\n "b": }', "invalid JSON: Expecting value: line 2 column 7 (char 15)"),
        (
            "{'a': 1}",
            "invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        ('{"a": 1} {"b": 2}', "invalid JSON: trailing data after the JSON value: line 1 column 10 (char 9)"),
        ('{"a": 1}\n]', "invalid JSON: trailing data after the JSON value: line 2 column 1 (char 9)"),
        ("[1, 2]", "body is a JSON array, not an object"),
        ("null", "body is a JSON null, not an object"),
        ('"text"', "body is a JSON string, not an object"),
        ("42.5", "body is a JSON number, not an object"),
        ("true", "body is a JSON boolean, not an object"),
        ('{"a": NaN}', "invalid JSON: NaN is not a JSON number (NaN and Infinity literals are not allowed)"),
        (
            '{"a": [Infinity]}',
            "invalid JSON: Infinity is not a JSON number (NaN and Infinity literals are not allowed)",
        ),
        (
            '{"a": -Infinity}',
            "invalid JSON: -Infinity is not a JSON number (NaN and Infinity literals are not allowed)",
        ),
        ('{"id": 1, "id": 2}', "duplicate key 'id' in the object at the top level"),
        ('{"c": {"id": 1, "x": 0, "id": 2}}', "duplicate key 'id' in the object at path 'c'"),
        ('{"c": [{"k": 1}, {"k": 1, "k": 2}]}', "duplicate key 'k' in the object at path 'c[1]'"),
        # where the fast way's colon count must see the dropped key (json_body._parse_fast):
        # colons inside strings, in the duplicate's value, in keys, escaped, in a kept-whole array
        ('{"t": "12:00", "t": "13:00"}', "duplicate key 't' in the object at the top level"),
        ('{"a": {"x": "a:b:c"}, "a": 1}', "duplicate key 'a' in the object at the top level"),
        ('{"k:1": 1, "k:1": 2}', "duplicate key 'k:1' in the object at the top level"),
        ('{"s": "\\u003a", "d": 1, "d": 2}', "duplicate key 'd' in the object at the top level"),
        ('{"s": "\\u003A:", "d": "x", "d": 2}', "duplicate key 'd' in the object at the top level"),
        ('{"a": [{"t": "1:2", "t": "3"}]}', "duplicate key 't' in the object at path 'a[0]'"),
        (
            '{"a": "x\\ud800y"}',
            "string 'x\\\\ud800y' at path 'a' holds a lone UTF-16 surrogate (\\ud800)" + NOT_UTF8,
        ),
        (
            '{"\\udfff": 1}',
            "key '\\\\udfff' at the top level holds a lone UTF-16 surrogate (\\udfff)" + NOT_UTF8,
        ),
        # a lone surrogate inside an array, an object kept whole, upper-case hex, a raw character:
        # the per-string check runs wherever a surrogate may hide (json_body skips it otherwise)
        (
            '{"a": ["ok", "\\uDC00"]}',
            "string '\\\\udc00' at path 'a[1]' holds a lone UTF-16 surrogate (\\udc00)" + NOT_UTF8,
        ),
        (
            '{"a": {"b": {"\\uD801": 1}}}',
            "key '\\\\ud801' at path 'a.b' holds a lone UTF-16 surrogate (\\ud801)" + NOT_UTF8,
        ),
        (
            '{"a": "x\ud800"}',
            "string 'x\\\\ud800' at path 'a' holds a lone UTF-16 surrogate (\\ud800)" + NOT_UTF8,
        ),
    ],
)
def test_rejected_bodies_name_the_reason_and_where(body: str | None, reason: str) -> None:
    # GIVEN a body that is not a JSON object the pipeline can flatten
    # WHEN it is parsed
    parsed = _parse(body)
    # THEN it is rejected with a reason saying what and where, and no values
    assert parsed == ParsedBody(values={}, types={}, error=reason)


def test_too_many_fields_names_the_count_and_the_limit() -> None:
    parsed = _parse('{"a": 1, "b": {"c": 2, "d": 3}}', max_fields=2)
    assert parsed.error == "body has 3 fields, more than the limit of 2 (LEANOPS_MAX_FIELDS_PER_MESSAGE)"


def test_nesting_beyond_pythons_parser_is_a_reason_not_a_crash() -> None:
    deep = '{"a":' * 5000 + "1" + "}" * 5000
    parsed = _parse(deep)
    assert parsed.error is not None
    assert parsed.error.startswith("body nests deeper than Python's JSON parser supports")


@pytest.mark.parametrize(
    ("body", "values", "types"),
    [
        ('{"customer": {"id": "c1"}}', {"customer.id": "c1"}, {"customer.id": "string"}),
        (
            '{"Order ID": 1, "1st": true}',
            {"Order ID": "1", "1st": "true"},
            {"Order ID": "number", "1st": "boolean"},
        ),
        ('{"a.b": false}', {"a\\.b": "false"}, {"a\\.b": "boolean"}),
        ('{"message_id": "x"}', {"message_id": "x"}, {"message_id": "string"}),
        # keys that once collided, or all became "f": any keys are accepted
        ('{"a b": 1, "A_B": 2}', {"a b": "1", "A_B": "2"}, {"a b": "number", "A_B": "number"}),
        ('{"C": {"d": 1}, "c": {"D": 2}}', {"C.d": "1", "c.D": "2"}, {"C.d": "number", "c.D": "number"}),
        ('{"名前": "x", "年齢": 3}', {"名前": "x", "年齢": "3"}, {"名前": "string", "年齢": "number"}),
        ('{"tags": [1, "a", null, {"b": 2.50}]}', {"tags": '[1,"a",null,{"b":2.50}]'}, {"tags": "array"}),
        ('{"empty": {}, "none": null}', {"empty": "{}", "none": None}, {"empty": "object", "none": "null"}),
        ("{}", {}, {}),
    ],
)
def test_flattening_keys_values_by_path_and_keeps_them_as_text(
    body: str, values: dict[str, str | None], types: dict[str, str]
) -> None:
    assert _parse(body) == ParsedBody(values=values, types=types, error=None)


@pytest.mark.parametrize(
    "literal",
    ["1e400", "0.1000", "-0", "-0.0", "12345678901234567890123456789.000000001", "1E-7", "9" * 5000],
)
def test_numbers_keep_their_literal_text_byte_for_byte(literal: str) -> None:
    parsed = _parse(f'{{"n": {literal}, "in_array": [{literal}]}}')
    assert parsed.values == {"n": literal, "in_array": f"[{literal}]"}
    assert parsed.types["n"] == "number"


def test_unicode_is_kept_as_is() -> None:
    # GIVEN non-ASCII text, raw and escaped, including an emoji written as a surrogate pair
    body = '{"name": "Zoë 日本 😀", "escaped": "\\u00e9\\ud83d\\ude00", "list": ["ü"]}'
    # WHEN parsed THEN every character survives unescaped
    assert _parse(body).values == {"name": "Zoë 日本 😀", "escaped": "é😀", "list": '["ü"]'}


def test_an_escaped_backslash_before_ud800_is_text_not_a_surrogate() -> None:
    # GIVEN the six characters \ud800 written with an escaped backslash (no surrogate at all)
    body = '{"path": "C:\\\\ud800", "list": ["\\\\uDFFF"]}'
    # WHEN parsed THEN they are kept as text, the array re-serialised with its escape
    assert _parse(body).values == {"path": "C:\\ud800", "list": '["\\\\uDFFF"]'}


def test_strings_with_quotes_are_reserialised_as_valid_json_in_arrays() -> None:
    assert _parse('{"a": ["say \\"hi\\"\\n"]}').values == {"a": '["say \\"hi\\"\\n"]'}


def test_subtree_at_max_depth_is_kept_as_json_text() -> None:
    # GIVEN a body nested deeper than max_depth 2
    body = '{"a": {"b": {"c": {"d": 1.50}}, "e": 2}, "f": {"g": {}}}'
    # WHEN parsed THEN paths stop at depth 2 and the rest is one JSON text column
    parsed = _parse(body, max_depth=2)
    assert parsed.values == {"a.b": '{"c":{"d":1.50}}', "a.e": "2", "f.g": "{}"}
    assert parsed.types == {"a.b": "object", "a.e": "number", "f.g": "object"}


def test_duplicate_keys_inside_a_subtree_beyond_max_depth_are_still_rejected() -> None:
    parsed = _parse('{"a": {"b": {"c": 1, "c": 2}}}', max_depth=1)
    assert parsed.error == "duplicate key 'c' in the object at path 'a.b'"


def test_depth_one_keeps_every_top_level_value_whole() -> None:
    assert _parse('{"a": {"b": 1}, "c": 2}', max_depth=1).values == {"a": '{"b":1}', "c": "2"}
