"""Small helpers shared by the HTML views of every domain."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import abort, flash, redirect
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.core.errors import DomainError
from app.core.numbers import whole_number
from app.extensions import db

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
    """A number (an id, a version) from a query string or form: ASCII digits up to the largest
    BIGINT, as `<int:…>` in paths; anything else is `default`."""
    number = whole_number(value)
    return default if number is None else number


def submit_form(
    form: FlaskForm,
    change: Callable[[], object],
    *,
    done: str,
    then: str,
    again: Callable[[FlaskForm], str],
) -> Response | str:
    """The usual POST: validate the form, change through a service, commit and redirect to
    `then` with the `done` message; or roll back and show the page `again` with the service's
    error on the field it names. One commit per request, nothing half-written."""
    if form.validate_on_submit():
        try:
            change()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(then)
    return again(form)
