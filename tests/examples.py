"""How many examples the property tests try: Hypothesis profiles, by ``HYPOTHESIS_PROFILE``.

``ci`` (``.ci/run`` selects it) is Hypothesis's own default: 100 examples for a
property that names no count, and each named count in full. ``dev`` (the default, for
the everyday ``make test``) tries a quarter of each. A property names its CI count
through :func:`examples`, so that the two profiles keep one proportion.
"""

from __future__ import annotations

import os

from hypothesis import settings

#: Examples per property under the ci profile (Hypothesis's default).
FULL = 100

settings.register_profile("ci", max_examples=FULL)
settings.register_profile("dev", max_examples=FULL // 4)


def load_profile() -> None:
    """Load the profile ``HYPOTHESIS_PROFILE`` names (``dev`` when unset)."""
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def examples(full: int) -> int:
    """``max_examples`` for a property that tries ``full`` examples under the ci profile:
    the same share of it as the loaded profile's count is of the ci profile's."""
    return max(1, full * settings.default.max_examples // FULL)
