"""moto's state survives between commands (separate processes) through the LEANOPS_HOME snapshot.

Each step runs in its own Python process, as the CLI's subcommands do (restoring a snapshot
replaces moto's in-process backends, so it must not happen inside the test session).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

STEP = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from leanops.local.aws import LocalAws
    home, action = Path(sys.argv[1]), sys.argv[2]
    with LocalAws(home) as aws:
        sqs, s3 = aws.client("sqs"), aws.client("s3")
        if action == "create":
            dlq = sqs.create_queue(QueueName="p-orders-dlq")["QueueUrl"]
            attributes = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
            arn = attributes["Attributes"]["QueueArn"]
            policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "2"})
            queue = sqs.create_queue(QueueName="p-orders", Attributes={"RedrivePolicy": policy})
            queue = queue["QueueUrl"]
            sqs.send_message(QueueUrl=queue, MessageBody="hello")
            s3.create_bucket(Bucket="p-schemas", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
            s3.put_object(Bucket="p-schemas", Key="contracts/orders.json", Body=b"{}")
            print(json.dumps({}))
        else:
            queue = sqs.get_queue_url(QueueName="p-orders")["QueueUrl"]
            got = sqs.receive_message(QueueUrl=queue, AttributeNames=["All"], VisibilityTimeout=0)
            got = got.get("Messages", [])
            dlq = sqs.get_queue_url(QueueName="p-orders-dlq")["QueueUrl"]
            depth = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
            contract = s3.get_object(Bucket="p-schemas", Key="contracts/orders.json")["Body"].read().decode()
            print(json.dumps({
                "counts": [m["Attributes"]["ApproximateReceiveCount"] for m in got],
                "dlq": depth["Attributes"]["ApproximateNumberOfMessages"],
                "contract": contract,
            }))
    """
)


def step(home: Path, action: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", STEP, str(home), action],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_queues_messages_receive_counts_redrive_and_objects_survive_between_processes(tmp_path: Path) -> None:
    # GIVEN a queue with a redrive policy (2 receives), a message and an S3 object, made by one process
    step(tmp_path, "create")
    # WHEN later processes receive the message (making it visible again each time)
    first, second, third = step(tmp_path, "receive"), step(tmp_path, "receive"), step(tmp_path, "receive")
    # THEN the receive count went on across processes, and the third receive found it in the DLQ
    assert (first["counts"], second["counts"], third["counts"]) == (["1"], ["2"], [])
    assert third["dlq"] == "1"
    assert third["contract"] == "{}"
