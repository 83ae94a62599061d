"""The standardized layer's transformations: RAW envelopes in, flat string columns out.

Pure DataFrame -> DataFrame functions; no I/O.
The parsed ``body`` map is keyed by exact key path (:func:`leanops.naming.path_key`); the job
gives each path its column (leanops.naming.assign_columns) and :func:`standardized_rows` writes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from functools import partial

import pyarrow as pa
from pyspark.sql import Column, DataFrame, Window, WindowSpec
from pyspark.sql import functions as F
from pyspark.sql import types as T

from leanops import definitions
from leanops.transforms.json_body import ParsedBody, parse_body

MESSAGE_ID = "message_id"
TOPIC_NAME = "topic_name"
PAYLOAD = "payload"
RECEIVED_PAYLOAD = "_payload"  # the standardized column of the body as received (tables.json)
SENT_AT = "sent_at"
INGESTED_AT = "ingested_at"
RECEIVE_COUNT = "receive_count"
RUN_ID = "run_id"
BODY = "body"
BODY_SHAPE = "body_shape"
PARSE_ERROR = "parse_error"
PARSED_COLUMNS = (BODY, BODY_SHAPE, PARSE_ERROR)
STANDARDIZED_AT = "standardized_at"
ERROR_REASON = "error_reason"
RECORDED_AT = "recorded_at"
COLUMN_NAME = "column_name"
JSON_TYPE = "json_type"
FIRST_SENT = "_sent"  # kind_sightings: the sent_at (epoch micros) of a path's first message
LAST_SENT = "_last"  # kind_sightings: the latest sent_at (epoch micros) of a path
_FIRST_SEEN = "_first"
_PAIR = "_pair"
_ORDER = "_order"
# Below every timestamp's epoch micros (Spark's are years 1 to 9999): a NULL sent_at orders first.
_NULL_SENT_ORDER = -(2**63)
SHAPE_LINE = "\n"  # between the leaves of a body_shape
SHAPE_FIELD = "\t"  # between a leaf's path key and its JSON type

_SPARK_STRING_MAP = T.MapType(T.StringType(), T.StringType())
_ROW_NUMBER = "_leanops_row_number"
COPIES = "_leanops_copies"  # rows of a message_id in the input of first_arrivals
ROWS_READ = "rows_read"
MESSAGES = "messages"
PARSE_ERROR_COUNT = "parse_errors"
PARSED_PREFIX = "parsed"
FAILED_PREFIX = "failed"
_FIRST = 1
_SPARK_TYPE_OF_ICEBERG: dict[str, T.DataType] = {
    "string": T.StringType(),
    "int": T.IntegerType(),
    "long": T.LongType(),
    "double": T.DoubleType(),
    "boolean": T.BooleanType(),
    "date": T.DateType(),
    "timestamptz": T.TimestampType(),
    "timestamp": T.TimestampNTZType(),
}


def timestamp_literal(at: datetime) -> Column:
    """Return a Spark timestamp literal of an instant; a naive datetime is taken as UTC.

    PySpark would read a naive datetime in the Python process's local time zone, so the time
    zone is made explicit here.
    """
    instant = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return F.lit(instant).cast(T.TimestampType())


def table_select(kind: str, values: Mapping[str, Column]) -> list[Column]:
    """Return one column per column of a tables.json table, in order, cast to its type.

    Args:
        kind: the table kind (leanops.definitions constants).
        values: expressions of the columns not read by name from the input DataFrame.
    """
    return [
        values.get(column.name, F.col(column.name))
        .cast(_SPARK_TYPE_OF_ICEBERG[column.type])
        .alias(column.name)
        for column in definitions.table(kind).columns
    ]


def body_shape(types: Mapping[str, str]) -> str:
    """Return a body's shape: its leaves' path keys and JSON types, ``key<TAB>type`` per line.

    Path keys are JSON text (leanops.naming.path_key), where a tab or a line feed is always
    escaped, so the text splits back unambiguously (:func:`shape_pairs`). Rows of one shape
    (most rows of a topic) aggregate as one (:func:`kind_sightings`).
    """
    return SHAPE_LINE.join(map(SHAPE_FIELD.join, types.items()))


def shape_pairs(shape: str) -> list[tuple[str, str]]:
    """Return the (path key, JSON type) pairs of a :func:`body_shape` text, in order."""
    pairs = (line.split(SHAPE_FIELD) for line in shape.split(SHAPE_LINE) if line)
    return [(key, kind) for key, kind in pairs]


def _parsed_arrays(parsed: list[ParsedBody]) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Return the body, body_shape and parse_error Arrow columns of parsed bodies.

    The map is built from flat key / value arrays and one offsets array: converting a Python
    list of pairs per row with ``pa.array`` took as long as the parse itself.
    """
    offsets, failed = [0], []
    keys: list[str] = []
    values: list[str | None] = []
    shapes: list[str | None] = []
    for body in parsed:
        if body.error is None:
            keys += body.values.keys()
            values += body.values.values()
            shapes.append(body_shape(body.types))
        else:
            shapes.append(None)
        offsets.append(len(keys))
        failed.append(body.error is not None)
    body_map = pa.MapArray.from_arrays(
        pa.array(offsets, type=pa.int32()),
        pa.array(keys, type=pa.string()),
        pa.array(values, type=pa.string()),
        mask=pa.array(failed, type=pa.bool_()),
    )
    errors = pa.array([body.error for body in parsed], type=pa.string())
    return body_map, pa.array(shapes, type=pa.string()), errors


