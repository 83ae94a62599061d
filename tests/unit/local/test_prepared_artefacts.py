"""Prepared artefacts (leanops.local.artefacts): built once, published whole, whoever races."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from leanops.local import artefacts

THREADS = 8


def test_threads_preparing_the_same_bundle_all_get_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a built Glue bundle (the zip and one entry script) and an empty build folder
    monkeypatch.setenv(artefacts.BUILD_DIR_ENV, str(tmp_path / "build"))
    output = tmp_path / "glue"
    output.mkdir()
    (output / artefacts.GLUE_ZIP).write_bytes(b"zip bytes")
    (output / f"standardized{artefacts.ENTRY_SUFFIX}").write_text("print('entry')\n", encoding="utf-8")
    # WHEN several threads of one process prepare it at once
    with ThreadPoolExecutor(THREADS) as pool:
        bundles = list(pool.map(lambda _: artefacts.prepare_glue_bundle(output), range(THREADS)))
    # THEN every thread gets the same published copy, complete, and no staging folder is left
    (folder,) = {bundle.folder for bundle in bundles}
    assert bundles[0].zip_path.read_bytes() == b"zip bytes"
    assert bundles[0].entry_script("standardized").read_text(encoding="utf-8") == "print('entry')\n"
    assert sorted(path.name for path in folder.parent.iterdir()) == [folder.name]
