"""`flask --app wsgi users ...`"""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from app.auth import services
from app.core.cli import as_cli, commit, fail
from app.core.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Create users and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    help="applicant, committee, secretariat, expert, donor, auditor or admin",
)
@click.option(
    "--state",
    "state",
    default=None,
    help="ISO 3166-1 alpha-3: the applicant's State, or the nationality",
)
@click.option(
    "--region", default=None, help="african, asia_pacific, eastern_european, grulac or weog"
)
@click.option("--name", default="", help="Full name")
@click.option(
    "--password", default=None, help="At least 12 characters; omit to print a set-password link"
)
def create(
    email: str, role: str, state: str | None, region: str | None, name: str, password: str | None
) -> None:
    """Create a user with a role (vetted, since an operator creates it)."""
    as_cli()
    try:
        user = services.create_user(
            db.session(),
            email=email,
            role=role,
            name=name,
            state_iso3=state,
            region=region,
            password=password,
        )
    except DomainError as error:
        db.session.rollback()
        fail(error.message)
    commit()
    click.echo(f"Created {user.role_enum.value} {user.email} (id {user.id}).")
    if not user.has_password:
        with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
            link = url_for(
                "auth.reset_password", token=services.password_reset_token(user), _external=True
            )
        click.echo(f"Set-password link (valid 1 hour): {link}")
    if user.needs_totp:
        click.echo("This role signs in with TOTP: the first sign-in shows the QR code to enrol.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI token", help="A label for the token")
def token(email: str, name: str) -> None:
    """Print a new API token for EMAIL (the last line of output)."""
    as_cli()
    user = services.find_user_by_email(db.session(), email)
    if user is None:
        fail(f"no user with e-mail {email}")
    if not user.active:
        fail(f"{email} is deactivated")
    if user.needs_totp and not user.has_totp:
        # Such a token would be refused (auth.services.user_for_api_token): say so now.
        fail(
            f"{email} is {user.role_enum.value}, which acts only after two-factor enrolment:"
            " sign in once to enrol TOTP, then make the token"
        )
    _token, plaintext = services.create_api_token(db.session(), user, name)
    commit()
    click.echo(f"API token for {user.email} ({user.role_enum.value}); keep it secret:")
    click.echo(plaintext)
