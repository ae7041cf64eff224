"""How values are represented while a criterion is evaluated in Python.

Numbers are fixed-point decimals with 9 places, held as ``int`` counts of
10⁻⁹ ("units"); Polars holds the same numbers as ``Decimal(38, 9)``. Both
round half to even at the 9th place, which is what Polars does when it casts
a float or a wider decimal and when it multiplies or divides decimals, so the
two engines agree to the last unit. Magnitudes of 10¹⁸ and more are missing.

Dates are ``int`` days since 1970-01-01; datetimes are ``int`` microseconds
since 1970-01-01T00:00Z, a naive datetime being read as UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any, cast

from corridor.rules._types import FieldType

SCALE = 9
UNIT: int = 10**SCALE
LIMIT = 10**18  # numbers must be strictly smaller in magnitude
LIMIT_UNITS: int = LIMIT * UNIT
FLOAT_LIMIT = 1e18  # == LIMIT, exactly representable
DAY_US = 86_400_000_000
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1)  # naive on purpose: offsets are subtracted by hand
# Enough digits for any in-range value at scale 9; no traps, so no exceptions.
DECIMAL_CONTEXT = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[])


# Decimal -> units, remembered: facts repeat (prices, masses) and converting costs
# about 0.4 µs against 0.07 µs for a look-up. Equal decimals have equal units, so
# keying by value is sound.
_DECIMAL_UNITS: dict[Decimal, int | None] = {}
_DECIMAL_UNITS_LIMIT = 65_536


def number_units(value: object) -> int | None:
    """A fact value as units, or None when missing, out of range or not a number."""
    kind = type(value)
    if kind is Decimal:  # the facts' own type, first
        return _remembered_units(cast(Decimal, value))
    if kind is int:
        number = cast(int, value)
        return number * UNIT if -LIMIT < number < LIMIT else None
    if kind is float:
        # NaN fails both comparisons; x * 1e9 rounded half-even is Polars' cast.
        real = cast(float, value)
        return round(real * 1e9) if -FLOAT_LIMIT < real < FLOAT_LIMIT else None
    return _number_units_slow(value)


def _remembered_units(value: Decimal) -> int | None:
    try:
        known = _DECIMAL_UNITS.get(value, False)
    except TypeError:  # a signalling NaN cannot be hashed
        return None
    if known is not False:
        return known
    units = _decimal_fact_units(value)
    if len(_DECIMAL_UNITS) >= _DECIMAL_UNITS_LIMIT:
        _DECIMAL_UNITS.clear()
    _DECIMAL_UNITS[value] = units
    return units


def _number_units_slow(value: object) -> int | None:
    """Subclasses of the number types (bool is not a number here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return _remembered_units(value)
    if isinstance(value, int):
        return number_units(int(value))
    if isinstance(value, float):
        return number_units(float(value))
    return None


def _decimal_fact_units(value: Decimal) -> int | None:
    if not value.is_finite() or not -LIMIT < value < LIMIT:
        return None
    # Exactly what quantizing to 9 places half to even gives, at a third of the cost.
    numerator, denominator = value.as_integer_ratio()
    return _div_half_even(numerator * UNIT, denominator)


def decimal_units(value: Decimal) -> int | None:
    """A literal as units, or None when it is out of range or has more than 9 places."""
    if not value.is_finite() or not -LIMIT < value < LIMIT:
        return None
    scaled = value.scaleb(SCALE, context=DECIMAL_CONTEXT)
    if scaled != scaled.to_integral_value(context=DECIMAL_CONTEXT):
        return None
    return int(scaled)


def units_decimal(units: int) -> Decimal:
    """Units back to a Decimal with exactly 9 places."""
    return Decimal(units).scaleb(-SCALE, context=DECIMAL_CONTEXT)


def in_range(units: int) -> int | None:
    """An arithmetic result, or None when its magnitude reaches 10¹⁸."""
    return units if -LIMIT_UNITS < units < LIMIT_UNITS else None


def _div_half_even(numerator: int, denominator: int) -> int:
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def multiply(a: int, b: int) -> int | None:
    """Product of two numbers in units, rounded half to even at 9 places."""
    return in_range(_div_half_even(a * b, UNIT))


def divide(a: int, b: int) -> int | None:
    """Quotient in units, rounded half to even; None when dividing by zero."""
    if b == 0:
        return None
    return in_range(_div_half_even(a * UNIT, b))


def round_half_away(units: int, ndigits: int) -> int | None:
    """``round(x, ndigits)``: half away from zero, as commercial rounding does."""
    step = 10 ** (SCALE - ndigits)
    quotient, remainder = divmod(abs(units), step)
    if 2 * remainder >= step:
        quotient += 1
    return in_range(quotient * step if units >= 0 else -quotient * step)


def date_days(value: object) -> int | None:
    """A DATE fact as days; a datetime gives its UTC date, anything else is missing."""
    if isinstance(value, datetime):
        return _aware_us(value) // DAY_US
    if isinstance(value, date):
        return value.toordinal() - EPOCH_ORDINAL
    return None


def datetime_us(value: object) -> int | None:
    """A DATETIME fact as microseconds; a date means its midnight UTC."""
    if isinstance(value, datetime):
        return _aware_us(value)
    if isinstance(value, date):
        return (value.toordinal() - EPOCH_ORDINAL) * DAY_US
    return None


def _aware_us(value: datetime) -> int:
    offset = value.utcoffset()
    delta = value.replace(tzinfo=None) - _EPOCH
    if offset is not None:
        delta -= offset
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def days_between(a: int, b: int, a_is_datetime: bool, b_is_datetime: bool) -> int:
    """Whole days from ``a`` to ``b`` (truncated toward zero for datetimes)."""
    if not (a_is_datetime or b_is_datetime):
        return b - a
    a_us = a if a_is_datetime else a * DAY_US
    b_us = b if b_is_datetime else b * DAY_US
    diff = b_us - a_us
    return diff // DAY_US if diff >= 0 else -(-diff // DAY_US)


def format_value(kind: FieldType, value: Any) -> str:
    """A (present) value in the closure's representation, as an analyst would write it."""
    if kind is FieldType.NUMBER:
        number = units_decimal(value).normalize(DECIMAL_CONTEXT)
        return format(number, "f")
    if kind is FieldType.BOOLEAN:
        return "true" if value else "false"
    if kind is FieldType.DATE:
        return _format_days(value)
    if kind is FieldType.DATETIME:
        return _format_us(value)
    if kind is FieldType.STRING_LIST:
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value) or '""'  # an empty string is shown, not left out


def _format_days(days: int) -> str:
    try:
        return date.fromordinal(days + EPOCH_ORDINAL).isoformat()
    except (ValueError, OverflowError):
        return f"day {days} after 1970-01-01"


def _format_us(us: int) -> str:
    try:
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)
    except OverflowError:
        return f"{us} µs after 1970-01-01T00:00:00+00:00"
    return moment.isoformat()
