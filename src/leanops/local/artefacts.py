"""The built artefacts the emulation runs: the Lambda zips and the Glue bundle, rebuilt when stale.

``scripts/build_lambdas.sh`` and ``scripts/build_glue.sh`` build what Terraform deploys; this
module builds them only when their sources changed (a sha256 over the inputs, recorded next to
the output as ``.source-sha256``), then prepares them the way AWS loads them, in immutable
folders named by content under ``<build>/.runtime/`` (a worker of another process keeps reading
its own copy while a newer build lands):

* a Lambda zip is extracted, as Lambda extracts it to ``/var/task``;
* the Glue bundle keeps ``leanops.zip`` as a zip (Glue puts ``--extra-py-files`` on ``sys.path``
  as they are) and installs the compiled wheels of ``wheels/`` offline into ``site/``, as
  ``--additional-python-modules`` does with pip ("Using Python libraries with AWS Glue");
* a "runtime" folder exposes, as symlinks into this virtualenv, only the packages the AWS
  runtime itself provides (:data:`LAMBDA_RUNTIME_DISTRIBUTIONS`, :data:`GLUE_RUNTIME_DISTRIBUTIONS`).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from leanops.exceptions import ConfigurationError
from leanops.local.config import repo_root

LOGGER = logging.getLogger(__name__)
BUILD_DIR_ENV = "LEANOPS_BUILD_DIR"
HASH_FILE = ".source-sha256"
LOCK_FILE = ".build.lock"
RUNTIME_DIR = ".runtime"
GLUE_ZIP = "leanops.zip"
GLUE_WHEELS = "wheels"
GLUE_SITE = "site"
ENTRY_SUFFIX = "_processor.py"
BUILD_TIMEOUT_SECONDS = 600
HASH_PREFIX_LENGTH = 16
STAGING_MARK = ".partial-"
# A staging folder older than this was left by a killed process (a preparation takes seconds).
STALE_STAGING_SECONDS = 2 * BUILD_TIMEOUT_SECONDS
# What the bundles are built from (relative to the repository). leanops.local and leanops.cli
# are in neither bundle (the build scripts drop them), so changing them rebuilds nothing.
SOURCE_INPUTS = (
    "src/leanops",
    "schemas/tables.json",
    "schemas/events.json",
    "schemas/curated_schema.json",
    "scripts/glue",
    "modules/compute/lambda",
    "scripts/build_lambdas.sh",
    "scripts/build_glue.sh",
    "pyproject.toml",
)
NOT_BUNDLED = ("src/leanops/local", "src/leanops/cli")
# "Your code runs in an environment that includes the SDK for Python (Boto3)": AWS Lambda
# developer guide, "Building Lambda functions with Python" (runtime python3.11); boto3 and its
# dependencies are what the runtime adds to the standard library.
LAMBDA_RUNTIME_DISTRIBUTIONS = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
)
# AWS Glue developer guide, "Using Python libraries with AWS Glue", "Python modules already
# provided in AWS Glue" (Glue 5.0 column): Spark itself (pyspark, py4j) and, among others,
# boto3, pandas, numpy, pyarrow and their dependencies. Nothing else is importable by a job.
GLUE_RUNTIME_DISTRIBUTIONS = (
    "pyspark",
    "py4j",
    "pandas",
    "numpy",
    "pyarrow",
    "pytz",
    "tzdata",
    "packaging",
    *LAMBDA_RUNTIME_DISTRIBUTIONS,
)


def build_dir() -> Path:
    """Return the build folder (``LEANOPS_BUILD_DIR``, default ``<repo>/build``)."""
    return Path(os.environ.get(BUILD_DIR_ENV) or repo_root() / "build").resolve()


def _source_files(root: Path) -> Iterator[Path]:
    excluded = tuple(root / part for part in NOT_BUNDLED)
    for entry in SOURCE_INPUTS:
        path = root / entry
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for candidate in candidates:
            if (
                candidate.is_file()
                and "__pycache__" not in candidate.parts
                and candidate.suffix != ".pyc"
                and not any(candidate.is_relative_to(folder) for folder in excluded)
            ):
                yield candidate


def source_hash(root: Path | None = None) -> str:
    """Return the sha256 over the bundles' inputs (paths and contents) under ``root``."""
    base = root or repo_root()
    digest = hashlib.sha256()
    for path in _source_files(base):
        digest.update(path.relative_to(base).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    """Serialize builds into one folder (tests and commands of several people share build/)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_FILE).open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _run_build_script(script: str, folder: Path) -> None:
    environment = {**os.environ, BUILD_DIR_ENV: str(folder)}
    LOGGER.info("building %s (sources changed)", script)
    result = subprocess.run(  # noqa: S603 - our own build script
        ["bash", str(repo_root() / "scripts" / script)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise ConfigurationError(script, f"failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def ensure_built(kind: str, script: str) -> Path:
    """Return ``<build>/<kind>``, running ``script`` first unless its recorded hash is current.

    Raises:
        ConfigurationError: when the build script fails.
    """
    folder = build_dir()
    output = folder / kind
    wanted = source_hash()
    with _build_lock(folder):
        stamp = output / HASH_FILE
        if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == wanted:
            return output
        _run_build_script(script, folder)
        stamp.write_text(wanted + "\n", encoding="utf-8")
    return output


def file_hash(*paths: Path) -> str:
    """Return a short sha256 of files' names and bytes (names the prepared copy of an artefact)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:HASH_PREFIX_LENGTH]


def remove_stale_staging(folder: Path) -> None:
    """Remove the staging folders under ``folder`` that a killed process left.

    A process killed while it prepared an artefact (SIGKILL, a power cut) never ran its clean-up;
    its ``<name>.partial-*`` folder is recognised by its age (:data:`STALE_STAGING_SECONDS`), so a
    preparation under way in another process is never touched.
    """
    cutoff = time.time() - STALE_STAGING_SECONDS
    removed = 0
    for staging in folder.glob(f"*{STAGING_MARK}*"):
        try:
            stale = staging.is_dir() and staging.stat().st_mtime < cutoff
        except FileNotFoundError:  # removed by another process meanwhile
            continue
        if stale:
            shutil.rmtree(staging, ignore_errors=True)
            removed += 1
    if removed:
        LOGGER.info("removed %d staging folder(s) left by a killed build under %s", removed, folder)


@contextmanager
def _prepared(target: Path) -> Iterator[Path | None]:
    """Yield a staging folder for ``target`` unless it exists (then None); publish it atomically."""
    if target.is_dir():
        yield None
        return
    # A fresh folder per call: two threads of one process (or two processes) building the same
    # artefact each stage their own copy; the first rename publishes, the other is dropped.
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}{STAGING_MARK}", dir=target.parent))
    try:
        yield staging
        try:
            staging.rename(target)
        except OSError:  # another process published the same content first
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _top_level_entries(distribution: metadata.Distribution) -> set[str]:
    """Return a distribution's top-level files and folders of site-packages (packages, dist-info)."""
    return {
        file.parts[0]
        for file in distribution.files or ()
        if file.parts[0] not in {"..", "bin", "__pycache__"} and file.suffix != ".pth"
    }


