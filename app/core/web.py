"""Small helpers shared by the HTML views of every domain."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from flask import abort, flash, redirect
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.core.errors import DomainError
from app.core.numbers import whole_number
from app.core.unit_of_work import flash_after_commit
from app.extensions import db


def show_error(form: FlaskForm | None, error: DomainError) -> None:
    """Put a service's error on the form field it names, or flash it."""
    if form is not None:
        for name in error.fields:
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, error.message]
                return
    flash(error.message, "error")


def show_on(field: Any) -> Callable[[Any, DomainError], None]:
    """Show a refusal on the field it names, or else on `field` (never only flashed)."""

    def show(form: Any, error: DomainError) -> None:
        show_error(form, error)
        if not form.errors:
            field.errors = [error.message]

    return show


def require_post_form() -> None:
    """A POST that carries nothing but its CSRF token (buttons)."""
    if not FlaskForm().validate_on_submit():
        abort(400)


def int_arg(value: Any, default: int = 0) -> int:
    """A number (an id, a version) from a query string or form: ASCII digits up to the largest
    BIGINT, as `<int:…>` in paths; anything else is `default`."""
    number = whole_number(value)
    return default if number is None else number


class Refusals:
    """Run a service change; if the service refuses it (a DomainError), undo the request's
    changes and show the reason on the form field it names, or flash it, and carry on after
    the block. `error` then holds the refusal (None when the change went through).

        if form.validate_on_submit():
            with refusals(form):
                services.accept(db.session(), actor(), grant, ...)
                flash_after_commit(_("The agreement is accepted."))
                return redirect(url_for("grants.detail", grant_id=grant.id))
        return render_template(..., form=form)

    `let_through` names refusals that should become the error page instead (a maker
    approving its own release gets a 403, as in the API); `show` places the message
    differently where a page needs it."""

    def __init__(
        self,
        form: FlaskForm | None = None,
        *,
        let_through: tuple[type[DomainError], ...] = (),
        show: Callable[[Any, DomainError], None] | None = None,
    ) -> None:
        self.form = form
        self.let_through = let_through
        self.show = show or show_error
        self.error: DomainError | None = None

    def __enter__(self) -> Refusals:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if not isinstance(error, DomainError) or isinstance(error, self.let_through):
            return False
        db.session.rollback()
        self.show(self.form, error)
        self.error = error
        return True


def refusals(
    form: FlaskForm | None = None,
    *,
    let_through: tuple[type[DomainError], ...] = (),
    show: Callable[[Any, DomainError], None] | None = None,
) -> Refusals:
    """`with refusals(form):` around a service call (see `Refusals`)."""
    return Refusals(form, let_through=let_through, show=show)


def submit_form(
    form: FlaskForm,
    change: Callable[[], object],
    *,
    done: str,
    then: str,
    again: Callable[[FlaskForm], str],
) -> Response | str:
    """The usual POST: validate the form, change through a service and redirect to `then`
    with the `done` message once the request is committed; or show the page `again` with
    the service's refusal on the field it names, nothing half-written."""
    if form.validate_on_submit():
        with refusals(form):
            change()
            flash_after_commit(done)
            return redirect(then)
    return again(form)