def _parse_batches(
    batches: Iterator[pa.RecordBatch], max_fields: int, max_depth: int
) -> Iterator[pa.RecordBatch]:
    """Append body, body_shape and parse_error to every Arrow batch (runs on the executors)."""
    for batch in batches:
        parsed = [parse_body(text, max_fields, max_depth) for text in batch.column(PAYLOAD).to_pylist()]
        yield pa.RecordBatch.from_arrays(
            [*batch.columns, *_parsed_arrays(parsed)],
            names=[*batch.schema.names, *PARSED_COLUMNS],
        )


def parse_bodies(raw: DataFrame, max_fields: int, max_depth: int) -> DataFrame:
    """Parse and flatten every RAW row's payload.

    The parser is Python (:func:`leanops.transforms.json_body.parse_body`) run over Arrow batches
    with ``mapInArrow``, the one documented exception to "no Python per row": Spark's JSON
    reader cannot report duplicate keys, NaN / Infinity literals or lone surrogates, and cannot
    keep number literals beyond a double exactly (see docs/DESIGN_NOTES.md).

    Args:
        raw: RAW envelope rows (the columns of schemas/events.json).
        max_fields: the most leaf fields a body may have (LEANOPS_MAX_FIELDS_PER_MESSAGE).
        max_depth: the deepest path flattened into columns (LEANOPS_MAX_NESTING_DEPTH).

    Returns:
        The input columns, then ``body`` (map key path -> value text, NULL on error),
        ``body_shape`` (:func:`body_shape`, NULL on error) and ``parse_error`` (NULL or why).
    """
    schema = T.StructType(
        [
            *raw.schema.fields,
            T.StructField(BODY, _SPARK_STRING_MAP),
            T.StructField(BODY_SHAPE, T.StringType()),
            T.StructField(PARSE_ERROR, T.StringType()),
        ]
    )
    parsed = raw.mapInArrow(partial(_parse_batches, max_fields=max_fields, max_depth=max_depth), schema)
    return parsed.select(*raw.columns, *PARSED_COLUMNS)


def _sortable(df: DataFrame, name: str) -> bool:
    return not isinstance(df.schema[name].dataType, T.MapType | T.ArrayType | T.StructType)


def _arrival_order(df: DataFrame) -> list[Column]:
    first = [INGESTED_AT, RECEIVE_COUNT, PAYLOAD]
    rest = [name for name in df.columns if name not in (*first, MESSAGE_ID) and _sortable(df, name)]
    return [F.col(name).asc_nulls_last() for name in [*first, *rest]]


def _arrival_window(df: DataFrame) -> WindowSpec:
    return Window.partitionBy(MESSAGE_ID).orderBy(*_arrival_order(df))


