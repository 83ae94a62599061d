"""scripts/build_lambdas.sh and scripts/build_glue.sh: deterministic, self-contained bundles."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
BUILD_LAMBDAS = REPO / "scripts" / "build_lambdas.sh"
BUILD_GLUE = REPO / "scripts" / "build_glue.sh"
# Shared with developers' builds, so tests download wheels at most once per machine.
WHEEL_CACHE = REPO / "build" / ".cache" / "wheels"
LAMBDAS = sorted(path.parent.name for path in (REPO / "modules" / "compute" / "lambda").glob("*/handler.py"))
SCHEMAS = ("tables.json", "events.json", "curated_schema.json")
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FIXED_MODE = 0o100644
BUILD_TIMEOUT_SECONDS = 300


def run_build(script: Path, build_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a build script into build_dir (wheel cache shared), returning the finished process."""
    environment = {
        **os.environ,
        "LEANOPS_BUILD_DIR": str(build_dir),
        "LEANOPS_WHEEL_CACHE": str(WHEEL_CACHE),
        **env,
    }
    return subprocess.run(
        ["bash", str(script), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )


def sha256(path: Path) -> str:
    """Return the hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def lambda_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build every Lambda once for the module's tests; return build/lambda."""
    build_dir = tmp_path_factory.mktemp("build-lambdas")
    result = run_build(BUILD_LAMBDAS, build_dir)
    assert result.returncode == 0, result.stderr
    return build_dir / "lambda"


@pytest.fixture(scope="module")
def glue_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the Glue bundle once for the module's tests; return build/glue."""
    build_dir = tmp_path_factory.mktemp("build-glue")
    result = run_build(BUILD_GLUE, build_dir)
    assert result.returncode == 0, result.stderr
    return build_dir / "glue"


def test_every_lambda_gets_a_zip(lambda_build: Path) -> None:
    assert sorted(path.stem for path in lambda_build.glob("*.zip")) == LAMBDAS
    assert "cycle_planner" in LAMBDAS


def test_same_sources_build_the_same_bytes(lambda_build: Path, glue_build: Path, tmp_path: Path) -> None:
    # GIVEN bundles built once; WHEN building again into another folder
    assert run_build(BUILD_LAMBDAS, tmp_path, "cycle_planner").returncode == 0
    assert run_build(BUILD_GLUE, tmp_path).returncode == 0
    # THEN the bytes are identical
    assert sha256(tmp_path / "lambda" / "cycle_planner.zip") == sha256(lambda_build / "cycle_planner.zip")
    assert sha256(tmp_path / "glue" / "leanops.zip") == sha256(glue_build / "leanops.zip")


@pytest.mark.parametrize("name", LAMBDAS)
def test_lambda_zip_holds_handler_package_schemas_and_dependencies(lambda_build: Path, name: str) -> None:
    with zipfile.ZipFile(lambda_build / f"{name}.zip") as archive:
        entries = archive.infolist()
        names = [entry.filename for entry in entries]
        handler = archive.read("handler.py")
    assert handler == (REPO / "modules" / "compute" / "lambda" / name / "handler.py").read_bytes()
    assert names == sorted(names)
    assert {f"leanops/_schemas/{schema}" for schema in SCHEMAS} <= set(names)
    assert "leanops/planner.py" in names and "aws_lambda_powertools/__init__.py" in names
    assert any(entry.startswith("rpds/") and entry.endswith(".so") for entry in names)
    for forbidden in (
        "leanops/local/",
        "leanops/cli/",
        "leanops/transforms/",
        "leanops/jobs/",
        "pyspark/",
        "boto3/",
        "__pycache__/",
    ):
        assert not [entry for entry in names if forbidden in f"/{entry}" or entry.startswith(forbidden)], (
            forbidden
        )
    assert not [entry for entry in names if entry.endswith(".pyc")]
    assert {entry.date_time for entry in entries} == {FIXED_DATE}
    assert {entry.external_attr >> 16 for entry in entries} == {FIXED_MODE}


def test_lambda_handler_imports_from_the_bundle_alone(lambda_build: Path, tmp_path: Path) -> None:
    # GIVEN the planner zip unpacked as Lambda does (/var/task)
    with zipfile.ZipFile(lambda_build / "cycle_planner.zip") as archive:
        archive.extractall(tmp_path)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import handler, leanops, jsonschema, rpds, aws_lambda_powertools as powertools;"
        "bundled = [m.__file__.startswith(sys.argv[1]) for m in (leanops, jsonschema, rpds, powertools)];"
        "print(all(bundled), 'pyspark' in sys.modules, callable(handler.lambda_handler))"
    )
    # WHEN its handler is imported
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, cwd=tmp_path
    )
    # THEN the package and dependencies come from the bundle, and pyspark is never imported
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "True"]


