#!/usr/bin/env bash
# Lean-Ops end-to-end driver: local emulation by default, a deployed environment with --target aws.
#
#   tests/e2e/production_emulation.sh reset | schema [--topic T --file F] | send --topic T --file F.jsonl
#                                     | run [--fault NAME=RATE ...] [--seed N] | query "SQL"
#                                     | status [--json] | full | replay --topic T
#   tests/e2e/production_emulation.sh --target aws --tf-outputs outputs.json <subcommand> ...
#
# A thin wrapper: finds the repository's virtualenv (or $LEANOPS_PYTHON) and runs the CLI
# (python -m leanops.cli), from any working directory. State: $LEANOPS_HOME (default: the
# repository's .leanops/, whatever the working directory).
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repo_root="$(cd -- "${script_dir}/../.." && pwd -P)"

python="${LEANOPS_PYTHON:-}"
if [[ -z "${python}" ]]; then
  for candidate in "${repo_root}/.venv/bin/python" "${VIRTUAL_ENV:-}/bin/python"; do
    if [[ -x "${candidate}" ]]; then
      python="${candidate}"
      break
    fi
  done
fi
if [[ -z "${python}" ]]; then
  echo "production_emulation.sh: no virtualenv at ${repo_root}/.venv: run 'make setup' (scripts/setup_local.sh) first, or set LEANOPS_PYTHON" >&2
  exit 2
fi

export LEANOPS_HOME="${LEANOPS_HOME:-${repo_root}/.leanops}"
export PYTHONPATH="${repo_root}/src${PYTHONPATH:+:${PYTHONPATH}}"
export LEANOPS_PROG="production_emulation.sh"
exec "${python}" -m leanops.cli "$@"
