"""Topic -> Firehose stream assignment (rendezvous hashing): stable, spread, few moves on a new stream."""

from __future__ import annotations

from collections import Counter

import pytest

from leanops.ingest.streams import stream_for

TOPICS = [f"topic_{i:04d}" for i in range(1000)]


def _streams(count: int) -> list[str]:
    return ["leanops-prod-raw"] + [f"leanops-prod-raw-{i}" for i in range(2, count + 1)]


def test_one_stream_takes_everything() -> None:
    assert {stream_for(topic, ["only"]) for topic in TOPICS} == {"only"}


def test_assignment_is_a_pure_function_of_the_names_not_of_their_order() -> None:
    streams = _streams(4)
    assert [stream_for(t, streams) for t in TOPICS] == [
        stream_for(t, list(reversed(streams))) for t in TOPICS
    ]
    # pinned values: a change of the hash would move every topic of every deployed stack
    assert [stream_for(t, ["s-raw", "s-raw-2", "s-raw-3"]) for t in ("orders", "refunds", "dlq_errors")] == [
        "s-raw",
        "s-raw-3",
        "s-raw",
    ]


@pytest.mark.parametrize("count", [2, 4, 8])
def test_topics_spread_evenly(count: int) -> None:
    load = Counter(stream_for(topic, _streams(count)) for topic in TOPICS)
    assert set(load) == set(_streams(count))
    expected = len(TOPICS) / count
    assert all(0.7 * expected <= n <= 1.3 * expected for n in load.values()), load


@pytest.mark.parametrize("count", [1, 3, 7])
def test_adding_a_stream_moves_only_the_topics_the_new_stream_takes(count: int) -> None:
    before = {t: stream_for(t, _streams(count)) for t in TOPICS}
    after = {t: stream_for(t, _streams(count + 1)) for t in TOPICS}
    moved = [t for t in TOPICS if before[t] != after[t]]
    new_stream = _streams(count + 1)[-1]
    assert all(after[t] == new_stream for t in moved)
    assert len(moved) <= 1.3 * len(TOPICS) / (count + 1)


def test_no_stream_is_an_error() -> None:
    with pytest.raises(ValueError, match="no Firehose stream"):
        stream_for("orders", [])
