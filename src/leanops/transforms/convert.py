r"""Per-type checks and conversions of the curated layer: a field's text -> its typed value.

Built-in Spark functions only. Every value is checked before it is converted, so a value that
does not fit its type exactly is reported and never silently NULLed, rounded or truncated, and
the result does not depend on ``spark.sql.ansi.enabled`` or on the session time zone.

Conversion rules (a value arrives as the text standardized stored):
  * string: as is.
  * int / long: a number whose value is a whole number (``7``, ``-7``, ``+7``, ``7.0``, ``7e2``)
    within the type's range; a fraction (``1.5``) or an overflow is an error.
  * decimal(p,s): any number notation (exponents too) whose exact value has at most ``s``
    fractional digits and at most ``p - s`` integer digits (trailing zeros do not count).
  * double: a finite number; overflow (``1e400``) and underflow to zero (``1e-400``) are errors.
  * boolean: ``true`` or ``false``, lowercase as in JSON (``True``, ``1``, ``yes`` are errors).
  * date: ``yyyy-MM-dd`` naming a real calendar day (``2026-02-30`` is an error).
  * timestamp: ``yyyy-MM-ddTHH:mm[:ss[.f...]]`` (``T``, ``t`` or a space), then ``Z`` or an offset
    ``±HH``, ``±HHMM`` or ``±HH:MM``; none means UTC. The offset is applied explicitly; more than
    microsecond precision is an error unless the extra digits are zeros; so is an instant that
    the offset moves outside the years 1..9999 (UTC).
  * A required field that is absent or JSON null is an error; an optional one is NULL. A value
    that is a JSON object split into its keys, or a path that runs into an array or a scalar, is
    an error naming the field (leanops.transforms.field_paths), never NULL.

Exact means the whole text: every pattern is anchored with ``^`` and Java's ``\z`` (the end of
the input), never ``$``, which in Java also matches before a final line terminator (``\n``,
``\r\n``, ``\u0085``, ``\u2028``, ``\u2029``): ``"12\n"`` and ``"12.34\u2028"`` are not numbers
(Java SE ``java.util.regex.Pattern``, "Boundary matchers" and "Line terminators"). Each value is
checked by one regex pass: the shape check is a ``regexp_replace`` of the whole text into its
parts joined by ``/`` (a text of that shape holds no ``/``, so "changed" means "well formed"),
and the parts are then taken with ``split`` on a one-character literal (no regex).

Decimal and whole-number values are sized by counting the significant digits of their text
(never by a lossy cast) and cast only once they fit exactly; dates are built from their parts, so
an impossible day is a NULL that a rule reports, never a Spark error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from leanops.contracts import FieldSpec

_PREVIEW_LENGTH = 100
_END = r"\z"  # end of input; Java's $ also matches before a final line terminator
_PARTS = "/"  # joins the captured parts; no text of an accepted shape contains it
_NUMBER = rf"^[+-]?(?:([0-9]+)(?:\.([0-9]*))?|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?{_END}"
_NUMBER_PARTS = _PARTS.join(("$1", "$2$3", "$4"))
_ZERO = "0"
_MAX_EXPONENT_DIGITS = 9
_HUGE_EXPONENT = 10**9
_INTEGRAL_RANGES = {"int": (-(2**31), 2**31 - 1, 10), "long": (-(2**63), 2**63 - 1, 19)}
_BOOLEANS = ("true", "false")
_DATE = rf"^([0-9]{{4}})-([0-9]{{2}})-([0-9]{{2}}){_END}"
_DATE_FIELDS = ((1, 4), (6, 2), (9, 2))  # yyyy-MM-dd: (start, length) of year, month, day
_TIMESTAMP = (
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?"
    rf"(?:[Zz]|([+-])([0-9]{{2}})(?::?([0-9]{{2}}))?)?{_END}"
)
_TIMESTAMP_PARTS = _PARTS.join(f"${group}" for group in range(1, 11))
_YEAR, _MONTH, _DAY, _HOUR, _MINUTE, _SECOND, _FRACTION, _SIGN, _OFFSET_H, _OFFSET_M = range(10)
_MICROS_DIGITS = 6
_MICROS_PER_SECOND = 1_000_000
_SECONDS_PER_DAY = 86_400
_MAX_OFFSET_HOURS = 18
_FIRST_YEAR = 1  # year 0000 exists in neither Python nor Athena
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIRST_SECOND = int((datetime(_FIRST_YEAR, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
_LAST_SECOND = int((datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - _EPOCH).total_seconds())
_LAST = {"month": 12, "hour": 23, "minute": 59, "second": 59}


@dataclass(frozen=True)
class Rule:
    """One check of one field: when ``failed`` is true (NULL counts as false), ``reason`` says why."""

    failed: Column
    reason: Column


@dataclass(frozen=True)
class Conversion:
    """A field's converted value (meaningful only when no rule failed) and its rules."""

    value: Column
    rules: tuple[Rule, ...]


