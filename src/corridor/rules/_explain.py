"""Plain-words explanation of why a criterion did or did not match one fact row.

The values shown are those the closure compiler sees, so an explanation never
disagrees with :func:`compile_predicate`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from corridor.rules._ast import (
    And,
    Between,
    BooleanLiteral,
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
    Not,
    NumberLiteral,
    Or,
    StartsWith,
    StringLiteral,
)
from corridor.rules._check import Analysis
from corridor.rules._compile_py import PythonCompiler, field_getter
from corridor.rules._text import number_text, to_text
from corridor.rules._values import format_value

_LITERALS = (StringLiteral, NumberLiteral, BooleanLiteral, DateLiteral, DateTimeLiteral)
_SHOWN_ITEMS = 10
_WORDS = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Whether the row matched, and the leaf conditions that decided it."""

    matched: bool
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        """The reasons joined by ``; ``."""
        return "; ".join(self.reasons)


def explain(analysis: Analysis, facts: Mapping[str, Any]) -> Explanation:
    """Explain the analysed criterion on one fact row."""
    return Explainer(analysis)(facts)


class Explainer:
    """Explains one analysed criterion on any number of fact rows.

    The closures of its nodes are compiled on first use and kept, so explaining
    many rows costs what evaluating them does, plus the words.
    """

    def __init__(self, analysis: Analysis) -> None:
        self.compiler = PythonCompiler(analysis)
        self._conditions: dict[int, Callable[[Mapping[str, Any]], bool]] = {}
        self._values: dict[int, Callable[[Mapping[str, Any]], Any]] = {}

    def __call__(self, facts: Mapping[str, Any]) -> Explanation:
        """Whether the criterion matches ``facts``, and the conditions that decided it."""
        row = _Row(self, facts)
        root = self.compiler.analysis.criterion.expr
        matched = row.truth(root)
        return Explanation(matched, tuple(row.reasons(root, matched)))

    def condition(self, node: Expr) -> Callable[[Mapping[str, Any]], bool]:
        """The (kept) closure of a condition node."""
        found = self._conditions.get(id(node))
        if found is None:
            found = self._conditions[id(node)] = self.compiler.condition(node)
        return found

    def value(self, node: Expr) -> Callable[[Mapping[str, Any]], Any]:
        """The (kept) closure of a value node."""
        found = self._values.get(id(node))
        if found is None:
            found = self._values[id(node)] = self.compiler.value(node)
        return found


def _shown(items: list[str]) -> str:
    more = len(items) - _SHOWN_ITEMS
    head = items[:_SHOWN_ITEMS] + ([f"… {more} more"] if more > 0 else [])
    return "[" + ", ".join(head) + "]"


class _Row:
    """One explanation in progress: an explainer and the row it explains."""

    def __init__(self, explainer: Explainer, facts: Mapping[str, Any]) -> None:
        self.explainer, self.compiler, self.facts = explainer, explainer.compiler, facts

    def truth(self, node: Expr) -> bool:
        return self.explainer.condition(node)(self.facts)

    def _value(self, node: Expr) -> Any:
        return self.explainer.value(node)(self.facts)

    def reasons(self, node: Expr, outcome: bool) -> list[str]:
        """Reasons why ``node`` evaluated to ``outcome``."""
        match node:
            case And(operands=ops) | Or(operands=ops):
                # and/true and or/false need every operand; otherwise the deciding ones.
                every = isinstance(node, And) == outcome
                chosen = ops if every else [o for o in ops if self.truth(o) == outcome]
                return [r for o in chosen for r in self.reasons(o, outcome)]
            case Not(operand=o):
                return self.reasons(o, not outcome)
        return [self._leaf(node, outcome)]

    def _term(self, node: Expr) -> tuple[str, str | None]:
        """An operand's label and shown value: "" for literals, None when missing."""
        if isinstance(node, StringLiteral):
            return node.value or '""', ""
        if isinstance(node, _LITERALS):
            return to_text(node), ""
        if isinstance(node, Field):
            return self._field_term(node.name)
        value = self._value(node)
        if value is None:
            return to_text(node), None
        return to_text(node), "(" + format_value(self.compiler.kind(node), value) + ")"

    def _field_term(self, name: str) -> tuple[str, str | None]:
        kind = self.compiler.analysis.schema[name]
        value = field_getter(name, kind)(self.facts)
        return name, None if value is None else format_value(kind, value)

    def _missing(self, *terms: tuple[str, str | None]) -> str | None:
        names = [label for label, value in terms if value is None]
        if not names:
            return None
        return " and ".join(names) + (" is" if len(names) == 1 else " are") + " missing"

    def _show(self, term: tuple[str, str | None]) -> str:
        label, value = term
        return f"{label} {value}" if value else label

    def _leaf(self, node: Expr, outcome: bool) -> str:
        match node:
            case Compare(op=op, left=a, right=b):
                x, y = self._term(a), self._term(b)
                word = _WORDS[op] if outcome else f"is not {_WORDS[op]}"
                return self._missing(x, y) or f"{self._show(x)} {word} {self._show(y)}"
            case IsIn(operand=o, values=values, negated=negated):
                x = self._term(o)
                shown = _shown([v if isinstance(v, str) else number_text(v) for v in values])
                word = "is in" if outcome != negated else "is not in"
                return self._missing(x) or f"{self._show(x)} {word} {shown}"
            case StartsWith(operand=o, prefixes=prefixes):
                x = self._term(o)
                if not outcome:
                    shown = _shown(list(prefixes))
                    return self._missing(x) or f"{self._show(x)} does not start with {shown}"
                text = self._value(o)
                best = max((p for p in prefixes if text.startswith(p)), key=len)
                return f"{self._show(x)} starts with {best}"
            case Between(operand=o, low=lo, high=hi, negated=negated):
                x, low, high = self._term(o), self._term(lo), self._term(hi)
                word = "is between" if outcome != negated else "is not between"
                return self._missing(x, low, high) or (
                    f"{self._show(x)} {word} {self._show(low)} and {self._show(high)}"
                )
            case Contains(container=a, item=b):
                x, y = self._term(a), self._term(b)
                word = "contains" if outcome else "does not contain"
                return self._missing(x, y) or f"{self._show(x)} {word} {self._show(y)}"
            case IsMissing(operand=o) | IsPresent(operand=o):
                x = self._term(o)
                return self._missing(x) or f"{self._show(x)} is present"
            case InList(list_name=name, operand=o):
                word = "is in" if outcome else "is not in"
                if o is not None:
                    x = self._term(o)
                    return self._missing(x) or f"{self._show(x)} {word} named list {name}"
                keys = self.compiler.analysis.lists[name].key_fields
                terms = [self._field_term(k) for k in keys]
                shown = ", ".join(self._show(t) for t in terms)
                return self._missing(*terms) or f"{shown} {word} named list {name}"
            case _:  # a BOOLEAN field or literal used as a condition
                x = self._term(node)
                return self._missing(x) or self._show(x)
