#!/usr/bin/env bash
# Offline checks of the Terraform stack: no AWS account, no registry, no network.
#
# The AWS provider comes from a local filesystem mirror (default /opt/tf-plugins); this script
# writes the CLI configuration for it. Plans use fake credentials through a provider override
# file in a staged copy of the root (symlinks + provider_override.tf), so the real provider block
# stays clean. Every command exits 0 with "SKIPPED: ..." when terraform or the mirror is absent.
#
# Usage: scripts/terraform_offline.sh [command] [argument]
#   fmt                 terraform fmt -check -recursive over the repository
#   validate            init -backend=false + validate of the root stack
#   test [module...]    terraform test of the modules with tests under tests/terraform/modules/
#   plan <env>          plan -refresh=false with environments/<env>.tfvars -> <work>/plans/<env>.json
#                       (<env>+<variant>: tests/terraform/variants/<variant>.tfvars layered on it)
#   checkov <env>       checkov on that plan JSON (0 failed checks required)
#   compliance <env>    terraform-compliance features of tests/terraform/compliance on that plan
#   all                 every command above, for dev, staging and prod (default)
#
# Environment: LEANOPS_TF_WORK (work folder, default <repo>/build/terraform),
#              TF_PLUGIN_MIRROR (default /opt/tf-plugins), TERRAFORM (default terraform),
#              LEANOPS_IAC_VENV (checkov / terraform-compliance venv, default <repo>/.venv-iac).
set -euo pipefail

readonly REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly WORK="${LEANOPS_TF_WORK:-${REPO_ROOT}/build/terraform}"
readonly MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
readonly TERRAFORM="${TERRAFORM:-terraform}"
readonly IAC_VENV="${LEANOPS_IAC_VENV:-${REPO_ROOT}/.venv-iac}"
readonly STAGED_ROOT="${WORK}/root"
readonly MODULE_TESTS="${REPO_ROOT}/tests/terraform/modules"
readonly COMPLIANCE_FEATURES="${REPO_ROOT}/tests/terraform/compliance"
readonly CHECKOV_CONFIG="${REPO_ROOT}/tests/terraform/checkov.yaml"
readonly ENVIRONMENTS=(dev staging prod)
# The stack reads files of the repository through path.root (schemas/, semantic/, build/ ...):
# the staged root links every top-level entry, hidden ones excepted.

log() { echo "[terraform_offline] $*" >&2; }

skip_if_unavailable() {
  if ! command -v "${TERRAFORM}" >/dev/null 2>&1; then
    echo "SKIPPED: terraform not found on PATH (install Terraform >= 1.9 to run the offline checks)"
    exit 0
  fi
  if [[ ! -d "${MIRROR}/registry.terraform.io/hashicorp/aws" ]]; then
    echo "SKIPPED: provider mirror not found at ${MIRROR}/registry.terraform.io/hashicorp/aws (set TF_PLUGIN_MIRROR)"
    exit 0
  fi
}