def field_label(spec: FieldSpec) -> str:
    """Name a field in a reason: ``field 'x'``, with its path when that is not the name."""
    dotted = spec.dotted_path
    return f"field '{spec.name}'" if dotted == spec.name else f"field '{spec.name}' (path '{dotted}')"


def _preview(text: Column) -> Column:
    cut = F.concat(F.substring(text, 1, _PREVIEW_LENGTH), F.lit("..."))
    return F.when(F.length(text) > _PREVIEW_LENGTH, cut).otherwise(text)


def _value_rule(spec: FieldSpec, text: Column, failed: Column, problem: str) -> Rule:
    """Build a rule on a present value; its reason names the field, the value and the rule broken."""
    reason = F.concat(F.lit(f"{field_label(spec)}: value '"), _preview(text), F.lit(f"' {problem}"))
    return Rule(text.isNotNull() & failed, reason)


@dataclass(frozen=True)
class _Shape:
    """One regex pass over a value: whether it has the shape, and its captured parts."""

    matches: Column
    parts: Column

    def part(self, index: int) -> Column:
        """Return a captured part: "" when its group did not take part, NULL when no match."""
        return self.parts.getItem(index)

    def number(self, index: int) -> Column:
        """Return a captured part as a whole number; NULL when empty (no cast error)."""
        part = self.part(index)
        return F.when(part != "", part.cast(T.LongType()))


def _shape(text: Column, pattern: str, parts: str) -> _Shape:
    """Match the whole text once; its parts come out joined by ``/`` and are split without a regex."""
    rewritten = F.regexp_replace(text, pattern, parts)
    matches = rewritten != text
    # parts only of a match: no cast or index of an unexpected text (ANSI mode would raise)
    return _Shape(matches=matches, parts=F.when(matches, F.split(rewritten, _PARTS)))


@dataclass(frozen=True)
class _Digits:
    """The exact shape of a number's text: significant integer and fractional digit counts."""

    well_formed: Column
    is_zero: Column
    integer_digits: Column
    fraction_digits: Column


def _trim_zeros(side: str, text: Column) -> Column:
    """Strip leading (``ltrim``) or trailing (``rtrim``) zeros: ``TRIM(LEADING '0' FROM text)``.

    Spark SQL's two-argument form (trimStr first) works on the UTF-8 bytes, with no regex.
    """
    return F.call_function(side, F.lit(_ZERO), text)


def _digits(text: Column) -> _Digits:
    """Count a number's significant digits from its text, whatever its notation (no rounding)."""
    shape = _shape(text, _NUMBER, _NUMBER_PARTS)
    whole, fraction, exponent_text = shape.part(0), shape.part(1), shape.part(2)
    exponent_fits = F.length(F.regexp_replace(exponent_text, "^[+-]?0*", "")) <= _MAX_EXPONENT_DIGITS
    huge = F.when(exponent_text.startswith("-"), -_HUGE_EXPONENT).otherwise(_HUGE_EXPONENT)
    exponent = (
        F.when(exponent_text == "", 0).when(exponent_fits, exponent_text.cast(T.LongType())).otherwise(huge)
    )
    digits = F.concat(whole, fraction)  # only ASCII digits: trimming zeros needs no regex
    unpadded = _trim_zeros("ltrim", digits)
    significant = F.length(_trim_zeros("rtrim", unpadded))
    point = F.length(whole) + exponent - (F.length(digits) - F.length(unpadded))
    is_zero = significant == 0
    return _Digits(
        well_formed=shape.matches,
        is_zero=is_zero,
        integer_digits=F.when(is_zero, 0).otherwise(F.greatest(point, F.lit(0))),
        fraction_digits=F.when(is_zero, 0).otherwise(F.greatest(significant - point, F.lit(0))),
    )


