"""Helpers for CLI commands: one-line errors with an exit code, and the commit boundary."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from app.core import mail
from app.core.audit import audit_origin
from app.extensions import db


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def commit(*, echo_mail: bool = True) -> None:
    """The CLI's unit-of-work boundary: commit, then send the mail it queued."""
    db.session.commit()
    mail.deliver_committed(db.session(), echo=echo_mail)


def as_cli() -> None:
    audit_origin.set("cli")
