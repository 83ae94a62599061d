# Lean-Ops: the two entry points of the README, and a few helpers.
.PHONY: setup e2e test test-fast build terraform-checks bench clean

setup:
	@scripts/setup_local.sh

# The whole pipeline locally, end to end (moto + local Spark + Iceberg), with its checks.
e2e: setup
	tests/e2e/production_emulation.sh full

# The whole test suite: unit, functional (moto, local Spark), Terraform offline checks, e2e.
test: setup
	@scripts/install_iac_tools.sh
	.venv/bin/pytest

# Unit tests only (seconds).
test-fast: setup
	.venv/bin/pytest -m unit -q

# Lambda and Glue bundles under build/ (deterministic zips).
build: setup
	scripts/build_lambdas.sh
	scripts/build_glue.sh

terraform-checks: setup
	@scripts/install_iac_tools.sh
	.venv/bin/pytest tests/terraform -q

# Every benchmark figure side by side, one JSON line per metric on stdout, a table on stderr
# (benchmarks/bench_pipeline.py): 100k events by default, `make bench EVENTS=1000000` for 1M.
EVENTS ?= 100000
bench: setup
	@.venv/bin/python benchmarks/bench_pipeline.py --events $(EVENTS)

clean:
	rm -rf build .leanops .pytest_cache
