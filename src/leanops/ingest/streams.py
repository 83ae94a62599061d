"""Which Firehose stream carries a table's records: rendezvous (highest random weight) hashing.

One Direct PUT stream takes at most 5 MiB/s in us-east-1, us-west-2 and eu-west-1 and 1 MiB/s in
the other Regions (Amazon Data Firehose developer guide, "Amazon Data Firehose Quota"), so a stack
spreads its tables over ``firehose_stream_count`` streams. Every RAW table (a topic, or the shared
``dlq_errors``) goes to exactly one stream, so each Iceberg table has one writer. The assignment is
a pure function of the table name and the stream names: every Lambda instance computes the same one
without a lookup, and adding an N+1-th stream moves only the tables that the new stream wins, about
1 / (N+1) of them; the others keep their stream.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

_SEPARATOR = b"\x00"


def _weight(stream: str, table: str) -> int:
    digest = hashlib.sha256(stream.encode("utf-8") + _SEPARATOR + table.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def stream_for(table: str, streams: Sequence[str]) -> str:
    """Return the stream that carries a table's records.

    Args:
        table: the destination table (the topic name for RAW tables, ``dlq_errors`` for DLQ rows).
        streams: the stack's stream names (order does not matter).

    Returns:
        The stream with the highest weight for the table (ties, which need a SHA-256 collision on
        64 bits, go to the smaller name).

    Raises:
        ValueError: when ``streams`` is empty.
    """
    if not streams:
        raise ValueError("no Firehose stream to choose from")
    return max(sorted(streams), key=lambda stream: _weight(stream, table))
