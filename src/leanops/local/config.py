"""The local pipeline's one configuration: where its state lives, resource names, topics.

Mirrors Terraform's topic settings (``topics`` map: name -> batch size, max receive count,
visibility timeout) so that the local queues behave like the deployed ones. The topics map is
kept in ``LEANOPS_HOME/topics.json``; the repo's contracts in ``schemas/topics/`` give the
default topics.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from leanops import contracts, definitions, naming, settings
from leanops.exceptions import ConfigurationError
from leanops.ingest.config import FIREHOSE_BASE_DELAY_MS
from leanops.local import deployed

HOME_ENV = "LEANOPS_HOME"
DEFAULT_HOME = ".leanops"
PREFIX_ENV = "LEANOPS_PREFIX"
DEFAULT_PREFIX = "leanops-local"
REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
TOPICS_FILE = "topics.json"
LEDGER_FILE = "ledger.jsonl"
RUNS_FILE = "runs.jsonl"
CONTRACTS_PREFIX = "contracts/"
FIREHOSE_ERRORS_PREFIX = "firehose-errors/"
# Suffix of the temporary file an atomic rewrite writes before os.replace.
REWRITE_SUFFIX = ".rewrite"

# The defaults of Terraform's topics map (leanops.local.deployed, checked against the plan).
DEFAULT_BATCH_SIZE = deployed.ESM_BATCH_SIZE
DEFAULT_MAX_RECEIVE_COUNT = deployed.MAX_RECEIVE_COUNT
DEFAULT_VISIBILITY_TIMEOUT = deployed.QUEUE_VISIBILITY_TIMEOUT_SECONDS
SQS_MAX_RECEIVE_BATCH = 10

SQS_PROCESSOR = "sqs_processor"
DLQ_ARCHIVER = "dlq_archiver"
FIREHOSE_TRANSFORM = "firehose_transform"
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
LOCAL_FIREHOSE_BASE_DELAY_MS = "5"  # time is compressed locally: no real throttling to wait out


def home_dir(explicit: str | Path | None = None) -> Path:
    """Return LEANOPS_HOME: ``explicit``, else the env variable, else ``./.leanops``."""
    chosen = explicit or os.environ.get(HOME_ENV) or DEFAULT_HOME
    return Path(chosen).expanduser().resolve()


def repo_root() -> Path:
    """Return the repository root (the folder holding ``schemas/``): the runner runs from a checkout.

    Raises:
        ConfigurationError: when leanops is not imported from a source checkout.
    """
    schemas = definitions.source_schemas_dir()
    if schemas is None or not schemas.is_dir():
        raise ConfigurationError(
            "leanops", "the local runner needs a source checkout (src/leanops, schemas/)"
        )
    return schemas.parent


def repo_contract_files() -> dict[str, Path]:
    """Return topic -> contract file of the repo's own contracts (``schemas/topics/*.json``)."""
    folder = repo_root() / "schemas" / "topics"
    found = {}
    for path in sorted(folder.glob(f"*{contracts.CONTRACT_SUFFIX}")):
        topic = contracts.topic_of_contract_file(path.name)
        if topic:
            found[topic] = path
    return found


@dataclass(frozen=True)
class TopicSettings:
    """One entry of the topics map, as Terraform's ``topics`` variable declares it."""

    batch_size: int = DEFAULT_BATCH_SIZE
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    visibility_timeout: int = DEFAULT_VISIBILITY_TIMEOUT

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not isinstance(value, int) or value <= 0:
                raise ConfigurationError(f"topics.{name}", f"must be a positive whole number, got {value!r}")


