"""A worker's stderr reaches the operator in the CLI's one log format: JVM noise only with -v."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leanops.cli.main import POWERTOOLS_LOG_LEVEL, configure_logging
from leanops.local import artefacts
from leanops.local.workers import LAMBDA_RUNTIME, Worker, base_environment

NOISY = r"""
import json, sys, traceback

def lambda_handler(event, context):
    sys.stderr.write('Setting default log level to "WARN".\n')
    sys.stderr.write("26/12/01 20:00:00 WARN NativeCodeLoader: Unable to load native-hadoop library\n")
    sys.stderr.write(":: resolving dependencies :: org.apache.spark#spark-submit-parent;1.0\n")
    print(json.dumps({"time": "t", "level": "INFO", "logger": "leanops.jobs.runtime",
                      "message": "topic orders: processed", "event": "topic_done", "topic": "orders"}))
    sys.stderr.write("26/12/01 20:00:01 ERROR Executor: Exception in task 0.0 in stage 1.0\n")
    try:
        raise ValueError("job crashed")
    except ValueError:
        traceback.print_exc()
    sys.stderr.flush()
    sys.stdout.flush()
    return "ok"
"""


@pytest.fixture
def cli_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let a test configure the CLI's logging; put the process's logging back afterwards."""
    root, package = logging.getLogger(), logging.getLogger("leanops")
    saved = (root.handlers[:], root.level, package.handlers[:])
    monkeypatch.setenv(POWERTOOLS_LOG_LEVEL, "WARNING")
    yield
    root.handlers[:], package.handlers[:] = saved[0], saved[2]
    root.setLevel(saved[1])


def run_noisy_worker(tmp_path: Path) -> tuple[Any, list[dict[str, Any]]]:
    (tmp_path / "noisy.py").write_text(NOISY, encoding="utf-8")
    runtime = artefacts.runtime_dir(LAMBDA_RUNTIME, artefacts.LAMBDA_RUNTIME_DISTRIBUTIONS)
    config = {"path": [str(tmp_path), str(runtime)], "handler": "noisy.lambda_handler"}
    worker = Worker("glue", "lambda", config, base_environment())  # plain lines: the JVM's (DEBUG)
    events: list[dict[str, Any]] = []
    try:
        response = worker.call({"event": {}, "context": {"remaining_ms": 60_000}}, on_event=events.append)
    finally:
        worker.stop()  # the relay has logged every line
    return response, events


@pytest.mark.usefixtures("cli_logging")
def test_by_default_one_format_the_jvm_noise_hidden_and_every_error_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the CLI's default logging (no -v)
    configure_logging(verbose=False, as_json=False)
    # WHEN a worker writes JVM noise, a JSON log line, a log4j ERROR line and a traceback
    response, events = run_noisy_worker(tmp_path)
    err = capsys.readouterr().err
    # THEN its answer and its structured event came through
    assert response == {"ok": True, "result": "ok"}
    assert [event["event"] for event in events] == ["topic_done"]
    # AND stderr holds human-readable lines only: the JSON line, the error line, the whole traceback
    assert "INFO    leanops.jobs.runtime: topic orders: processed" in err
    assert "ERROR   worker: glue: 26/12/01 20:00:01 ERROR Executor: Exception in task 0.0" in err
    assert "ERROR   worker: glue: ValueError: job crashed\nTraceback (most recent call last):" in err
    assert '"event"' not in err and "{" not in err
    assert "NativeCodeLoader" not in err and "Setting default log level" not in err
    assert "resolving dependencies" not in err


@pytest.mark.usefixtures("cli_logging")
def test_with_verbose_the_jvm_lines_are_shown_and_log_json_keeps_the_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(verbose=True, as_json=False)
    run_noisy_worker(tmp_path)
    err = capsys.readouterr().err
    assert "DEBUG   jvm: glue: 26/12/01 20:00:00 WARN NativeCodeLoader" in err
    assert 'DEBUG   jvm: glue: Setting default log level to "WARN".' in err
    assert "ERROR   worker: glue: ValueError: job crashed" in err

    configure_logging(verbose=False, as_json=True)
    run_noisy_worker(tmp_path)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    by_logger = {line["logger"]: line for line in lines}
    assert by_logger["leanops.jobs.runtime"]["event"] == "topic_done"
    assert by_logger["leanops.jobs.runtime"]["message"] == "topic orders: processed"
    crash = [line for line in lines if line["message"] == "glue: ValueError: job crashed"]
    assert crash and crash[0]["level"] == "ERROR" and "Traceback" in crash[0]["exception"]
    assert not any("NativeCodeLoader" in line["message"] for line in lines)