def _exact_decimal(text: Column, digits: _Digits, precision: int, scale: int) -> Column:
    """Cast text already checked to fit decimal(precision, scale) exactly (zero needs no cast)."""
    decimal_type = T.DecimalType(precision, scale)
    return F.when(digits.is_zero, F.lit(0).cast(decimal_type)).otherwise(text.cast(decimal_type))


def _convert_decimal(spec: FieldSpec, text: Column) -> Conversion:
    precision, scale = int(spec.precision or 0), int(spec.scale or 0)
    digits = _digits(text)
    rules = (
        _value_rule(spec, text, ~digits.well_formed, f"is not a number ({spec.spark_type})"),
        _value_rule(
            spec,
            text,
            digits.well_formed & (digits.fraction_digits > scale),
            f"has more than {scale} fractional digits ({spec.spark_type}); values are never rounded",
        ),
        _value_rule(
            spec,
            text,
            digits.well_formed & (digits.integer_digits > precision - scale),
            f"has more than {precision - scale} integer digits ({spec.spark_type})",
        ),
    )
    fits = digits.well_formed & (digits.integer_digits <= precision - scale)
    return Conversion(F.when(fits, _exact_decimal(text, digits, precision, scale)), rules)


def _convert_integral(spec: FieldSpec, text: Column) -> Conversion:
    lowest, highest, max_digits = _INTEGRAL_RANGES[spec.type]
    digits = _digits(text)
    whole = digits.well_formed & (digits.fraction_digits == 0)
    fits = whole & (digits.integer_digits <= max_digits)
    exact = F.when(fits, _exact_decimal(text, digits, max_digits, 0))
    in_range = exact.between(
        F.lit(lowest).cast(T.DecimalType(max_digits, 0)), F.lit(highest).cast(T.DecimalType(max_digits, 0))
    )
    rules = (
        _value_rule(spec, text, ~digits.well_formed, f"is not a number ({spec.type})"),
        _value_rule(spec, text, digits.well_formed & ~whole, f"is not a whole number ({spec.type})"),
        _value_rule(
            spec,
            text,
            whole & ~F.coalesce(in_range, F.lit(False)),
            f"is out of the {spec.type} range {lowest}..{highest}",
        ),
    )
    return Conversion(exact, rules)


def _convert_double(spec: FieldSpec, text: Column) -> Conversion:
    digits = _digits(text)
    number = F.when(digits.well_formed, text.cast(T.DoubleType()))
    infinite = F.abs(number) == F.lit(float("inf"))
    rules = (
        _value_rule(spec, text, ~digits.well_formed, "is not a number (double)"),
        _value_rule(spec, text, infinite, "is out of the double range (overflow)"),
        _value_rule(spec, text, (number == 0) & ~digits.is_zero, "underflows to 0 as a double"),
    )
    return Conversion(number, rules)


def _convert_boolean(spec: FieldSpec, text: Column) -> Conversion:
    rules = (_value_rule(spec, text, ~text.isin(*_BOOLEANS), "is not a boolean (true or false, lowercase)"),)
    return Conversion(text == _BOOLEANS[0], rules)


def _calendar_date(year: Column, month: Column, day: Column) -> Column:
    """Return the date of year-month-day, or NULL when it does not exist (2026-02-30), never an error."""
    possible = (year >= _FIRST_YEAR) & (month >= 1) & (month <= _LAST["month"]) & (day >= 1)
    first = F.when(possible, F.make_date(year, month, F.lit(1)))
    date = F.date_add(first, (day - 1).cast(T.IntegerType()))
    return F.when(F.month(date) == month, date)


def _convert_date(spec: FieldSpec, text: Column) -> Conversion:
    shaped = text.rlike(_DATE)  # fixed width: the one regex pass, then the parts by position
    parts = (F.substring(text, start, length) for start, length in _DATE_FIELDS)
    date = F.when(shaped, _calendar_date(*(part.cast(T.LongType()) for part in parts)))
    rules = (
        _value_rule(spec, text, ~shaped, "is not an ISO date (yyyy-MM-dd)"),
        _value_rule(spec, text, shaped & date.isNull(), "is not a calendar date"),
    )
    return Conversion(date, rules)


