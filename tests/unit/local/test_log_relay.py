"""Workers' stderr lines relayed as records of the operator's process (one log format)."""

from __future__ import annotations

import json
import logging

import pytest

from leanops.local.log_relay import PLAIN_LOGGER, relay_line


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
            json.dumps({"level": "ERROR", "service": "sqs-processor", "message": "boom", "topic": "orders"}),
            "sqs-processor",
            logging.ERROR,
            'boom {"topic": "orders"}',
        ),
        (json.dumps({"message": "no level"}), "glue", logging.INFO, "no level"),
        (
            "26/12/01 20:00:00 WARN NativeCodeLoader: Unable to load native-hadoop\n",
            PLAIN_LOGGER,
            logging.DEBUG,
            "glue: 26/12/01 20:00:00 WARN NativeCodeLoader: Unable to load native-hadoop",
        ),
        ('{"not": "a log line"}', PLAIN_LOGGER, logging.DEBUG, 'glue: {"not": "a log line"}'),
        ("{broken json", PLAIN_LOGGER, logging.DEBUG, "glue: {broken json"),
    ],
)
def test_a_line_becomes_one_record_with_its_level_and_logger(
    caplog: pytest.LogCaptureFixture, line: str, logger: str, level: int, message: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        relay_line(line, "glue")
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [(logger, level, message)]


def test_blank_lines_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        relay_line("   \n", "glue")
    assert caplog.records == []
