"""The dependency rules of DESIGN.md §7, checked on the source (transitively), and the linters."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
HANDLERS = sorted((REPO / "modules" / "compute" / "lambda").glob("*/handler.py"))
GLUE_SCRIPTS = sorted((REPO / "scripts" / "glue").glob("*.py"))


def _module_file(module: str) -> Path | None:
    base = SRC.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> set[str]:
    """Every module a file imports at run time (imports under TYPE_CHECKING do not count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@cache
def _closure(path: Path) -> frozenset[str]:
    """The modules a file imports, following leanops' own modules transitively."""
    seen: set[str] = set()
    pending = list(_imports(path))
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):
            parent = ".".join(parts[:depth])
            if parent not in seen and parent.startswith("leanops"):
                pending.append(parent)
        if module.startswith("leanops") and (file := _module_file(module)) is not None:
            pending.extend(_imports(file) - seen)
    return frozenset(seen)


def _top_levels(path: Path) -> set[str]:
    return {module.split(".")[0] for module in _closure(path)}


def _files(package: str) -> list[Path]:
    return sorted((SRC / "leanops" / package).rglob("*.py"))


@pytest.mark.parametrize("path", _files("transforms"), ids=lambda p: p.name)
def test_transforms_are_pure(path: Path) -> None:
    closure = _closure(path)
    assert "boto3" not in _top_levels(path)
    assert not any(module.startswith("leanops.local") for module in closure)
    assert not any(module.startswith(("leanops.adapters", "leanops.jobs")) for module in closure)


@pytest.mark.parametrize("path", HANDLERS, ids=lambda p: p.parent.name)
def test_lambda_handlers_never_import_pyspark(path: Path) -> None:
    assert "pyspark" not in _top_levels(path)
    assert not any(
        module.startswith(("leanops.local", "leanops.transforms", "leanops.jobs"))
        for module in _closure(path)
    )


@pytest.mark.parametrize("path", GLUE_SCRIPTS, ids=lambda p: p.name)
def test_glue_scripts_never_import_the_local_runner(path: Path) -> None:
    assert not any(module.startswith("leanops.local") for module in _closure(path))


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in sorted((SRC / "leanops").rglob("*.py"))
        if {"local", "cli"}.isdisjoint(p.relative_to(SRC).parts)
    ],
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_product_code_never_depends_on_the_local_runner_or_the_cli(path: Path) -> None:
    assert not any(module.startswith(("leanops.local", "leanops.cli")) for module in _closure(path))


@pytest.mark.parametrize("path", _files("local"), ids=lambda p: p.name)
def test_the_emulation_never_depends_on_the_cli(path: Path) -> None:
    # leanops.local is the emulation of AWS alone; the operator CLI (leanops.cli) drives it.
    assert not any(module.startswith("leanops.cli") for module in _closure(path))


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed in this virtualenv (pip install -e '.[test]')")
    return found


def test_ruff_lint_and_format_are_clean() -> None:
    ruff = _tool("ruff")
    targets = ["src", "scripts", "modules", "tests", "benchmarks"]
    for command in ([ruff, "check", *targets], [ruff, "format", "--check", *targets]):
        completed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_mypy_is_clean_on_the_package() -> None:
    mypy = _tool("mypy")
    completed = subprocess.run([mypy, "src"], cwd=REPO, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
