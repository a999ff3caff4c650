"""TOTP (RFC 6238) with replay protection: a code's time step can be used only once."""

from __future__ import annotations

import hmac
import time

import pyotp
import segno

from app.core.numbers import is_ascii_digits

STEP = 30
WINDOW = 1  # accept the previous and next step too, for clock drift


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer))


def qr_svg(uri: str) -> str:
    """An inline SVG QR code (no image request, nothing for the CSP to allow)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, title="QR code for authenticator"))


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step the code belongs to, or None if it matches none in the window."""
    # ASCII digits only: '²' is a digit to str.isdigit() and compare_digest refuses it.
    code = "".join(ch for ch in (code or "") if is_ascii_digits(ch))
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP)
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        # Compare every candidate so timing does not reveal which one matched.
        if hmac.compare_digest(totp.at(step * STEP), code):
            found = step
    return found


def code_for(secret: str, now: float | None = None) -> str:
    """The current code; used by tests and by the demo instructions."""
    return str(pyotp.TOTP(secret).at(now if now is not None else time.time()))
