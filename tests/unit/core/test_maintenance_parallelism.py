"""The maintenance job's parallelism setting: topics at once, bounded, a mistake named."""

from __future__ import annotations

import pytest

from leanops.exceptions import ConfigurationError
from leanops.maintenance_plan import MAX_PARALLELISM, PARALLELISM, SETTING_KEYS, MaintenanceSettings

STATE = {"LEANOPS_CHECKPOINT_TABLE": "checkpoints", "LEANOPS_LOCK_TABLE": "locks"}


@pytest.mark.parametrize(("given", "expected"), [(None, 1), ("1", 1), ("4", 4), (str(MAX_PARALLELISM), 8)])
def test_parallelism_defaults_to_one_topic_at_a_time(given: str | None, expected: int) -> None:
    mapping = {**STATE, **({PARALLELISM: given} if given is not None else {})}
    assert MaintenanceSettings.from_mapping(mapping).parallelism == expected
    assert PARALLELISM in SETTING_KEYS


@pytest.mark.parametrize("given", ["0", str(MAX_PARALLELISM + 1), "two"])
def test_a_parallelism_outside_the_bounds_is_refused_naming_the_setting(given: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        MaintenanceSettings.from_mapping({**STATE, PARALLELISM: given})
    assert PARALLELISM in str(raised.value)
