"""README's example of the engine in plain Python runs, and prints what README says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"
SECTION = "**The engine in plain Python.**"


def example() -> tuple[str, str]:
    """The Python block of the section and the text block it is said to print."""
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, "README has no section on the engine in plain Python"
    after = text[text.index(SECTION) :]
    code = re.search(r"```python\n(.*?)```", after, re.DOTALL)
    printed = re.search(r"```python\n.*?```.*?```text\n(.*?)```", after, re.DOTALL)
    assert code is not None
    assert printed is not None
    return code.group(1), printed.group(1)


def test_the_readme_example_assesses_a_declaration_without_a_database() -> None:
    code, printed = example()
    assert len(code.strip().splitlines()) <= 20, "the example stays short"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "readme_example"})
    assert out.getvalue() == printed
    assert printed.startswith("red [('CARS-CN', ")
