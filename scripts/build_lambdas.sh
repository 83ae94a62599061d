#!/usr/bin/env bash
# Builds one deterministic zip per Lambda: build/lambda/<name>.zip for every
# modules/compute/lambda/<name>/handler.py.
#
# Each zip holds handler.py at its root, the leanops package without the parts that need
# pyspark or run only locally (leanops/local, leanops/cli, leanops/transforms, leanops/jobs), the
# schemas in leanops/_schemas/ (package data: leanops.definitions reads them with
# importlib.resources) and the pinned runtime dependencies of pyproject.toml that
# the Lambda runtime lacks (boto3 is in the runtime), as manylinux2014_x86_64 CPython 3.11 wheels.
#
# Same sources -> same bytes: entries sorted, mtimes fixed at 1980-01-01, permissions fixed,
# no __pycache__/*.pyc. Wheels are cached under build/.cache/wheels, so builds after the first
# work offline.
#
# Usage: scripts/build_lambdas.sh [name ...]   # default: every Lambda
# Env:   PYTHON (default: the repo's .venv/bin/python, else python3), LEANOPS_BUILD_DIR (default: build),
#        LEANOPS_WHEEL_CACHE (default: <build dir>/.cache/wheels)
#
# build_glue.sh sources this file for the shared functions (nothing runs when sourced).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly REPO_ROOT
readonly BUILD_DIR="${LEANOPS_BUILD_DIR:-${REPO_ROOT}/build}"
readonly CACHE_DIR="${LEANOPS_WHEEL_CACHE:-${BUILD_DIR}/.cache/wheels}"
readonly STAGING_ROOT="${BUILD_DIR}/.staging"
readonly TARGET_PLATFORM="manylinux2014_x86_64"
readonly TARGET_PYTHON_VERSION="3.11"
readonly TARGET_IMPLEMENTATION="cp"
readonly SCHEMA_FILES=(tables.json events.json curated_schema.json)
# Runtime dependencies the AWS runtimes already provide (never bundled).
readonly PROVIDED_BY_RUNTIME="boto3"

log() { printf 'build: %s\n' "$*" >&2; }
die() { printf 'build: ERROR: %s\n' "$*" >&2; exit 1; }

# Sets PYTHON_BIN to a Python 3.11 with pip, or dies naming the missing tool.
require_tools() {
  local default_python="python3"
  [[ -x "${REPO_ROOT}/.venv/bin/python" ]] && default_python="${REPO_ROOT}/.venv/bin/python"
  PYTHON_BIN="${PYTHON:-${default_python}}"
  command -v "${PYTHON_BIN}" >/dev/null 2>&1 \
    || die "python3 not found (looked for '${PYTHON_BIN}'): install Python 3.11 or set PYTHON=/path/to/python3"
  "${PYTHON_BIN}" -m pip --version >/dev/null 2>&1 \
    || die "pip not available for ${PYTHON_BIN}: install it (python3 -m ensurepip, or apt-get install python3-pip)"
}

# Prints the pinned runtime requirements of pyproject.toml, one per line, minus $PROVIDED_BY_RUNTIME
# and minus the names given as arguments.
# shellcheck disable=SC2120  # build_glue.sh passes exclusions
pinned_requirements() {
  "${PYTHON_BIN}" - "${REPO_ROOT}/pyproject.toml" "${PROVIDED_BY_RUNTIME}" "$@" <<'PY'
import re
import sys
import tomllib

with open(sys.argv[1], "rb") as handle:
    requirements = tomllib.load(handle)["project"]["dependencies"]
excluded = {name.lower() for name in sys.argv[2:]}
for requirement in requirements:
    name = re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()
    if name not in excluded:
        print(requirement)
PY
}

