#!/usr/bin/env bash
# Installs the IaC policy checkers into their own virtualenv (/work/main/.venv-iac by default).
#
# checkov and terraform-compliance pin dependencies that conflict with the project's runtime
# (and with each other's loose ranges), so they never go into .venv. The script is idempotent:
# when the pinned versions are already installed it returns in well under a second.
#
# Usage: scripts/install_iac_tools.sh            # creates/updates .venv-iac
#        LEANOPS_IAC_VENV=/some/dir scripts/install_iac_tools.sh
set -euo pipefail

readonly CHECKOV_VERSION="3.3.30"
readonly TERRAFORM_COMPLIANCE_VERSION="1.16.0"
readonly PIP_VERSION="24.3.1"
readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly IAC_VENV="${LEANOPS_IAC_VENV:-${REPO_ROOT}/.venv-iac}"
readonly PYTHON_BIN="${PYTHON:-python3.11}"

installed_version() {
  # Prints the installed version of a distribution in the IaC venv, or nothing.
  "${IAC_VENV}/bin/python" - "$1" <<'PY' 2>/dev/null || true
import sys
from importlib import metadata
try:
    print(metadata.version(sys.argv[1]))
except metadata.PackageNotFoundError:
    pass
PY
}

already_installed() {
  [[ -x "${IAC_VENV}/bin/python" ]] || return 1
  [[ "$(installed_version checkov)" == "${CHECKOV_VERSION}" ]] || return 1
  [[ "$(installed_version terraform-compliance)" == "${TERRAFORM_COMPLIANCE_VERSION}" ]] || return 1
  [[ -x "${IAC_VENV}/bin/checkov" && -x "${IAC_VENV}/bin/terraform-compliance" ]]
}

pip_install() {
  # pip's own notices about unusable index locations of the host configuration are noise here.
  "${IAC_VENV}/bin/python" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  return "${PIPESTATUS[0]}"
}

main() {
  if already_installed; then
    echo "IaC tools already installed in ${IAC_VENV}: checkov ${CHECKOV_VERSION}, terraform-compliance ${TERRAFORM_COMPLIANCE_VERSION}"
    return 0
  fi
  if ! command -v "${PYTHON_BIN}" >/dev/null 2>&1; then
    echo "ERROR: ${PYTHON_BIN} not found; set PYTHON=/path/to/python3.11" >&2
    return 1
  fi
  [[ -x "${IAC_VENV}/bin/python" ]] || "${PYTHON_BIN}" -m venv "${IAC_VENV}"
  pip_install --upgrade "pip==${PIP_VERSION}"
  pip_install "checkov==${CHECKOV_VERSION}" "terraform-compliance==${TERRAFORM_COMPLIANCE_VERSION}"
  already_installed || { echo "ERROR: IaC tools did not install into ${IAC_VENV}" >&2; return 1; }
  echo "Installed into ${IAC_VENV}: checkov ${CHECKOV_VERSION}, terraform-compliance ${TERRAFORM_COMPLIANCE_VERSION}"
}

main "$@"
