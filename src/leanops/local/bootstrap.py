"""The program of a worker process: a Lambda execution environment or a Glue job runner.

Run by path, never imported: ``python -I -S bootstrap.py lambda|glue CONFIG_JSON``. ``-I -S``
leave only the standard library on ``sys.path``; the config's ``path`` (the extracted Lambda
zip, or the Glue zip + installed wheels, then the AWS runtime's own packages) goes in front.
This file imports nothing but the standard library at import time (and never leanops.local);
the handler or the Glue entry script, and what they import, come from the bundle.

Protocol: one JSON request per line on stdin, one JSON response per line on the original
stdout; file descriptor 1 is pointed at stderr first, so the handler's logs (Powertools writes
to stdout, as in Lambda where stdout goes to CloudWatch) and the JVM's output go to stderr.
Each request carries its environment (``env``: fault plans, settings), applied over the
process's starting environment for the duration of the request.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from types import ModuleType
from typing import IO, Any

LAMBDA = "lambda"
GLUE = "glue"
MS_PER_SECOND = 1000


class Context:
    """The ``context`` a Lambda handler receives (the attributes Powertools reads)."""

    def __init__(self, fields: dict[str, Any]) -> None:
        """Set the attributes sent by the runner; the deadline counts from now."""
        self.__dict__.update({key: value for key, value in fields.items() if key != "remaining_ms"})
        self._deadline = time.monotonic() + fields.get("remaining_ms", 0) / MS_PER_SECOND

    def get_remaining_time_in_millis(self) -> int:
        """Return the milliseconds left before the timeout."""
        return max(0, int((self._deadline - time.monotonic()) * MS_PER_SECOND))


def _failure(exc: BaseException) -> dict[str, Any]:
    return {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}


def _report_fields(report: Any) -> dict[str, Any]:
    if report is None:
        return {"summary": None, "report": None}
    summary, to_dict = getattr(report, "summary", None), getattr(report, "to_dict", None)
    return {
        "summary": str(summary()) if callable(summary) else str(report),
        "report": to_dict() if callable(to_dict) else None,
    }


def lambda_handler(config: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Import the function's handler (``handler.lambda_handler`` of the zip); return the invoker."""
    module, _, attribute = config["handler"].rpartition(".")
    handler = getattr(importlib.import_module(module), attribute)

    def invoke(request: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "result": handler(request["event"], Context(request["context"]))}

    return invoke


def _load_script(path: str, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class GlueRunner:
    """Runs Glue job requests in one SparkSession, started on the first request."""

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the Spark settings and the entry scripts (job -> path) of the config."""
        self.spark_conf: dict[str, str] = config["spark_conf"]
        self.scripts: dict[str, str] = config["scripts"]
        self.spark: Any = None

    def session(self) -> Any:
        """Return the SparkSession, creating it with the configured settings on first use."""
        if self.spark is None:
            from pyspark.sql import SparkSession

            builder = SparkSession.builder
            for key, value in self.spark_conf.items():
                builder = builder.config(key, value)
            self.spark = builder.getOrCreate()
            self.spark.sparkContext.setLogLevel("ERROR")
        return self.spark

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run ``main(argv, spark=session)`` of the job's entry script; return its report."""
        name = f"glue_entry_{request['job']}"
        module = sys.modules.get(name) or _load_script(self.scripts[request["job"]], name)
        spark = self.session()
        try:
            report = module.main(request["argv"], spark=spark)
        except Exception as exc:  # noqa: BLE001 - a failed job run: reported with its partial report
            return {**_failure(exc), **_report_fields(getattr(exc, "report", None))}
        return {"ok": True, **_report_fields(report)}

    def close(self) -> None:
        """Stop the SparkSession (its JVM), if it was started."""
        if self.spark is not None:
            self.spark.stop()


def _protocol_stream() -> IO[str]:
    """Keep the original stdout for responses; point file descriptor 1 (and sys.stdout) at stderr."""
    sys.stdout.flush()
    responses = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return responses


def serve(handle: Callable[[dict[str, Any]], dict[str, Any]], responses: IO[str]) -> None:
    """Answer requests until stdin closes."""
    base = dict(os.environ)
    for line in sys.stdin:
        request = json.loads(line)
        os.environ.clear()
        os.environ.update({**base, **request.get("env", {})})
        try:
            response = handle(request)
        except Exception as exc:  # noqa: BLE001 - reported to the runner, the worker goes on
            response = _failure(exc)
        responses.write(json.dumps(response, default=str) + "\n")
        responses.flush()


def main(argv: list[str]) -> None:
    """Set sys.path from the config, build the handler or job runner, serve requests."""
    mode, config = argv[0], json.loads(argv[1])
    sys.path[0:0] = config["path"]
    os.environ.update(config.get("env", {}))
    responses = _protocol_stream()
    if mode == LAMBDA:
        serve(lambda_handler(config), responses)
        return
    runner = GlueRunner(config)
    try:
        serve(runner, responses)
    finally:
        runner.close()


if __name__ == "__main__":
    main(sys.argv[1:])
