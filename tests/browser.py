"""Helpers for the browser journeys: people in the live database and signing in."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page

from app.auth import services as auth
from app.auth import totp
from app.auth.models import User
from app.committee import seats
from app.core.database import today
from app.core.roles import Region
from app.extensions import db
from tests.factories import PASSWORD, totp_secret_for

_counter = itertools.count(1)


def person(
    role: str, *, state: str | None = None, region: str | None = None, name: str | None = None
) -> User:
    """A user in the live database (call inside the live app's context)."""
    n = next(_counter)
    email = f"{role}.{n}.{state or 'x'}@live.example".lower()
    user = auth.create_user(
        db.session(),
        email=email,
        role=role,
        name=name or f"{role.title()} {n}",
        state_iso3=state,
        region=region,
        password=PASSWORD,
    )
    if user.needs_totp:
        secret = totp_secret_for(email)
        auth.confirm_totp_enrolment(db.session(), user, secret, totp.code_for(secret))
        user.totp_last_counter = None
    db.session.commit()
    return _detached(user)


def _detached(user: User) -> User:
    """Loaded and detached, so the test can read it after the app context ends."""
    db.session.refresh(user)
    db.session.expunge(user)
    return user


def seated_committee(secretariat: User, nationality: dict[Region, str]) -> dict[Region, User]:
    members = {}
    for region in Region:
        user = person(
            "committee",
            state=nationality[region],
            region=region.value,
            name=f"Member for {region.label}",
        )
        seats.add_seat(
            db.session(),
            db.session.merge(secretariat),
            db.session.merge(user),
            term_start=today() - timedelta(days=1),
        )
        members[region] = user
    db.session.commit()
    return members


def screenshots(shots: Path) -> Callable[[Page, str], None]:
    """`shot = screenshots(ARTIFACTS / "journey-money")`, then `shot(page, "01-give")` saves
    the whole page there (test-artifacts/) for a person to look at."""

    def shot(page: Page, name: str) -> None:
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    return shot


def sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if user.needs_totp:
        page.get_by_label("6-digit code").fill(totp.code_for(totp_secret_for(user.email)))
        page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url(f"{base}/dashboard")
