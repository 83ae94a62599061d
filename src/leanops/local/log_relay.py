"""One log stream on the operator's side: the workers' stderr lines become records of this process.

The emulation's worker processes (the Glue jobs, the Lambda functions) log as they do in AWS: the
jobs JSON lines (``leanops.jobs.jsonlog``), the Lambdas powertools' JSON, the JVM plain text.
Each line they write on stderr is relayed here as a ``logging`` record of this process, with its
level and logger, so the CLI prints one format (human-readable, or JSON with ``--log-json``):

* a JSON log line keeps its level, logger and message; its other keys stay structured (the
  record's ``leanops_fields``, which ``--log-json`` prints as keys) and the short ones are also
  appended to the message; its ``exception`` is the record's traceback text.
* a plain line of the JVM (log4j's WARN/INFO lines, "Setting default log level", NativeCodeLoader,
  Ivy's resolution report) or any other stray output is a DEBUG record of the ``jvm`` logger:
  hidden unless ``-v``. A Lambda worker writes plain lines only through Python's last-resort
  handler, which writes warnings and errors alone: those are WARNING records.
* never swallowed: a plain line with an ERROR or FATAL level word, and a Python or Java traceback
  (``Traceback (most recent call last):`` ... the exception line; ``Exception in thread`` ...
  its ``at`` frames) is one ERROR record of the ``worker`` logger, the whole traceback in it.

A JSON line with an ``event`` key (the jobs' ``topic_done``, ``topic_failed``, ``run_finished``)
is also handed to the relay's event listener: the job progress counts topics with it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from leanops.jobs.jsonlog import FIELDS_ATTRIBUTE

PLAIN_LOGGER = "jvm"
ERROR_LOGGER = "worker"
EVENT_KEY = "event"
EventListener = Callable[[dict[str, Any]], None]
_LEVELS = logging.getLevelNamesMapping()
# Keys of the JSON a line may carry: the jobs' formatter and powertools' Logger.
_MESSAGE_KEYS = ("message", "msg")
_LEVEL_KEYS = ("level", "levelname")
_LOGGER_KEYS = ("logger", "service", "name")
_EXCEPTION_KEY = "exception"
# Not repeated in a human-readable message: the record's own attributes, powertools' Lambda
# context (and the keys the handlers append), the jobs' event context (their message names the
# topic), and any value longer than MAX_INLINE_VALUE_CHARS; --log-json keeps them all.
_SKIPPED_KEYS = frozenset(
    (*_MESSAGE_KEYS, *_LEVEL_KEYS, *_LOGGER_KEYS, _EXCEPTION_KEY, "time", "timestamp", "location")
)
_CONTEXT_KEYS = frozenset(
    (
        EVENT_KEY,
        "layer",
        "run_id",
        "topic",
        "outcome",
        "report",
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "sampling_rate",
        "exception_name",
        "stack_trace",
        "xray_trace_id",
        "invocation_id",
        "delivery_stream_arn",
        "name_prefix",
        "batch_size",
    )
)
MAX_INLINE_VALUE_CHARS = 160
# A level word of a plain line (log4j: "26/12/01 20:00:00 ERROR Executor: ...", "[main] ERROR x").
_ERROR_WORD = re.compile(r"(?:^|[\s\[])(?:ERROR|FATAL|SEVERE|CRITICAL)(?:[\s\]:]|$)")
_TRACEBACK_START = re.compile(r"^(?:Traceback \(most recent call last\):|Exception in thread )")
_TRACEBACK_CHAIN = re.compile(r"^(?:During handling of the above|The above exception was the direct cause)")
# The lines after a traceback's exception line that still belong to it (Java's frames and causes).
_TRACEBACK_TAIL = re.compile(r"^(?:\s|Caused by:|: |\.\.\. \d+ more)")


def _first(document: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((document[key] for key in keys if key in document), None)


def _emit(
    name: str, level: int, message: str, fields: dict[str, Any] | None = None, traceback: str = ""
) -> None:
    logger = logging.getLogger(name)
    if not logger.isEnabledFor(level):
        return
    extra = {FIELDS_ATTRIBUTE: {**(fields or {}), **({_EXCEPTION_KEY: traceback} if traceback else {})}}
    record = logger.makeRecord(name, level, "(worker)", 0, "%s", (message,), None, extra=extra)
    if traceback:
        record.exc_text = traceback  # human format: appended below the message, as a traceback
    logger.handle(record)


def _inline(fields: dict[str, Any]) -> str:
    """Return the fields worth reading in a human line: not context, each value short."""
    shown = {
        key: value
        for key, value in fields.items()
        if key not in _CONTEXT_KEYS and len(json.dumps(value, default=str)) <= MAX_INLINE_VALUE_CHARS
    }
    return json.dumps(shown, default=str, ensure_ascii=False) if shown else ""


class LogRelay:
    """Relays the stderr lines of one worker (see the module docstring); not thread-safe itself."""

    def __init__(self, source: str, plain_level: int = logging.DEBUG) -> None:
        """Relay the lines of ``source`` (the worker's name); plain lines at ``plain_level``.

        Args:
            source: the worker's name (``glue``, ``lambda sqs_processor``): the logger of JSON
                lines that name none, and the prefix of plain lines.
            plain_level: the level of a plain line: DEBUG (``jvm`` logger) for the Glue worker,
                whose plain output is the JVM's; WARNING (``worker`` logger) for a Lambda.

        """
        self.source = source
        self.plain_level = plain_level
        self.plain_logger = PLAIN_LOGGER if plain_level <= logging.DEBUG else ERROR_LOGGER
        self.listener: EventListener | None = None
        self._traceback: list[str] = []
        self._in_tail = False  # past the exception line: only Java's frames and causes follow
        self._chained = False  # "During handling of the above exception": another traceback follows
        self._headline = ""  # the exception line, the record's message

    def feed(self, line: str) -> None:
        """Relay one line (trailing newline allowed)."""
        text = line.rstrip("\n")
        if self._traceback and self._continues_traceback(text):
            return
        if not text.strip():
            return
        document = _json_document(text)
        if document is not None:
            self._relay_json(document)
        elif _TRACEBACK_START.match(text):
            self._start_traceback(text)
        elif _ERROR_WORD.search(text):
            _emit(ERROR_LOGGER, logging.ERROR, f"{self.source}: {text}")
        else:
            _emit(self.plain_logger, self.plain_level, f"{self.source}: {text}")

    def _start_traceback(self, text: str) -> None:
        self._traceback.append(text)
        self._in_tail = text.startswith("Exception in thread ")  # Java's: its frames follow
        if self._in_tail:
            self._headline = text

    def _continues_traceback(self, text: str) -> bool:
        """Add ``text`` to the traceback being read, or end it (emitted) and return False."""
        if not text.strip():
            self._traceback.append(text)
            return True
        if _TRACEBACK_CHAIN.match(text):
            self._traceback.append(text)
            self._chained = True
            return True
        if _TRACEBACK_START.match(text):
            if self._in_tail and not self._chained:  # a new traceback
                self.close()
                return False
            self._chained = False
            self._start_traceback(text)
            return True
        if text[:1].isspace() or (self._in_tail and _TRACEBACK_TAIL.match(text)):
            self._traceback.append(text)
            return True
        if not self._in_tail:  # the exception line: "ValueError: ...", then Java's causes may follow
            self._traceback.append(text)
            self._in_tail, self._headline = True, text
            return True
        self.close()
        return False

    def close(self) -> None:
        """Emit a traceback still being read (the worker's stderr ended)."""
        if self._traceback:
            lines = [line for line in self._traceback if line.strip()]
            headline = self._headline or lines[-1]
            self._traceback, self._in_tail, self._chained, self._headline = [], False, False, ""
            _emit(ERROR_LOGGER, logging.ERROR, f"{self.source}: {headline}", traceback="\n".join(lines))

    def _relay_json(self, document: dict[str, Any]) -> None:
        level = _LEVELS.get(str(_first(document, _LEVEL_KEYS) or "INFO").upper(), logging.INFO)
        name = str(_first(document, _LOGGER_KEYS) or self.source)
        traceback = str(document.get(_EXCEPTION_KEY) or "")
        fields = {key: value for key, value in document.items() if key not in _SKIPPED_KEYS}
        message = str(_first(document, _MESSAGE_KEYS))
        inline = _inline(fields)
        _emit(name, level, f"{message} {inline}" if inline else message, fields, traceback)
        if EVENT_KEY in document and self.listener is not None:
            self.listener(document)

    def relay(self, lines: Iterable[str]) -> None:
        """Relay every line of ``lines`` (a worker's stderr), then :meth:`close`."""
        try:
            for line in lines:
                self.feed(line)
        finally:
            self.close()


def _json_document(text: str) -> dict[str, Any] | None:
    """Return the JSON log line ``text`` is (an object with a message), else None."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(document, dict) or _first(document, _MESSAGE_KEYS) is None:
        return None
    return document


def relay_in_background(relay: LogRelay, lines: Iterable[str]) -> threading.Thread:
    """Relay ``lines`` (a worker's stderr) on a daemon thread; it ends with the stream."""
    name = f"log-relay {relay.source}"
    thread = threading.Thread(target=relay.relay, args=(lines,), name=name, daemon=True)
    thread.start()
    return thread