def runtime_dir(name: str, distributions: Iterable[str]) -> Path:
    """Return a folder exposing only ``distributions`` of this virtualenv (symlinks), built once.

    Raises:
        ConfigurationError: when one of them is not installed.
    """
    chosen = sorted(distributions)
    found = {}
    for wanted in chosen:
        try:
            found[wanted] = metadata.distribution(wanted)
        except metadata.PackageNotFoundError as exc:
            raise ConfigurationError(name, f"{wanted} is not installed in {sys.prefix}") from exc
    key = hashlib.sha256(
        "\n".join(f"{d}={found[d].version}@{found[d].locate_file('')}" for d in chosen).encode()
    ).hexdigest()[:HASH_PREFIX_LENGTH]
    target = build_dir() / RUNTIME_DIR / f"{name}-{key}"
    with _prepared(target) as staging:
        if staging is not None:
            for distribution in found.values():
                site = Path(str(distribution.locate_file("")))
                for entry in _top_level_entries(distribution):
                    source = site / entry
                    if source.exists() and not (staging / entry).exists():
                        (staging / entry).symlink_to(source)
    return target


def lambda_bundle(function: str) -> Path:
    """Return the extracted zip of Lambda ``function`` (``/var/task``), rebuilt when stale."""
    archive = ensure_built("lambda", "build_lambdas.sh") / f"{function}.zip"
    if not archive.is_file():
        raise ConfigurationError(function, f"no Lambda zip {archive}")
    target = build_dir() / RUNTIME_DIR / f"lambda-{function}-{file_hash(archive)}"
    with _prepared(target) as staging:
        if staging is not None:
            with zipfile.ZipFile(archive) as opened:
                opened.extractall(staging)
    return target


@dataclass(frozen=True)
class GlueBundle:
    """The Glue bundle as a job run sees it: the zip, the installed wheels, the entry scripts."""

    folder: Path

    @property
    def zip_path(self) -> Path:
        """``leanops.zip`` (``--extra-py-files``), on sys.path as a zip."""
        return self.folder / GLUE_ZIP

    @property
    def site(self) -> Path:
        """Where the compiled wheels (``--additional-python-modules``) are installed."""
        return self.folder / GLUE_SITE

    def entry_script(self, job: str) -> Path:
        """Return the entry script of ``job`` (``<job>_processor.py``)."""
        return self.folder / f"{job}{ENTRY_SUFFIX}"


def install_wheels(wheels: list[Path], target: Path) -> None:
    """Install wheels offline into ``target`` as Glue's ``--additional-python-modules`` does.

    Raises:
        ConfigurationError: when pip fails.
    """
    target.mkdir(parents=True, exist_ok=True)
    if not wheels:
        return
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += ["--no-index", "--no-deps", "--no-compile", "--target", str(target), *map(str, wheels)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise ConfigurationError("--additional-python-modules", f"pip failed: {result.stderr.strip()}")


def prepare_glue_bundle(output: Path) -> GlueBundle:
    """Return the prepared copy of the Glue bundle built in ``output`` (``<build>/glue``)."""
    scripts = sorted(output.glob(f"*{ENTRY_SUFFIX}"))
    wheels = sorted((output / GLUE_WHEELS).glob("*.whl"))
    target = build_dir() / RUNTIME_DIR / f"glue-{file_hash(output / GLUE_ZIP, *scripts, *wheels)}"
    with _prepared(target) as staging:
        if staging is not None:
            for file in (output / GLUE_ZIP, *scripts):
                shutil.copy2(file, staging / file.name)
            install_wheels(wheels, staging / GLUE_SITE)
    return GlueBundle(target)


def glue_bundle() -> GlueBundle:
    """Return the Glue bundle, rebuilt when stale, prepared as Glue loads it."""
    return prepare_glue_bundle(ensure_built("glue", "build_glue.sh"))