def _convert_timestamp(spec: FieldSpec, text: Column) -> Conversion:
    shape = _shape(text, _TIMESTAMP, _TIMESTAMP_PARTS)
    shaped = shape.matches
    year, month, day, hour, minute = (shape.number(index) for index in (_YEAR, _MONTH, _DAY, _HOUR, _MINUTE))
    second = F.coalesce(shape.number(_SECOND), F.lit(0))
    fraction = shape.part(_FRACTION)
    offset_hours = F.coalesce(shape.number(_OFFSET_H), F.lit(0))
    offset_minutes = F.coalesce(shape.number(_OFFSET_M), F.lit(0))
    offset_sign = F.when(shape.part(_SIGN) == "-", -1).otherwise(1)
    date = _calendar_date(year, month, day)
    clock = (hour <= _LAST["hour"]) & (minute <= _LAST["minute"]) & (second <= _LAST["second"])
    offset_fits = (offset_minutes <= _LAST["minute"]) & (
        offset_hours * 60 + offset_minutes <= _MAX_OFFSET_HOURS * 60
    )
    beyond_micros = fraction.substr(F.lit(_MICROS_DIGITS + 1), F.length(fraction))
    micros_only = F.translate(beyond_micros, "0", "") == ""
    micros = F.rpad(F.substring(fraction, 1, _MICROS_DIGITS), _MICROS_DIGITS, "0").cast(T.LongType())
    local_seconds = (
        F.unix_date(date).cast(T.LongType()) * _SECONDS_PER_DAY + (hour * 60 + minute) * 60 + second
    )
    utc_seconds = local_seconds - offset_sign * (offset_hours * 60 + offset_minutes) * 60
    rules = (
        _value_rule(
            spec, text, ~shaped, "is not an ISO-8601 timestamp (yyyy-MM-ddTHH:mm[:ss[.ffffff]][Z|+HH:MM])"
        ),
        _value_rule(spec, text, shaped & (date.isNull() | ~clock), "is not a valid date and time"),
        _value_rule(spec, text, shaped & ~offset_fits, f"has an offset beyond +-{_MAX_OFFSET_HOURS}:00"),
        _value_rule(
            spec,
            text,
            shaped & ~micros_only,
            "has more than microsecond precision; values are never truncated",
        ),
        _value_rule(
            spec,
            text,
            shaped & ~utc_seconds.between(_FIRST_SECOND, _LAST_SECOND),
            "is outside the years 1..9999 once its offset is applied (UTC)",
        ),
    )
    value = F.timestamp_micros(utc_seconds * _MICROS_PER_SECOND + micros)
    return Conversion(F.when(shaped, value), rules)


def _convert_string(spec: FieldSpec, text: Column) -> Conversion:
    return Conversion(text, ())


_CONVERTERS = {
    "string": _convert_string,
    "int": _convert_integral,
    "long": _convert_integral,
    "decimal": _convert_decimal,
    "double": _convert_double,
    "boolean": _convert_boolean,
    "date": _convert_date,
    "timestamp": _convert_timestamp,
}


def convert_field(spec: FieldSpec, text: Column, unreadable: Column | None = None) -> Conversion:
    """Convert one field's text and add the required-field and readable-path rules.

    Args:
        spec: the contract field.
        text: the field's text as standardized stored it (NULL when absent or JSON null).
        unreadable: NULL, or why the row's value at the field's path cannot be read (an object
            split into its keys, a path running into an array or a scalar; leanops.transforms.
            field_paths); None when the path cannot be unreadable.

    Returns:
        The converted value (meaningful only when no rule failed) and every rule of the field:
        the readable-path rule, the required-field rule (required fields only; not when the
        path is unreadable), then the rules of its type.
    """
    conversion = _CONVERTERS[spec.type](spec, text)
    rules: tuple[Rule, ...] = ()
    absent = text.isNull()
    if unreadable is not None:
        rules = (Rule(unreadable.isNotNull(), F.concat(F.lit(f"{field_label(spec)}: "), unreadable)),)
        absent = absent & unreadable.isNull()
    if spec.required:
        missing = F.lit(f"required field '{spec.name}' is missing or null (path '{spec.dotted_path}')")
        rules = (*rules, Rule(absent, missing))
    return Conversion(conversion.value, (*rules, *conversion.rules))
