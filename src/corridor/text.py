"""Text the system accepts: no control characters, no bidirectional controls.

PostgreSQL cannot store NUL in text, terminals and logs misbehave on the other
C0 controls, and no customs field needs them. Tabs and line breaks are kept
(instructions and rationale are written in paragraphs).

Unicode's bidirectional controls — the embeddings and overrides U+202A–U+202E,
the isolates U+2066–U+2069 and the marks U+200E, U+200F, U+061C — change the
order in which the characters around them are shown, so that a description or
a title would display differently from what it stores and what the rules match
("Trojan Source"). Every text field refuses them, naming the character;
letters of right-to-left scripts are not affected.
"""

from __future__ import annotations

import re
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, field_validator

#: A pattern for single-line free text: anything but control characters.
PLAIN_LINE = r"^[^\x00-\x1f\x7f]*$"
#: A pattern for free text: anything but control characters other than tab and line breaks.
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_CONTROL = re.compile(PLAIN_TEXT.replace("^[^", "[").removesuffix("]*$") + "]")
#: The Unicode bidirectional formatting characters no text field accepts.
BIDI_CONTROLS: Final = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def refuse_bidi_controls(value: str) -> str:
    """``value`` unchanged, or ValueError naming the first bidirectional control in it."""
    found = _BIDI.search(value)
    if found:
        code = ord(found.group())
        raise ValueError(f"bidirectional control character U+{code:04X} is not allowed")
    return value


def refuse_control_characters(value: Any) -> Any:
    """``value`` unchanged, or ValueError when a string in it holds a control character
    or a bidirectional control."""
    if isinstance(value, str):
        if _CONTROL.search(value):
            raise ValueError("contains control characters")
        refuse_bidi_controls(value)
    elif isinstance(value, list | tuple):
        for element in value:
            refuse_control_characters(element)
    elif isinstance(value, dict):
        for key, element in value.items():
            refuse_control_characters(key)
            refuse_control_characters(element)
    return value


class InputModel(BaseModel):
    """Base of the forms people fill in: unknown fields refused, text without controls
    (neither control characters nor bidirectional controls, in any field, list or map)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return refuse_control_characters(value)