def drop_retry_duplicates(df: DataFrame) -> DataFrame:
    """Keep the first arrival of every message_id (a Lambda retry re-sends the same message).

    First = smallest ``ingested_at``, then smallest ``receive_count``, then smallest ``payload``;
    any remaining tie is broken by the other sortable columns, so the row kept never depends on
    the input's order.

    Args:
        df: rows with at least message_id, ingested_at, receive_count and payload.

    Returns:
        One row per message_id, the same columns.
    """
    return (
        df.withColumn(_ROW_NUMBER, F.row_number().over(_arrival_window(df)))
        .filter(F.col(_ROW_NUMBER) == _FIRST)
        .select(*df.columns)
    )


def first_arrivals(raw: DataFrame) -> DataFrame:
    """Keep the first arrival of every message_id (as :func:`drop_retry_duplicates`), counting copies.

    Meant to run on RAW rows before :func:`parse_bodies`: the parse is a function of the row, so
    deduplicating first keeps the same rows, parses each message once, shuffles the envelope
    rather than the parsed maps, and leaves the rows spread over ``spark.sql.shuffle.partitions``
    (the parse then uses every core, even when the increment is one file, one split). The copy
    count and the rank share one window (the whole partition as the count's frame): one sort.

    Args:
        raw: rows with at least message_id, ingested_at, receive_count and payload.

    Returns:
        One row per message_id: the input columns, then ``_leanops_copies`` (how many input rows
        had its message_id; their sum is the number of rows read).
    """
    arrival = _arrival_window(raw)
    every_copy = arrival.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
    ranked = raw.select(
        *raw.columns,
        F.count(F.lit(1)).over(every_copy).alias(COPIES),
        F.row_number().over(arrival).alias(_ROW_NUMBER),
    )
    return ranked.filter(F.col(_ROW_NUMBER) == _FIRST).select(*raw.columns, COPIES)


def sent_bounds(rows: Column, prefix: str) -> list[Column]:
    """Aggregate columns: min and max ``sent_at`` (epoch micros) of the rows where ``rows`` holds.

    Named ``<prefix>_low``, ``<prefix>_high``, and ``<prefix>_unsent`` (how many of those rows
    have no sent_at): what a MERGE of those rows may restrict its target to (leanops.jobs.iceberg_io).
    """
    sent = F.unix_micros(F.col(SENT_AT).cast(T.TimestampType()))
    return [
        F.min(F.when(rows, sent)).alias(f"{prefix}_low"),
        F.max(F.when(rows, sent)).alias(f"{prefix}_high"),
        F.count(F.when(rows & F.col(SENT_AT).isNull(), F.lit(1))).alias(f"{prefix}_unsent"),
    ]


def batch_summary(parsed: DataFrame) -> DataFrame:
    """Summarize a parsed increment in one row (one Spark action instead of one per figure).

    Args:
        parsed: the output of :func:`parse_bodies` over :func:`first_arrivals` (``_leanops_copies``).

    Returns:
        ``rows_read`` (input rows, retry copies included), ``messages`` (rows), ``parse_errors``,
        and :func:`sent_bounds` of the rows that parsed (``parsed_*``) and of those that did not
        (``failed_*``).
    """
    failed = F.col(PARSE_ERROR).isNotNull()
    return parsed.agg(
        F.coalesce(F.sum(COPIES), F.lit(0)).alias(ROWS_READ),
        F.count(F.lit(1)).alias(MESSAGES),
        F.count(F.when(failed, F.lit(1))).alias(PARSE_ERROR_COUNT),
        *sent_bounds(~failed, PARSED_PREFIX),
        *sent_bounds(failed, FAILED_PREFIX),
    )


def _parsed_ok(parsed: DataFrame) -> DataFrame:
    return parsed.filter(F.col(PARSE_ERROR).isNull())


def standardized_rows(
    parsed: DataFrame, columns: Mapping[str, str], run_id: str, written_at: datetime
) -> DataFrame:
    """Shape the rows that parsed as rows of the standardized table.

    Args:
        parsed: the output of :func:`parse_bodies` (deduplicated).
        columns: path key -> its body column (a path a row lacks gives NULL); written in
            column-name order.
        run_id: the id of the standardized run.
        written_at: when the rows are written (a naive datetime is taken as UTC).

    Returns:
        The columns of tables.json "standardized" in order (``_payload``: the RAW payload, byte
        for byte), then one string column per body column.
    """
    values: dict[str, Column] = {
        RUN_ID: F.lit(run_id),
        STANDARDIZED_AT: timestamp_literal(written_at),
        RECEIVED_PAYLOAD: F.col(PAYLOAD),
    }
    ordered = sorted(columns.items(), key=lambda item: item[1])
    body = [F.col(BODY).getItem(key).cast(T.StringType()).alias(name) for key, name in ordered]
    return _parsed_ok(parsed).select(*table_select(definitions.STANDARDIZED, values), *body)


