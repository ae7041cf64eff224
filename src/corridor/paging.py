"""Keyset pagination shared by the listings: the cursor is the id of the previous page's
last row, as this API wrote it."""

from __future__ import annotations

import re

from corridor.errors import FieldError, InvalidInput

# Ids are positive 63-bit integers; 18 digits cover every id a table will reach.
_ID_CURSOR = re.compile(r"[0-9]{1,18}")


def id_cursor(cursor: str | None) -> int | None:
    """The id a cursor stands for (None: the first page); InvalidInput naming ``cursor``
    for anything this API did not write."""
    if cursor is None:
        return None
    if not _ID_CURSOR.fullmatch(cursor) or not 0 < int(cursor) < 2**63:
        raise InvalidInput(
            "invalid cursor", [FieldError(("cursor",), "not a cursor returned by this API")]
        )
    return int(cursor)