@dataclass(frozen=True)
class ResourceNames:
    """Names of the AWS resources of one environment (prefix ``<project>-<env>``)."""

    prefix: str = DEFAULT_PREFIX

    def queue(self, topic: str) -> str:
        """Return the SQS queue name of a topic."""
        return naming.queue_name(self.prefix, topic)

    def dlq(self, topic: str) -> str:
        """Return the dead-letter queue name of a topic."""
        return naming.queue_name(self.prefix, topic, dlq=True)

    @property
    def schemas_bucket(self) -> str:
        """Bucket holding ``contracts/``."""
        return f"{self.prefix}-schemas"

    @property
    def data_bucket(self) -> str:
        """Bucket holding ``firehose-errors/`` (and the warehouse in AWS)."""
        return f"{self.prefix}-data"

    @property
    def checkpoint_table(self) -> str:
        """DynamoDB checkpoint table (topic HASH, layer RANGE)."""
        return f"{self.prefix}-checkpoints"

    @property
    def lock_table(self) -> str:
        """DynamoDB lock table (lock_id HASH)."""
        return f"{self.prefix}-locks"

    @property
    def state_machine(self) -> str:
        """The cycle's state machine (modules/orchestration: ``<prefix>-cycle``)."""
        return f"{self.prefix}-cycle"

    @property
    def alert_topic(self) -> str:
        """SNS topic of failure alerts."""
        return f"{self.prefix}-alerts"

    @property
    def firehose_stream(self) -> str:
        """Firehose delivery stream name."""
        return f"{self.prefix}-raw"

    @property
    def firehose_streams(self) -> tuple[str, ...]:
        """Every Firehose stream of the environment (the local endpoint serves these names)."""
        return (self.firehose_stream,)

    @property
    def contracts_uri(self) -> str:
        """S3 URI of the contracts prefix (``LEANOPS_CONTRACTS_URI``)."""
        return f"s3://{self.schemas_bucket}/{CONTRACTS_PREFIX}"

    @property
    def alert_topic_arn(self) -> str:
        """ARN of the alert topic."""
        return f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:{self.alert_topic}"

    def queue_arn(self, queue_name: str) -> str:
        """Return the ARN of a queue of this account and region."""
        return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue_name}"


class TopicRegistry:
    """The topics map of ``LEANOPS_HOME/topics.json`` (name -> TopicSettings)."""

    def __init__(self, home: Path) -> None:
        """Open the registry under ``home`` (the file is created on the first save)."""
        self.path = home / TOPICS_FILE

    def load(self) -> dict[str, TopicSettings]:
        """Return the declared topics.

        Raises:
            ConfigurationError: when the file is not a valid topics map.

        """
        if not self.path.is_file():
            return {}
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {
                definitions.validate_topic_name(name): TopicSettings(**spec) for name, spec in raw.items()
            }
        except (json.JSONDecodeError, TypeError, AttributeError) as exc:
            raise ConfigurationError(str(self.path), f"is not a topics map: {exc}") from exc

    def add(self, topic: str, settings: TopicSettings | None = None) -> TopicSettings:
        """Declare a topic (validated), keeping existing settings unless new ones are given."""
        definitions.validate_topic_name(topic)
        topics = self.load()
        chosen = settings or topics.get(topic) or TopicSettings()
        topics[topic] = replace(chosen)
        self._save(topics)
        return chosen

    def remove(self, topic: str) -> bool:
        """Forget a declared topic; return whether it was declared."""
        topics = self.load()
        if topics.pop(topic, None) is None:
            return False
        self._save(topics)
        return True

    def _save(self, topics: dict[str, TopicSettings]) -> None:
        """Write the map atomically (a crash leaves the old or the new file, never half of one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {name: asdict(spec) for name, spec in sorted(topics.items())}
        rewritten = self.path.with_name(self.path.name + REWRITE_SUFFIX)
        rewritten.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        os.replace(rewritten, self.path)


def lambda_environment(names: ResourceNames, function: str) -> dict[str, str]:
    """Return the environment of Lambda ``function``, as modules/compute sets it (locals.tf).

    The one place that builds it: sqs_processor and dlq_archiver get the stack's Firehose streams
    and name prefix (a queue's topic is derived from its name), every function its Powertools
    service name. Locally only, the Firehose retry's base delay is shortened (time is compressed:
    nothing to wait out).

    Args:
        names: the environment's resource names.
        function: the Lambda (``sqs_processor``, ``dlq_archiver``, ``firehose_transform``).

    """
    environment = {POWERTOOLS_SERVICE_NAME: function.replace("_", "-")}
    if function in (SQS_PROCESSOR, DLQ_ARCHIVER):
        environment[settings.FIREHOSE_STREAMS] = ",".join(names.firehose_streams)
        environment[settings.NAME_PREFIX] = names.prefix
        environment[FIREHOSE_BASE_DELAY_MS] = LOCAL_FIREHOSE_BASE_DELAY_MS
    return environment
