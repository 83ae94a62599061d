"""Workers' stderr lines relayed as records of the operator's process (one log format)."""

from __future__ import annotations

import json
import logging

import pytest

from leanops.jobs.jsonlog import FIELDS_ATTRIBUTE
from leanops.local.log_relay import ERROR_LOGGER, PLAIN_LOGGER, LogRelay

TRACEBACK = [
    "Traceback (most recent call last):",
    '  File "/glue/job.py", line 3, in main',
    "    run()",
    "ValueError: boom",
]


def relayed(lines: list[str], caplog: pytest.LogCaptureFixture, plain_level: int = logging.DEBUG) -> list:
    with caplog.at_level(logging.DEBUG):
        LogRelay("glue", plain_level).relay(lines)
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


@pytest.mark.parametrize(
    ("line", "logger", "level", "message"),
    [
        (
            json.dumps(
                {"time": "t", "level": "WARNING", "logger": "leanops.jobs.runtime", "message": "slow"}
            ),
            "leanops.jobs.runtime",
            logging.WARNING,
            "slow",
        ),
        (
            json.dumps({"level": "ERROR", "service": "sqs-processor", "message": "boom", "reason": "x"}),
            "sqs-processor",
            logging.ERROR,
            'boom {"reason": "x"}',
        ),
        (
            json.dumps({"message": "topic orders: processed", "event": "topic_done", "topic": "orders"}),
            "glue",
            logging.INFO,
            "topic orders: processed",
        ),
        (json.dumps({"message": "no level"}), "glue", logging.INFO, "no level"),
        (
            "26/12/01 20:00:00 WARN NativeCodeLoader: Unable to load native-hadoop\n",
            PLAIN_LOGGER,
            logging.DEBUG,
            "glue: 26/12/01 20:00:00 WARN NativeCodeLoader: Unable to load native-hadoop",
        ),
        (
            'Setting default log level to "WARN".',
            PLAIN_LOGGER,
            logging.DEBUG,
            'glue: Setting default log level to "WARN".',
        ),
        (":: resolving dependencies :: org.apache.spark", PLAIN_LOGGER, logging.DEBUG, None),
        (
            "26/12/01 20:00:01 ERROR Executor: Exception in task 0.0",
            ERROR_LOGGER,
            logging.ERROR,
            "glue: 26/12/01 20:00:01 ERROR Executor: Exception in task 0.0",
        ),
        ("23:50:59.724 [main] FATAL x - gone", ERROR_LOGGER, logging.ERROR, None),
        ('{"not": "a log line"}', PLAIN_LOGGER, logging.DEBUG, 'glue: {"not": "a log line"}'),
        ("{broken json", PLAIN_LOGGER, logging.DEBUG, "glue: {broken json"),
    ],
)
def test_a_line_becomes_one_record_with_its_level_and_logger(
    caplog: pytest.LogCaptureFixture, line: str, logger: str, level: int, message: str | None
) -> None:
    [(name, levelno, text)] = relayed([line], caplog)
    assert (name, levelno) == (logger, level)
    assert text == (message if message is not None else f"glue: {line}")


def test_json_fields_stay_structured_and_bulky_context_is_not_inlined(
    caplog: pytest.LogCaptureFixture,
) -> None:
    line = {"level": "INFO", "logger": "x", "message": "done", "event": "run_finished", "report": {"a": 1}}
    with caplog.at_level(logging.DEBUG):
        LogRelay("glue").relay([json.dumps(line)])
    [record] = caplog.records
    assert record.getMessage() == "done"
    assert getattr(record, FIELDS_ATTRIBUTE) == {"event": "run_finished", "report": {"a": 1}}


def test_a_json_exception_is_the_records_traceback(caplog: pytest.LogCaptureFixture) -> None:
    line = {
        "level": "ERROR",
        "logger": "leanops.jobs.runtime",
        "message": "topic t failed",
        "exception": "TB",
    }
    with caplog.at_level(logging.DEBUG):
        LogRelay("glue").relay([json.dumps(line)])
    [record] = caplog.records
    assert (record.getMessage(), record.exc_text) == ("topic t failed", "TB")
    assert getattr(record, FIELDS_ATTRIBUTE) == {"exception": "TB"}


def test_a_python_traceback_is_one_error_record_whatever_follows(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        LogRelay("glue").relay([*TRACEBACK, "", "next plain line"])
    first, second = caplog.records
    assert (first.name, first.levelno, first.getMessage()) == (
        ERROR_LOGGER,
        logging.ERROR,
        "glue: ValueError: boom",
    )
    assert first.exc_text == "\n".join(TRACEBACK)
    assert (second.name, second.getMessage()) == (PLAIN_LOGGER, "glue: next plain line")


def test_a_traceback_at_the_end_of_the_stream_is_not_lost(caplog: pytest.LogCaptureFixture) -> None:
    assert relayed(TRACEBACK[:3], caplog) == [(ERROR_LOGGER, logging.ERROR, "glue:     run()")]


def test_chained_and_java_tracebacks_stay_whole(caplog: pytest.LogCaptureFixture) -> None:
    chained = [
        *TRACEBACK,
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        *TRACEBACK[:3],
        "py4j.protocol.Py4JJavaError: An error occurred while calling o1.sql.",
        ": org.apache.spark.SparkException: Job aborted",
        "\tat org.apache.spark.Foo.bar(Foo.scala:1)",
        "Caused by: java.io.IOException: disk",
        "\t... 12 more",
    ]
    with caplog.at_level(logging.DEBUG):
        LogRelay("glue").relay([*chained, 'Exception in thread "main" java.lang.Error: x', "\tat a.b(c)"])
    assert [r.exc_text for r in caplog.records] == [
        "\n".join(line for line in chained if line),
        'Exception in thread "main" java.lang.Error: x\n\tat a.b(c)',
    ]


def test_a_lambdas_plain_lines_are_warnings_it_wrote_through_pythons_last_resort_handler(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert relayed(["Firehose put attempt 1/5 left 2 record(s) undelivered"], caplog, logging.WARNING) == [
        (ERROR_LOGGER, logging.WARNING, "glue: Firehose put attempt 1/5 left 2 record(s) undelivered")
    ]


def test_events_reach_the_listener_and_blank_lines_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    relay, events = LogRelay("glue"), []
    relay.listener = events.append
    with caplog.at_level(logging.DEBUG):
        relay.relay(["   \n", json.dumps({"message": "m", "event": "topic_done", "topic": "t"}), "\n"])
    assert events == [{"message": "m", "event": "topic_done", "topic": "t"}]
    assert len(caplog.records) == 1


def test_a_long_field_is_left_out_of_the_human_line_but_kept_structured(
    caplog: pytest.LogCaptureFixture,
) -> None:
    line = {"level": "ERROR", "service": "firehose-transform", "message": "record failed", "reason": "bad"}
    line |= {"invocation_id": "i-1", "record_id": "r" * 200}
    with caplog.at_level(logging.DEBUG):
        LogRelay("lambda").relay([json.dumps(line)])
    [record] = caplog.records
    assert record.getMessage() == 'record failed {"reason": "bad"}'
    assert set(getattr(record, FIELDS_ATTRIBUTE)) == {"reason", "invocation_id", "record_id"}
