"""Text the system accepts: no control characters.

PostgreSQL cannot store NUL in text, terminals and logs misbehave on the other
C0 controls, and no customs field needs them. Tabs and line breaks are kept
(instructions and rationale are written in paragraphs).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

#: A pattern for single-line free text: anything but control characters.
PLAIN_LINE = r"^[^\x00-\x1f\x7f]*$"
#: A pattern for free text: anything but control characters other than tab and line breaks.
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_CONTROL = re.compile(PLAIN_TEXT.replace("^[^", "[").removesuffix("]*$") + "]")


def refuse_control_characters(value: Any) -> Any:
    """``value`` unchanged, or ValueError when a string in it holds a control character."""
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise ValueError("contains control characters")
    elif isinstance(value, list | tuple):
        for element in value:
            refuse_control_characters(element)
    elif isinstance(value, dict):
        for key, element in value.items():
            refuse_control_characters(key)
            refuse_control_characters(element)
    return value


class InputModel(BaseModel):
    """Base of the forms people fill in: unknown fields refused, text without controls."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return refuse_control_characters(value)
