"""Free text from a form or the API, checked the same way everywhere."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.errors import ValidationError


def clean_text(value: str | None, name: str, *, limit: int, required: bool = False) -> str:
    """`value` stripped; a ValidationError on field `name` if it is required and empty, or
    longer than `limit` characters."""
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(_("%(name)s is required", name=name), fields={name: "required"})
    if len(text) > limit:
        raise ValidationError(
            _("%(name)s is too long (at most %(limit)s characters)", name=name, limit=limit),
            fields={name: "too long"},
        )
    return text
