"""Timestamp formats of the ingest path: SQS epoch milliseconds in, ISO-8601 UTC out.

The envelope carries ISO-8601 UTC with microseconds and ``Z`` (``2026-01-01T10:00:00.123000Z``,
docs/DESIGN_NOTES.md); Firehose's Iceberg destination wants timestamp columns as epoch
microseconds, which :func:`iso_to_epoch_micros` produces.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROS_PER_MILLI = 1_000


def utc_now() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def format_iso(moment: datetime) -> str:
    """Return ``moment`` as ISO-8601 UTC with microseconds and ``Z``.

    Args:
        moment: a timezone-aware datetime (a naive one is taken as UTC).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(ISO_FORMAT)


def millis_to_iso(epoch_millis: int | str) -> str:
    """Return an SQS timestamp (epoch milliseconds, as number or text) as ISO-8601 UTC.

    Raises:
        ValueError: when the value is not a whole number of milliseconds.
    """
    millis = int(epoch_millis)
    return format_iso(_EPOCH + timedelta(milliseconds=millis))


def parse_iso(text: str) -> datetime:
    """Parse an ISO-8601 timestamp that carries a zone (``Z`` or ``+hh:mm``).

    Raises:
        ValueError: when the text is not ISO-8601 or has no zone.
    """
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no time zone (expected 'Z' or an offset)")
    return moment.astimezone(UTC)


def iso_to_millis(text: str) -> int:
    """Return an ISO-8601 timestamp as epoch milliseconds (SQS's unit)."""
    return iso_to_epoch_micros(text) // _MICROS_PER_MILLI


def iso_to_epoch_micros(text: str) -> int:
    """Return an ISO-8601 timestamp as epoch microseconds (Firehose's Iceberg unit).

    Raises:
        ValueError: when the text is not an ISO-8601 timestamp with a zone.
    """
    delta = parse_iso(text) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def datetime_to_millis(moment: datetime) -> int:
    """Return a datetime (naive = UTC) as epoch milliseconds."""
    return iso_to_millis(format_iso(moment))