write_cli_config() {
  # No plugin cache: from an unpacked filesystem mirror, init links the provider (no 675 MB copy).
  cat >"${WORK}/terraformrc" <<HCL
provider_installation {
  filesystem_mirror {
    path    = "${MIRROR}"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
HCL
  export TF_CLI_CONFIG_FILE="${WORK}/terraformrc"
  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
}

link() {
  # Creates or repoints one symlink without a window where it is missing (safe for parallel runs).
  local target="$1" link_path="$2"
  if [[ "$(readlink "${link_path}" 2>/dev/null)" != "${target}" ]]; then
    ln -s "${target}" "${link_path}.tmp.$$" && mv -Tf "${link_path}.tmp.$$" "${link_path}"
  fi
}

stage_root() {
  # A folder that looks like the root module (symlinks) plus an override with fake credentials.
  mkdir -p "${STAGED_ROOT}"
  find "${STAGED_ROOT}" -maxdepth 1 -xtype l -delete # links to files that no longer exist
  local entry
  for entry in "${REPO_ROOT}"/*.tf; do
    link "${entry}" "${STAGED_ROOT}/$(basename "${entry}")"
  done
  mkdir -p "${REPO_ROOT}/build" # Lambda and Glue packages: plans work before they are built
  for entry in "${REPO_ROOT}"/*; do
    [[ "${entry}" == *.tf ]] || link "${entry}" "${STAGED_ROOT}/$(basename "${entry}")"
  done
  [[ -f "${STAGED_ROOT}/provider_override.tf" ]] || cat >"${STAGED_ROOT}/provider_override.tf" <<'HCL'
# Written by scripts/terraform_offline.sh: plan offline with fake credentials.
provider "aws" {
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
HCL
}

init_root() {
  stage_root
  if [[ ! -f "${STAGED_ROOT}/.terraform/init.done" ]] || [[ -n "$(find "${REPO_ROOT}/modules" "${REPO_ROOT}"/*.tf -newer "${STAGED_ROOT}/.terraform/init.done" -name '*.tf' -print -quit 2>/dev/null)" ]]; then
    "${TERRAFORM}" -chdir="${STAGED_ROOT}" init -backend=false -input=false -no-color >"${WORK}/init.log" \
      || { cat "${WORK}/init.log" >&2; return 1; }
    touch "${STAGED_ROOT}/.terraform/init.done"
  fi
}

cmd_fmt() {
  "${TERRAFORM}" fmt -check -recursive -diff "${REPO_ROOT}/modules" \
    && "${TERRAFORM}" fmt -check -diff "${REPO_ROOT}" \
    && "${TERRAFORM}" fmt -check -recursive -diff "${REPO_ROOT}/tests/terraform" \
    && "${TERRAFORM}" fmt -check -diff "${REPO_ROOT}/environments"
  echo "fmt: OK"
}

cmd_validate() {
  init_root
  "${TERRAFORM}" -chdir="${STAGED_ROOT}" validate -no-color
}

cmd_test() {
  local modules=("$@") module staged
  if [[ ${#modules[@]} -eq 0 ]]; then
    mapfile -t modules < <(find "${MODULE_TESTS}" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
  fi
  for module in "${modules[@]}"; do
    staged="${WORK}/modules/${module}"
    mkdir -p "${staged}"
    find "${staged}" -maxdepth 1 -xtype l -delete
    for entry in "${REPO_ROOT}/modules/${module}"/*; do
      [[ "$(basename "${entry}")" == "tests" ]] || link "${entry}" "${staged}/$(basename "${entry}")"
    done
    link "${MODULE_TESTS}/${module}" "${staged}/tests"
    link "${REPO_ROOT}/schemas" "${staged}/schemas"
    link "${REPO_ROOT}/semantic" "${staged}/semantic"
    if [[ ! -d "${staged}/.terraform" ]]; then
      "${TERRAFORM}" -chdir="${staged}" init -backend=false -input=false -no-color >"${WORK}/init-${module}.log" \
        || { cat "${WORK}/init-${module}.log" >&2; return 1; }
    fi
    log "terraform test: ${module}"
    "${TERRAFORM}" -chdir="${staged}" test -no-color
  done
}

cmd_plan() {
  local env="${1:?plan needs an environment: dev, staging or prod (or <env>+<variant>)}"
  # <env>+<variant>: environments/<env>.tfvars, then tests/terraform/variants/<variant>.tfvars over it
  # (an option no environment turns on, planned as a team would plan it).
  local var_file="${REPO_ROOT}/environments/${env%%+*}.tfvars"
  [[ -f "${var_file}" ]] || { echo "ERROR: ${var_file} not found" >&2; return 1; }
  local -a var_files=("-var-file=${var_file}")
  if [[ "${env}" == *+* ]]; then
    local variant_file="${REPO_ROOT}/tests/terraform/variants/${env#*+}.tfvars"
    [[ -f "${variant_file}" ]] || { echo "ERROR: ${variant_file} not found" >&2; return 1; }
    var_files+=("-var-file=${variant_file}")
  fi
  init_root
  mkdir -p "${WORK}/plans"
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing \
    AWS_EC2_METADATA_DISABLED=true AWS_PROFILE='' AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    "${TERRAFORM}" -chdir="${STAGED_ROOT}" plan -refresh=false -input=false -lock=false -no-color \
    "${var_files[@]}" -out="${WORK}/plans/${env}.tfplan" >"${WORK}/plans/${env}.log" \
    || { cat "${WORK}/plans/${env}.log" >&2; return 1; }
  "${TERRAFORM}" -chdir="${STAGED_ROOT}" show -json "${WORK}/plans/${env}.tfplan" >"${WORK}/plans/${env}.json"
  local count
  count="$(grep -c '^  # ' "${WORK}/plans/${env}.log" || true)"
  echo "plan ${env}: ${count} resources -> ${WORK}/plans/${env}.json"
}

require_iac_tool() {
  if [[ ! -x "${IAC_VENV}/bin/$1" ]]; then
    log "$1 missing: installing the IaC tools (scripts/install_iac_tools.sh)"
    "${REPO_ROOT}/scripts/install_iac_tools.sh" >&2
  fi
}

stage_enrichment_root() {
  # Only the Terraform sources, so checkov maps plan resources to their inline skips quickly.
  local root="${WORK}/enrichment" entry
  mkdir -p "${root}"
  find "${root}" -maxdepth 1 -xtype l -delete
  for entry in "${REPO_ROOT}"/*.tf "${REPO_ROOT}/modules"; do
    link "${entry}" "${root}/$(basename "${entry}")"
  done
  echo "${root}"
}

cmd_checkov() {
  local env="${1:?checkov needs an environment}"
  [[ -f "${WORK}/plans/${env}.json" ]] || cmd_plan "${env}" >/dev/null
  require_iac_tool checkov
  "${IAC_VENV}/bin/checkov" --config-file "${CHECKOV_CONFIG}" -f "${WORK}/plans/${env}.json" \
    --repo-root-for-plan-enrichment "$(stage_enrichment_root)"
}

cmd_compliance() {
  local env="${1:?compliance needs an environment}"
  [[ -f "${WORK}/plans/${env}.json" ]] || cmd_plan "${env}" >/dev/null
  require_iac_tool terraform-compliance
  "${IAC_VENV}/bin/terraform-compliance" --no-ansi -f "${COMPLIANCE_FEATURES}" -p "${WORK}/plans/${env}.json"
}

cmd_all() {
  cmd_fmt
  cmd_validate
  cmd_test
  local env
  for env in "${ENVIRONMENTS[@]}"; do
    cmd_plan "${env}"
    cmd_checkov "${env}"
    cmd_compliance "${env}"
  done
}

main() {
  skip_if_unavailable
  mkdir -p "${WORK}"
  write_cli_config
  local command="${1:-all}"
  shift || true
  case "${command}" in
    fmt | validate | test | plan | checkov | compliance | all) "cmd_${command}" "$@" ;;
    *)
      echo "ERROR: unknown command '${command}' (fmt, validate, test, plan <env>, checkov <env>, compliance <env>, all)" >&2
      return 2
      ;;
  esac
}

main "$@"
