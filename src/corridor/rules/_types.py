"""Fact types, named lists and the limits of the language."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

MAX_TEXT_LENGTH = 10_000
MAX_DEPTH = 50
MAX_LIST_ITEMS = 5_000
# Nodes plus list items of one expression; bounds the work of every pass on a
# hand-built or JSON expression (text is already bounded by its length).
MAX_NODES = 20_000


class FieldType(enum.Enum):
    """The type of a fact, declared by the caller in the schema."""

    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    STRING_LIST = "string_list"

    def describe(self) -> str:
        """Name of the type in messages: ``string``, ``list of strings``…"""
        return "list of strings" if self is FieldType.STRING_LIST else self.value


Schema = Mapping[str, FieldType]


@dataclass(frozen=True, slots=True)
class NamedList:
    """A named reference list, e.g. watched companies or HS prefixes.

    ``in_list("NAME")`` is true for a fact row whose values of ``key_fields``
    equal one of ``entries`` (a field in ``prefix_fields`` matches when the
    row's value starts with the entry's value). ``in_list("NAME", expr)``
    tests one value against a list with a single key field.
    """

    name: str
    key_fields: tuple[str, ...]
    entries: frozenset[tuple[str, ...]]
    prefix_fields: frozenset[str] = frozenset()
