"""Where a contract field's value is in a standardized row: its path's column, or why it is unreadable.

A contract ``path`` is the original key path (leanops.contracts); the topic's recorded mapping
(leanops.adapters.column_mapping) gives the column of every key path the topic has shown. For
one field at path P, in one row:

* P's column holds the value (a leaf: a scalar, an array or an object kept whole as JSON text,
  or ``{}``); a ``string`` field takes arrays and kept objects as their compact JSON text;
* else, when a column of a path below P holds a value, P was an object split into its keys: an
  error naming the field ("is a JSON object"), for every type;
* else, when a column of a path above P holds a value, that value is a leaf (an array, a
  scalar, or an object beyond the flattening depth) and P runs into it: an error naming the
  field and the leaf's path (array elements are not addressable);
* else the value is absent (NULL; an error when the field is required).

A path the mapping does not hold has no column, whatever its readable name: a field named like
a column of another path (``customer__id``) never reads that path's values.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from pyspark.sql import Column
from pyspark.sql import functions as F

from leanops import naming
from leanops.contracts import FieldSpec


@dataclass(frozen=True)
class FieldSource:
    """The columns that tell a field's value in a row.

    Attributes:
        column: the column of the field's path (None: the topic never showed the path).
        below: (path, column) of the paths inside the field's path (it was an object).
        above: (path, column) of the paths the field's path runs through (leaves there block it).
    """

    column: str | None
    below: tuple[tuple[naming.KeyPath, str], ...] = ()
    above: tuple[tuple[naming.KeyPath, str], ...] = ()

    def text(self) -> Column:
        """Return the field's text (NULL when absent)."""
        return F.col(self.column) if self.column is not None else F.lit(None)

    def unreadable(self) -> Column | None:
        """Return NULL, or why the row's value cannot be read; None when no row can be unreadable."""
        if not self.below and not self.above:
            return None
        reasons = [
            F.when(
                F.col(column).isNotNull(),
                F.lit(
                    f"path runs into the value at '{naming.dotted_path(path)}', which is not an object "
                    "(an array, a scalar or an object beyond the flattening depth, kept whole: "
                    "read that path as a string field)"
                ),
            )
            for path, column in self.above
        ]
        if self.below:
            inside = F.coalesce(*(F.col(column) for _, column in self.below)).isNotNull()
            reasons.append(
                F.when(
                    inside,
                    F.lit("the value is a JSON object, split into its keys' columns: name one of its leaves"),
                )
            )
        return F.coalesce(*reasons)


def field_source(
    spec: FieldSpec, mapping: Mapping[naming.KeyPath, str] | None, present: Set[str]
) -> FieldSource:
    """Find the columns of a field's path, and those above and below it, that the batch has.

    Args:
        spec: the contract field.
        mapping: the topic's key path -> column; None: every path has its readable candidate
            column (``spec.source_column``) and nothing else is known.
        present: the columns of the standardized batch.
    """
    if mapping is None:
        return FieldSource(spec.source_column if spec.source_column in present else None)
    depth = len(spec.path)
    below = tuple(
        (path, column)
        for path, column in sorted(mapping.items())
        if len(path) > depth and path[:depth] == spec.path and column in present
    )
    above = tuple(
        (spec.path[:length], mapping[spec.path[:length]])
        for length in range(1, depth)
        if mapping.get(spec.path[:length]) in present
    )
    column = mapping.get(spec.path)
    return FieldSource(column if column in present else None, below, above)
