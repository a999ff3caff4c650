"""Small helpers shared by the domains' WTForms."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

# Amounts and whole numbers are typed as text (kept exact, never overflowing), with the
# keyboard a phone should show.
AMOUNT_KW = {"inputmode": "decimal", "autocomplete": "off"}
NUMBER_KW = {"inputmode": "numeric", "autocomplete": "off"}


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """(value, label) pairs as the SelectChoice objects WTForms 3.3+ expects."""
    # Labels may be lazy translations: keep them lazy so they render in the page's language.
    return [SelectChoice(str(value), label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: works without JavaScript and reads well with a screen reader."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
