"""The criteria language: which declarations a risk profile selects.

A pure library (standard library, Lark, Polars). The caller declares the facts
of a row (a goods item joined with its header) and their types; the library
knows nothing about customs.

Example::

    hs_code startswith ["8703", "8711"] and origin in ["CN", "AE"] and value_ratio < 0.6
    in_list("TRACTORS") and value_per_unit < 3000
    days_between(importer_first_seen, registered_at) < 90 and transport_mode = 30
    value_per_kg not between ref_min and ref_max

Use::

    expr = parse(text)                          # RuleSyntaxError / RuleLimitError
    criterion = check(expr, schema, lists)      # RuleTypeError; .fields, .lists
    matches = compile_predicate(expr, schema, lists)       # one row: matches(facts) -> bool
    frame.filter(compile_polars(expr, schema, lists))      # many rows at once
    explain(expr, facts, schema=schema, lists=lists).text  # "origin CN is in [CN, AE]; …"
    why = explainer(expr, schema=schema, lists=lists)      # checked once: why(facts).reasons

Syntax
------
From loosest to tightest: ``or``; ``and``; ``not``; one predicate (``= != <
<= > >=``, ``in [..]``, ``not in [..]``, ``startswith [..]`` or
``startswith "87"``, ``between a and b``, ``not between a and b``,
``contains``, ``is missing``, ``is present``, ``is not missing``, ``is not
present``); ``+ -``; ``* /``; unary ``-``; then values: fields, literals,
function calls and parentheses. Comparisons do not chain (``a < b < c`` is a
syntax error). Keywords, ``true``/``false`` and function names are
case-insensitive; field names are case-sensitive. A field whose name is not
an identifier or is a keyword is written in backticks: ```payment type```.

Literals: numbers ``3000``, ``0.6`` (no exponent, at most 9 decimal places,
less than 10¹⁸); strings in double quotes with JSON escapes; ``true``,
``false``; ``date("2026-01-31")``; ``datetime("2026-01-31T10:00:00+06:00")``
(without an offset it means UTC). List literals hold only strings or only
numbers (``[-1, 2.5]``), at most 5,000 items.

Functions: ``abs(x)``, ``min(a, b, ...)``, ``max(a, b, ...)``, ``round(x)``
and ``round(x, n)`` (``n`` a literal 0-9; half away from zero), ``len(s)`` (a
string's characters or a list's items), ``lower(s)``, ``upper(s)``,
``days_between(a, b)`` (whole days from ``a`` to ``b``, dates or datetimes;
truncated toward zero; a date counts as its midnight UTC when mixed with a
datetime), ``in_list("NAME")`` and ``in_list("NAME", x)``.

Types
-----
Each fact has a :class:`FieldType`: ``STRING``, ``NUMBER``, ``BOOLEAN``,
``DATE``, ``DATETIME`` or ``STRING_LIST``. ``=``/``!=`` need two values of the
same type (not lists); ordering and ``between`` need strings, numbers, dates
or datetimes of one type; a date and a datetime never compare (use
``days_between``). ``contains`` tests an element of a list of strings or a
substring of a string. ``check`` rejects a criterion that is not a condition.

Meaning (the same in both compilers)
------------------------------------
- Missing: a fact that is absent, ``None``/null, of the wrong Python type
  (e.g. a string for a number, a bool for a number), a NaN/infinite number or
  a number of magnitude 10¹⁸ or more is *missing*. ``is missing`` / ``is
  present`` test it; an empty string or list is present.
- Every comparison and predicate with a missing operand is **false**; this
  includes ``!=``, ``not in``, ``not between`` and ``contains``. So
  ``origin != "CN"`` is false when origin is missing.
- ``and``, ``or`` and ``not`` are two-valued on those results; ``not``
  negates, so ``not (x > 5)`` is **true** when ``x`` is missing while
  ``x <= 5`` is false. A BOOLEAN fact used as a condition counts as false when
  missing (``not aeo`` is true then).
- Numbers are decimal: every number is rounded to 9 decimal places (half to
  even) on the way in, so ``value_per_unit < 3000`` is false for exactly 3000
  and ``0.1 + 0.2 = 0.3`` is true. Python floats are converted as Polars
  casts ``Float64`` to ``Decimal(38, 9)``: ``round(x * 1e9)`` half to even,
  which is exact for values with up to 9 decimals below about 10⁷. Products
  and quotients are rounded half to even to 9 places; a result of magnitude
  10¹⁸ or more, a division by zero, or arithmetic with a missing operand is
  missing. ``min``/``max`` with a missing argument are missing.
- Strings compare exactly, case-sensitively, by code point; ``lower`` and
  ``upper`` use Unicode case mapping (Python's and Polars' tables may differ
  on characters newer than Unicode 14).
- Datetimes compare as instants; a naive datetime is UTC. A DATE fact given a
  datetime takes its UTC date.
- Named lists (:class:`NamedList`): ``in_list("NAME")`` is true when the row's
  values of the list's key fields equal an entry, key fields listed in
  ``prefix_fields`` matching when the row's value starts with the entry's
  (HS-prefix lists). A list with one key field may be keyed by a list of
  strings: any element matching is enough. ``in_list("NAME", x)`` tests ``x``
  against a one-key list. A missing key value is false. Lists are supplied at
  compile time, so changing a list needs no change to a criterion.

JSON
----
:func:`to_json` gives nested objects with an ``"op"`` key, e.g.
``{"op": "<", "left": {"op": "field", "name": "value_ratio"}, "right":
{"op": "number", "value": "0.6"}}``; numbers are decimal strings, ``and``/``or``
hold ``"operands"``, ``in``/``not in`` hold ``"type"`` (``"string"`` or
``"number"``) and ``"values"``. :func:`from_json` validates every key and value.
``parse(to_text(e)) == e`` and ``from_json(to_json(e)) == e``; positions are
kept for messages but ignored by ``==``.

Polars
------
:func:`compile_polars` returns a Boolean expression without nulls (use it in
``filter`` or ``with_columns``; a constant criterion is a scalar). Columns
must hold the declared types: ``STRING`` as String/Categorical/Enum,
``NUMBER`` as any integer, float or decimal, ``BOOLEAN`` as Boolean, ``DATE``
as Date or Datetime, ``DATETIME`` as Datetime (any unit or zone) or Date,
``STRING_LIST`` as List(String). ``Criterion.fields`` names the columns read.

Limits
------
Text of at most 10,000 characters, nesting at most 50 levels deep, at most
5,000 items per list literal and 20,000 nodes and list items in all.
Nothing but :class:`RuleError` and its subclasses escapes :func:`parse`,
:func:`check`, :func:`to_text`, :func:`to_json`, :func:`from_json`,
:func:`compile_predicate`, :func:`compile_polars` or :func:`explain`. A
compiled predicate takes a mapping and does not raise on values of the wrong
type: they are missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import polars as pl

from corridor.rules import (
    _check,
    _compile_polars,
    _compile_py,
    _explain,
    _grammar,
    _json,
    _text,
    _validate,
)
from corridor.rules._ast import (
    And,
    Arithmetic,
    Between,
    BooleanLiteral,
    Call,
    Compare,
    Contains,
    DateLiteral,
    DateTimeLiteral,
    Expr,
    Field,
    InList,
    IsIn,
    IsMissing,
    IsPresent,
    Negate,
    Not,
    NumberLiteral,
    Or,
    Position,
    StartsWith,
    StringLiteral,
)
from corridor.rules._check import Criterion
from corridor.rules._explain import Explanation
from corridor.rules._types import FieldType, NamedList
from corridor.rules.errors import (
    RuleError,
    RuleFormatError,
    RuleLimitError,
    RuleSyntaxError,
    RuleTypeError,
)

__all__ = [
    "And",
    "Arithmetic",
    "Between",
    "BooleanLiteral",
    "Call",
    "Compare",
    "Contains",
    "Criterion",
    "DateLiteral",
    "DateTimeLiteral",
    "Explanation",
    "Expr",
    "Field",
    "FieldType",
    "InList",
    "IsIn",
    "IsMissing",
    "IsPresent",
    "NamedList",
    "Negate",
    "Not",
    "NumberLiteral",
    "Or",
    "Position",
    "RuleError",
    "RuleFormatError",
    "RuleLimitError",
    "RuleSyntaxError",
    "RuleTypeError",
    "StartsWith",
    "StringLiteral",
    "check",
    "compile_polars",
    "compile_predicate",
    "explain",
    "explainer",
    "from_json",
    "parse",
    "to_json",
    "to_text",
]

_Schema = Mapping[str, FieldType]


@contextmanager
def _only_rule_errors(source: object = None) -> Iterator[None]:
    """Let RuleError through (with an excerpt of ``source``); wrap anything else."""
    try:
        yield
    except RuleError as exc:
        if isinstance(source, str):
            exc.attach_source(source)
        raise
    except Exception as exc:  # the promise: nothing else escapes, whatever the input
        raise RuleError(f"cannot process the criterion: {type(exc).__name__}: {exc}") from exc


def _expr(expr: Expr | str) -> Expr:
    return _grammar.parse(expr) if isinstance(expr, str) else expr


def _analyse(expr: Expr | str, schema: _Schema, lists: _check.NamedLists) -> _check.Analysis:
    return _check.analyse(_expr(expr), schema, lists)


def parse(text: str) -> Expr:
    """Parse criterion text into an expression tree."""
    with _only_rule_errors(text):
        return _grammar.parse(text)


def to_text(expr: Expr) -> str:
    """The canonical text of an expression; ``parse(to_text(e)) == e``."""
    with _only_rule_errors():
        return _text.to_text(_validate.validate(expr))


def to_json(expr: Expr) -> dict[str, Any]:
    """The JSON form of an expression (plain dicts, lists and strings)."""
    with _only_rule_errors():
        return _json.to_json(_validate.validate(expr))


def from_json(obj: object) -> Expr:
    """Read an expression from its JSON form, validating it."""
    with _only_rule_errors():
        return _json.from_json(obj)


def check(expr: Expr | str, schema: _Schema, lists: _check.NamedLists = ()) -> Criterion:
    """Type-check a criterion against the fact schema and the named lists."""
    with _only_rule_errors(expr):
        return _analyse(expr, schema, lists).criterion


def compile_predicate(
    expr: Expr | str, schema: _Schema, lists: _check.NamedLists = ()
) -> Callable[[Mapping[str, Any]], bool]:
    """Compile a criterion to a function of one fact row (a mapping of field to value)."""
    with _only_rule_errors(expr):
        return _compile_py.compile_predicate(_analyse(expr, schema, lists))


def compile_polars(expr: Expr | str, schema: _Schema, lists: _check.NamedLists = ()) -> pl.Expr:
    """Compile a criterion to a Boolean Polars expression over a frame of facts."""
    with _only_rule_errors(expr):
        return _compile_polars.compile_polars(_analyse(expr, schema, lists))


def explain(
    expr: Expr | str, facts: Mapping[str, Any], *, schema: _Schema, lists: _check.NamedLists = ()
) -> Explanation:
    """Say in plain words which conditions decided the criterion on one fact row."""
    with _only_rule_errors(expr):
        if not isinstance(facts, Mapping):
            raise RuleTypeError("facts must be a mapping of field name to value")
        return _explain.explain(_analyse(expr, schema, lists), facts)


def explainer(
    expr: Expr | str, *, schema: _Schema, lists: _check.NamedLists = ()
) -> Callable[[Mapping[str, Any]], Explanation]:
    """:func:`explain` prepared once for many rows: check the criterion now, explain rows later.

    Like a compiled predicate, the returned function never raises on a row.
    """
    with _only_rule_errors(expr):
        return _explain.Explainer(_analyse(expr, schema, lists))
