"""Signed links (invitations, password resets) and API bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

API_TOKEN_PREFIX = "sptf_"  # noqa: S105 (a label, not a secret)


class LinkError(Exception):
    """The link is invalid or expired; the message says which."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"sptf.{purpose}")


def sign(purpose: str, payload: dict[str, Any]) -> str:
    return str(_serializer(purpose).dumps(payload))


def unsign(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    try:
        value = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkError(_("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise LinkError(_("This link is not valid.")) from None
    if not isinstance(value, dict):
        raise LinkError(_("This link is not valid."))
    return value


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def fingerprint(value: str | None) -> str:
    """A short digest that changes when `value` changes (used to expire reset links)."""
    return hashlib.sha256((value or "").encode("utf-8")).hexdigest()[:16]
