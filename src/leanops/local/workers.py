"""Worker processes that run the built artefacts as AWS runs them (see bootstrap.py).

* :class:`LambdaFunction`: one worker per execution environment: the extracted zip and the
  Lambda runtime's own packages on ``sys.path``, nothing else; reused across invocations, one
  more started only when every existing one is busy (concurrent invocations, as the SQS event
  source mapping makes them), as Lambda scales; its Firehose client reaches the runner's
  Firehose endpoint through ``AWS_ENDPOINT_URL_FIREHOSE``, the other services moto through
  ``AWS_ENDPOINT_URL``.
* :class:`GlueWorker`: one long-lived process per pipeline (or per test session) that runs the
  Glue entry scripts of the bundle with ``leanops.zip`` on ``sys.path`` as a zip, the compiled
  wheels installed, and only Glue 5.0's own packages; its SparkSession starts with the first job.

Each request carries the environment of that invocation or run (fault plans included), so the
faults reach the handlers and jobs exactly as the runner sets them. A worker's stderr (its JSON
logs, the JVM's output, a traceback) is relayed line by line as records of this process
(leanops.local.log_relay): one log format, the JVM's noise at DEBUG, errors always shown.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import Any

from leanops.exceptions import LeanOpsError, WorkerError
from leanops.local import artefacts
from leanops.local.lambda_runtime import LocalLambdaContext
from leanops.local.log_relay import EventListener, LogRelay, relay_in_background
from leanops.local.spark import LOOPBACK, PYSPARK_PYTHON, SPARK_LOCAL_IP, spark_conf

LOGGER = logging.getLogger(__name__)
BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
STOP_TIMEOUT_SECONDS = 30
# A process the worker started (a JVM) may hold its stderr open a little longer than it lives.
RELAY_JOIN_TIMEOUT_SECONDS = 5
LAMBDA_HANDLER = "handler.lambda_handler"
GLUE_APP_NAME = "leanops-glue"
# The Glue jobs of the bundle (scripts/glue/<job>_processor.py), as modules/processing deploys them.
GLUE_JOBS = ("standardized", "curated", "maintenance")
GLUE_RUNTIME = "glue-runtime"
LAMBDA_RUNTIME = "lambda-runtime"
PYTHON_WRAPPER = "glue-python"
# The runner's own interpreter settings must not leak into a worker (PYTHONPATH=src, ...).
_INHERITED_PREFIXES_DROPPED = ("PYTHON", "PYSPARK_", "LEANOPS_", "SPARK_HOME", "VIRTUAL_ENV")
EnvironmentSource = Callable[[], Mapping[str, str]]
_ARTEFACTS_LOCK = threading.Lock()


class LambdaFunctionError(LeanOpsError):
    """The handler raised: Lambda reports a function error (SQS retries, Firehose fails the batch)."""

    def __init__(self, function: str, error: str) -> None:
        """Name the function and its error."""
        super().__init__(f"{function}: {error}")
        self.function = function
        self.error = error


def base_environment() -> dict[str, str]:
    """Return the runner's environment without its interpreter and leanops settings."""
    return {
        key: value for key, value in os.environ.items() if not key.startswith(_INHERITED_PREFIXES_DROPPED)
    }


class Worker:
    """One ``python -I -S bootstrap.py MODE CONFIG`` process answering JSON lines."""

    def __init__(
        self,
        name: str,
        mode: str,
        config: Mapping[str, Any],
        environment: Mapping[str, str],
        plain_level: int = logging.DEBUG,
    ) -> None:
        """Start the process; its stderr is relayed as log records (plain lines at ``plain_level``)."""
        self.name = name
        self._lock = threading.Lock()
        command = [sys.executable, "-I", "-S", str(BOOTSTRAP), mode, json.dumps(config)]
        LOGGER.debug("starting worker %s", name)
        self._process = subprocess.Popen(  # noqa: S603 - our own bootstrap
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(environment),
            text=True,
            errors="replace",
        )
        assert self._process.stderr is not None  # noqa: S101 - set by Popen(PIPE)
        self._relay = LogRelay(name, plain_level)
        self._relay_thread = relay_in_background(self._relay, self._process.stderr)

    def call(self, request: Mapping[str, Any], on_event: EventListener | None = None) -> dict[str, Any]:
        """Send one request and return its response.

        Args:
            request: the request (JSON-ready).
            on_event: called with each structured log event (a JSON line with ``event``) the
                worker writes while it answers (the jobs' ``topic_done``: progress).

        Raises:
            WorkerError: when the process exited (its reason is in the log on stderr).
        """
        with self._lock:
            self._relay.listener = on_event
            try:
                return self._exchange(request)
            finally:
                self._relay.listener = None

    def _exchange(self, request: Mapping[str, Any]) -> dict[str, Any]:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None  # noqa: S101 - set by Popen(PIPE)
        try:
            stdin.write(json.dumps(request, default=str) + "\n")
            stdin.flush()
            line = stdout.readline()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerError(self.name, f"cannot talk to the process: {exc}") from exc
        if not line:
            code = self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
            self._relay_thread.join(timeout=RELAY_JOIN_TIMEOUT_SECONDS)  # its last words first
            raise WorkerError(self.name, f"exited with code {code} (see its log on stderr)")
        return dict(json.loads(line))

    def stop(self) -> None:
        """Close stdin (the worker ends its loop and exits); kill it if it does not."""
        if self._process.poll() is None and self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._relay_thread.join(timeout=RELAY_JOIN_TIMEOUT_SECONDS)  # the last lines are logged


