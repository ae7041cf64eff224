"""Keyed, reproducible draws and the exact comparison of a draw with a percent rate."""

from __future__ import annotations

import functools
import hmac
import math
from decimal import Decimal
from fractions import Fraction
from typing import Final

_SEPARATOR: Final = "\x1f"


def draw(secret: bytes, *parts: str) -> float:
    """A keyed, reproducible number in [0, 1): HMAC-SHA256 of the parts joined by U+001F.

    The message is the parts joined by the byte 0x1F, in UTF-8. With ``u`` the first
    8 bytes of the digest as a big-endian unsigned integer, the draw is
    ``floor(u / 2**11) / 2**53`` (the top 53 bits of ``u``), which a double holds
    exactly. Stored decisions keep their draws; this formula replays them.
    """
    digest = hmac.digest(secret, _SEPARATOR.join(parts).encode(), "sha256")
    # The top 53 bits are exactly what a double holds, so the value never rounds up to 1.
    return (int.from_bytes(digest[:8], "big") >> 11) * 2.0**-53


@functools.lru_cache(maxsize=4096)
def _threshold(rate: Decimal) -> float:
    """The smallest double ``t >= rate/100``: for a double ``d``, ``d < t`` iff ``d < rate/100``."""
    exact = Fraction(rate) / 100
    nearest = float(exact)
    return nearest if Fraction(nearest) >= exact else math.nextafter(nearest, math.inf)


def selects(value: float, rate: Decimal) -> bool:
    """Whether a draw falls within a percent rate: ``value < rate / 100``, exactly."""
    return value < _threshold(rate)
