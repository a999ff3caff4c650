"""One unit of work per request: whatever a request changed is committed once, in one place.

A request that may change things (POST, PUT, PATCH, DELETE) is committed after its view or
API handler has returned an answer below 400, and rolled back otherwise; the mail it queued
is sent only after the commit (app/core/mail.py). A GET changes nothing, unless its view
says it keeps what it started (`keep_changes`: an expert's profile is started the first
time its owner opens it). Views and API handlers therefore call a
service and say what to show; they never commit. A service's refusal is undone where it is
caught (`app.core.web.refusals`, the API's `api_endpoint`), so the page shown again holds
nothing half-written.

Only three places end a transaction themselves, each at its own boundary: CLI commands
(`app.core.cli.commit`), the Stripe webhook (it answers Stripe from the outcome of its
commit) and the flows that call Stripe (`app/contributions/card_gifts.py`,
`app/contributions/fees.py`: nothing stays locked while Stripe answers).
"""

from __future__ import annotations

from flask import Flask, Response, flash, g, request

from app.core import mail
from app.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def flash_after_commit(message: str, category: str = "success") -> None:
    """Tell the user what was done, once it is saved: should the commit fail, nothing is
    said (the request ends in an error page instead)."""
    g.setdefault("messages_after_commit", []).append((message, category))


def keep_changes() -> None:
    """This GET keeps what it changed (it is committed like a successful POST)."""
    g.keep_changes = True


def finish(response: Response) -> Response:
    """The end of every request: commit what a successful change did, then send its mail."""
    if request.method not in SAFE_METHODS or g.pop("keep_changes", False):
        if response.status_code < 400:
            db.session.commit()
            for message, category in g.pop("messages_after_commit", ()):
                flash(message, category)
        else:
            db.session.rollback()
    # A GET may end a transaction of its own (a card gift's payment page): its mail too.
    mail.deliver_committed(db.session())
    return response


def init_app(app: Flask) -> None:
    app.after_request(finish)
