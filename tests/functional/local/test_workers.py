"""Workers run the built artefacts alone: only their path, the request's environment, stdout kept clean."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from leanops.local import artefacts
from leanops.local.lambda_runtime import LocalLambdaContext
from leanops.local.workers import (
    LAMBDA_RUNTIME,
    LambdaFunction,
    LambdaFunctionError,
    Worker,
    WorkerError,
    base_environment,
)

PROBE = """
import os, sys

def lambda_handler(event, context):
    print("a log line on stdout")  # must not break the protocol
    if event.get("crash"):
        raise RuntimeError("injected")
    try:
        import leanops  # noqa: F401
        leanops_importable = True
    except ImportError:
        leanops_importable = False
    return {
        "path": [entry for entry in sys.path if "python3" not in entry and "python311" not in entry],
        "faults": os.environ.get("LEANOPS_FAULTS"),
        "leanops": leanops_importable,
        "boto3": __import__("boto3").__file__,
        "function_name": context.function_name,
        "remaining": context.get_remaining_time_in_millis() > 0,
    }
"""


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[Worker]:
    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    runtime = artefacts.runtime_dir(LAMBDA_RUNTIME, artefacts.LAMBDA_RUNTIME_DISTRIBUTIONS)
    config = {"path": [str(tmp_path), str(runtime)], "handler": "probe.lambda_handler"}
    worker = Worker("probe", "lambda", config, base_environment())
    yield worker
    worker.stop()


def invoke(worker: Worker, event: dict[str, Any], faults: str) -> dict[str, Any]:
    context = {"function_name": "probe", "remaining_ms": 60_000}
    return worker.call({"event": event, "context": context, "env": {"LEANOPS_FAULTS": faults}})


def test_lambda_worker_sees_only_its_path_and_each_requests_environment(
    probe: Worker, tmp_path: Path
) -> None:
    # WHEN invoked twice with different fault plans
    first = invoke(probe, {}, "lambda-crash-after-put=0.5;seed=1")
    second = invoke(probe, {}, "")
    # THEN only the bundle and the runtime's packages are on the path (no src/, no site-packages)
    assert first["ok"], first
    result = first["result"]
    assert result["path"][0] == str(tmp_path)
    assert len(result["path"]) == 2 and "site-packages" not in result["path"][0]
    assert result["leanops"] is False
    assert result["boto3"].startswith(result["path"][1])
    assert result["function_name"] == "probe" and result["remaining"]
    # AND each invocation runs with its own environment
    assert result["faults"] == "lambda-crash-after-put=0.5;seed=1"
    assert second["result"]["faults"] == ""


def test_a_handler_error_is_reported_and_the_worker_goes_on(probe: Worker) -> None:
    crashed = invoke(probe, {"crash": True}, "")
    assert crashed["ok"] is False and crashed["error"] == "RuntimeError: injected"
    assert invoke(probe, {}, "")["ok"]


def test_the_transform_lambda_runs_from_its_zip() -> None:
    # GIVEN the firehose_transform function of the built zips
    function = LambdaFunction("firehose_transform", lambda: {"POWERTOOLS_SERVICE_NAME": "firehose-transform"})
    event = {
        "invocationId": "i-1",
        "deliveryStreamArn": "arn:aws:firehose:eu-west-1:123456789012:deliverystream/s",
        "region": "eu-west-1",
        "records": [
            {"recordId": "ok", "approximateArrivalTimestamp": 1, "data": base64.b64encode(b"[1]").decode()},
        ],
    }
    try:
        # WHEN it transforms a record that is no envelope, THEN it marks it ProcessingFailed
        response = function(event, LocalLambdaContext.for_function("transform"))
        assert [record["result"] for record in response["records"]] == ["ProcessingFailed"]
        # AND a function error becomes LambdaFunctionError (Firehose then fails the batch)
        with pytest.raises(LambdaFunctionError):
            function({"records": "not a list"}, LocalLambdaContext.for_function("transform"))
    finally:
        function.stop()


def test_artefacts_are_rebuilt_only_when_their_sources_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a build folder and a build script that records its runs
    builds: list[str] = []

    def fake_build(script: str, folder: Path) -> None:
        builds.append(script)
        (folder / "glue").mkdir(parents=True, exist_ok=True)

    monkeypatch.setenv(artefacts.BUILD_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(artefacts, "_run_build_script", fake_build)
    # WHEN built twice from the same sources, THEN the script ran once and the hash is recorded
    artefacts.ensure_built("glue", "build_glue.sh")
    artefacts.ensure_built("glue", "build_glue.sh")
    assert builds == ["build_glue.sh"]
    assert (tmp_path / "glue" / artefacts.HASH_FILE).read_text().strip() == artefacts.source_hash()
    # WHEN a source changes, THEN it builds again
    monkeypatch.setattr(artefacts, "source_hash", lambda root=None: "changed")
    artefacts.ensure_built("glue", "build_glue.sh")
    assert builds == ["build_glue.sh", "build_glue.sh"]


def test_the_source_hash_ignores_the_local_runner_but_not_the_bundled_code(tmp_path: Path) -> None:
    for relative in ("src/leanops/local/x.py", "src/leanops/jobs/y.py", "schemas/tables.json"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("1", encoding="utf-8")
    before = artefacts.source_hash(tmp_path)
    (tmp_path / "src/leanops/local/x.py").write_text("2", encoding="utf-8")
    assert artefacts.source_hash(tmp_path) == before
    (tmp_path / "src/leanops/jobs/y.py").write_text("2", encoding="utf-8")
    assert artefacts.source_hash(tmp_path) != before


def test_invocations_reuse_an_idle_environment_start_one_per_concurrent_call_and_replace_a_dead_one() -> None:
    # GIVEN the firehose_transform function of the built zips and an event with no records
    function = LambdaFunction("firehose_transform", lambda: {"POWERTOOLS_SERVICE_NAME": "firehose-transform"})
    event = {"invocationId": "i", "deliveryStreamArn": "arn:aws:firehose:eu-west-1:1:s", "records": []}

    def invoke(_: object = None) -> Any:
        return function(event, LocalLambdaContext.for_function("transform"))

    try:
        # WHEN invoked three times in a row THEN one warm environment served them all
        assert [invoke() for _ in range(3)] == [{"records": []}] * 3
        assert function.environments == 1
        # WHEN four invocations start at once THEN each is answered, by at most four environments
        start = threading.Barrier(4)

        def invoke_together(_: object) -> Any:
            start.wait()
            return invoke()

        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(invoke_together, range(4)))
        assert answers == [{"records": []}] * 4
        assert 1 <= function.environments <= 4
        # GIVEN every environment's process dies
        for worker in list(function._workers):  # noqa: SLF001 - the environments' processes
            worker._process.kill()  # noqa: SLF001
            worker._process.wait()  # noqa: SLF001
        # WHEN invoked, each dead environment fails once (a Lambda runtime error) and is dropped
        failures = 0
        while True:
            try:
                assert invoke() == {"records": []}
                break
            except WorkerError:
                failures += 1
        # THEN a fresh environment answers, and only it is kept
        assert 1 <= failures <= 4
        assert function.environments == 1
    finally:
        function.stop()
