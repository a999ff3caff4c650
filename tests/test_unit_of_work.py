"""One unit of work per request (app/core/unit_of_work.py): views and API handlers never
commit; the request is committed once, after a successful answer, and only then is the user
told what was done."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Response, get_flashed_messages
from sqlalchemy import select

from app.core import unit_of_work
from app.core.errors import Conflict, ValidationError
from app.core.web import refusals
from app.extensions import db
from app.settings.models import Setting

APP = Path(__file__).resolve().parent.parent / "app"

# The boundaries that may end a transaction themselves (docs/architecture.md, "Where commits
# happen"): the webhook answers Stripe from the outcome of its own commit.
MAY_COMMIT = {"contributions/webhook_views.py"}


def is_web_module(path: Path, tree: ast.Module) -> bool:
    """A view or API module: named so, or declaring a blueprint."""
    if path.name.startswith(("views", "api")) or path.stem.endswith("_views"):
        return True
    return any(
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Blueprint"
        for node in ast.walk(tree)
    )


def commits_in(source: str) -> list[int]:
    """The lines that call `….commit()` (db.session.commit(), session.commit(), …)."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "commit"
    )


def web_modules() -> list[Path]:
    return [
        path
        for path in sorted(APP.rglob("*.py"))
        if is_web_module(path, ast.parse(path.read_text()))
        and path.relative_to(APP).as_posix() not in MAY_COMMIT
    ]


def test_no_view_or_api_handler_commits():
    modules = web_modules()
    assert len(modules) > 20, "the check must see the views and API modules"
    found = [
        f"{path.relative_to(APP)}:{line}"
        for path in modules
        for line in commits_in(path.read_text())
    ]
    assert found == [], (
        "views and API handlers leave the commit to the request's unit of work"
        f" (app/core/unit_of_work.py): {found}"
    )


def test_the_check_sees_a_commit_wherever_it_is_written():
    source = (
        "def view():\n"
        "    with refusals(form):\n"
        "        services.change(db.session(), actor())\n"
        "        db.session.commit()\n"
        "    session = db.session()\n"
        "    session.commit()\n"
    )
    assert commits_in(source) == [4, 6]
    assert commits_in("def view():\n    return redirect('/')\n") == []
    tree = ast.parse("from flask import Blueprint\nbp = Blueprint('x', __name__)\n")
    assert is_web_module(Path("app/x/pages.py"), tree)


# -- the unit of work ----------------------------------------------------------------------------


def pending_setting(key: str) -> None:
    db.session.add(Setting(key=key, value="1"))
    db.session.flush()


def saved(key: str) -> bool:
    """Whether the row survives a rollback of what is not committed."""
    db.session.rollback()
    return db.session.execute(select(Setting).where(Setting.key == key)).first() is not None


@pytest.mark.parametrize(
    ("method", "status", "kept"),
    [
        ("POST", 200, True),
        ("POST", 302, True),
        ("DELETE", 204, True),
        ("POST", 409, False),
        ("PUT", 422, False),
        ("GET", 200, False),
    ],
)
def test_a_request_is_committed_once_it_has_answered_successfully(app, method, status, kept):
    with app.test_request_context("/", method=method):
        pending_setting("uow.test")
        unit_of_work.flash_after_commit("Done.")
        unit_of_work.finish(Response(status=status))
        assert get_flashed_messages() == (["Done."] if kept else [])
        assert saved("uow.test") is kept


def test_a_get_keeps_what_its_view_says_it_started(app):
    with app.test_request_context("/", method="GET"):
        pending_setting("uow.started")
        unit_of_work.keep_changes()
        unit_of_work.finish(Response(status=200))
        assert saved("uow.started")


def test_a_refusal_undoes_the_change_and_is_shown_on_its_field_or_flashed(app):
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class Form(FlaskForm):
        amount = StringField()

    with app.test_request_context("/", method="POST"):
        form = Form(meta={"csrf": False})
        with refusals(form) as refused:
            pending_setting("uow.refused")
            raise ValidationError("too much", fields={"amount": "too much"})
        assert refused.error is not None and form.amount.errors == ["too much"]
        with refusals() as flashed:
            raise Conflict("closed")
        assert flashed.error is not None and get_flashed_messages() == ["closed"]
        with pytest.raises(Conflict), refusals(let_through=(Conflict,)):
            raise Conflict("a 409 page")
        assert not saved("uow.refused")
