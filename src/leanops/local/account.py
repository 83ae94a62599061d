"""The conservation account: where every sent message ended up, per topic.

Each message id of the ledger is put in exactly one bucket: curated, superseded, parse_errors,
curated_errors, dlq_errors (archived and not also in RAW), firehose_errors (not also in RAW) or
waiting (in a queue, the Firehose buffer, behind a closed gate, or not processed yet).
``retry_duplicates`` counts the extra RAW copies Lambda retries wrote (RAW rows - distinct ids);
standardized drops them. Identity: sent = sum of the buckets, and no id in two buckets.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from leanops import contracts, definitions
from leanops.adapters import column_mapping
from leanops.exceptions import ContractError
from leanops.local.config import CONTRACTS_PREFIX, FIREHOSE_ERRORS_PREFIX, ResourceNames

BUCKETS = (
    "curated",
    "superseded",
    "parse_errors",
    "curated_errors",
    "dlq_errors",
    "firehose_errors",
    "waiting",
)
MESSAGE_ID = "message_id"
TOPIC = "topic_name"


@dataclass
class TopicAccount:
    """Where the sent messages of one topic are."""

    topic: str
    sent: int = 0
    raw_distinct: int = 0
    retry_duplicates: int = 0
    standardized: int = 0
    buckets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    conflicts: list[str] = field(default_factory=list)
    not_in_ledger: int = 0
    members: dict[str, str] = field(default_factory=dict)

    @property
    def identity_holds(self) -> bool:
        """True when every sent id is in exactly one bucket."""
        return not self.conflicts and sum(self.buckets.values()) == self.sent

    def as_dict(self) -> dict[str, Any]:
        """Return the account as JSON-ready data (without the per-id membership)."""
        data = asdict(self)
        data.pop("members")
        return {**data, "identity_holds": self.identity_holds}


def column_values(
    catalog: Any, identifier: str, columns: tuple[str, ...], topic: str | None = None
) -> list[dict[str, Any]]:
    """Return rows (only ``columns`` the table has) of a table, of one topic when given; [] if no table."""
    if not catalog.table_exists(identifier):
        return []
    table = catalog.load_table(identifier)
    available = {column.name for column in table.schema().fields}
    selected = tuple(column for column in columns if column in available)
    if topic is None:
        scan = table.scan(selected_fields=selected)
    else:
        from pyiceberg.expressions import EqualTo

        scan = table.scan(row_filter=EqualTo(TOPIC, topic), selected_fields=selected)
    return scan.to_arrow().to_pylist()


def _ids(rows: Iterable[dict[str, Any]]) -> set[str]:
    return {str(row[MESSAGE_ID]) for row in rows}


def firehose_error_ids(s3: Any, names: ResourceNames) -> dict[str, set[str]]:
    """Return topic -> message ids of the records Firehose wrote under ``firehose-errors/``."""
    found: dict[str, set[str]] = {}
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=names.data_bucket, Prefix=FIREHOSE_ERRORS_PREFIX):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=names.data_bucket, Key=item["Key"])["Body"].read().decode("utf-8")
            for line in filter(None, body.splitlines()):
                try:
                    record = json.loads(base64.b64decode(json.loads(line)["rawData"]))
                    found.setdefault(str(record[TOPIC]), set()).add(str(record[MESSAGE_ID]))
                except (ValueError, KeyError, TypeError):
                    continue
    return found


def _key_values(rows: list[dict[str, Any]], columns: list[str]) -> dict[str, tuple[str, ...]]:
    return {
        str(row[MESSAGE_ID]): tuple("" if row.get(c) is None else str(row[c]) for c in columns)
        for row in rows
    }


def _contract(s3: Any, names: ResourceNames, topic: str) -> contracts.Contract | None:
    try:
        text = s3.get_object(Bucket=names.schemas_bucket, Key=f"{CONTRACTS_PREFIX}{topic}.json")[
            "Body"
        ].read()
        return contracts.parse_contract(text, f"{topic}.json", topic)
    except (ContractError, s3.exceptions.NoSuchKey):
        return None


def _superseded(
    catalog: Any, topic: str, contract: contracts.Contract | None, candidates: set[str]
) -> set[str]:
    """Return the candidate ids whose business key is held in curated by another message."""
    if contract is None or not candidates:
        return set()
    identifier = definitions.table(definitions.STANDARDIZED).identifier(topic)
    if not catalog.table_exists(identifier):
        return set()
    # The key's columns as the standardized job recorded them (the first naming of each path wins).
    recorded = column_mapping.mapping_from_properties(catalog.load_table(identifier).properties)
    found = [recorded.get(contract.field(name).path) for name in contract.key]
    if any(column is None for column in found):
        return set()
    source_columns = [str(column) for column in found]
    standardized = column_values(catalog, identifier, (MESSAGE_ID, *source_columns))
    curated = column_values(
        catalog, definitions.table(definitions.CURATED).identifier(topic), (MESSAGE_ID, *contract.key)
    )
    curated_keys = set(_key_values(curated, list(contract.key)).values())
    keys = _key_values([row for row in standardized if str(row[MESSAGE_ID]) in candidates], source_columns)
    return {message_id for message_id, key in keys.items() if key in curated_keys}


def _place(
    message_id: str, sets: dict[str, set[str]], raw: set[str], superseded: set[str]
) -> tuple[str, list[str]]:
    if message_id not in raw:
        outside = [name for name in ("dlq_errors", "firehose_errors") if message_id in sets[name]]
        return (outside[0] if outside else "waiting"), outside[1:]
    inside = [name for name in ("parse_errors", "curated", "curated_errors") if message_id in sets[name]]
    if inside:
        return inside[0], inside[1:]
    return ("superseded" if message_id in superseded else "waiting"), []


def topic_account(
    catalog: Any,
    s3: Any,
    names: ResourceNames,
    topic: str,
    sent_ids: list[str],
    firehose_ids: dict[str, set[str]] | None = None,
) -> TopicAccount:
    """Compute the conservation account of one topic from its tables and the ledger."""
    raw_rows = column_values(catalog, definitions.table(definitions.RAW).identifier(topic), (MESSAGE_ID,))
    raw = _ids(raw_rows)
    standardized = _ids(
        column_values(catalog, definitions.table(definitions.STANDARDIZED).identifier(topic), (MESSAGE_ID,))
    )
    sets = {
        "curated": _ids(
            column_values(catalog, definitions.table(definitions.CURATED).identifier(topic), (MESSAGE_ID,))
        ),
        "parse_errors": _ids(
            column_values(
                catalog, definitions.table(definitions.PARSE_ERRORS).identifier(), (MESSAGE_ID,), topic
            )
        ),
        "curated_errors": _ids(
            column_values(
                catalog, definitions.table(definitions.CURATED_ERRORS).identifier(), (MESSAGE_ID,), topic
            )
        ),
        "dlq_errors": _ids(
            column_values(
                catalog, definitions.table(definitions.DLQ_ERRORS).identifier(), (MESSAGE_ID,), topic
            )
        ),
        "firehose_errors": (firehose_ids if firehose_ids is not None else firehose_error_ids(s3, names)).get(
            topic, set()
        ),
    }
    unplaced = standardized - sets["curated"] - sets["curated_errors"]
    superseded = _superseded(catalog, topic, _contract(s3, names, topic), unplaced)
    account = TopicAccount(
        topic=topic,
        sent=len(sent_ids),
        raw_distinct=len(raw),
        retry_duplicates=len(raw_rows) - len(raw),
        standardized=len(standardized),
    )
    for message_id in sent_ids:
        bucket, also = _place(message_id, sets, raw, superseded)
        account.buckets[bucket] += 1
        account.members[message_id] = bucket
        if also:
            account.conflicts.append(f"{message_id} is in {bucket} and in {', '.join(also)}")
    account.not_in_ledger = len(raw - set(sent_ids))
    return account
