"""Structured JSON log lines for the Glue jobs (CloudWatch Logs Insights parses them)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

FIELDS_ATTRIBUTE = "leanops_fields"
PACKAGE_LOGGER = "leanops"


def fields(**values: Any) -> dict[str, dict[str, Any]]:
    """Return the ``extra=`` of a log call that adds ``values`` as JSON keys of the line."""
    return {FIELDS_ATTRIBUTE: values}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON line."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(getattr(record, FIELDS_ATTRIBUTE, {}) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler writing to whatever ``sys.stderr`` is when a record is emitted."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        """The current ``sys.stderr`` (test runners and Glue may swap it)."""
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        """Ignore: the stream is always the current ``sys.stderr``."""


def configure_json_logging(level: int = logging.INFO) -> logging.Logger:
    """Send the ``leanops`` loggers to stderr as JSON lines (once; later calls only set the level).

    The package logger still propagates, so handlers on the root logger (a test's log capture)
    see the records too.

    Returns:
        The package logger.

    """
    logger = logging.getLogger(PACKAGE_LOGGER)
    logger.setLevel(level)
    if not any(isinstance(handler.formatter, JsonFormatter) for handler in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    return logger
