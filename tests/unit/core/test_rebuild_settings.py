"""LEANOPS_REBUILD_TOPICS: the curated job's documented argument for a rebuild started by hand."""

from __future__ import annotations

import pytest

from leanops import settings
from leanops.exceptions import ConfigurationError
from leanops.jobs.entry import OPTIONAL_KEYS, parse_plain_arguments

BASE = {
    settings.TOPICS: "orders,payments",
    settings.CONTRACTS_URI: "s3://schemas/contracts",
    settings.CHECKPOINT_TABLE: "checkpoints",
    settings.LOCK_TABLE: "locks",
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ()),
        ("", ()),
        (" ", ()),
        ("orders", ("orders",)),
        ("payments, orders", ("payments", "orders")),
    ],
)
def test_rebuild_topics_are_read_when_given(value: str | None, expected: tuple[str, ...]) -> None:
    mapping = BASE if value is None else {**BASE, settings.REBUILD_TOPICS: value}
    assert settings.JobSettings.from_mapping(mapping).rebuild_topics == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("clicks", "names topic(s) clicks not in LEANOPS_TOPICS"),
        ("orders,orders", "names topic(s) orders more than once"),
    ],
)
def test_rebuild_topics_outside_the_run_are_refused_naming_the_key(value: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match="LEANOPS_REBUILD_TOPICS") as raised:
        settings.JobSettings.from_mapping({**BASE, settings.REBUILD_TOPICS: value})
    assert problem in str(raised.value)


def test_the_glue_entry_reads_the_argument() -> None:
    # GIVEN the curated job started by hand with the argument (Glue passes --KEY value pairs)
    argv = ["--LEANOPS_TOPICS", "orders", "--LEANOPS_REBUILD_TOPICS", "orders"]
    # THEN the entry takes it as one of its optional keys
    assert settings.REBUILD_TOPICS in OPTIONAL_KEYS
    assert parse_plain_arguments(argv)[settings.REBUILD_TOPICS] == "orders"