def test_glue_bundle_has_package_wheels_and_entry_scripts(glue_build: Path) -> None:
    with zipfile.ZipFile(glue_build / "leanops.zip") as archive:
        names = archive.namelist()
    assert {f"leanops/_schemas/{schema}" for schema in SCHEMAS} <= set(names)
    assert "leanops/jobs/__init__.py" in names and "jsonschema/__init__.py" in names
    assert not [
        entry
        for entry in names
        if entry.startswith(("leanops/local/", "leanops/cli/", "pyspark/", "rpds/", "boto3/"))
    ]
    assert [wheel.name.split("-")[0] for wheel in (glue_build / "wheels").glob("*.whl")] == ["rpds_py"]
    for script in (REPO / "scripts" / "glue").glob("*.py"):
        assert (glue_build / script.name).read_bytes() == script.read_bytes()


# Loads every definition through the package's own reader, as the jobs do, and a contract (jsonschema,
# whose compiled dependency rpds comes from the installed wheels).
DEFINITIONS_PROBE = """
import sys
sys.path[0:0] = sys.argv[1:3]
from leanops import contracts, definitions
loaded = [definitions.load_json(name) for name in sys.argv[4:]]
tables = definitions.all_tables()
definitions.validate_topic_name("orders")
contract = contracts.parse_contract(open(sys.argv[3], encoding="utf-8").read(), "orders.json", "orders")
print(definitions.__file__.startswith(sys.argv[1]), len(loaded), len(tables) > 0, contract.topic)
"""


def test_glue_bundle_loads_every_definition_from_the_zip_as_glue_loads_it(
    glue_build: Path, tmp_path: Path
) -> None:
    # GIVEN the zip on sys.path as Glue puts --extra-py-files there (not extracted), the compiled
    # wheels installed as --additional-python-modules does, and nothing else (-I -S)
    from leanops.local.artefacts import install_wheels

    site = tmp_path / "site"
    install_wheels(sorted((glue_build / "wheels").glob("*.whl")), site)
    contract = REPO / "schemas" / "topics" / "orders.json"
    # WHEN leanops loads its definitions and a contract
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", DEFINITIONS_PROBE, str(glue_build / "leanops.zip"), str(site)]
        + [str(contract), *SCHEMAS],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    # THEN they come from the zip's package data
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", str(len(SCHEMAS)), "True", "orders"]


def test_missing_python_fails_naming_it(tmp_path: Path) -> None:
    result = run_build(BUILD_LAMBDAS, tmp_path, PYTHON=str(tmp_path / "no-such-python3"))
    assert result.returncode != 0
    assert "python3 not found" in result.stderr
    assert not (tmp_path / "lambda").exists()


def test_python_without_pip_fails_naming_pip(tmp_path: Path) -> None:
    # GIVEN a Python 3.11 without pip
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    # WHEN building with it
    result = run_build(BUILD_GLUE, tmp_path / "out", PYTHON=str(tmp_path / "venv" / "bin" / "python"))
    # THEN the build stops and names pip
    assert result.returncode != 0
    assert "pip not available" in result.stderr
