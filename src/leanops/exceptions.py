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
