"""The text form: a Lark LALR grammar and the conversion of its tree to the AST.

The parse tree is converted without recursion, so deep nesting is reported as
a RuleLimitError instead of exhausting the Python stack.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import cast

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from corridor.rules._ast import (
    FUNCTIONS,
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
from corridor.rules._types import MAX_DEPTH, MAX_TEXT_LENGTH
from corridor.rules._validate import check_list_size, check_number, is_text, validate
from corridor.rules.errors import (
    RuleError,
    RuleFormatError,
    RuleLimitError,
    RuleSyntaxError,
    RuleTypeError,
)

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> not_
         | predicate
?predicate: sum
          | sum COMPARATOR sum -> compare
          | sum _IN list -> is_in
          | sum _NOT _IN list -> not_in
          | sum _STARTSWITH (list | STRING) -> startswith
          | sum _BETWEEN sum _AND sum -> between
          | sum _NOT _BETWEEN sum _AND sum -> not_between
          | sum _CONTAINS sum -> contains
          | sum _IS _MISSING -> is_missing
          | sum _IS _NOT _PRESENT -> is_missing
          | sum _IS _PRESENT -> is_present
          | sum _IS _NOT _MISSING -> is_present
?sum: product
    | sum (PLUS | MINUS) product -> arith
?product: unary
        | product (STAR | SLASH) unary -> arith
?unary: MINUS unary -> neg
      | atom
?atom: NUMBER -> number
     | STRING -> string
     | TRUE -> true
     | FALSE -> false
     | IDENT -> field
     | QUOTED_IDENT -> field
     | IDENT "(" [or_expr ("," or_expr)*] ")" -> call
     | "(" or_expr ")"
list: "[" [item ("," item)*] "]"
?item: STRING -> string
     | NUMBER -> number
     | MINUS NUMBER -> negative

COMPARATOR: "=" | "!=" | "<=" | ">=" | "<" | ">"
PLUS: "+"
MINUS: "-"
STAR: "*"
SLASH: "/"
_OR: "or"i
_AND: "and"i
_NOT: "not"i
_IN: "in"i
_STARTSWITH: "startswith"i
_BETWEEN: "between"i
_CONTAINS: "contains"i
_IS: "is"i
_MISSING: "missing"i
_PRESENT: "present"i
TRUE: "true"i
FALSE: "false"i
IDENT: /[A-Za-z_][A-Za-z0-9_]*/
QUOTED_IDENT: /`[^`\r\n]+`/
NUMBER: /[0-9]+(\.[0-9]+)?/
STRING: /"(?:[^"\\]|\\.)*"/
%ignore /\s+/
"""

KEYWORDS = frozenset(
    {
        "and",
        "or",
        "not",
        "in",
        "startswith",
        "between",
        "contains",
        "is",
        "missing",
        "present",
        "true",
        "false",
    }
)

_TERMINAL_NAMES = {
    "COMPARATOR": "a comparison (= != < <= > >=)",
    "PLUS": "+",
    "MINUS": "-",
    "STAR": "*",
    "SLASH": "/",
    "IDENT": "a field name",
    "QUOTED_IDENT": "a field name",
    "NUMBER": "a number",
    "STRING": 'a string ("…")',
    "TRUE": "true",
    "FALSE": "false",
    "LPAR": "(",
    "RPAR": ")",
    "LSQB": "[",
    "RSQB": "]",
    "COMMA": ",",
    "$END": "the end of the criterion",
}
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATETIME_PATTERN = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{6})?)?)?"
)
_LITERAL_FUNCTIONS = ("date", "datetime", "in_list")
# Trees handled by their parent, not converted on their own.
_PARENT_HANDLED = frozenset({"list"})


