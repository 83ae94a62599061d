"""The curated layer's transformations: standardized text columns in, typed contract columns out.

Built-in Spark functions only. Each contract field's text is checked and converted by
:mod:`leanops.transforms.convert` (see it for the conversion and exactness rules); this module
combines the outcomes per row, splits valid rows from error rows and keeps the latest version
of every key. A field's value is found by its key path in the topic's recorded mapping
(:mod:`leanops.transforms.field_paths`).
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from datetime import datetime
from functools import reduce

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from leanops import definitions, naming
from leanops.contracts import ERROR_REASONS, FAILED_FIELDS, RECORD, Contract
from leanops.transforms.convert import convert_field
from leanops.transforms.field_paths import field_source
from leanops.transforms.standardize import (
    INGESTED_AT,
    MESSAGE_ID,
    PAYLOAD,
    RECEIVED_PAYLOAD,
    RUN_ID,
    SENT_AT,
    TOPIC_NAME,
    sent_bounds,
    table_select,
    timestamp_literal,
)

CURATED_AT = "curated_at"
ERROR_REASON = "error_reason"
RECORDED_AT = "recorded_at"
REASON_SEPARATOR = "; "
FIELD_SEPARATOR = ","
_ROW_NUMBER = "_leanops_row_number"
_LATEST = 1
_STRING_ARRAY = T.ArrayType(T.StringType())
_RECORD_JSON_OPTIONS = {"ignoreNullFields": "true"}
_INTERNAL_PREFIX = "_leanops_"  # body columns never start with "_" (leanops.naming)
_ENVELOPE = (MESSAGE_ID, TOPIC_NAME, SENT_AT, INGESTED_AT)
SUMMARY_ROWS = "rows"
SUMMARY_VALID = "valid"
SUMMARY_INVALID = "invalid"
RECORD_FIELDS = f"{_INTERNAL_PREFIX}record"  # the input row but _payload; JSON only for error rows


def _non_null(values: list[Column]) -> Column:
    return F.filter(F.array(*values).cast(_STRING_ARRAY), lambda value: value.isNotNull())


def _text_column(field_index: int) -> str:
    return f"{_INTERNAL_PREFIX}text_{field_index}"


def _unreadable_column(field_index: int) -> str:
    return f"{_INTERNAL_PREFIX}unreadable_{field_index}"


def _value_column(field_index: int) -> str:
    return f"{_INTERNAL_PREFIX}value_{field_index}"


def _rule_column(field_index: int, rule_index: int) -> str:
    return f"{_INTERNAL_PREFIX}rule_{field_index}_{rule_index}"


def _field_texts(
    standardized: DataFrame, contract: Contract, mapping: Mapping[naming.KeyPath, str] | None
) -> tuple[DataFrame, list[bool]]:
    """Select the envelope, the record (a struct), the body as received, each field's text and its problem.

    Returns:
        The frame, and per field whether it has an unreadable-reason column.
    """
    present = set(standardized.columns)
    sources = [field_source(spec, mapping, present) for spec in contract.fields]
    unreadable = [(index, source.unreadable()) for index, source in enumerate(sources)]
    flattened = [F.col(name) for name in standardized.columns if name != RECEIVED_PAYLOAD]
    frame = standardized.select(
        *_ENVELOPE,
        F.struct(*flattened).alias(RECORD_FIELDS),
        received_payload(standardized).alias(RECEIVED_PAYLOAD),
        *(source.text().cast(T.StringType()).alias(_text_column(i)) for i, source in enumerate(sources)),
        *(reason.alias(_unreadable_column(index)) for index, reason in unreadable if reason is not None),
    )
    return frame, [reason is not None for _, reason in unreadable]


def received_payload(standardized: DataFrame) -> Column:
    """Return the body as received (standardized ``_payload``); NULL where the table predates it.

    A standardized table written before ``_payload`` existed lacks the column until its next
    standardized run adds it (leanops.adapters.iceberg_ddl.evolve_columns): its rows have no
    received body to give, never a re-serialised one.
    """
    if RECEIVED_PAYLOAD in standardized.columns:
        return F.col(RECEIVED_PAYLOAD).cast(T.StringType())
    return F.lit(None).cast(T.StringType())


def apply_contract(
    standardized: DataFrame, contract: Contract, mapping: Mapping[naming.KeyPath, str] | None = None
) -> DataFrame:
    """Check and convert every contract field of every standardized row.

    Three selects (texts, then values and rule outcomes, then the result) keep each expression
    small: the checks of a field are evaluated once, not copied into every place that uses them.

    Args:
        standardized: rows of a standardized table (body columns hold text). A contract source
            column the DataFrame lacks counts as absent (NULL) in every row.
        contract: the topic's contract.
        mapping: the topic's recorded key path -> column (leanops.adapters.column_mapping);
            None: each field reads its path's readable candidate column (no mapping recorded).

    Returns:
        message_id, topic_name, sent_at, ingested_at, one typed column per contract field
        (contract order, NULL where its value failed), ``error_reasons`` (every failed rule, empty
        when the row is valid), ``failed_fields`` (the fields that failed), ``_leanops_record``
        (the input row but ``_payload``, as a struct: :func:`error_rows` writes it as JSON, so
        only a failing row pays for the JSON text) and ``_payload`` (the body as received,
        verbatim); both NULL in a valid row, which needs neither. Field names cannot clash with
        these: leanops.contracts reserves them, and a field name starts with a letter.
    """
    texts, checked_paths = _field_texts(standardized, contract, mapping)
    conversions = [
        convert_field(spec, F.col(_text_column(index)), F.col(_unreadable_column(index)) if checked else None)
        for index, (spec, checked) in enumerate(zip(contract.fields, checked_paths, strict=True))
    ]
    checked = texts.select(
        *texts.columns,
        *(conversion.value.alias(_value_column(index)) for index, conversion in enumerate(conversions)),
        *(
            F.coalesce(rule.failed, F.lit(False)).alias(_rule_column(index, rule_index))
            for index, conversion in enumerate(conversions)
            for rule_index, rule in enumerate(conversion.rules)
        ),
    )
    reasons, failed_fields, values, field_failures = [], [], [], []
    for index, (spec, conversion) in enumerate(zip(contract.fields, conversions, strict=True)):
        outcomes = [F.col(_rule_column(index, rule_index)) for rule_index in range(len(conversion.rules))]
        reasons += [
            F.when(outcome, rule.reason) for outcome, rule in zip(outcomes, conversion.rules, strict=True)
        ]
        failed = reduce(operator.or_, outcomes, F.lit(False))
        field_failures.append(failed)
        failed_fields.append(F.when(failed, F.lit(spec.name)))
        values.append(F.when(~failed, F.col(_value_column(index))).cast(spec.spark_type).alias(spec.name))
    return checked.select(
        *_ENVELOPE,
        *values,
        _non_null(reasons).alias(ERROR_REASONS),
        _non_null(failed_fields).alias(FAILED_FIELDS),
        # only an error row carries the record and the body (the errors table's): a cached
        # batch holds no copy of the valid rows
        *(
            F.when(_any(field_failures), F.col(name)).alias(name)
            for name in (RECORD_FIELDS, RECEIVED_PAYLOAD)
        ),
    )


def _any(conditions: list[Column]) -> Column:
    return reduce(operator.or_, conditions, F.lit(False))


def conversion_summary(converted: DataFrame) -> DataFrame:
    """Summarize converted rows in one row (one Spark action instead of one per figure).

    Args:
        converted: the output of :func:`apply_contract`.

    Returns:
        ``rows``, ``valid`` (rows without errors), ``invalid``, and the
        :func:`leanops.transforms.standardize.sent_bounds` of the invalid rows (``invalid_*``).
    """
    failed = F.size(ERROR_REASONS) > 0
    return converted.agg(
        F.count(F.lit(1)).alias(SUMMARY_ROWS),
        F.count(F.when(~failed, F.lit(1))).alias(SUMMARY_VALID),
        F.count(F.when(failed, F.lit(1))).alias(SUMMARY_INVALID),
        *sent_bounds(failed, SUMMARY_INVALID),
    )


def valid_rows(converted: DataFrame, contract: Contract, run_id: str, written_at: datetime) -> DataFrame:
    """Shape the rows without errors as rows of the curated table.

    Args:
        converted: the output of :func:`apply_contract`.
        contract: the topic's contract.
        run_id: the id of the curated run.
        written_at: when the rows are written (a naive datetime is taken as UTC).

    Returns:
        The columns of tables.json "curated", then the contract fields in contract order.
    """
    values = {RUN_ID: F.lit(run_id), CURATED_AT: timestamp_literal(written_at)}
    return converted.filter(F.size(ERROR_REASONS) == 0).select(
        *table_select(definitions.CURATED, values), *contract.field_names
    )


def error_rows(converted: DataFrame, run_id: str, written_at: datetime) -> DataFrame:
    """Shape the rows with errors as rows of the curated errors table (one row per record).

    Args:
        converted: the output of :func:`apply_contract`.
        run_id: the id of the curated run.
        written_at: when the rows are written (a naive datetime is taken as UTC).

    Returns:
        Exactly the columns of tables.json "curated_errors"; ``record`` is the input row but
        ``_payload`` as JSON text (null fields left out); ``error_reason`` joins every
        reason with ``"; "``, ``failed_fields`` joins the field names with ``","`` and
        ``payload`` is the body as received, byte for byte (standardized ``_payload``).
    """
    values = {
        RECORD: F.to_json(F.col(RECORD_FIELDS), _RECORD_JSON_OPTIONS),
        ERROR_REASON: F.array_join(ERROR_REASONS, REASON_SEPARATOR),
        FAILED_FIELDS: F.array_join(FAILED_FIELDS, FIELD_SEPARATOR),
        PAYLOAD: F.col(RECEIVED_PAYLOAD),
        RUN_ID: F.lit(run_id),
        RECORDED_AT: timestamp_literal(written_at),
    }
    return converted.filter(F.size(ERROR_REASONS) > 0).select(
        *table_select(definitions.CURATED_ERRORS, values)
    )


def _version_order(contract: Contract) -> tuple[str, ...]:
    """Columns that order the versions of a key, most significant first (all descending)."""
    return (contract.order_by, SENT_AT, MESSAGE_ID)


def latest_per_key(valid: DataFrame, contract: Contract) -> DataFrame:
    """Keep the latest version of every contract key.

    Latest = greatest ``order_by`` (typed, so time zones count), then greatest ``sent_at`` (the
    later arrival), then greatest ``message_id`` (so the result never depends on input order).

    Args:
        valid: converted rows without errors (typed contract columns, sent_at, message_id).
        contract: the topic's contract.

    Returns:
        One row per key, the same columns.
    """
    newest_first = Window.partitionBy(*contract.key).orderBy(
        *(F.col(name).desc_nulls_last() for name in _version_order(contract))
    )
    return (
        valid.withColumn(_ROW_NUMBER, F.row_number().over(newest_first))
        .filter(F.col(_ROW_NUMBER) == _LATEST)
        .select(*valid.columns)
    )


def newer_than(contract: Contract, source: str = "s", target: str = "t") -> str:
    """Return a SQL condition: the source row is newer than the target row (as latest_per_key).

    For ``MERGE ... WHEN MATCHED AND <condition> THEN UPDATE``: a late, older correction never
    overwrites a newer version, and re-merging the same row changes nothing.

    NULL orders first, as in :func:`latest_per_key` (``desc_nulls_last``): a value is newer than
    NULL, two NULLs tie and the next column decides. So the condition is never NULL: a curated
    row written before ``order_by`` moved to a new field (NULL there) is replaced by the next
    version of its key instead of freezing it (a NULL condition never updates).

    Args:
        contract: the topic's contract.
        source: the MERGE source alias.
        target: the MERGE target alias.
    """
    *leading, last = _version_order(contract)
    condition = _greater(f"{source}.`{last}`", f"{target}.`{last}`")
    for name in reversed(leading):
        this, that = f"{source}.`{name}`", f"{target}.`{name}`"
        condition = f"({_greater(this, that)} OR ({this} <=> {that} AND {condition}))"
    return condition


def _greater(this: str, that: str) -> str:
    """Return SQL true when ``this`` is greater than ``that``, NULL being the least; never NULL."""
    return f"coalesce({this} > {that}, {this} IS NOT NULL AND {that} IS NULL)"
