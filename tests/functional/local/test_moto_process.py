"""leanops.local.moto_process: moto's server in its own process, its state kept only on a clean stop."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest

from leanops.exceptions import WorkerError
from leanops.local.aws import FAKE_CREDENTIALS, LocalAws
from leanops.local.config import REGION
from leanops.local.moto_process import MotoProcess


def _sqs(endpoint: str) -> object:
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def test_a_clean_stop_writes_the_state_and_the_next_process_restores_it(tmp_path: Path) -> None:
    # GIVEN a moto process with a snapshot path and a queue holding a message
    snapshot = tmp_path / "moto-state.pickle"
    with MotoProcess(snapshot) as first:
        assert first.restored is False
        sqs = _sqs(first.endpoint)
        queue = sqs.create_queue(QueueName="orders")["QueueUrl"]  # type: ignore[attr-defined]
        sqs.send_message(QueueUrl=queue, MessageBody="hello")  # type: ignore[attr-defined]
    # WHEN a second process starts from the snapshot the first wrote when it stopped
    with MotoProcess(snapshot) as second:
        sqs = _sqs(second.endpoint)
        queue = sqs.get_queue_url(QueueName="orders")["QueueUrl"]  # type: ignore[attr-defined]
        got = sqs.receive_message(QueueUrl=queue)["Messages"]  # type: ignore[attr-defined]
    # THEN it restored the queue and its message
    assert second.restored is True
    assert [message["Body"] for message in got] == ["hello"]


def test_a_parent_that_dies_leaves_no_state_written(tmp_path: Path) -> None:
    # GIVEN a moto process with a snapshot path that changed state
    snapshot = tmp_path / "moto-state.pickle"
    process = MotoProcess(snapshot)
    _sqs(process.start()).create_queue(QueueName="orders")  # type: ignore[attr-defined]
    child = process._process
    assert child is not None and child.stdin is not None
    # WHEN its stdin closes without "stop" (what the parent's death does)
    child.stdin.close()
    # THEN the child ends by itself, without writing moto's state (as a killed command never did)
    assert child.wait(timeout=60) == 0
    assert not snapshot.exists()


def test_the_server_is_out_of_reach_of_the_terminal_s_ctrl_c(tmp_path: Path) -> None:
    # A Ctrl-C goes to the terminal's foreground process group; the child is in a session of its own
    with MotoProcess() as server:
        assert server._process is not None
        assert os.getsid(server._process.pid) != os.getsid(0)


def test_an_unreadable_snapshot_is_refused_by_name_and_the_home_stays_usable(tmp_path: Path) -> None:
    # GIVEN a LEANOPS_HOME whose saved moto state is not a snapshot
    aws = LocalAws(tmp_path)
    aws.snapshot_path.write_bytes(b"not a pickle")
    # WHEN a command opens local AWS
    with pytest.raises(WorkerError) as refused:
        aws.__enter__()
    # THEN the error names the file and what to do, the file is untouched, and the home is not locked
    assert str(aws.snapshot_path) in str(refused.value)
    assert "move it away" in str(refused.value)
    assert aws.snapshot_path.read_bytes() == b"not a pickle"
    aws.snapshot_path.unlink()
    with LocalAws(tmp_path) as again:
        assert again.endpoint.startswith("http://127.0.0.1:")
