"""LEANOPS_DRIFT_VANISH_DAYS: the drift log's window, a job setting with a default."""

from __future__ import annotations

import pytest

from leanops import settings
from leanops.exceptions import ConfigurationError
from leanops.settings import JobSettings

REQUIRED = {
    settings.TOPICS: "orders",
    settings.CONTRACTS_URI: "s3://contracts/",
    settings.CHECKPOINT_TABLE: "checkpoints",
    settings.LOCK_TABLE: "locks",
}


@pytest.mark.parametrize(("given", "days"), [({}, 7), ({settings.DRIFT_VANISH_DAYS: "30"}, 30)])
def test_the_window_defaults_to_seven_days(given: dict[str, str], days: int) -> None:
    assert JobSettings.from_mapping({**REQUIRED, **given}).drift_vanish_days == days


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "week"])
def test_a_window_that_is_not_a_positive_whole_number_of_days_is_refused(value: str) -> None:
    with pytest.raises(ConfigurationError, match=settings.DRIFT_VANISH_DAYS):
        JobSettings.from_mapping({**REQUIRED, settings.DRIFT_VANISH_DAYS: value})
