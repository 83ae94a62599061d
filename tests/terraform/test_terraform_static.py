"""Static checks of the Terraform code: formatting, validation, and each module's `terraform test`."""

from __future__ import annotations

import re

import pytest
from tf_harness import MODULES_WITH_TESTS, RunScript, ScriptResult, record_module_test

TEST_RESULT_LINE = re.compile(r"(Success|Failure)! (\d+) passed, (\d+) failed")


def test_terraform_code_is_formatted(run_script: RunScript) -> None:
    # GIVEN the root stack, the modules, the environments and the test files
    # WHEN terraform fmt checks them
    outcome = run_script("fmt")
    # THEN nothing needs reformatting
    assert outcome.returncode == 0, f"terraform fmt -check found unformatted files:\n{outcome.output}"


def test_root_stack_validates(initialised_root: ScriptResult) -> None:
    # GIVEN the root stack with every module wired in
    # WHEN it is initialised from the offline mirror and validated
    outcome = initialised_root
    # THEN Terraform accepts it
    assert outcome.returncode == 0, f"terraform validate failed:\n{outcome.output}"
    assert "The configuration is valid" in outcome.stdout


@pytest.mark.parametrize("module", MODULES_WITH_TESTS)
def test_module_terraform_tests_pass(module_test_outcomes: dict[str, ScriptResult], module: str) -> None:
    # GIVEN a module and its .tftest.hcl files (mocked AWS provider)
    # WHEN terraform test runs them
    outcome = module_test_outcomes[module]
    result = TEST_RESULT_LINE.search(outcome.stdout)
    record_module_test(module, result.group(0) if result else "no result line")
    # THEN every run block passes
    assert outcome.returncode == 0, f"terraform test of modules/{module} failed:\n{outcome.output}"
    assert result is not None and int(result.group(3)) == 0 and int(result.group(2)) > 0, outcome.output
