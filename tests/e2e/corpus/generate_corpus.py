"""Writes the bad-input corpus (tests/e2e/corpus/*.jsonl, manifest.json, README.md table).

Run ``python tests/e2e/corpus/generate_corpus.py`` after changing a case; the files are
committed so that the corpus is readable and usable with ``production_emulation.sh send``.
Each case: a file, the contract its topic uses (``orders`` or a malformed contract under
``contracts/``), the expected destination of each line, and why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SQS_MAX_BODY_BYTES = 256 * 1024
NESTING = 500
FLATTEN_BEYOND = 40
MANY_KEYS = 5000


def order(order_id: str, **fields: Any) -> dict[str, Any]:
    """Return a valid orders body (contract schemas/topics/orders.json), with overrides."""
    body: dict[str, Any] = {
        "order_id": order_id,
        "customer": {"id": f"c-{order_id}"},
        "amount": "10.00",
        "updated_at": "2026-03-01T10:00:00Z",
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not ...}


def dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False)


def padded_to(size: int, order_id: str) -> str:
    body = order(order_id, padding="")
    overhead = len(dumps(body).encode("utf-8"))
    return dumps(order(order_id, padding="x" * (size - overhead)))


def nested(depth: int) -> str:
    return '{"level": ' * depth + "1" + "}" * depth


CASES: list[dict[str, Any]] = [
    {
        "kind": "whitespace_only",
        "lines": ["   ", "\t \t"],
        "expect": "parse_errors",
        "why": "a body of only whitespace is not JSON",
    },
    {
        "kind": "truncated",
        "lines": ['{"order_id": "cx-1", "amount": 1', '{"order_id": "cx-2", "note": "unterminated'],
        "expect": "parse_errors",
        "why": "the JSON ends too early",
    },
    {
        "kind": "trailing_garbage",
        "lines": ['{"order_id": "cx-3"} trailing', '{"order_id": "cx-4"}{"order_id": "cx-5"}'],
        "expect": "parse_errors",
        "why": "data after the JSON value",
    },
    {
        "kind": "array",
        "lines": ["[1, 2, 3]", '[{"order_id": "cx-6"}]'],
        "expect": "parse_errors",
        "why": "a body must be a JSON object",
    },
    {"kind": "null", "lines": ["null"], "expect": "parse_errors", "why": "a body must be a JSON object"},
    {
        "kind": "bare_string",
        "lines": ['"just a string"', "not json at all"],
        "expect": "parse_errors",
        "why": "a string, or not JSON",
    },
    {
        "kind": "bare_number",
        "lines": ["42", "-1.5e10", "true"],
        "expect": "parse_errors",
        "why": "a body must be a JSON object",
    },
    {
        "kind": "nan_infinity",
        "lines": [
            '{"order_id": "cx-7", "amount": NaN}',
            '{"order_id": "cx-8", "amount": Infinity}',
            '{"order_id": "cx-9", "amount": -Infinity}',
        ],
        "expect": "parse_errors",
        "why": "NaN and Infinity are not JSON",
    },
    {
        "kind": "duplicate_keys",
        "lines": ['{"order_id": "cx-10", "order_id": "cx-11", "amount": "1.00"}'],
        "expect": "parse_errors",
        "why": "which value wins would be arbitrary",
    },
    {
        "kind": "nesting_500",
        "lines": [dumps(order("cx-12"))[:-1] + ', "deep": ' + nested(NESTING) + "}"],
        "expect": "parse_errors",
        "why": "deeper than the JSON parser's recursion limit: rejected with that reason, never a crash",
    },
    {
        "kind": "nesting_beyond_flattening_depth",
        "lines": [dumps(order("cx-47"))[:-1] + ', "deep": ' + nested(FLATTEN_BEYOND) + "}"],
        "expect": "curated",
        "why": "levels beyond LEANOPS_MAX_NESTING_DEPTH (32) are kept as JSON text in one standardized column",
    },
    {
        "kind": "keys_5000",
        "lines": [dumps({**order("cx-13"), **{f"k{i}": i for i in range(MANY_KEYS)}})],
        "expect": "parse_errors",
        "why": "more fields than LEANOPS_MAX_FIELDS_PER_MESSAGE",
    },
    {
        "kind": "body_at_256_kib",
        "lines": [padded_to(SQS_MAX_BODY_BYTES, "cx-14")],
        "expect": "curated",
        "why": "exactly SQS's limit is accepted end to end",
    },
    {
        "kind": "body_over_256_kib",
        "lines": [padded_to(SQS_MAX_BODY_BYTES + 1, "cx-15")],
        "expect": "refused",
        "why": "send reports it (line and size): SQS refuses it",
    },
    {
        "kind": "keys_colliding_after_normalisation",
        "lines": [
            dumps(order("cx-16", Amount="1.00", amount="2.00")),
            dumps(order("cx-17", **{"a.b": 1, "a_b": 2})),
        ],
        "expect": "curated",
        "why": "keys with one readable name get distinct columns (hash suffix); none is rejected, amount reads 'amount'",
    },
    {
        "kind": "keys_with_spaces_and_quotes",
        "lines": [
            dumps(
                order("cx-18", **{"delivery note": "ring twice", 'say "hi"': "x", "it's": 1, " padded ": 2})
            )
        ],
        "expect": "curated",
        "why": "odd keys become safe column names in standardized",
    },
    {
        "kind": "number_beyond_double",
        "lines": [
            '{"order_id": "cx-19", "customer": {"id": "c"}, "amount": 1e400, "updated_at": "2026-03-01T10:00:00Z"}',
            '{"order_id": "cx-20", "customer": {"id": "c"}, "amount": "1.00", "quantity": 123456789012345678901234567890, "updated_at": "2026-03-01T10:00:00Z"}',
        ],
        "expect": "curated_errors",
        "why": "kept exactly as text, then too large for decimal(12,2) / int",
    },
    {
        "kind": "huge_decimal_string",
        "lines": [dumps(order("cx-21", amount="10.0000000000000000000000000000000000001"))],
        "expect": "curated_errors",
        "why": "more decimal places than the scale: never rounded",
    },
    {
        "kind": "characters_sqs_refuses",
        "lines": [
            '{"order_id": "cx-22", "note": "nul \u0000"}',
            '{"order_id": "cx-23", "note": "\uffff"}',
            '{"order_id": "cx-24", "note": "bell \u0007"}',
        ],
        "expect": "refused",
        "why": "send reports line and character: outside SQS's allowed set",
    },
    {
        "kind": "empty_line",
        "lines": [""],
        "expect": "refused",
        "why": "SQS refuses an empty body: send reports the line",
    },
    {
        "kind": "lone_surrogate_escape",
        "lines": ['{"order_id": "cx-25", "note": "\\ud800"}'],
        "expect": "parse_errors",
        "why": "a lone UTF-16 surrogate cannot be stored as UTF-8",
    },
    {
        "kind": "byte_order_mark",
        "lines": ["\ufeff" + dumps(order("cx-26"))],
        "expect": "parse_errors",
        "why": "a BOM before the JSON value is not JSON",
    },
    {
        "kind": "empty_object",
        "lines": ["{}"],
        "expect": "curated_errors",
        "why": "every required field is absent",
    },
    {
        "kind": "text_in_number",
        "lines": [dumps(order("cx-27", amount="ten"))],
        "expect": "curated_errors",
        "why": "decimal field holds text",
    },
    {
        "kind": "fraction_in_int",
        "lines": [dumps(order("cx-28", quantity=1.5)), dumps(order("cx-29", quantity="2.5"))],
        "expect": "curated_errors",
        "why": "int field holds a fraction",
    },
    {
        "kind": "int_overflow",
        "lines": [dumps(order("cx-30", quantity=2147483648))],
        "expect": "curated_errors",
        "why": "beyond int's range: never wrapped or NULLed",
    },
    {
        "kind": "decimal_overflow",
        "lines": [dumps(order("cx-31", amount="12345678901.00"))],
        "expect": "curated_errors",
        "why": "more digits than decimal(12,2) holds",
    },
    {
        "kind": "impossible_date",
        "lines": [
            dumps(order("cx-32", order_date="2026-02-30")),
            dumps(order("cx-33", order_date="2026-13-01")),
        ],
        "expect": "curated_errors",
        "why": "not a calendar date",
    },
    {
        "kind": "bad_timestamp",
        "lines": [
            dumps(order("cx-34", updated_at="yesterday")),
            dumps(order("cx-35", updated_at="2026-03-01T25:00:00Z")),
        ],
        "expect": "curated_errors",
        "why": "not an ISO-8601 timestamp",
    },
    {
        "kind": "bad_boolean",
        "lines": [dumps(order("cx-36", gift="yes")), dumps(order("cx-37", gift=1))],
        "expect": "curated_errors",
        "why": "booleans are true/false only",
    },
    {
        "kind": "required_absent",
        "lines": [dumps(order("cx-38", customer=...)), dumps(order("cx-39", updated_at=...))],
        "expect": "curated_errors",
        "why": "a required field is missing",
    },
    {
        "kind": "required_null",
        "lines": [dumps(order("cx-40", amount=None))],
        "expect": "curated_errors",
        "why": "a required field is JSON null",
    },
    {
        "kind": "out_of_order_corrections",
        "lines": [
            dumps(order("cx-41", amount="1.00", updated_at="2026-03-01T10:00:00Z")),
            dumps(order("cx-41", amount="3.00", updated_at="2026-03-01T12:00:00Z")),
            dumps(order("cx-41", amount="2.00", updated_at="2026-03-01T11:00:00Z")),
        ],
        "expect": ["superseded", "curated", "superseded"],
        "why": "latest by updated_at wins, not the last to arrive",
    },
    {
        "kind": "time_zone_ordering",
        "lines": [
            dumps(order("cx-42", amount="1.00", updated_at="2026-03-01T11:00:00Z")),
            dumps(order("cx-42", amount="2.00", updated_at="2026-03-01T12:30:00+02:00")),
            dumps(order("cx-43", amount="5.00", updated_at="2026-03-01T10:00:00")),
        ],
        "expect": ["curated", "superseded", "curated"],
        "why": "12:30+02:00 is 10:30Z: older; no offset means UTC",
    },
    {
        "kind": "unicode",
        "lines": [
            dumps(order("cx-44", customer={"id": "客户-ü-😀"}, note="naïve café ✓", **{"ключ": "значение"}))
        ],
        "expect": "curated",
        "why": "any Unicode text is kept",
    },
    {
        "kind": "nested_paths",
        "lines": [
            dumps(order("cx-45", customer={"id": "c-45", "address": {"city": "Köln", "geo": {"lat": 50.9}}})),
            dumps(order("cx-46", customer={"name": "no id"})),
        ],
        "expect": ["curated", "curated_errors"],
        "why": "customer.id is read by path; absent path = required field missing",
    },
    {
        "kind": "contract_bad_json",
        "contract": "bad_json",
        "lines": [dumps({"id": "b-1"})],
        "expect": "waiting",
        "why": "the contract is not JSON: topic skipped (message names the file), data waits in RAW",
    },
    {
        "kind": "contract_unknown_type",
        "contract": "unknown_type",
        "lines": [dumps({"id": "b-2"})],
        "expect": "waiting",
        "why": "type 'uuid' is unknown: topic skipped, run goes on",
    },
    {
        "kind": "contract_key_not_a_field",
        "contract": "key_not_a_field",
        "lines": [dumps({"id": "b-3"})],
        "expect": "waiting",
        "why": "key names no field: topic skipped, run goes on",
    },
    {
        "kind": "keys_without_ascii_letters",
        "lines": [dumps(order("cx-40", **{"名前": "x", "年齢": 3, "prénom": "y", "prenom": "z"}))],
        "expect": "curated",
        "why": "keys with no ASCII letters (once all 'f') each get their own column",
    },
    {
        "kind": "line_terminator_after_value",
        "lines": [
            '{"order_id": "cx-41", "customer": {"id": "c"}, "amount": "12.34\\u2028", "updated_at": "2026-03-01T10:00:00Z"}',
            '{"order_id": "cx-42", "customer": {"id": "c"}, "amount": "12\\n", "updated_at": "2026-03-01T10:00:00Z"}',
            '{"order_id": "cx-43", "customer": {"id": "c"}, "amount": "1.00", "updated_at": "2026-03-01T10:00:00Z\\n"}',
        ],
        "expect": "curated_errors",
        "why": "a line terminator after a number or timestamp is not the value (Java's $ matched before it)",
    },
    {
        "kind": "wrong_json_kind",
        "lines": [
            dumps(order("cx-44", amount={"value": "1.00"})),
            dumps(order("cx-45", amount=["1.00"])),
            dumps(order("cx-46", customer={"id": {"v": "c"}})),
        ],
        "expect": "curated_errors",
        "why": "an object or array where a scalar is expected is an error naming the field, never NULL",
    },
    {
        "kind": "offset_beyond_year_9999",
        "lines": [dumps(order("cx-47", updated_at="9999-12-31T23:30:00-01:00"))],
        "expect": "curated_errors",
        "why": "the offset moves the instant past 9999-12-31 (UTC)",
    },
    {
        "kind": "contract_duplicate_keys",
        "contract": "duplicate_keys",
        "lines": [dumps({"id": "b-4"})],
        "expect": "waiting",
        "why": "the contract names field 'id' twice (which one wins would be arbitrary): refused, topic skipped",
    },
]

MALFORMED_CONTRACTS = {
    "bad_json": '{"topic": "{topic}", "key": ["id"], "order_by": "id", "fields": {',
    "unknown_type": '{"topic": "{topic}", "key": ["id"], "order_by": "id", "fields": {"id": {"type": "uuid", "required": true}}}',
    "key_not_a_field": '{"topic": "{topic}", "key": ["order_id"], "order_by": "id", "fields": {"id": {"type": "string", "required": true}}}',
    "duplicate_keys": '{"topic": "{topic}", "key": ["id"], "order_by": "id", "fields": {"id": {"type": "string", "required": true}, "id": {"type": "int"}}}',
}


def write() -> None:
    """Write the case files, the malformed contracts, manifest.json and README.md."""
    manifest = []
    for number, case in enumerate(CASES, start=1):
        file_name = f"{number:02d}_{case['kind']}.jsonl"
        (HERE / file_name).write_text(
            "".join(line + "\n" for line in case["lines"]), encoding="utf-8", newline="\n"
        )
        expect = case["expect"] if isinstance(case["expect"], list) else [case["expect"]] * len(case["lines"])
        manifest.append(
            {
                "kind": case["kind"],
                "file": file_name,
                "contract": case.get("contract", "orders"),
                "expect": expect,
                "why": case["why"],
            }
        )
    for name, text in MALFORMED_CONTRACTS.items():
        (HERE / "contracts" / f"{name}.json.template").write_text(text + "\n", encoding="utf-8")
    (HERE / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    rows = "\n".join(
        f"| {index} | `{item['file']}` | {item['contract']} | {', '.join(sorted(set(item['expect'])))} | {item['why']} |"
        for index, item in enumerate(manifest, start=1)
    )
    (HERE / "README.md").write_text(README.format(count=len(manifest), rows=rows), encoding="utf-8")


README = """# Bad-input corpus

{count} kinds of hostile input. Each file's lines are message bodies (one per line, verbatim);
`manifest.json` gives each line's expected destination. `tests/e2e/test_corpus.py` sends every
file through the whole local pipeline (send -> SQS -> Lambda -> Firehose -> RAW -> standardized
-> curated) and checks that each line reached exactly its destination: no input crashes a cycle,
none is silently dropped. Regenerate with `python tests/e2e/corpus/generate_corpus.py`.

Destinations: `refused` = reported by `send` with its line number, never sent; `parse_errors` =
`iceberg_standardized_db.parse_errors`; `curated_errors` = `iceberg_curated_db.errors`;
`curated` = the curated table; `superseded` = replaced by a newer version of its key;
`waiting` = kept in RAW behind a closed schema gate (malformed contract). Contract `orders` is
`schemas/topics/orders.json`; the malformed contracts are `contracts/*.json.template` (`{{topic}}`
is replaced by the test's topic name).

| # | file | contract | destination | why |
|---|---|---|---|---|
{rows}
"""

if __name__ == "__main__":
    write()
