"""Errors raised by the criteria language.

Every failure of :func:`~corridor.rules.parse`, :func:`~corridor.rules.check`,
:func:`~corridor.rules.from_json`, :func:`~corridor.rules.to_text`,
:func:`~corridor.rules.to_json`, the two compilers and
:func:`~corridor.rules.explain` is one of these, whatever the input::

    RuleError                  base class; message, line, column, token, suggestion, excerpt
    ├── RuleSyntaxError        the text is not a criterion (expected: what could come next)
    ├── RuleTypeError          unknown field, list or value of the wrong type (field)
    ├── RuleLimitError         a size limit is exceeded (limit, maximum, actual)
    └── RuleFormatError        a JSON document or hand-built AST is malformed (path)

``line`` and ``column`` are 1-based and refer to the criterion text when the
error comes from text (or from an expression parsed from text); ``excerpt`` is
the offending line with a ``^`` under the column. ``str(error)`` shows all of it.
"""

from __future__ import annotations

__all__ = [
    "RuleError",
    "RuleFormatError",
    "RuleLimitError",
    "RuleSyntaxError",
    "RuleTypeError",
]

_EXCERPT_WIDTH = 60


class RuleError(Exception):
    """Base class of every error of the criteria language."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        token: str | None = None,
        suggestion: str | None = None,
        excerpt: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.token = token
        self.suggestion = suggestion
        self.excerpt = excerpt

    def attach_source(self, text: str) -> None:
        """Set :attr:`excerpt` from the criterion text, if the error has a position."""
        if self.excerpt is None and self.line is not None and self.column is not None:
            self.excerpt = caret_excerpt(text, self.line, self.column)

    def __str__(self) -> str:
        text = self.message
        if self.line is not None:
            text += f" (line {self.line}, column {self.column})"
        if self.suggestion is not None:
            text += f"; did you mean `{self.suggestion}`?"
        if self.excerpt is not None:
            text += "\n" + self.excerpt
        return text


class RuleSyntaxError(RuleError):
    """The text cannot be read as a criterion."""

    def __init__(
        self,
        message: str,
        *,
        expected: tuple[str, ...] = (),
        line: int | None = None,
        column: int | None = None,
        token: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        super().__init__(message, line=line, column=column, token=token, suggestion=suggestion)
        self.expected = expected


class RuleTypeError(RuleError):
    """A name is unknown or a value has the wrong type for where it is used."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
        suggestion: str | None = None,
    ) -> None:
        super().__init__(message, line=line, column=column, token=field, suggestion=suggestion)
        self.field = field


class RuleLimitError(RuleError):
    """A criterion is too long, too deep, has too long a list or too large a number."""

    def __init__(
        self,
        message: str,
        *,
        limit: str,
        maximum: int,
        actual: int | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, line=line, column=column)
        self.limit = limit
        self.maximum = maximum
        self.actual = actual


class RuleFormatError(RuleError):
    """A JSON document or a hand-built expression is not a well-formed criterion."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(f"{message} at {path}")
        self.path = path


def caret_excerpt(text: str, line: int, column: int) -> str:
    """Return the 1-based ``line`` of ``text`` with a caret under ``column``.

    Long lines are cut to a window around the column so the caret stays visible.
    """
    lines = text.split("\n")
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    source = source.replace("\t", " ").replace("\r", " ")
    start = 0
    if len(source) > _EXCERPT_WIDTH:
        start = min(max(0, column - 1 - _EXCERPT_WIDTH // 2), len(source) - _EXCERPT_WIDTH)
    window = source[start : start + _EXCERPT_WIDTH]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + _EXCERPT_WIDTH < len(source) else ""
    caret = " " * (len(prefix) + column - 1 - start) + "^"
    return f"  {prefix}{window}{suffix}\n  {caret}"
