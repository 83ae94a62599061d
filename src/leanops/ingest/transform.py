"""firehose_transform's logic: check each record and route it to its RAW Iceberg table.

* a record with ``archived_at`` must be a dlq_errors row -> ``iceberg_raw_db.dlq_errors``;
* otherwise it must be an envelope (schemas/events.json, topic name allowed) ->
  ``iceberg_raw_db.<topic_name>``;
* anything else -> ``ProcessingFailed`` (Firehose writes it under ``firehose-errors/``).

The output data is the row as compact JSON plus a newline, timestamps as epoch microseconds
(:mod:`leanops.ingest.rows`); routing goes in ``metadata.otfMetadata``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

import jsonschema
from aws_lambda_powertools.utilities.data_classes.kinesis_firehose_event import KinesisFirehoseRecord

from leanops import definitions
from leanops.exceptions import RecordRejectedError, TopicNameError
from leanops.ingest.envelope import encode_row
from leanops.ingest.rows import to_iceberg_row
from leanops.ingest.types import OtfMetadata, TransformationRecord, TransformationResponse

DLQ_MARKER_FIELD = "archived_at"
OK: Final = "Ok"
PROCESSING_FAILED: Final = "ProcessingFailed"
INSERT: Final = "insert"
MAX_SCHEMA_ERRORS_SHOWN = 3


@cache
def _envelope_validator() -> jsonschema.protocols.Validator:
    schema = definitions.load_json(definitions.ENVELOPE_FILE)
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def decode_json_object(record_id: str, data: str) -> dict[str, Any]:
    """Decode a record's base64 data into a JSON object.

    Raises:
        RecordRejectedError: when the data is not base64, UTF-8, JSON, or not an object.
    """
    try:
        text = base64.b64decode(data, validate=True).decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise RecordRejectedError(record_id, f"data is not base64-encoded UTF-8: {exc}") from exc
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise RecordRejectedError(record_id, f"data is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise RecordRejectedError(record_id, f"data is a JSON {type(document).__name__}, not an object")
    return document


def _check_topic(record_id: str, topic: Any) -> str:
    try:
        return definitions.validate_topic_name(topic)
    except TopicNameError as exc:
        raise RecordRejectedError(record_id, str(exc)) from exc


def _check_envelope(record_id: str, document: dict[str, Any]) -> str:
    """Validate an envelope against events.json; return its topic."""
    errors = sorted(
        _envelope_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
    )
    if errors:
        shown = "; ".join(
            f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:MAX_SCHEMA_ERRORS_SHOWN]
        )
        raise RecordRejectedError(record_id, f"not a valid envelope ({definitions.ENVELOPE_FILE}): {shown}")
    return _check_topic(record_id, document["topic_name"])


def route(record_id: str, document: dict[str, Any]) -> tuple[OtfMetadata, dict[str, Any]]:
    """Return where a record goes and its row in Firehose's Iceberg form.

    Raises:
        RecordRejectedError: naming what is wrong with the record.
    """
    if DLQ_MARKER_FIELD in document:
        target = definitions.table(definitions.DLQ_ERRORS)
        table_name = target.name()
        if "topic_name" in document:
            _check_topic(record_id, document["topic_name"])
    else:
        target = definitions.table(definitions.RAW)
        table_name = target.name(_check_envelope(record_id, document))
    try:
        row = to_iceberg_row(document, target.columns)
    except ValueError as exc:
        raise RecordRejectedError(
            record_id, f"not a valid {target.database}.{table_name} row: {exc}"
        ) from exc
    metadata = OtfMetadata(
        destinationDatabaseName=target.database, destinationTableName=table_name, operation=INSERT
    )
    return metadata, row


@dataclass(frozen=True)
class TransformOutcome:
    """The transformation response and, for logs, why each failed record failed."""

    response: TransformationResponse
    failures: Mapping[str, str] = field(default_factory=dict)


def transform_record(record: KinesisFirehoseRecord) -> TransformationRecord:
    """Return the transformation result of one Firehose record.

    Raises:
        RecordRejectedError: naming the record and what is wrong with it.
    """
    document = decode_json_object(record.record_id, record.data)
    metadata, row = route(record.record_id, document)
    data = base64.b64encode(encode_row(row)).decode("ascii")
    return TransformationRecord(
        recordId=record.record_id, result=OK, data=data, metadata={"otfMetadata": metadata}
    )


def transform_records(records: Iterable[KinesisFirehoseRecord]) -> TransformOutcome:
    """Transform a Firehose event's records, in order; a bad record is ``ProcessingFailed`` alone."""
    results: list[TransformationRecord] = []
    failures: dict[str, str] = {}
    for record in records:
        try:
            results.append(transform_record(record))
        except RecordRejectedError as exc:
            failures[record.record_id] = exc.problem
            results.append(
                TransformationRecord(recordId=record.record_id, result=PROCESSING_FAILED, data=record.data)
            )
    return TransformOutcome(response=TransformationResponse(records=results), failures=failures)


def read_output_row(record: TransformationRecord) -> tuple[str, str, dict[str, Any]]:
    """Return (database, table, row) of an ``Ok`` output record: what Firehose writes where.

    For the local Firehose emulator and tests; timestamps in the row are epoch microseconds.

    Raises:
        ValueError: when the record is not ``Ok``.
    """
    if record["result"] != OK or "metadata" not in record:
        raise ValueError(f"record {record['recordId']} is {record['result']}, it has no destination")
    otf = record["metadata"]["otfMetadata"]
    row = json.loads(base64.b64decode(record["data"]).decode("utf-8"))
    return otf["destinationDatabaseName"], otf["destinationTableName"], row
