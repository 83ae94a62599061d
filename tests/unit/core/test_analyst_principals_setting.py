"""LEANOPS_ANALYST_PRINCIPALS: whom the curated job grants read on the topic tables it creates."""

from __future__ import annotations

import pytest

from leanops import settings
from leanops.adapters.table_grants import principals_digest
from leanops.exceptions import ConfigurationError
from leanops.jobs.entry import OPTIONAL_KEYS, parse_plain_arguments

BASE = {
    settings.TOPICS: "orders",
    settings.CONTRACTS_URI: "s3://schemas/contracts",
    settings.CHECKPOINT_TABLE: "checkpoints",
    settings.LOCK_TABLE: "locks",
}
ANALYSTS = "arn:aws:iam::123456789012:role/analysts"
AUDITOR = "arn:aws-cn:iam::123456789012:user/audit/jane"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ()), ("", ()), (ANALYSTS, (ANALYSTS,)), (f"{ANALYSTS}, {AUDITOR}", (ANALYSTS, AUDITOR))],
)
def test_principals_are_read_when_given(value: str | None, expected: tuple[str, ...]) -> None:
    mapping = BASE if value is None else {**BASE, settings.ANALYST_PRINCIPALS: value}
    assert settings.JobSettings.from_mapping(mapping).analyst_principals == expected


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("analysts", "analysts: not an IAM role or user ARN"),
        ("arn:aws:iam::123456789012:group/analysts", "group/analysts: not an IAM role or user ARN"),
        (f"{ANALYSTS},{ANALYSTS}", "more than once"),
    ],
)
def test_a_wrong_principal_is_refused_by_name(value: str, problem: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        settings.JobSettings.from_mapping({**BASE, settings.ANALYST_PRINCIPALS: value})
    assert settings.ANALYST_PRINCIPALS in str(refused.value)
    assert problem in str(refused.value)


def test_it_is_a_glue_job_argument_the_entry_reads() -> None:
    assert settings.ANALYST_PRINCIPALS in OPTIONAL_KEYS
    parsed = parse_plain_arguments([f"--{settings.ANALYST_PRINCIPALS}", ANALYSTS])
    assert parsed == {settings.ANALYST_PRINCIPALS: ANALYSTS}


def test_the_recorded_digest_does_not_depend_on_the_order_of_the_principals() -> None:
    assert principals_digest((ANALYSTS, AUDITOR)) == principals_digest((AUDITOR, ANALYSTS))
    assert principals_digest((ANALYSTS,)) != principals_digest((ANALYSTS, AUDITOR))
