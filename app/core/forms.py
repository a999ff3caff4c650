"""Small helpers shared by the domains' WTForms."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoice objects WTForms 3.3+ expects."""
    # Labels may be lazy translations: keep them lazy so they render in the page's language.
    return [SelectChoice(str(value), label) for value, label in pairs]
