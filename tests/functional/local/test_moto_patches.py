"""leanops.local.moto_patches: the same answers as moto's own SQS code, without a scan per message.

Pins the patch to the pinned moto: each patched member is compared with moto's original
(kept on the class as ``_leanops_eager_*``) on queues of every kind, and the work per receive is
counted (calls of ``Message.visible``), not timed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from leanops.local.moto_patches import apply_moto_patches

ACCOUNT = "123456789012"
REGION = "eu-west-1"


@pytest.fixture
def sqs_backend(aws: None) -> Iterator[Any]:
    """Return moto's SQS backend of one account and region, patched, fresh per test."""
    from moto.sqs.models import sqs_backends

    apply_moto_patches()
    yield sqs_backends[ACCOUNT][REGION]


def _queues(backend: Any) -> list[Any]:
    backend.create_queue("plain-dlq")
    redrive = {"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:plain-dlq", "maxReceiveCount": "3"}
    plain = backend.create_queue(
        "plain", RedrivePolicy=json.dumps(redrive), Policy=json.dumps({"Version": "2012-10-17"})
    )
    fifo = backend.create_queue("ordered.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    encrypted = backend.create_queue("encrypted", KmsMasterKeyId="alias/leanops")
    for position in range(5):
        backend.send_message("plain", f"body {position}")
        backend.send_message("encrypted", f"body {position}", delay_seconds=60 if position % 2 else 0)
        backend.send_message("ordered.fifo", f"body {position}", group_id="g")
    backend.receive_message("plain", 2, 0, 30)  # two in flight
    return [plain, fifo, encrypted]


def test_queue_attributes_are_moto_s_own_values(sqs_backend: Any) -> None:
    from moto.sqs.models import Queue

    for queue in _queues(sqs_backend):
        eager = Queue._leanops_eager_attributes.fget(queue)
        lazy = queue.attributes
        assert dict(lazy) == eager, queue.name
        assert list(lazy) == list(eager)
        assert ("ApproximateNumberOfMessagesNotVisible" in lazy) is True
        assert lazy.get("NoSuchAttribute") is None
    plain = sqs_backend.get_queue("plain")
    assert plain.attributes["ApproximateNumberOfMessagesNotVisible"] == 2
    assert plain.attributes["ApproximateNumberOfMessages"] == 3


def test_visible_messages_are_moto_s_own_list(sqs_backend: Any) -> None:
    from moto.sqs.models import Queue

    for queue in _queues(sqs_backend):
        eager = Queue._leanops_eager_messages.fget(queue)
        assert list(queue.messages) == eager
        assert len(queue.messages) == len(eager)
        assert bool(queue.messages) is bool(eager)


def test_delete_message_keeps_moto_s_semantics(sqs_backend: Any) -> None:
    from moto.sqs.exceptions import ReceiptHandleIsInvalid

    _queues(sqs_backend)
    received = sqs_backend.receive_message("plain", 1, 0, 30)[0]
    queue = sqs_backend.get_queue("plain")
    before = len(queue._messages)
    sqs_backend.delete_message("plain", received.receipt_handle)
    assert len(queue._messages) == before - 1
    assert received.id not in {message.id for message in queue._messages}
    sqs_backend.delete_message("plain", received.receipt_handle)  # again: a no-op, as in moto
    with pytest.raises(ReceiptHandleIsInvalid):
        sqs_backend.delete_message("plain", "not-a-receipt-handle")


def test_a_receive_of_ten_looks_at_ten_messages_whatever_the_depth(
    sqs_backend: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sqs.models import Message

    sqs_backend.create_queue("deep")
    for position in range(1_000):
        sqs_backend.send_message("deep", f"body {position}")
    checks = {"visible": 0}
    original = Message.visible

    def counting(message: Any) -> bool:
        checks["visible"] += 1
        return bool(original.fget(message))

    monkeypatch.setattr(Message, "visible", property(counting))
    received = sqs_backend.receive_message("deep", 10, 0, 30)
    for message in received:
        sqs_backend.delete_message("deep", message.receipt_handle)
    assert len(received) == 10
    # moto's own code checks every message of the queue (1,000+) per receive.
    assert checks["visible"] <= 30


def test_the_dispatcher_finds_backends_without_listing_moto_s_folder_per_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import inspect
    import os

    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    apply_moto_patches()
    # GIVEN moto's dispatcher: it still asks list_of_moto_modules (the one check patched)
    assert "backends.list_of_moto_modules()" in inspect.getsource(
        DomainDispatcherApplication.get_backend_for_host
    )
    # THEN the patched listing holds moto's own names, in moto's order
    assert list(backends.list_of_moto_modules()) == list(backends._leanops_listing_list_of_moto_modules())
    # WHEN hosts are dispatched, counting the folder listings
    listings: list[str] = []
    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path=".": listings.append(str(path)) or real_listdir(path))
    app = DomainDispatcherApplication(create_backend_app)
    found = [app.get_backend_for_host(host) for host in ("sqs", "sqs.eu-west-1.amazonaws.com", "dynamodb")]
    # THEN each finds its backend, and moto's folder was not listed again
    assert found == ["sqs", "sqs", "dynamodb"]
    assert listings == []
