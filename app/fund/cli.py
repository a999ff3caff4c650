"""`flask --app wsgi ledger verify`"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.fund.checks import all_problems
from app.ledger import services as ledger

ledger_cli = AppGroup("ledger", help="Check the fund's ledger.")


@ledger_cli.command("verify")
def verify() -> None:
    """Exit 0 when every ledger invariant holds; otherwise name the first violation and exit 1."""
    first = next(all_problems(db.session()), None)
    if first is not None:
        click.echo(f"Ledger BROKEN: {first}", err=True)
        raise SystemExit(1)
    position = ledger.position(db.session())
    click.echo(
        "Ledger OK: "
        f"cash {position.money('cash')}, committed {position.money('committed')}, "
        f"disbursed {position.money('disbursed')}, available {position.money('available')}."
    )
