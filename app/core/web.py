"""Small helpers shared by the HTML views of every domain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort, flash
from flask_login import current_user
from flask_wtf import FlaskForm

from app.core.errors import DomainError

if TYPE_CHECKING:  # core knows no domain at run time
    from app.auth.models import User


def actor() -> User:
    """The signed-in user as a real model object (not Flask-Login's proxy)."""
    user: User = current_user._get_current_object()
    return user


def show_error(form: FlaskForm | None, error: DomainError) -> None:
    """Put a service's error on the form field it names, or flash it."""
    if form is not None:
        for name in error.fields:
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, error.message]
                return
    flash(error.message, "error")


def require_post_form() -> None:
    """A POST that carries nothing but its CSRF token (buttons)."""
    if not FlaskForm().validate_on_submit():
        abort(400)


def int_arg(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