class LambdaFunction:
    """A Lambda function of the built zips, invoked like ``handler(event, context)``; thread-safe.

    An invocation takes an idle execution environment (a worker; the most recently used, as
    Lambda reuses warm ones) or, when all are busy, starts a new one: N concurrent invocations
    run in N environments. ``environment`` gives the function's environment at each invocation
    (settings, endpoints, the fault plan). A worker that died is dropped; the next invocation
    that needs one starts a fresh environment.
    """

    def __init__(self, function: str, environment: EnvironmentSource) -> None:
        """Bind the function name and the source of its environment (no worker starts yet)."""
        self.function = function
        self.environment = environment
        self._idle: list[Worker] = []
        self._workers: list[Worker] = []
        self._pool_lock = threading.Lock()

    def _start(self) -> Worker:
        # One thread at a time prepares the extracted zip: its staging folder is named per process.
        with _ARTEFACTS_LOCK:
            task = artefacts.lambda_bundle(self.function)
            runtime = artefacts.runtime_dir(LAMBDA_RUNTIME, artefacts.LAMBDA_RUNTIME_DISTRIBUTIONS)
        config = {"path": [str(task), str(runtime)], "handler": LAMBDA_HANDLER}
        environment = {**base_environment(), **self.environment()}
        # Its plain lines come from Python's last-resort handler: warnings and errors only.
        worker = Worker(f"lambda {self.function}", "lambda", config, environment, plain_level=logging.WARNING)
        with self._pool_lock:
            self._workers.append(worker)
        return worker

    def _acquire(self) -> Worker:
        with self._pool_lock:
            if self._idle:
                return self._idle.pop()
        return self._start()

    def __call__(self, event: Mapping[str, Any], context: LocalLambdaContext) -> Any:
        """Invoke the function in an idle execution environment; return its response.

        Raises:
            LambdaFunctionError: when the handler raised (a function error).
            WorkerError: when the environment's process died (it is not reused).
        """
        fields = {key: value for key, value in asdict(context).items() if not key.startswith("_")}
        fields["remaining_ms"] = context.get_remaining_time_in_millis()
        request = {"event": event, "context": fields, "env": dict(self.environment())}
        worker = self._acquire()
        try:
            response = worker.call(request)
        except WorkerError:
            with self._pool_lock:
                self._workers.remove(worker)
            worker.stop()
            raise
        with self._pool_lock:
            self._idle.append(worker)
        if not response.get("ok"):
            LOGGER.debug("%s: %s", self.function, response.get("traceback", ""))
            raise LambdaFunctionError(self.function, str(response.get("error")))
        return response.get("result")

    @property
    def environments(self) -> int:
        """The execution environments (workers) started and alive."""
        with self._pool_lock:
            return len(self._workers)

    def stop(self) -> None:
        """Stop every worker that was started."""
        with self._pool_lock:
            workers, self._workers, self._idle = self._workers, [], []
        for worker in workers:
            worker.stop()


def python_wrapper(folder: Path) -> Path:
    """Return a ``python -S -s -P`` launcher for Spark's Python workers (PYSPARK_PYTHON).

    Spark starts them with ``$PYSPARK_PYTHON -m pyspark.daemon`` and their path in PYTHONPATH:
    the bundle's, without site-packages (as the worker itself).
    """
    wrapper = folder / PYTHON_WRAPPER
    if not wrapper.is_file():
        partial = wrapper.with_name(f"{PYTHON_WRAPPER}.{os.getpid()}")
        partial.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S -s -P "$@"\n', encoding="utf-8")
        partial.chmod(0o755)
        partial.replace(wrapper)
    return wrapper


class GlueWorker:
    """Runs the Glue jobs of the built bundle in a long-lived worker; use as a context manager."""

    def __init__(self, home: Path) -> None:
        """Bind the worker to LEANOPS_HOME (its Spark catalog and warehouse); nothing starts yet."""
        self.home = home
        self._worker: Worker | None = None

    def __enter__(self) -> GlueWorker:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _started(self) -> Worker:
        if self._worker is None:
            bundle = artefacts.glue_bundle()
            runtime = artefacts.runtime_dir(GLUE_RUNTIME, artefacts.GLUE_RUNTIME_DISTRIBUTIONS)
            path = [str(bundle.zip_path), str(bundle.site), str(runtime)]
            scripts = {job: str(bundle.entry_script(job)) for job in GLUE_JOBS}
            conf = {**spark_conf(self.home), "spark.app.name": GLUE_APP_NAME}
            environment = {
                **base_environment(),
                "PYTHONPATH": os.pathsep.join(path),
                PYSPARK_PYTHON: str(python_wrapper(runtime.parent)),
                SPARK_LOCAL_IP: os.environ.get(SPARK_LOCAL_IP, LOOPBACK),
                "SPARK_HOME": str(Path(str(runtime / "pyspark")).resolve()),
            }
            config = {"path": path, "spark_conf": conf, "scripts": scripts}
            self._worker = Worker("glue", "glue", config, environment)
        return self._worker

    def run(
        self,
        job: str,
        argv: list[str],
        environment: Mapping[str, str],
        on_event: EventListener | None = None,
    ) -> dict[str, Any]:
        """Run one job (``standardized`` or ``curated``) with ``argv`` under ``environment``.

        ``on_event`` gets the job's structured log events as they come (``topic_done``, ...).

        Returns:
            ``{"ok", "summary", "report"}`` (the report's ``to_dict()``), plus ``error`` when the
            run failed (``report`` is then the partial report, if any).

        Raises:
            WorkerError: when the worker died; the next run starts a new one.
        """
        try:
            return self._started().call({"job": job, "argv": argv, "env": dict(environment)}, on_event)
        except WorkerError:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the worker (and its JVM), if it was started."""
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
