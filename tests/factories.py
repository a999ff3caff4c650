"""Creator functions for tests: they go through the services, so audit and rules apply."""

from __future__ import annotations

import base64
import hashlib
import io
import time
from typing import Any

from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.auth import services as auth
from app.auth import totp
from app.auth.models import User
from app.core.roles import Region, Role

PASSWORD = "correct horse battery staple"

DEFAULT_STATE = {
    Role.APPLICANT: "FJI",
    Role.COMMITTEE: "KEN",
    Role.SECRETARIAT: "CHE",
    Role.EXPERT: "NGA",
    Role.DONOR: "NOR",
    Role.AUDITOR: "HUN",
    Role.ADMIN: "NOR",
}


def totp_secret_for(email: str) -> str:
    return base64.b32encode(hashlib.sha256(email.encode()).digest()[:20]).decode()


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._seq = 0

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def user(
        self,
        role: Role | str = Role.APPLICANT,
        *,
        state: str | None = "default",
        region: Region | str | None = None,
        email: str | None = None,
        name: str | None = None,
        password: str | None = None,
        enrol_totp: bool | None = None,
        vetted: bool = True,
        **extra: Any,
    ) -> User:
        role = Role(role)
        n = self._next()
        email = email or f"{role.value}{n}@test.example"
        if state == "default":
            state = DEFAULT_STATE[role]
        if role is Role.COMMITTEE and region is None:
            region = Region.AFRICAN
        user = auth.create_user(
            self.session,
            email=email,
            role=role,
            name=name or f"{role.value.title()} {n}",
            state_iso3=state,
            region=region,
            password=password,
            vetted=vetted,
            **extra,
        )
        if enrol_totp or (enrol_totp is None and role.needs_totp):
            secret = totp_secret_for(email)
            auth.confirm_totp_enrolment(self.session, user, secret, totp.code_for(secret))
            user.totp_last_counter = None
        # Commit (only a savepoint inside the test's transaction) so a request that rolls
        # back its own work cannot take the fixtures with it.
        self.session.commit()
        return user

    def token(self, user: User) -> str:
        _token, plaintext = auth.create_api_token(self.session, user, "test")
        self.session.commit()
        return plaintext


def login(client: FlaskClient, user: User) -> None:
    """Sign `user` in on `client` without going through the forms (they have their own tests)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["login_at"] = int(time.time())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pdf_text(data: bytes) -> str:
    """The text of a PDF the app made (receipts, letters, the annual report)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
