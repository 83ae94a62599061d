"""``schema --rebuild`` and ``--force`` on the aws target (moto): what is uploaded, what is recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from leanops.adapters.checkpoints import LAYER_KEY, REBUILD_KEY, TOPIC_KEY, CheckpointStore
from leanops.cli.aws_target import run_aws_command
from leanops.cli.main import _parser
from leanops.exceptions import ConfigurationError, UsageError

from .test_aws_target import REGION, outputs_file

REPO = Path(__file__).resolve().parents[3]
CHECKPOINT_TABLE = "prod-checkpoints"  # outputs_file's checkpoint_table_name
BUCKET = "prod-schemas"
KEY = "contracts/orders.json"


def _checkpoint_table(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName=CHECKPOINT_TABLE,
        KeySchema=[
            {"AttributeName": TOPIC_KEY, "KeyType": "HASH"},
            {"AttributeName": LAYER_KEY, "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": TOPIC_KEY, "AttributeType": "S"},
            {"AttributeName": LAYER_KEY, "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _stack(tmp_path: Path, with_checkpoints: bool = True) -> tuple[Any, Any, list[str]]:
    """GIVEN a deployed stack (moto) with the repo's contracts in force."""
    sqs, s3 = boto3.client("sqs", region_name=REGION), boto3.client("s3", region_name=REGION)
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    queue_url = sqs.create_queue(QueueName="prod-orders")["QueueUrl"]
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    if with_checkpoints:
        _checkpoint_table(dynamodb)
    common = [
        "--home",
        str(tmp_path / "home"),
        "--target",
        "aws",
        "--tf-outputs",
        str(outputs_file(tmp_path, queue_url)),
    ]
    assert run_aws_command(_parser().parse_args([*common, "schema"])) == 0
    return s3, dynamodb, common


def _orders(tmp_path: Path, edit: Any, name: str = "orders.json") -> Path:
    document = json.loads((REPO / "schemas" / "topics" / "orders.json").read_text())
    edit(document)
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _schema(common: list[str], path: Path, *flags: str) -> int:
    return run_aws_command(
        _parser().parse_args([*common, "schema", "--topic", "orders", "--file", str(path), *flags])
    )


def _in_force(s3: Any) -> dict[str, Any]:
    return dict(json.loads(s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()))


def test_rebuild_uploads_a_breaking_change_and_records_the_request_for_its_version(
    aws: None, tmp_path: Path
) -> None:
    s3, dynamodb, common = _stack(tmp_path)
    removed = _orders(tmp_path, lambda d: d["fields"].pop("gift"))
    # WHEN a breaking change is uploaded without a flag THEN it is refused, pointing at --rebuild
    with pytest.raises(
        UsageError, match=r"breaking change\(s\): field gift: removed; nothing uploaded.*--rebuild"
    ):
        _schema(common, removed)
    assert "gift" in _in_force(s3)["fields"]
    # WHEN it is uploaded with --rebuild
    assert _schema(common, removed, "--rebuild") == 0
    # THEN it is in force, and a rebuild request names the uploaded object's version
    assert "gift" not in _in_force(s3)["fields"]
    request = CheckpointStore(CHECKPOINT_TABLE, dynamodb).rebuild_request("orders")
    assert request is not None
    assert request.contract_version == s3.head_object(Bucket=BUCKET, Key=KEY)["VersionId"]
    assert request.requested_by == "schema --rebuild"
    # AND the item sits next to the checkpoints (what the planner's Query reads)
    item = dynamodb.get_item(
        TableName=CHECKPOINT_TABLE, Key={TOPIC_KEY: {"S": "orders"}, LAYER_KEY: {"S": REBUILD_KEY}}
    )
    assert item["Item"]["request_id"]["S"] == request.request_id


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: d.update(key=["customer_id"]), "key changed ['order_id'] -> ['customer_id']"),
        (
            lambda d: d["fields"]["amount"].update(type="decimal(12,3)"),
            "field amount: curated column type decimal(12,2) -> decimal(12,3)",
        ),
        (
            lambda d: d["fields"]["quantity"].update(type="string"),
            "field quantity: curated column type int -> string",
        ),
    ],
)
def test_force_of_a_change_the_curated_rows_cannot_take_is_refused(
    aws: None, tmp_path: Path, edit: Any, named: str
) -> None:
    s3, dynamodb, common = _stack(tmp_path)
    before = _in_force(s3)
    # WHEN a change of key or of a column's type is forced THEN it is refused, naming it and --rebuild
    with pytest.raises(UsageError, match="--force cannot apply") as refused:
        _schema(common, _orders(tmp_path, edit), "--force")
    assert named in str(refused.value) and "--rebuild" in str(refused.value)
    # AND nothing changed: the contract in force stays, no request
    assert _in_force(s3) == before
    assert CheckpointStore(CHECKPOINT_TABLE, dynamodb).rebuild_request("orders") is None


def test_force_of_a_removal_or_a_new_order_by_is_applied_without_a_request(aws: None, tmp_path: Path) -> None:
    s3, dynamodb, common = _stack(tmp_path)

    def edit(document: dict[str, Any]) -> None:
        document["fields"].pop("gift")
        document["fields"]["version"] = {"type": "long", "required": True}
        document["order_by"] = "version"

    assert _schema(common, _orders(tmp_path, edit), "--force") == 0
    assert _in_force(s3)["order_by"] == "version"
    assert CheckpointStore(CHECKPOINT_TABLE, dynamodb).rebuild_request("orders") is None


def test_a_request_that_could_not_be_recorded_says_to_run_the_command_again(
    aws: None, tmp_path: Path
) -> None:
    # GIVEN a stack whose checkpoint table cannot be written (here: absent)
    s3, dynamodb, common = _stack(tmp_path, with_checkpoints=False)
    removed = _orders(tmp_path, lambda d: d["fields"].pop("gift"))
    # WHEN --rebuild runs THEN the contract is uploaded but the error says the request is missing
    with pytest.raises(UsageError, match="contract uploaded, but the rebuild request could not be recorded"):
        _schema(common, removed, "--rebuild")
    # WHEN the table is back and the same command runs again THEN the request is recorded
    _checkpoint_table(dynamodb)
    assert _schema(common, removed, "--rebuild") == 0
    assert CheckpointStore(CHECKPOINT_TABLE, dynamodb).rebuild_request("orders") is not None


def test_rebuild_needs_one_topic_and_excludes_force(aws: None, tmp_path: Path) -> None:
    _, _, common = _stack(tmp_path)
    with pytest.raises(ConfigurationError, match="--rebuild needs --topic and --file"):
        run_aws_command(_parser().parse_args([*common, "schema", "--rebuild"]))
    with pytest.raises(SystemExit):
        _parser().parse_args(["schema", "--topic", "orders", "--file", "x.json", "--force", "--rebuild"])
