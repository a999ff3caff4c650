"""`flask --app wsgi audit verify`"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core import audit
from app.extensions import db

audit_cli = AppGroup("audit", help="Check the audit log.")


@audit_cli.command("verify")
@click.option("--all", "show_all", is_flag=True, help="List every problem, not only the first")
def verify(show_all: bool) -> None:
    """Exit 0 if the hash chain holds; otherwise name the first broken row and exit 1."""
    problems = audit.iter_problems(db.session())
    first = next(problems, None)
    if not show_all:
        problems.close()
    if first is None:
        head = audit.latest_hash(db.session())
        count = db.session.get(audit.AuditHead, 1)
        click.echo(f"Audit log OK: {count.last_id if count else 0} events, latest hash {head}.")
        return
    click.echo(f"Audit log BROKEN: {first}", err=True)
    if show_all:
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    raise SystemExit(1)
