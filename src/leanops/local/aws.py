"""Local AWS: moto's server on 127.0.0.1, with its state kept in LEANOPS_HOME between commands.

No daemon: each command starts moto's server in a child process (leanops.local.moto_process:
its own GIL, off the runner's threads), which restores the snapshot of the moto backends it uses
(SQS, S3, DynamoDB, SNS, KMS) and, when the command ends, writes the snapshot back (pickle, with
moto's internal locks replaced by fresh ones). SQS messages, receive counts, in-flight state and
redrive policies survive like that. Tests pass an existing endpoint instead.
"""

from __future__ import annotations

import fcntl
import logging
import os
import pickle
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
from botocore.config import Config

from leanops.local.config import REGION
from leanops.local.moto_process import MotoProcess

LOGGER = logging.getLogger(__name__)
SNAPSHOT_FILE = "moto-state.pickle"
LOCK_FILE = "leanops.lock"
SERVICES = ("sqs", "s3", "dynamodb", "sns", "kms")
ENDPOINT_ENV = "AWS_ENDPOINT_URL"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "leanops-local", "AWS_SECRET_ACCESS_KEY": "leanops-local"}
_RLOCK_TYPE = type(threading.RLock())
_LOCK_TYPE = type(threading.Lock())
_CLIENT_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"})


def _load_private_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, password=None)


class _LockFreePickler(pickle.Pickler):
    """Pickles moto's backends (locks and KMS key material made picklable).

    Thread locks become fresh locks on load; the asymmetric keys moto's KMS holds (cryptography
    objects, not picklable) travel as unencrypted PKCS#8 PEM, in the local snapshot only.
    """

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _RLOCK_TYPE):
            return (threading.RLock, ())
        if isinstance(obj, _LOCK_TYPE):
            return (threading.Lock, ())
        if type(obj).__module__.startswith("cryptography.") and hasattr(obj, "private_bytes"):
            from cryptography.hazmat.primitives import serialization

            pem = obj.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            return (_load_private_key, (pem,))
        return NotImplemented


def _backend_dicts() -> dict[str, Any]:
    from moto.dynamodb.models import dynamodb_backends
    from moto.kms.models import kms_backends
    from moto.s3.models import s3_backends
    from moto.sns.models import sns_backends
    from moto.sqs.models import sqs_backends

    return {
        "sqs": sqs_backends,
        "s3": s3_backends,
        "dynamodb": dynamodb_backends,
        "sns": sns_backends,
        "kms": kms_backends,  # the replay HMAC key (signed replays survive between commands)
    }


def save_snapshot(path: Path) -> None:
    """Write moto's in-process backends of SERVICES to ``path`` (atomically)."""
    state = {name: dict(backends.items()) for name, backends in _backend_dicts().items()}
    partial = path.with_suffix(".partial")
    with partial.open("wb") as handle:
        _LockFreePickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    partial.replace(path)


def load_snapshot(path: Path) -> bool:
    """Restore moto's in-process backends from ``path``; return False when there is none."""
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        state = pickle.load(handle)  # noqa: S301 - our own file under LEANOPS_HOME
    for name, backends in _backend_dicts().items():
        for account_id, account_backend in state.get(name, {}).items():
            backends[account_id] = account_backend
    return True


def start_moto_server() -> tuple[Any, str]:
    """Start moto's server on 127.0.0.1 (random port), with leanops.local.moto_patches applied.

    Returns:
        The ``ThreadedMotoServer`` (call ``stop()``) and its endpoint URL.

    """
    from moto.server import ThreadedMotoServer

    from leanops.local.moto_patches import apply_moto_patches

    apply_moto_patches()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


class LocalAws:
    """moto's server for one command, or an endpoint that already runs (tests).

    Use as a context manager; ``endpoint`` is the URL boto3 clients and the jobs use.
    """

    def __init__(self, home: Path, endpoint: str | None = None) -> None:
        """Prepare local AWS under ``home``; with ``endpoint``, use that server as is."""
        self.home = home
        self.endpoint = endpoint or ""
        self._server: MotoProcess | None = None
        self._lock_handle: Any = None

    @property
    def snapshot_path(self) -> Path:
        """Where moto's state is kept between commands."""
        return self.home / SNAPSHOT_FILE

    def __enter__(self) -> LocalAws:
        for key, value in FAKE_CREDENTIALS.items():
            os.environ.setdefault(key, value)
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
        if self.endpoint:
            return self
        self.home.mkdir(parents=True, exist_ok=True)
        self._take_home_lock()
        self._server = MotoProcess(self.snapshot_path)
        try:
            self.endpoint = self._server.start()
        except BaseException:
            self._server = None
            self._release_home_lock()
            raise
        LOGGER.debug("moto state %s", "restored" if self._server.restored else "new")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        try:
            server.stop()  # writes the snapshot
        finally:
            self._release_home_lock()

    def _take_home_lock(self) -> None:
        """Serialize commands on one LEANOPS_HOME: the second waits, saying so.

        Each command restores moto's state, changes it and writes it back; two at once would
        lose one's changes (and run one topic twice). In AWS the DynamoDB locks do this job.
        """
        handle = (self.home / LOCK_FILE).open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            LOGGER.warning("another command (pid %s) uses %s: waiting for it to finish", holder, self.home)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_handle = handle

    def _release_home_lock(self) -> None:
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    def client(self, service: str) -> Any:
        """Return a boto3 client of ``service`` bound to the local endpoint and region."""
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION, config=_CLIENT_CONFIG)

    def job_environment(self) -> dict[str, str]:
        """Environment the Glue scripts and handlers need to reach this endpoint."""
        return {ENDPOINT_ENV: self.endpoint, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


@contextmanager
def patched_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore the previous ones."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, previous in saved.items():
            if previous is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = previous
