"""Contract evolution: every change between the contract in force and a new one, classified. Pure.

Compatible (applied on upload): a new optional field; a type widened without loss (int -> long,
int or long -> double, decimal(p,s) -> decimal(p',s) with p' > p); required -> optional; a new or
changed description or owner. Breaking (refused unless the upload asks for a rebuild): a field
removed; a new required field (earlier records lack it); any other type change; optional ->
required; a changed ``key``, ``order_by`` or field ``path``; a field's ``pii`` rule added,
changed or removed (curated holds the old form of every row: a rebuild masks the rows stored in
clear, or restores the clear values from standardized; without one the table would mix both).

Why these: a compatible change keeps every curated row valid as it is (a widened column holds
every old value exactly, an optional column may be NULL for old rows); a breaking one changes what
an existing row means or whether it is valid, so the curated table must be recomputed from
standardized.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from leanops.contracts import Contract, FieldSpec

COMPATIBLE = "compatible"
BREAKING = "breaking"
# Widenings that hold every value of the old type exactly (Iceberg's allowed type promotions:
# int -> long, float -> double, decimal(P,S) -> decimal(P',S) with P' > P), plus whole numbers
# to double, which Spark and Athena read back exactly up to 2^53 (contract ints are 32-bit; longs
# beyond 2^53 would round: long -> double is therefore not in this list).
_WIDENINGS = frozenset({("int", "long"), ("int", "double")})


@dataclass(frozen=True)
class Change:
    """One difference between two contracts."""

    kind: str
    subject: str
    detail: str

    def __str__(self) -> str:
        """Return ``subject: detail`` (``kind`` says compatible or breaking)."""
        return f"{self.subject}: {self.detail}"


@dataclass(frozen=True)
class Evolution:
    """The changes from one contract to the next."""

    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def breaking(self) -> tuple[Change, ...]:
        """The breaking changes."""
        return tuple(change for change in self.changes if change.kind == BREAKING)

    @property
    def compatible(self) -> tuple[Change, ...]:
        """The compatible changes."""
        return tuple(change for change in self.changes if change.kind == COMPATIBLE)

    @property
    def is_breaking(self) -> bool:
        """True when at least one change is breaking."""
        return bool(self.breaking)


def _type_text(spec: FieldSpec) -> str:
    return f"decimal({spec.precision},{spec.scale})" if spec.type == "decimal" else spec.type


def _type_change(old: FieldSpec, new: FieldSpec) -> Change | None:
    before, after = _type_text(old), _type_text(new)
    if before == after:
        return None
    subject = f"field {new.name}"
    if (old.type, new.type) in _WIDENINGS:
        return Change(COMPATIBLE, subject, f"type widened {before} -> {after}")
    if (
        old.type == new.type == "decimal"
        and new.scale == old.scale
        and (new.precision or 0) > (old.precision or 0)
    ):
        return Change(COMPATIBLE, subject, f"precision widened {before} -> {after} (same scale)")
    return Change(BREAKING, subject, f"type changed {before} -> {after} (not a lossless widening)")


def _field_changes(old: FieldSpec, new: FieldSpec) -> list[Change]:
    subject = f"field {new.name}"
    changes = [change for change in (_type_change(old, new),) if change is not None]
    if old.required and not new.required:
        changes.append(Change(COMPATIBLE, subject, "required -> optional"))
    elif new.required and not old.required:
        changes.append(Change(BREAKING, subject, "optional -> required (earlier records may lack it)"))
    if old.path != new.path:
        changes.append(
            Change(BREAKING, subject, f"path changed {'.'.join(old.path)} -> {'.'.join(new.path)}")
        )
    if old.pii != new.pii:
        changes.append(Change(BREAKING, subject, _pii_detail(old.pii, new.pii)))
    return changes


def _pii_detail(before: str | None, after: str | None) -> str:
    """Say a ``pii`` change and why it needs a rebuild."""
    if after is None:
        why = "the rows curated holds stay masked until a rebuild restores their values"
    elif before is None:
        why = "the rows curated holds stay in clear until a rebuild masks them"
    else:
        why = "the rows curated holds keep the old masking until a rebuild"
    return f"pii changed {before or 'none'} -> {after or 'none'} ({why})"


def classify(old: Contract, new: Contract) -> Evolution:
    """Return every change from ``old`` (in force) to ``new``, each compatible or breaking."""
    changes: list[Change] = []
    if old.key != new.key:
        changes.append(Change(BREAKING, "key", f"changed {list(old.key)} -> {list(new.key)}"))
    if old.order_by != new.order_by:
        changes.append(Change(BREAKING, "order_by", f"changed {old.order_by} -> {new.order_by}"))
    before = {spec.name: spec for spec in old.fields}
    after = {spec.name: spec for spec in new.fields}
    for name in before.keys() - after.keys():
        changes.append(Change(BREAKING, f"field {name}", "removed"))
    for name in after.keys() - before.keys():
        spec = after[name]
        if spec.required:
            changes.append(Change(BREAKING, f"field {name}", "added as required (earlier records lack it)"))
        else:
            masked = f", pii {spec.pii}" if spec.pii else ""
            changes.append(
                Change(COMPATIBLE, f"field {name}", f"added ({_type_text(spec)}, optional{masked})")
            )
    for name in sorted(before.keys() & after.keys()):
        changes.extend(_field_changes(before[name], after[name]))
    return Evolution(tuple(sorted(changes, key=lambda change: (change.kind != BREAKING, change.subject))))
