"""The incremental-read rule on snapshot summaries: append and replace pass, anything else stops."""

from __future__ import annotations

import pytest

from leanops.jobs.iceberg_io import NonAppendSnapshotError, SnapshotSummary, first_unsafe_snapshot


def _snapshots(*operations: str | None) -> list[SnapshotSummary]:
    return [SnapshotSummary(str(100 + index), operation) for index, operation in enumerate(operations)]


@pytest.mark.parametrize(
    ("operations", "unsafe"),
    [
        ((), None),
        (("append",), None),
        (("append", "replace", "append"), None),  # compaction: files rewritten, data unchanged
        (("replace",), None),
        (("append", "overwrite", "append"), "101"),  # an UPDATE / MERGE that rewrote rows
        (("delete",), "100"),  # a GDPR erase of whole files
        (("append", "delete", "overwrite"), "101"),  # the first one is named
        (("append", None), "101"),  # no operation in the summary (v1): not provably safe
        (("APPEND",), "100"),  # operations are lowercase in the spec; anything else is unknown
    ],
)
def test_first_unsafe_snapshot(operations: tuple[str | None, ...], unsafe: str | None) -> None:
    found = first_unsafe_snapshot(_snapshots(*operations))
    assert (found.snapshot_id if found else None) == unsafe


def test_the_error_names_table_snapshot_operation_and_what_to_do() -> None:
    error = NonAppendSnapshotError("cat.db.orders", SnapshotSummary("42", "overwrite"), "41", "43")
    text = str(error)
    assert "table cat.db.orders: snapshot 42" in text and "'overwrite' snapshot" in text
    assert "move this layer's checkpoint to 43" in text
