"""The Lambda context locally, and handlers imported in process by path (for focused tests).

The pipeline runs the built zips in workers (leanops.local.workers.LambdaFunction); importing a
handler from ``modules/compute/lambda`` into this process is for tests of the local parts.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from leanops.local import deployed
from leanops.local.aws import patched_environ
from leanops.local.config import ACCOUNT_ID, POWERTOOLS_SERVICE_NAME, REGION, repo_root

LAMBDA_DIR = Path("modules") / "compute" / "lambda"
LAMBDA_TIMEOUT_MS = deployed.LAMBDA_TIMEOUT_SECONDS * 1000
LAMBDA_MEMORY_MB = deployed.LAMBDA_MEMORY_MB


def load_module_from_path(path: Path, module_name: str) -> ModuleType:
    """Import a Python file under a unique module name (handlers are all called handler.py).

    Raises:
        FileNotFoundError: when the file does not exist.

    """
    if module_name in sys.modules:
        return sys.modules[module_name]
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def lambda_handler_module(function: str) -> ModuleType:
    """Return the module of ``modules/compute/lambda/<function>/handler.py``.

    Its powertools Logger is created at import: with the service name Terraform gives the
    function, and writing to stderr (in Lambda stdout goes to CloudWatch; on a CLI stdout is the
    command's result, e.g. ``query``'s CSV).
    """
    with (
        contextlib.redirect_stdout(sys.stderr),
        patched_environ({POWERTOOLS_SERVICE_NAME: function.replace("_", "-")}),
    ):
        return load_module_from_path(
            repo_root() / LAMBDA_DIR / function / "handler.py", f"leanops_lambda_{function}"
        )


@dataclass
class LocalLambdaContext:
    """What AWS passes a handler as ``context`` (the attributes powertools reads)."""

    function_name: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = LAMBDA_MEMORY_MB
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = "local"
    invoked_function_arn: str = ""
    _deadline: float = field(default_factory=lambda: time.monotonic() + LAMBDA_TIMEOUT_MS / 1000)

    @classmethod
    def for_function(cls, function_name: str) -> LocalLambdaContext:
        """Return a fresh context (new request id) for one invocation of ``function_name``."""
        return cls(
            function_name=function_name,
            log_group_name=f"/aws/lambda/{function_name}",
            invoked_function_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}",
        )

    def get_remaining_time_in_millis(self) -> int:
        """Return the milliseconds left before the (local) timeout."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))
