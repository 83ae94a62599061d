"""Prepared artefacts (leanops.local.artefacts): built once, published whole, whoever races."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from leanops.local import artefacts

THREADS = 8


@pytest.fixture
def built_glue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A built Glue bundle's folder (its zip) and an empty build folder."""
    monkeypatch.setenv(artefacts.BUILD_DIR_ENV, str(tmp_path / "build"))
    output = tmp_path / "glue"
    output.mkdir()
    (output / artefacts.GLUE_ZIP).write_bytes(b"zip bytes")
    return output


def test_threads_preparing_the_same_bundle_all_get_it_whole(built_glue: Path) -> None:
    # GIVEN a built Glue bundle (the zip and one entry script) and an empty build folder
    output = built_glue
    (output / f"standardized{artefacts.ENTRY_SUFFIX}").write_text("print('entry')\n", encoding="utf-8")
    # WHEN several threads of one process prepare it at once
    with ThreadPoolExecutor(THREADS) as pool:
        bundles = list(pool.map(lambda _: artefacts.prepare_glue_bundle(output), range(THREADS)))
    # THEN every thread gets the same published copy, complete, and no staging folder is left
    (folder,) = {bundle.folder for bundle in bundles}
    assert bundles[0].zip_path.read_bytes() == b"zip bytes"
    assert bundles[0].entry_script("standardized").read_text(encoding="utf-8") == "print('entry')\n"
    assert sorted(path.name for path in folder.parent.iterdir()) == [folder.name]


def test_a_killed_preparation_s_staging_folder_goes_at_the_next_one_a_fresh_one_stays(
    built_glue: Path,
) -> None:
    # GIVEN a runtime folder holding the staging folder of a preparation killed long ago, and the
    # staging folder of one under way in another process (just made)
    output = built_glue
    runtime = artefacts.prepare_glue_bundle(output).folder.parent
    killed = runtime / f"glue-0123{artefacts.STAGING_MARK}abcd"
    under_way = runtime / f"glue-4567{artefacts.STAGING_MARK}efgh"
    for folder in (killed, under_way):
        folder.mkdir()
        (folder / "leanops.zip").write_bytes(b"half")
    old = killed.stat().st_mtime - artefacts.STALE_STAGING_SECONDS - 60
    os.utime(killed, (old, old))
    # WHEN the next artefact is prepared there
    (output / artefacts.GLUE_ZIP).write_bytes(b"other zip bytes")
    artefacts.prepare_glue_bundle(output)
    # THEN the killed one's folder is gone and the one under way is untouched
    assert not killed.exists()
    assert (under_way / "leanops.zip").read_bytes() == b"half"
