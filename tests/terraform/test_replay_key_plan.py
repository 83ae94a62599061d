"""The replay HMAC key in the planned stacks: the replay readers alone may verify, on that key alone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tf_harness import ENVIRONMENTS, planned_resources

# The Lambdas that read the replay attributes (sqs_processor, and dlq_archiver for what it archives).
REPLAY_READERS = ("sqs_processor", "dlq_archiver")
VERIFY_MAC = "kms:VerifyMac"
GENERATE_MAC = "kms:GenerateMac"


def _after(plan: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        change["address"]: change["change"].get("after") or {}
        for change in planned_resources(plan)
        if change["type"] == resource_type
    }


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else list(actions)


def replay_key_findings(plan: dict[str, Any]) -> list[str]:
    """Every way the plan's replay key or its grants differ from the rule (empty: they hold)."""
    found: list[str] = []
    keys = {a: k for a, k in _after(plan, "aws_kms_key").items() if a.endswith("aws_kms_key.replay[0]")}
    if len(keys) != 1:
        return [f"expected one replay key (module.storage.aws_kms_key.replay), found {sorted(keys)}"]
    key = next(iter(keys.values()))
    if (key["customer_master_key_spec"], key["key_usage"]) != ("HMAC_256", "GENERATE_VERIFY_MAC"):
        found.append(f"replay key is {key['customer_master_key_spec']}/{key['key_usage']}, not an HMAC key")
    if key["enable_key_rotation"]:
        found.append("replay key asks for automatic rotation, which KMS refuses for HMAC keys")
    alias_names = [
        alias["name"]
        for a, alias in _after(plan, "aws_kms_alias").items()
        if a.endswith("aws_kms_alias.replay[0]")
    ]
    policies = {a: p["policy"] for a, p in _after(plan, "aws_iam_role_policy").items() if "policy" in p}
    for address, text in policies.items():
        document = json.loads(text)
        for statement in document["Statement"]:
            actions = _actions(statement)
            aliases = (
                statement.get("Condition", {}).get("ForAnyValue:StringEquals", {}).get("kms:ResourceAliases")
            )
            # GenerateMac on another key (the curated job's pii key) cannot sign replays.
            if GENERATE_MAC in actions and (aliases is None or aliases in alias_names):
                found.append(f"{address}: a role may sign replays ({GENERATE_MAC})")
            if VERIFY_MAC not in actions:
                continue
            if not any(reader in address for reader in REPLAY_READERS):
                found.append(f"{address}: only {', '.join(REPLAY_READERS)} may call {VERIFY_MAC}")
            if actions != [VERIFY_MAC]:
                found.append(f"{address}: the {VERIFY_MAC} statement grants more: {actions}")
            if aliases not in alias_names:
                found.append(f"{address}: {VERIFY_MAC} is not limited to the replay key (aliases {aliases})")
    verifiers = [address for address, text in policies.items() if VERIFY_MAC in text]
    for reader in REPLAY_READERS:
        if not any(reader in address for address in verifiers):
            found.append(f"{reader}'s role has no {VERIFY_MAC} (replays would never keep their ids)")
    return found


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_the_replay_readers_verify_replay_macs_on_the_replay_key(
    plans: dict[str, Any], environment: str
) -> None:
    assert replay_key_findings(plans[environment]) == []


def test_a_verify_grant_on_every_key_is_caught(plans: dict[str, Any]) -> None:
    # GIVEN the dev plan with sqs_processor's VerifyMac statement widened to every key
    plan = json.loads(json.dumps(plans["dev"]))
    for change in planned_resources(plan):
        after = change["change"].get("after") or {}
        if change["type"] == "aws_iam_role_policy" and VERIFY_MAC in after.get("policy", ""):
            document = json.loads(after["policy"])
            for statement in document["Statement"]:
                if VERIFY_MAC in _actions(statement):
                    statement.pop("Condition")
            after["policy"] = json.dumps(document)
    # THEN the check names it
    assert any("not limited to the replay key" in finding for finding in replay_key_findings(plan))
