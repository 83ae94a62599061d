"""The patches the local emulation applies to moto's SQS: no full scan of a queue per message.

Why: in the pinned moto (5.1.18, and still in 5.2.5), ``moto.sqs.models.Queue.attributes`` is a
property that builds every attribute on each access, ``ApproximateNumberOfMessages``,
``...NotVisible`` and ``...Delayed`` included: three full scans of the queue. moto reads it
on every sent message (``SQSBackend.send_message``: ``queue.attributes.get(
"ContentBasedDeduplication")``) and twice per received message
(``SQSBackend.is_message_valid_based_on_retention_period`` -> ``get_queue_attributes(queue,
["MessageRetentionPeriod"])`` -> ``name in queue.attributes`` and ``queue.attributes[name]``).
Sending and delivering N messages therefore costs O(N²): at a depth of 3,000 a receive of 10 took
1.6 s. Real SQS has no such cost.

Two more scans made delivery quadratic after that one (measured with cProfile, 2,000 messages):
``Queue.messages`` (moto models.py, "TODO: This can become very inefficient") builds the list of
every visible message on each ``ReceiveMessage``, which then takes the first 10; and
``Queue.delete_message`` scans every message twice per deleted receipt handle.

What: ``Queue.attributes`` returns a read-only mapping with the same keys whose values are
computed when read, each by the very property moto's own ``attributes`` calls, with the same
bool -> "true"/"false" conversion. ``GetQueueAttributes(All)`` still reads every value (the same
result as before); a single-attribute read no longer scans the queue. ``Queue.messages`` returns
the same messages in the same order, found while iterated (a receive stops after its batch);
``len()`` and truth still see them all. ``Queue.delete_message`` stops at the one message that had
the receipt handle (handles are unique per receive) and removes it, with moto's semantics
otherwise: a deleted handle again is a no-op, an unknown one ``ReceiptHandleIsInvalid``.

One check of moto's server, per request of any service: ``DomainDispatcherApplication.
get_backend_for_host`` (moto/moto_server/werkzeug_app.py; line 75 in 5.1.18, 78 on moto's main
branch) asks ``host in backends.list_of_moto_modules()``, and that generator (moto/backends.py)
lists moto's package folder and stats each of its ~170 entries: 1.6 ms of every request (a
ReceiveMessage of 10 took about 8), under the dispatcher's lock, so concurrent requests queue
behind it. The folder does not change while the process runs: ``list_of_moto_modules`` returns
the same names, listed once (:func:`_listed_once`).

The patch is applied once per process, only by the local emulation and the tests' moto server
(``apply_moto_patches``); ``tests/functional/local/test_moto_patches.py`` pins it: it fails if moto's
``Queue.attributes`` changes shape (keys or values differ from the unpatched property), or if the
dispatcher stops calling ``list_of_moto_modules`` or gets other names from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

_PATCHED_FLAG = "_leanops_lazy_attributes"


def _attribute_names(queue: Any) -> list[str]:
    """Return the keys moto's ``Queue.attributes`` would build for ``queue``, in its order."""
    names = list(queue.BASE_ATTRIBUTES)
    if queue.fifo_queue:
        names += queue.FIFO_ATTRIBUTES
    if queue.kms_master_key_id:
        names += queue.KMS_ATTRIBUTES
    if queue.policy:
        names.append("Policy")
    if queue.redrive_policy:
        names.append("RedrivePolicy")
    return list(dict.fromkeys(names))  # moto's dict has each key once (RedrivePolicy is a base one)


class LazyQueueAttributes(Mapping[str, Any]):
    """moto's queue attribute dict, each value computed only when it is read."""

    def __init__(self, queue: Any) -> None:
        """Wrap one moto ``Queue``."""
        self._queue = queue
        self._names = _attribute_names(queue)

    def __getitem__(self, name: str) -> Any:
        """Return one attribute as moto's ``attributes`` property returns it."""
        from moto.core.utils import camelcase_to_underscores

        if name not in self._names:
            raise KeyError(name)
        # moto's property sets these two last, when they are set, over the base value.
        if name == "Policy" and self._queue.policy:
            value: Any = self._queue.policy
        elif name == "RedrivePolicy" and self._queue.redrive_policy:
            value = json.dumps(self._queue.redrive_policy)
        else:
            value = getattr(self._queue, camelcase_to_underscores(name))
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self) -> Iterator[str]:
        """Iterate over the attribute names."""
        return iter(self._names)

    def __len__(self) -> int:
        """Return the number of attributes."""
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        """Return True for a name the queue has (no value is computed)."""
        return name in self._names


class VisibleMessages(Sequence[Any]):
    """moto's ``Queue.messages`` list (visible, not delayed, in order), filtered while iterated."""

    def __init__(self, queue: Any) -> None:
        """Wrap one moto ``Queue``."""
        self._queue = queue

    def __iter__(self) -> Iterator[Any]:
        """Yield the visible, not delayed messages in queue order."""
        return (message for message in list(self._queue._messages) if message.visible and not message.delayed)

    def _all(self) -> list[Any]:
        return list(iter(self))

    def __len__(self) -> int:
        """Return the number of visible, not delayed messages (a full scan, as moto's)."""
        return len(self._all())

    def __bool__(self) -> bool:
        """Return True when at least one message is visible (stops at the first)."""
        return next(iter(self), None) is not None

    def __getitem__(self, index: Any) -> Any:
        """Return a message (or slice) by position, as in moto's list."""
        return self._all()[index]


def _delete_message(queue: Any, receipt_handle: str) -> None:
    """Do moto's ``Queue.delete_message``, stopping at the message that had the handle."""
    from moto.sqs.exceptions import ReceiptHandleIsInvalid

    if receipt_handle in queue.deleted_messages:
        return  # already deleted: moto handles deleting it again gracefully
    for position, message in enumerate(queue._messages):
        if message.had_receipt_handle(receipt_handle):
            queue.pending_messages.discard(message)
            queue.deleted_messages.update(message.all_receipt_handles)
            del queue._messages[position]
            return
    raise ReceiptHandleIsInvalid()


def _listed_once(listing: Callable[[], Iterable[str]]) -> Callable[[], Iterable[str]]:
    """Return ``listing`` computed once: moto's module folders, as a tuple in moto's order."""
    names = tuple(listing())

    def list_of_moto_modules() -> Iterable[str]:
        return iter(names)

    return list_of_moto_modules


def apply_moto_patches() -> None:
    """Patch moto's SQS ``Queue`` and its server's dispatcher as described above (idempotent)."""
    from moto import backends
    from moto.sqs.models import Queue

    if getattr(Queue, _PATCHED_FLAG, False):
        return
    backends._leanops_listing_list_of_moto_modules = backends.list_of_moto_modules  # type: ignore[attr-defined]
    backends.list_of_moto_modules = _listed_once(backends.list_of_moto_modules)  # type: ignore[assignment]
    # moto's own versions, kept for the pinning test.
    originals = {
        "attributes": Queue.attributes,
        "messages": Queue.messages,
        "delete_message": Queue.delete_message,
    }
    for name, original in originals.items():
        setattr(Queue, f"_leanops_eager_{name}", original)
    Queue.attributes = property(LazyQueueAttributes)  # type: ignore[assignment]
    Queue.messages = property(VisibleMessages)  # type: ignore[assignment]
    Queue.delete_message = _delete_message  # type: ignore[assignment]
    setattr(Queue, _PATCHED_FLAG, True)
