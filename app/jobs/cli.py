"""`flask --app wsgi jobs run`: everything that is due, each job in its own transaction."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from app.committee import ballots, decisions
from app.contributions.fees import record_unknown_fees
from app.core import mail
from app.core.audit import audit_origin
from app.deployments import services as deployments
from app.extensions import db
from app.grants import services as grants
from app.reports import services as reports

jobs_cli = AppGroup("jobs", help="Run scheduled work.")

# (name, function returning a one-line summary). Order matters: mail goes last so it carries
# what the other jobs queued.
Job = Callable[[Session], str]


def _send_mail(session: Session) -> str:
    return f"{mail.deliver_pending(session)} message(s) sent"


def _close_ballots(session: Session) -> str:
    return f"{decisions.close_expired(session)} ballot(s) closed"


def _ballot_reminders(session: Session) -> str:
    return f"{ballots.send_reminders(session)} reminder(s) queued"


def _mission_report_reminders(session: Session) -> str:
    return f"{deployments.reminders_due(session)} reminder(s) queued"


def _report_reminders(session: Session) -> str:
    return f"{reports.reminders_due(session)} reminder(s) queued"


def _commit_waiting(session: Session) -> str:
    return f"{grants.commit_waiting(session)} waiting grant(s) committed"


JOBS: list[tuple[str, Job]] = [
    ("close expired ballots", _close_ballots),
    ("card fees", record_unknown_fees),
    ("commit waiting grants", _commit_waiting),
    ("ballot reminders", _ballot_reminders),
    ("mission report reminders", _mission_report_reminders),
    ("progress report reminders", _report_reminders),
    ("mail", _send_mail),
]


@jobs_cli.command("run")
def run() -> None:
    """Run every due job once. Safe to run again at any time."""
    audit_origin.set("job")
    failures = 0
    for name, job in JOBS:
        try:
            summary = job(db.session())
            db.session.commit()
            mail.deliver_committed(db.session())
            click.echo(f"{name}: {summary}")
        except Exception as exc:  # one failing job must not stop the others
            db.session.rollback()
            failures += 1
            click.echo(f"{name}: FAILED: {type(exc).__name__}: {exc}", err=True)
    if failures:
        raise SystemExit(1)
