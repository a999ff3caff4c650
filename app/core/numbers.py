"""Whole numbers read from outside: query strings, cookies, metadata.

`str.isdigit()` is true for '²' or '١' too, which `int()` then refuses ('²') or reads ('١'),
and `int()` itself reads ' 12', '+12' and '1_000', and numbers no database column holds
(SQLite raises OverflowError past 2**63 - 1). So every such number goes through
`whole_number`: ASCII digits only, and no more than a bound.
"""

from __future__ import annotations

from typing import Any

MAX_BIGINT = 2**63 - 1  # the largest id a BIGINT column holds (as DatabaseIntConverter)
_DIGITS = frozenset("0123456789")


def is_ascii_digits(text: str) -> bool:
    return bool(text) and set(text) <= _DIGITS


def whole_number(value: Any, *, maximum: int = MAX_BIGINT, clamp: bool = False) -> int | None:
    """`value` as an int from 0 to `maximum` if it is written in ASCII digits only, else None.

    With `clamp`, a number above `maximum` is `maximum` instead of None (a page far past the
    end is the last one there can be)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if not is_ascii_digits(text):
        return None
    # Compare lengths before converting, so a thousand digits cost nothing (and int() does
    # not refuse them).
    significant = text.lstrip("0") or "0"
    if len(significant) > len(str(maximum)) or int(significant) > maximum:
        return maximum if clamp else None
    return int(significant)
