"""One log stream on the operator's side: the workers' stderr lines become records of this process.

The emulation's worker processes (the Glue jobs, the Lambda functions) log as they do in AWS: the
jobs JSON lines (``leanops.jobs.jsonlog``), the Lambdas powertools' JSON, the JVM plain text.
Each line they write on stderr is relayed here as a ``logging`` record of this process, with its
level and logger, so the CLI prints one format (human-readable, or JSON with ``--log-json``).
Plain lines (the JVM's and Spark's start-up output, stray prints) are DEBUG records of the
``jvm`` logger: hidden unless ``-v``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

PLAIN_LOGGER = "jvm"
_LEVELS = logging.getLevelNamesMapping()
# Keys of the JSON a line may carry: the jobs' formatter and powertools' Logger.
_MESSAGE_KEYS = ("message", "msg")
_LEVEL_KEYS = ("level", "levelname")
_LOGGER_KEYS = ("logger", "service", "name")
_SKIPPED_KEYS = frozenset(
    (*_MESSAGE_KEYS, *_LEVEL_KEYS, *_LOGGER_KEYS, "time", "timestamp", "location", "xray_trace_id")
)


def _first(document: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((document[key] for key in keys if key in document), None)


def relay_line(line: str, source: str) -> None:
    """Log one stderr line of a worker as a record of this process.

    Args:
        line: the line as written (trailing newline allowed).
        source: the worker's name (e.g. ``glue``, ``lambda:sqs_processor``), the logger of lines
            whose JSON names none.

    """
    text = line.rstrip("\n")
    if not text.strip():
        return
    document: Any = None
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            document = None
    if not isinstance(document, dict) or _first(document, _MESSAGE_KEYS) is None:
        logging.getLogger(PLAIN_LOGGER).debug("%s: %s", source, text)
        return
    level = _LEVELS.get(str(_first(document, _LEVEL_KEYS) or "INFO").upper(), logging.INFO)
    name = str(_first(document, _LOGGER_KEYS) or source)
    extra = {key: value for key, value in document.items() if key not in _SKIPPED_KEYS}
    message = str(_first(document, _MESSAGE_KEYS))
    if extra:
        message = f"{message} {json.dumps(extra, default=str, ensure_ascii=False)}"
    logging.getLogger(name).log(level, "%s", message)