@cache
def _parser() -> Lark:
    return Lark(
        GRAMMAR,
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse(text: str) -> Expr:
    """Parse criterion text into an expression (see the package docstring)."""
    if not isinstance(text, str):
        raise RuleFormatError(f"criterion text must be a str, got {type(text).__name__}", path="$")
    if len(text) > MAX_TEXT_LENGTH:
        raise RuleLimitError(
            f"criterion is {len(text)} characters long; at most {MAX_TEXT_LENGTH} are allowed",
            limit="text_length",
            maximum=MAX_TEXT_LENGTH,
            actual=len(text),
        )
    try:
        _reject_surrogates(text)
        try:
            tree = _parser().parse(text)
        except UnexpectedInput as exc:
            raise _syntax_error(exc, text) from None
        return validate(_convert(tree))
    except RuleError as exc:
        exc.attach_source(text)
        raise


def _reject_surrogates(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line, column = _line_column(text, exc.start)
        raise RuleSyntaxError(
            "criterion text is not valid Unicode", line=line, column=column
        ) from None


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax_error(exc: UnexpectedInput, text: str) -> RuleSyntaxError:
    if isinstance(exc, UnexpectedCharacters):
        char = str(exc.char)
        return RuleSyntaxError(
            f"unexpected character `{char}`", line=exc.line, column=exc.column, token=char
        )
    assert isinstance(exc, UnexpectedToken)  # the only other error of an LALR parse
    expected = tuple(sorted({_TERMINAL_NAMES.get(t, t.strip("_").lower()) for t in exc.expected}))
    hint = "; expected " + ", ".join(expected)
    if exc.token.type == "$END":
        line, column = _line_column(text, len(text))
        return RuleSyntaxError(
            "unexpected end of criterion" + hint, expected=expected, line=line, column=column
        )
    return RuleSyntaxError(
        f"unexpected `{exc.token}`" + hint,
        expected=expected,
        line=exc.line,
        column=exc.column,
        token=str(exc.token),
    )


def _pos_of(tree: Tree[Token]) -> Position:
    return Position(tree.meta.line, tree.meta.column)


def _convert(root: Tree[Token]) -> Expr:
    """Turn the parse tree into the AST, children first, with an explicit stack."""
    done: dict[int, tuple[Expr, int]] = {}
    stack: list[tuple[Tree[Token], bool]] = [(root, False)]
    while stack:
        tree, ready = stack.pop()
        if not ready:
            stack.append((tree, True))
            stack.extend(
                (c, False)
                for c in tree.children
                if isinstance(c, Tree) and c.data not in _PARENT_HANDLED
            )
            continue
        parts: list[Expr | Tree[Token] | Token] = []
        depth = 0
        for child in tree.children:
            if isinstance(child, Tree) and child.data not in _PARENT_HANDLED:
                node, child_depth = done.pop(id(child))
                depth = max(depth, child_depth)
                parts.append(node)
            else:
                parts.append(child)
        pos = _pos_of(tree)
        if depth + 1 > MAX_DEPTH:
            raise RuleLimitError(
                f"criterion is nested more than {MAX_DEPTH} levels deep",
                limit="depth",
                maximum=MAX_DEPTH,
                line=pos.line,
                column=pos.column,
            )
        done[id(tree)] = (_build(str(tree.data), parts, pos), depth + 1)
    return done[id(root)][0]


def _build(kind: str, parts: list[Expr | Tree[Token] | Token], pos: Position) -> Expr:
    """Build one AST node from its converted children and raw tokens."""
    exprs = [p for p in parts if not isinstance(p, Tree | Token)]
    match kind:
        case "or_expr":
            return Or(tuple(exprs), pos=pos)
        case "and_expr":
            return And(tuple(exprs), pos=pos)
        case "not_":
            return Not(exprs[0], pos=pos)
        case "neg":
            return Negate(exprs[0], pos=pos)
        case "arith" | "compare":
            op = str(parts[1])
            cls = Arithmetic if kind == "arith" else Compare
            return cls(op, exprs[0], exprs[1], pos=pos)
        case "is_in" | "not_in":
            values = _list_values(cast(Tree[Token], parts[1]))
            return IsIn(exprs[0], values, negated=kind == "not_in", pos=pos)
        case "startswith":
            prefixes = _prefixes(cast(Tree[Token] | Token, parts[1]))
            return StartsWith(exprs[0], prefixes, pos=pos)
        case "between" | "not_between":
            return Between(exprs[0], exprs[1], exprs[2], negated=kind == "not_between", pos=pos)
        case "contains":
            return Contains(exprs[0], exprs[1], pos=pos)
        case "is_missing":
            return IsMissing(exprs[0], pos=pos)
        case "is_present":
            return IsPresent(exprs[0], pos=pos)
        case "number":
            value = Decimal(str(parts[0]))
            check_number(value, pos)
            return NumberLiteral(value, pos=pos)
        case "string":
            return StringLiteral(_string(cast(Token, parts[0])), pos=pos)
        case "true" | "false":
            return BooleanLiteral(kind == "true", pos=pos)
        case "field":
            name = str(parts[0])
            return Field(name[1:-1] if name.startswith("`") else name, pos=pos)
        case _:  # "call"
            return _call(str(parts[0]), exprs, pos)


def _string(token: Token) -> str:
    try:
        value = json.loads(str(token), strict=False)
    except json.JSONDecodeError:
        raise RuleSyntaxError(
            'invalid escape in string (use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)',
            line=token.line,
            column=token.column,
            token=str(token),
        ) from None
    if not is_text(value):
        raise RuleSyntaxError(
            "string is not valid Unicode", line=token.line, column=token.column, token=str(token)
        )
    return str(value)


def _list_values(tree: Tree[Token]) -> tuple[str, ...] | tuple[Decimal, ...]:
    check_list_size(len(tree.children), _pos_of(tree))
    strings: list[str] = []
    numbers: list[Decimal] = []
    for item in tree.children:
        assert isinstance(item, Tree)
        token = item.children[-1]
        assert isinstance(token, Token)
        if item.data == "string":
            strings.append(_string(token))
            continue
        number = Decimal(str(token))
        check_number(number, _pos_of(item), what="list number")
        numbers.append(-number if item.data == "negative" else number)
    if strings and numbers:
        pos = _pos_of(tree)
        raise RuleTypeError("a list mixes strings and numbers", line=pos.line, column=pos.column)
    return tuple(strings) if strings else tuple(numbers)


def _prefixes(part: Tree[Token] | Token) -> tuple[str, ...]:
    if isinstance(part, Token):
        return (_string(part),)
    values = _list_values(part)
    if any(isinstance(v, Decimal) for v in values):
        pos = _pos_of(part)
        raise RuleTypeError(
            'startswith needs strings, e.g. ["8703"]', line=pos.line, column=pos.column
        )
    return cast(tuple[str, ...], values)


def _call(name: str, args: list[Expr], pos: Position) -> Expr:
    function = name.lower()
    if function in _LITERAL_FUNCTIONS:
        return _literal_call(function, args, pos)
    if function not in FUNCTIONS:
        known = sorted([*FUNCTIONS, *_LITERAL_FUNCTIONS])
        close = difflib.get_close_matches(function, known, n=1)
        raise RuleSyntaxError(
            f"unknown function `{name}`",
            line=pos.line,
            column=pos.column,
            token=name,
            suggestion=close[0] if close else None,
        )
    low, high = FUNCTIONS[function]
    if len(args) < low or (high is not None and len(args) > high):
        wanted = (
            str(low) if low == high else f"{low} or more" if high is None else f"{low} or {high}"
        )
        raise RuleSyntaxError(
            f"{function} takes {wanted} arguments, got {len(args)}",
            line=pos.line,
            column=pos.column,
            token=name,
        )
    return Call(function, tuple(args), pos=pos)


def _literal_call(function: str, args: list[Expr], pos: Position) -> Expr:
    first = args[0] if args else None
    if not isinstance(first, StringLiteral) or len(args) > (2 if function == "in_list" else 1):
        usage = {
            "date": 'date("2026-01-31")',
            "datetime": 'datetime("2026-01-31T10:00:00+06:00")',
            "in_list": 'in_list("NAME") or in_list("NAME", field)',
        }[function]
        raise RuleSyntaxError(f"write {usage}", line=pos.line, column=pos.column, token=function)
    text = first.value
    if function == "in_list":
        return InList(text, args[1] if len(args) == 2 else None, pos=pos)
    try:
        if function == "date":
            if DATE_PATTERN.fullmatch(text):
                return DateLiteral(date.fromisoformat(text), pos=pos)
        elif DATETIME_PATTERN.fullmatch(text):
            return DateTimeLiteral(datetime.fromisoformat(text), pos=pos)
    except ValueError:
        pass
    raise RuleSyntaxError(
        f"invalid {function} {json.dumps(text, ensure_ascii=False)}; write "
        + ('"2026-01-31"' if function == "date" else '"2026-01-31T10:00:00+06:00"'),
        line=pos.line,
        column=pos.column,
        token=text,
    )
