"""`flask --app wsgi demo` — idempotent: running it again adds nothing twice."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.auth.models import User
from app.core.audit import audit_origin
from app.core.cli import commit
from app.core.database import clock_at
from app.demo.applications import ensure_applications, ensure_seats
from app.demo.experts import EXPERTS
from app.demo.history import ensure_history, opening_day
from app.demo.money import ensure_contributions, ensure_grants
from app.demo.people import DEMO_PASSWORD, PEOPLE, demo_totp_secret, ensure_people
from app.demo.roster import ensure_roster
from app.extensions import db


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only load when the database has no users yet.")
@click.option("--quiet", is_flag=True, help="Do not print the demo sign-ins.")
def demo_cli(if_empty: bool, quiet: bool) -> None:
    """Load demonstration data for every role (safe to run again)."""
    audit_origin.set("cli demo")
    has_users = db.session.execute(select(func.count(User.id))).scalar_one() > 0
    if not (if_empty and has_users):
        with clock_at(opening_day()):  # the history starts with the people and the seats
            people = ensure_people(db.session())
            ensure_seats(db.session(), people)
        ensure_history(db.session(), people)
        ensure_applications(db.session(), people)
        ensure_contributions(db.session(), people)
        ensure_grants(db.session(), people)
        ensure_roster(db.session(), people)
        commit(echo_mail=False)  # dozens of demo e-mails: kept in the outbox, not printed
        click.echo("Demo data is loaded.")
    if not quiet:
        print_sign_ins()


def print_sign_ins() -> None:
    click.echo("")
    click.echo(f"Demo sign-ins at http://127.0.0.1:5000/login — every password is: {DEMO_PASSWORD}")
    for person in PEOPLE:
        extra = ""
        if person.role.needs_totp:
            extra = f"  TOTP key {demo_totp_secret(person.email)}"
        state = f" ({person.state})" if person.state else ""
        vetted = "" if person.vetted else " [not yet vetted]"
        click.echo(f"  {person.role.value:<12} {person.email:<36}{state}{vetted}{extra}")
    click.echo(
        f"  (and {len(EXPERTS) + 1} more roster experts with the same password,"  # + history's
        f" e.g. {EXPERTS[0].address})"
    )
    click.echo("")
    click.echo("Secretariat, committee and admin sign in with a TOTP code: add the key to an")
    click.echo("authenticator app, or print the current code with")
    click.echo("  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('KEY').now())\"")
