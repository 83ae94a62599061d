"""Every exception Lean-Ops raises on purpose; each names what was wrong and where."""

from __future__ import annotations


class LeanOpsError(Exception):
    """Base class of Lean-Ops' own errors."""


class DefinitionError(LeanOpsError):
    """A file of schemas/ (tables.json, events.json) is missing or malformed."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class ContractError(LeanOpsError):
    """A topic contract ({topic}.json) is malformed; its topic is skipped, not the run."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"contract {source}: {problem}")
        self.source = source
        self.problem = problem


class TopicNameError(LeanOpsError):
    """A topic name that Glue, Athena or SQS would refuse, or that collides with a shared table."""

    def __init__(self, topic: str, problem: str) -> None:
        super().__init__(f"topic {topic!r}: {problem}")
        self.topic = topic
        self.problem = problem


class ConfigurationError(LeanOpsError):
    """A required setting (environment variable or job argument) is missing or invalid."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"setting {key}: {problem}")
        self.key = key
        self.problem = problem


class CheckpointConflictError(LeanOpsError):
    """A checkpoint moved under us: another run advanced it (conditional write failed)."""

    def __init__(self, topic: str, layer: str, expected: str | None) -> None:
        super().__init__(f"checkpoint {layer}/{topic}: expected {expected!r}, found another value")
        self.topic = topic
        self.layer = layer
        self.expected = expected


class LockHeldError(LeanOpsError):
    """Another cycle holds the processing lock of a topic (and it has not expired)."""

    def __init__(self, topic: str, owner: str, expires_at: float) -> None:
        super().__init__(f"topic {topic!r} is locked by run {owner} until {expires_at:.0f} (epoch s)")
        self.topic = topic
        self.owner = owner
        self.expires_at = expires_at


class InjectedFaultError(LeanOpsError):
    """A fault injected on purpose by the local runner (--fault NAME=RATE)."""

    def __init__(self, fault: str, where: str) -> None:
        super().__init__(f"injected fault {fault} at {where}")
        self.fault = fault
        self.where = where


class SchemaConflictError(LeanOpsError):
    """A table column exists with a type the new definition cannot evolve to safely."""

    def __init__(self, table: str, column: str, existing: str, wanted: str) -> None:
        super().__init__(
            f"table {table}: column {column!r} is {existing} but the definition wants {wanted}; "
            "this is not a safe widening: migrate the table or rename the field"
        )
        self.table = table
        self.column = column
        self.existing = existing
        self.wanted = wanted


class TopicFailuresError(LeanOpsError):
    """One or more topics of a job run failed; the others ran and committed."""

    def __init__(
        self, layer: str, run_id: str, failures: dict[str, str], report: object | None = None
    ) -> None:
        listed = "; ".join(f"{topic}: {message}" for topic, message in failures.items())
        super().__init__(f"{layer} run {run_id}: {len(failures)} topic(s) failed: {listed}")
        self.layer = layer
        self.run_id = run_id
        self.failures = failures
        self.report = report


class BatchFailedError(LeanOpsError):
    """Every record of a Lambda batch failed: the invocation fails so SQS retries the whole batch."""

    def __init__(self, source: str, count: int, reasons: list[str]) -> None:
        shown = "; ".join(reasons[:3])
        super().__init__(f"all {count} record(s) of the batch from {source} failed: {shown}")
        self.source = source
        self.count = count
        self.reasons = reasons


class RecordRejectedError(LeanOpsError):
    """One record of a Lambda event cannot be processed (not retried: the record itself is wrong)."""

    def __init__(self, record_id: str, problem: str) -> None:
        super().__init__(f"record {record_id}: {problem}")
        self.record_id = record_id
        self.problem = problem


class ReplayRowError(LeanOpsError):
    """A dlq_errors row cannot be replayed (no payload, truncated payload, too large for SQS...)."""

    def __init__(self, message_id: str, problem: str) -> None:
        super().__init__(f"dlq_errors row of message {message_id}: cannot replay: {problem}")
        self.message_id = message_id
        self.problem = problem


class BodyParseError(LeanOpsError):
    """A message body is not a JSON object the pipeline can flatten; it becomes a parse_errors row."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UsageError(LeanOpsError):
    """A command-line mistake (unknown topic, refused upload, ...): what was wrong and what to do."""

    def __init__(self, command: str, problem: str) -> None:
        super().__init__(f"{command}: {problem}")
        self.command = command
        self.problem = problem


class QueryError(LeanOpsError):
    """A ``query`` the local engine cannot answer: a syntax error, an unknown table, an unsupported construct.

    ``kind`` is one of ``syntax``, ``unknown_table``, ``unsupported``, ``engine``; the message is
    one line saying what is wrong (for an unknown table, which tables exist).
    """

    def __init__(self, kind: str, problem: str, sql: str = "") -> None:
        super().__init__(f"query: {problem}")
        self.kind = kind
        self.problem = problem
        self.sql = sql


class WorkerError(LeanOpsError):
    """A worker process of the local emulation (a Lambda, Glue, moto) died or answered nothing."""

    def __init__(self, worker: str, reason: str) -> None:
        """Name the worker and what happened."""
        super().__init__(f"worker {worker}: {reason}")
        self.worker = worker
        self.reason = reason
