#!/usr/bin/env bash
# Builds the Glue bundle under build/glue/ (deterministic: same sources -> same bytes):
#
#   leanops.zip        the leanops package without leanops/local and leanops/cli, the schemas in
#                      leanops/_schemas/, and the pure-Python runtime dependencies
#                      (jsonschema and its pure deps) -> the jobs' --extra-py-files
#   wheels/*.whl       dependencies with compiled code (rpds-py), as manylinux2014_x86_64
#                      CPython 3.11 wheels: Python cannot import compiled modules from a zip, so
#                      they go to --additional-python-modules (S3 paths of these wheels)
#   <entry>.py         the Glue entry scripts of scripts/glue/ (standardized_processor.py,
#                      curated_processor.py, maintenance_processor.py: table maintenance)
#
# Glue 5.0 = Spark 3.5, Python 3.11; pyspark and boto3 come with Glue and are never bundled.
# Shared functions (tool checks, wheel cache, deterministic zips) live in build_lambdas.sh.
#
# Usage: scripts/build_glue.sh
# Env:   PYTHON, LEANOPS_BUILD_DIR (see build_lambdas.sh)
set -euo pipefail

# shellcheck source=scripts/build_lambdas.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/build_lambdas.sh"

readonly GLUE_OUTPUT="${BUILD_DIR}/glue"
readonly GLUE_WHEELS="${GLUE_OUTPUT}/wheels"
# Only the Lambda handlers use Powertools.
readonly LAMBDA_ONLY_DEPENDENCIES="aws-lambda-powertools"

# move_compiled_distributions SITE_DIR WHEEL_DIR: removes every installed distribution that is
# not pure Python (WHEEL: Root-Is-Purelib: false) from SITE_DIR and copies its cached wheel to
# WHEEL_DIR.
move_compiled_distributions() {
  "${PYTHON_BIN}" - "$1" "$2" "${CACHE_DIR}" <<'PY'
import csv
import shutil
import sys
from pathlib import Path

site, wheel_dir, cache = (Path(arg) for arg in sys.argv[1:4])
wheel_dir.mkdir(parents=True, exist_ok=True)
for dist_info in sorted(site.glob("*.dist-info")):
    if "Root-Is-Purelib: true" in (dist_info / "WHEEL").read_text():
        continue
    name, version = dist_info.name.removesuffix(".dist-info").rsplit("-", 1)
    wheels = sorted(cache.glob(f"{name}-{version}-*.whl"))
    if not wheels:
        sys.exit(f"build: ERROR: no cached wheel for compiled dependency {name} {version} in {cache}")
    shutil.copy2(wheels[0], wheel_dir / wheels[0].name)
    with (dist_info / "RECORD").open(newline="") as record:
        for row in csv.reader(record):
            (site / row[0]).unlink(missing_ok=True)
    shutil.rmtree(dist_info, ignore_errors=True)
    for leftover in sorted(site.iterdir()):
        if leftover.is_dir() and not any(path.is_file() for path in leftover.rglob("*")):
            shutil.rmtree(leftover)
PY
}

main_glue() {
  require_tools
  local requirements
  mapfile -t requirements < <(pinned_requirements "${LAMBDA_ONLY_DEPENDENCIES}")
  local stage="${STAGING_ROOT}/glue"
  rm -rf "${stage}" "${GLUE_OUTPUT}"
  mkdir -p "${GLUE_OUTPUT}"
  install_dependencies "${stage}" "${requirements[@]}"
  move_compiled_distributions "${stage}" "${GLUE_WHEELS}"
  stage_leanops "${stage}" local cli
  deterministic_zip "${stage}" "${GLUE_OUTPUT}/leanops.zip"
  log "built ${GLUE_OUTPUT}/leanops.zip sha256=$(sha256_of "${GLUE_OUTPUT}/leanops.zip")"

  local script
  for script in "${REPO_ROOT}"/scripts/glue/*.py; do
    [[ -f "${script}" ]] || die "no Glue entry script in ${REPO_ROOT}/scripts/glue/"
    cp "${script}" "${GLUE_OUTPUT}/$(basename "${script}")"
    chmod 0644 "${GLUE_OUTPUT}/$(basename "${script}")"
    log "copied $(basename "${script}")"
  done
  local wheel
  for wheel in "${GLUE_WHEELS}"/*.whl; do
    [[ -f "${wheel}" ]] && log "compiled dependency for --additional-python-modules: wheels/$(basename "${wheel}")"
  done
}

main_glue "$@"
