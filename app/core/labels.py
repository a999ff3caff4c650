"""Codes that are stored, labels that are shown: the base of every status, kind and role.

Each member is declared with its code, its label and, where pages colour it, its tone:

    class GrantStatus(LabelledEnum):
        AWAITING_FUNDS = "awaiting_funds", _l("awaiting funds"), "warn"
        ACTIVE = "active", lazy_pgettext("grant status", "active"), "ok"

The code is the contract (stored, in the API, in URLs); nothing is ever derived from the
label, which is translated each time it is shown (so it is lazy here).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

TONES = frozenset({"ok", "info", "warn", "err", "neutral"})


class LabelledEnum(StrEnum):
    _label: Any  # a lazy translation
    _tone: str

    def __new__(cls, code: str, label: Any = None, tone: str = "neutral") -> LabelledEnum:
        if tone not in TONES:
            raise ValueError(f"{cls.__name__}.{code}: tone {tone!r} is not one of {sorted(TONES)}")
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = code if label is None else label
        member._tone = tone
        return member

    @property
    def label(self) -> str:
        """What a reader sees, in the page's language."""
        return str(self._label)

    @property
    def tone(self) -> str:
        """How a page colours it: ok, info, warn, err or neutral."""
        return self._tone