def parse_error_rows(parsed: DataFrame, run_id: str, written_at: datetime) -> DataFrame:
    """Shape the rows that did not parse as rows of the parse_errors table.

    Args:
        parsed: the output of :func:`parse_bodies`.
        run_id: the id of the standardized run.
        written_at: when the rows are written (a naive datetime is taken as UTC).

    Returns:
        Exactly the columns of tables.json "parse_errors".
    """
    values: dict[str, Column] = {
        ERROR_REASON: F.col(PARSE_ERROR),
        RUN_ID: F.lit(run_id),
        RECORDED_AT: timestamp_literal(written_at),
    }
    return parsed.filter(F.col(PARSE_ERROR).isNotNull()).select(
        *table_select(definitions.PARSE_ERRORS, values)
    )


def kind_sightings(parsed: DataFrame) -> DataFrame:
    """Return per key path and JSON kind its first message and last sent_at (epoch micros).

    One aggregation gives both what the batch's columns are (every key path of a row that
    parsed, JSON null included) and what the drift log needs (leanops.transforms.drift.
    fold_sightings leaves JSON null out). Rows are aggregated per body shape first (a topic's
    rows share few shapes), then each shape's leaves: the same minimum and maximum as over every
    row's leaves, from the rows sent first in each shape instead of every row. The earliest
    sent_at per shape is a hash aggregation; only the rows sent then are joined back and split
    into leaves, where the smallest (sent_at, message_id) is taken: that minimum over a struct
    would make Spark sort every row (no hash aggregation buffers a struct). A batch whose rows
    all tie (every sent_at NULL) costs what one row per leaf does.

    Args:
        parsed: the output of :func:`parse_bodies` (a row that did not parse has no shape).

    Returns:
        column_name (the path key), json_type, and the first message_id (first by sent_at, a
        NULL sent_at first, then by message_id), its sent_at (``_sent``) and the last (``_last``).
    """
    sent = F.unix_micros(F.col(SENT_AT).cast(T.TimestampType()))
    rows = parsed.filter(F.col(BODY_SHAPE).isNotNull()).select(
        BODY_SHAPE,
        MESSAGE_ID,
        sent.alias(FIRST_SENT),
        F.coalesce(sent, F.lit(_NULL_SENT_ORDER)).alias(_ORDER),
    )
    per_shape = rows.groupBy(BODY_SHAPE).agg(F.min(_ORDER).alias(_ORDER), F.max(FIRST_SENT).alias(LAST_SENT))
    firsts = rows.join(per_shape, [BODY_SHAPE, _ORDER])  # each shape's rows sent first (ties too)
    lines = F.explode(F.split(BODY_SHAPE, SHAPE_LINE)).alias(_PAIR)
    first = F.struct(_ORDER, MESSAGE_ID, FIRST_SENT).alias(_FIRST_SEEN)
    leaves = firsts.select(lines, first, LAST_SENT).filter(F.col(_PAIR) != "")
    pair = F.split(_PAIR, SHAPE_FIELD)
    return (
        leaves.select(pair[0].alias(COLUMN_NAME), pair[1].alias(JSON_TYPE), _FIRST_SEEN, LAST_SENT)
        .groupBy(COLUMN_NAME, JSON_TYPE)
        .agg(F.min(_FIRST_SEEN).alias(_FIRST_SEEN), F.max(LAST_SENT).alias(LAST_SENT))
        .select(
            COLUMN_NAME,
            JSON_TYPE,
            F.col(f"{_FIRST_SEEN}.{MESSAGE_ID}").alias(MESSAGE_ID),
            F.col(f"{_FIRST_SEEN}.{FIRST_SENT}").alias(FIRST_SENT),
            LAST_SENT,
        )
    )
