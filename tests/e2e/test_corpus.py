"""The bad-input corpus through the whole local pipeline: every line reaches its destination.

tests/e2e/corpus/manifest.json gives each line's expected destination; README.md says why.
"""

from __future__ import annotations

import json
from pathlib import Path

from leanops.local.pipeline import LocalPipeline
from leanops.planner import INVALID_CONTRACT

from .support import account_of, contract_for, new_topic

CORPUS = Path(__file__).resolve().parent / "corpus"
REFUSED = "refused"


def test_every_corpus_line_reaches_its_expected_destination(pipeline: LocalPipeline) -> None:
    # GIVEN one topic per contract of the corpus (the repo's orders contract, and malformed ones)
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    topics = {name: new_topic(f"corpus_{name}") for name in sorted({case["contract"] for case in manifest})}
    for name, topic in topics.items():
        template = CORPUS / "contracts" / f"{name}.json.template"
        text = (
            template.read_text(encoding="utf-8").replace("{topic}", topic)
            if template.is_file()
            else contract_for(topic, name)
        )
        pipeline.upload_contract(topic, text)
    # WHEN every case file is sent and one cycle runs
    sent: dict[tuple[str, int], str] = {}
    problems = []
    for case in manifest:
        report = pipeline.send(topics[case["contract"]], CORPUS / case["file"])
        refused = sorted(item.line for item in report.refused)
        wanted = [number for number, where in enumerate(case["expect"], start=1) if where == REFUSED]
        if refused != wanted:
            problems.append(f"{case['file']}: send refused lines {refused}, expected {wanted}")
        sent.update({(case["file"], entry.line): entry.message_id for entry in report.sent})
    report = pipeline.run(sorted(topics.values()))
    # THEN the cycle succeeded, malformed contracts were skipped naming their file and problem,
    assert report.ok, report.as_dict()["cycle"]
    skipped = report.cycle.skipped if report.cycle else {}
    for name in ("bad_json", "unknown_type", "key_not_a_field"):
        reason = skipped.get(topics[name], "")
        assert INVALID_CONTRACT in reason and f"{topics[name]}.json" in reason, reason
    # AND every line is exactly where the manifest says, and each topic's account balances
    members = {}
    for topic in topics.values():
        account = account_of(pipeline, topic)
        assert account.identity_holds, account.as_dict()
        members.update(account.members)
    for case in manifest:
        for number, where in enumerate(case["expect"], start=1):
            if where == REFUSED:
                continue
            got = members.get(sent.get((case["file"], number), ""), "not sent")
            if got != where:
                problems.append(f"{case['file']} line {number} ({case['kind']}): expected {where}, got {got}")
    assert problems == []
