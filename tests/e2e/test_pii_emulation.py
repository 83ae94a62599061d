"""Personal data in the local emulation: the same Glue job masks the same, analysts read curated only."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from leanops.adapters.pii_key import PiiKey, pii_key_alias
from leanops.exceptions import QueryError
from leanops.local.pipeline import LocalPipeline
from leanops.local.query import ANALYST, query_csv

from .support import account_of, new_topic, run_until_ok, send_lines


def _contract(topic: str) -> str:
    return json.dumps(
        {
            "topic": topic,
            "key": ["customer_id"],
            "order_by": "updated_at",
            "fields": {
                "customer_id": {"type": "string", "required": True, "pii": "hash"},
                "email": {"type": "string", "required": True, "pii": "hash"},
                "name": {"type": "string", "pii": "redact"},
                "phone": {"type": "string", "pii": "drop"},
                "updated_at": {"type": "timestamp", "required": True},
            },
        }
    )


def test_the_emulation_masks_curated_and_keeps_analysts_out_of_the_raw_values(
    pipeline: LocalPipeline, tmp_path: Path
) -> None:
    # GIVEN a topic whose contract masks personal data, a valid record and one failing it
    topic = new_topic("people")
    pipeline.upload_contract(topic, _contract(topic))
    body = {"customer_id": "c-1", "email": "zoë@example.com", "name": "Zoë", "phone": "+33 6"}
    ids = send_lines(
        pipeline,
        topic,
        [
            json.dumps({**body, "updated_at": "2026-01-01T10:00:00Z"}, ensure_ascii=False),
            json.dumps({**body, "customer_id": "c-2", "updated_at": "not a time"}, ensure_ascii=False),
        ],
        tmp_path,
    )
    # WHEN a cycle runs (the real Glue entry script, with the arguments Terraform deploys)
    assert run_until_ok(pipeline, [topic]) == 1
    # THEN curated holds the keyed hashes (the stack's key, derived as the job derives it), the
    # redaction marker, and no phone column
    key = PiiKey(pii_key_alias(pipeline.names.prefix), pipeline.clients["kms"])()
    hashed = {
        text: hmac.new(key, text.encode(), hashlib.sha256).hexdigest() for text in ("c-1", body["email"])
    }
    sql = f"SELECT * FROM iceberg_curated_db.{topic}"
    csv_text = query_csv(pipeline.catalog, sql, reader=ANALYST)
    header, row = csv_text.splitlines()
    assert "phone" not in header.split(",")
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert (values["customer_id"], values["email"], values["name"]) == (
        hashed["c-1"],
        hashed[body["email"]],
        "[redacted]",
    )
    assert account_of(pipeline, topic).members[ids[1]] == "curated_errors"
    # AND an analyst cannot read the values as received; an operator can
    for table in (f"iceberg_standardized_db.{topic}", f"iceberg_raw_db.{topic}", "iceberg_curated_db.errors"):
        with pytest.raises(QueryError, match="not for analysts"):
            query_csv(pipeline.catalog, f"SELECT * FROM {table}", reader=ANALYST)
    errors = query_csv(
        pipeline.catalog, f"SELECT payload FROM iceberg_curated_db.errors WHERE topic_name = '{topic}'"
    )
    assert "zoë@example.com" in errors
