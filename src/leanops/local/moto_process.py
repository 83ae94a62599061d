"""moto's server in a process of its own: the local emulation's AWS endpoint.

Why a process: run in the runner's own process, moto's request threads shared one GIL with
the runner's threads (the event source mapping's poller, the Firehose endpoint, the workers'
log relays, pyiceberg's appends to RAW), and every SQS call of the poller, which runs one after
the other, waited for it. At 10k queued, moto's share was about half of the runner's GIL time
during delivery (py-spy --gil); in its own process, it runs on its own core.

Protocol, one JSON line each way over the child's stdin and stdout:

* the child prints ``{"endpoint": URL, "restored": bool}`` once it serves (``restored``: it
  loaded the snapshot it was given), or ``{"error": why}`` when it cannot restore it (and exits);
* the parent writes ``stop``: the child stops serving, writes its snapshot (when it was given a
  path) and prints ``{"stopped": true}``;
* stdin closed without ``stop`` (the parent died): the child stops without writing its
  snapshot, as a command killed mid-way never wrote one.

The child runs in a session of its own, so a Ctrl-C at the terminal reaches the command, whose
clean-up then stops the child and keeps moto's state, and never the server mid-request. Its
stderr is the command's (a crash shows its traceback).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from leanops.exceptions import WorkerError

STOP = "stop"
STOP_TIMEOUT_SECONDS = 60
NAME = "moto"


def _answer(stream: IO[str]) -> dict[str, Any]:
    line = stream.readline()
    if not line:
        raise WorkerError(NAME, "ended without answering (its error, if any, is above)")
    answer: dict[str, Any] = json.loads(line)
    if "error" in answer:
        raise WorkerError(NAME, str(answer["error"]))
    return answer


class MotoProcess:
    """moto's server (leanops.local.moto_patches applied) in a child process.

    Use as a context manager, or ``start()`` then ``stop()``. With a ``snapshot`` path the
    child restores moto's state from it when it exists and writes it back on ``stop()``
    (leanops.local.aws.save_snapshot); without one its state lives and dies with it.
    """

    def __init__(self, snapshot: Path | None = None) -> None:
        """Prepare the child; ``snapshot``: where moto's state is kept between commands."""
        self.snapshot = snapshot
        self.endpoint = ""
        self.restored = False
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> str:
        """Start the child and return its endpoint URL once it serves."""
        command = [sys.executable, "-m", __name__]
        if self.snapshot is not None:
            command += ["--snapshot", str(self.snapshot)]
        self._process = subprocess.Popen(  # noqa: S603 - our own module, our interpreter
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        assert self._process.stdout is not None  # noqa: S101 - set by Popen(PIPE)
        try:
            ready = _answer(self._process.stdout)
        except WorkerError:
            self._process.wait()
            self._process = None
            raise
        self.endpoint, self.restored = str(ready["endpoint"]), bool(ready["restored"])
        return self.endpoint

    def stop(self) -> None:
        """Stop the child, which writes its snapshot when it has one, and wait for it."""
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None  # noqa: S101 - Popen(PIPE)
        try:
            process.stdin.write(STOP + "\n")
            process.stdin.close()
            _answer(process.stdout)
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except (OSError, subprocess.TimeoutExpired, WorkerError) as exc:
            process.kill()
            process.wait()
            raise WorkerError(NAME, f"did not stop cleanly, moto's state was not saved: {exc}") from exc
        if process.returncode:
            raise WorkerError(NAME, f"exited with code {process.returncode} (its error is above)")

    def __enter__(self) -> MotoProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def serve(snapshot: Path | None, commands: IO[str], answers: IO[str]) -> int:
    """Serve moto until ``stop`` (or the end of ``commands``), as the protocol above says."""
    from leanops.local.aws import load_snapshot, save_snapshot, start_moto_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    try:
        restored = load_snapshot(snapshot) if snapshot is not None else False
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError) as exc:
        problem = f"cannot restore moto's saved state from {snapshot} ({type(exc).__name__}: {exc})"
        answers.write(json.dumps({"error": f"{problem}; move it away to start with empty local AWS"}) + "\n")
        answers.flush()
        return 2
    server, endpoint = start_moto_server()
    answers.write(json.dumps({"endpoint": endpoint, "restored": restored}) + "\n")
    answers.flush()
    asked_to_stop = any(line.strip() == STOP for line in commands)
    server.stop()
    if asked_to_stop and snapshot is not None:
        save_snapshot(snapshot)
    answers.write(json.dumps({"stopped": True}) + "\n")
    answers.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the child: ``python -m leanops.local.moto_process [--snapshot PATH]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--snapshot", type=Path, default=None, help="moto's state between commands")
    args = parser.parse_args(argv)
    # The answers keep the real stdout; anything else printed there goes to stderr instead.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return serve(args.snapshot, sys.stdin, answers)


if __name__ == "__main__":
    sys.exit(main())
