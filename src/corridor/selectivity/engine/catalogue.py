"""The measures catalogue a new installation starts with, as data.

The migration that creates the ``measures`` table seeds these rows (it keeps a
frozen copy of its own, as migrations do; a test compares the two on a migrated
database). An administration edits its catalogue afterwards, so a running
installation compiles its profiles with the catalogue it stores; this one is the
default of :func:`~corridor.selectivity.engine.compile_profile_set`, for
assessing declarations in plain Python (backtests, notebooks, tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from corridor.selectivity.engine.specs import MeasureChannel, MeasureSpec

# (code, name, channel), as the migration seeds them.
_SEEDED: Final[tuple[tuple[str, str, MeasureChannel], ...]] = (
    ("101", "check of documents and information", "yellow"),
    ("102", "oral questioning", "none"),
    ("103", "request for explanations / additional documents", "yellow"),
    ("104", "customs surveillance", "none"),
    ("105", "external inspection of goods / non-intrusive scan (X-ray)", "red"),
    ("109", "physical examination of goods", "red"),
    ("112", "check of marking (excise stamps, labels)", "red"),
    ("601", "valuation check: request for additional documents on value", "yellow"),
    ("615", "taking samples for laboratory expertise", "red"),
    ("801", "post-clearance desk audit", "blue"),
    ("802", "post-clearance field audit", "blue"),
)

#: The seeded catalogue by code, in the style of the EAEU classification of forms of
#: customs control. 102 and 104 have no channel: they never change a declaration's.
DEFAULT_MEASURES: Final[Mapping[str, MeasureSpec]] = MappingProxyType(
    {code: MeasureSpec(code, name, channel) for code, name, channel in _SEEDED}
)
