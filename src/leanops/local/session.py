"""The local SparkSession as the CLI starts it: its JVM's output kept off stdout."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from leanops.local.spark import local_spark_session

LOGGER = logging.getLogger(__name__)
STDOUT_FD = 1
STDERR_FD = 2


@contextmanager
def jvm_output_to_stderr() -> Iterator[None]:
    """Start child processes (Spark's JVM) with their stdout on our stderr.

    The JVM inherits file descriptor 1 when it is launched and log4j writes to it; ``query``
    must print nothing but CSV on stdout. Our own stdout is restored when the block ends.
    """
    sys.stdout.flush()
    saved = os.dup(STDOUT_FD)
    try:
        os.dup2(STDERR_FD, STDOUT_FD)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, STDOUT_FD)
        os.close(saved)


def start_local_session(home: Path) -> Any:
    """Start the local SparkSession for a CLI command: quiet, its JVM output on stderr."""
    with jvm_output_to_stderr():
        return local_spark_session(home)
