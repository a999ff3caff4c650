"""`flask --app wsgi recommendations import FILE.xlsx [--state ISO3]`"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.cli import as_cli, commit, fail
from app.core.errors import DomainError
from app.extensions import db
from app.recommendations.importer import SKIP_REASONS, ImportResult, import_workbook

recommendations_cli = AppGroup("recommendations", help="The States' recommendations registers.")


@recommendations_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--state", default=None, help="ISO 3166-1 alpha-3: import this State's rows only.")
def import_command(path: Path, state: str | None) -> None:
    """Import an export of the Universal Human Rights Index (.xlsx): one transaction, so the
    file is imported whole or not at all. Exits 2, naming what is wrong, on a file that is
    not such an export."""
    as_cli()
    try:
        with path.open("rb") as handle:
            result = import_workbook(db.session(), None, handle, state=state)
    except DomainError as error:
        db.session.rollback()
        fail(error.message)
    commit()
    for line in report_lines(result):
        click.echo(line)


def _names(counter: Counter[str]) -> str:
    return "; ".join(f"{name} ({count})" for name, count in counter.most_common())


def report_lines(result: ImportResult) -> list[str]:
    lines = [
        f"imported {result.imported}, updated {result.updated}, skipped {result.skipped}",
        f"unchanged {result.unchanged}",
    ]
    for reason, count in result.reasons.most_common():
        lines.append(f"  skipped, {SKIP_REASONS[reason]}: {count}")
    if result.unmapped_countries:
        lines.append(f"country names not mapped: {_names(result.unmapped_countries)}")
    if result.unmapped_bodies:
        lines.append(f"bodies not mapped: {_names(result.unmapped_bodies)}")
    if result.unmapped_labels:
        lines.append(
            f"theme and affected-person labels not mapped (left out of their rows): "
            f"{_names(result.unmapped_labels)}"
        )
    return lines