# install_dependencies TARGET_DIR REQUIREMENT...: installs linux x86_64 CPython 3.11 wheels into
# TARGET_DIR, from the wheel cache when it has them, else downloading them into the cache first.
install_dependencies() {
  local target="$1"; shift
  local platform_args=(--platform "${TARGET_PLATFORM}" --python-version "${TARGET_PYTHON_VERSION}"
    --implementation "${TARGET_IMPLEMENTATION}" --only-binary=:all:)
  mkdir -p "${CACHE_DIR}"
  if ! "${PYTHON_BIN}" -m pip install --quiet --disable-pip-version-check --no-index --find-links "${CACHE_DIR}" \
      --target "${target}" --no-compile "${platform_args[@]}" "$@" >/dev/null 2>&1; then
    log "downloading wheels into ${CACHE_DIR}: $*"
    "${PYTHON_BIN}" -m pip download --quiet --disable-pip-version-check --dest "${CACHE_DIR}" \
      "${platform_args[@]}" "$@" || die "pip could not download $* for ${TARGET_PLATFORM} (is PyPI reachable?)"
    rm -rf "${target}"
    "${PYTHON_BIN}" -m pip install --quiet --disable-pip-version-check --no-index --find-links "${CACHE_DIR}" \
      --target "${target}" --no-compile "${platform_args[@]}" "$@" || die "pip could not install $* from ${CACHE_DIR}"
  fi
  # Console scripts carry the build machine's interpreter path and are never used by a bundle.
  rm -rf "${target:?}/bin"
}

# stage_leanops DEST EXCLUDED_SUBPACKAGE...: copies src/leanops (without the excluded subpackages
# and without caches) to DEST/leanops, plus the schemas into DEST/leanops/_schemas.
stage_leanops() {
  local dest="$1"; shift
  mkdir -p "${dest}"
  cp -R "${REPO_ROOT}/src/leanops" "${dest}/leanops"
  local excluded
  for excluded in "$@"; do
    rm -rf "${dest}/leanops/${excluded}"
  done
  mkdir -p "${dest}/leanops/_schemas"
  local schema
  for schema in "${SCHEMA_FILES[@]}"; do
    cp "${REPO_ROOT}/schemas/${schema}" "${dest}/leanops/_schemas/${schema}"
  done
}

# deterministic_zip SOURCE_DIR OUTPUT_ZIP: zips every file under SOURCE_DIR (paths relative to
# it) with sorted entries, fixed timestamps and permissions, skipping __pycache__ and *.pyc.
deterministic_zip() {
  "${PYTHON_BIN}" - "$1" "$2" <<'PY'
import sys
import zipfile
from pathlib import Path

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # every entry, whatever the umask of the build machine (dlopen needs no x bit)
UNIX_SYSTEM = 3
source, output = Path(sys.argv[1]), Path(sys.argv[2])
files = sorted(
    (path for path in source.rglob("*")
     if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"),
    key=lambda path: path.relative_to(source).as_posix(),
)
output.parent.mkdir(parents=True, exist_ok=True)
partial = output.with_suffix(".zip.partial")
with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
    for path in files:
        entry = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=FIXED_DATE)
        entry.create_system = UNIX_SYSTEM
        entry.external_attr = FILE_MODE << 16
        entry.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(entry, path.read_bytes(), compresslevel=9)
partial.replace(output)
PY
}

# sha256_of FILE: prints the file's sha256.
sha256_of() {
  "${PYTHON_BIN}" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
}

lambda_names() {
  local handler
  for handler in "${REPO_ROOT}"/modules/compute/lambda/*/handler.py; do
    [[ -f "${handler}" ]] && basename "$(dirname "${handler}")"
  done
}

main() {
  require_tools
  local names=("$@")
  if [[ ${#names[@]} -eq 0 ]]; then
    mapfile -t names < <(lambda_names)
  fi
  [[ ${#names[@]} -gt 0 ]] || die "no Lambda found under modules/compute/lambda/*/handler.py"

  local requirements
  # shellcheck disable=SC2119  # no extra exclusions for the Lambdas
  mapfile -t requirements < <(pinned_requirements)
  local dependencies="${STAGING_ROOT}/lambda-dependencies"
  rm -rf "${dependencies}"
  install_dependencies "${dependencies}" "${requirements[@]}"

  local name stage handler
  for name in "${names[@]}"; do
    handler="${REPO_ROOT}/modules/compute/lambda/${name}/handler.py"
    [[ -f "${handler}" ]] || die "no handler for Lambda '${name}' (expected ${handler})"
    stage="${STAGING_ROOT}/lambda/${name}"
    rm -rf "${stage}"
    mkdir -p "${stage}"
    cp -R "${dependencies}/." "${stage}/"
    stage_leanops "${stage}" local cli transforms jobs
    cp "${handler}" "${stage}/handler.py"
    deterministic_zip "${stage}" "${BUILD_DIR}/lambda/${name}.zip"
    log "built ${BUILD_DIR}/lambda/${name}.zip sha256=$(sha256_of "${BUILD_DIR}/lambda/${name}.zip")"
  done
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
