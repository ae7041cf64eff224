"""The compliance score of a trader (pure): see the formula below."""

from __future__ import annotations
