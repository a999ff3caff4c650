"""Configuration classes, read from the environment (12-factor).

`create_app()` picks the class from `SPTF_ENV` (development, testing, production) unless a
class is passed explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development", "please-change-me"}
MIN_SECRET_LENGTH = 32


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def database_url(url: str | None) -> str:
    """Normalise a DATABASE_URL so PostgreSQL always goes through psycopg 3."""
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'sptf.sqlite'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "SPTF <no-reply@sptf.localhost>")

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")

    FUND_CURRENCY = os.environ.get("FUND_CURRENCY", "USD").upper()
    GRANT_CEILING = _int("GRANT_CEILING", 50000)
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_UPLOAD_BYTES = _int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    # The request limit sits above the per-file limit so an oversized file gets a form
    # message rather than a bare 413.
    MAX_CONTENT_LENGTH = MAX_UPLOAD_BYTES + 1024 * 1024
    # What a zipped upload (an .xlsx to import) may inflate to, read from its central
    # directory before anything is unpacked: a zip bomb disguised as a workbook is refused.
    # Workbooks of text inflate 5 to 10 times; 20 leaves room.
    MAX_UNCOMPRESSED_BYTES = 20 * MAX_UPLOAD_BYTES

    # Sessions: a fixed absolute lifetime, renewed on each request (idle timeout).
    SESSION_COOKIE_NAME = "sptf_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    SESSION_ABSOLUTE_LIFETIME = 12 * 3600
    REMEMBER_COOKIE_DURATION = 0

    WTF_CSRF_TIME_LIMIT = 8 * 3600
    INVITATION_MAX_AGE = 7 * 24 * 3600
    PASSWORD_RESET_MAX_AGE = 3600
    REGISTRATION_MAX_AGE = 2 * 24 * 3600  # the e-mailed link that finishes a self-registration

    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes")

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"en": "English", "fr": "Français", "es": "Español"}
    # translations/<lang>/LC_MESSAGES/messages.po beside this file (not under app/, the app's
    # root_path, where Flask-Babel would look by default). README.md, "Translations".
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    # Where outgoing links point (e-mailed invitations and resets).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # How many reverse proxies stand in front of the app and set X-Forwarded-For/-Proto. Behind
    # one (README, "Deploying"), every client would otherwise be the proxy's address: one
    # sign-in throttle for the whole world, and the proxy's address in the audit log.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # The secretariat's address for donors, States and experts (pages say "write to").
    CONTACT_EMAIL = os.environ.get("CONTACT_EMAIL", "secretariat@sptf.example")
    HSTS = True
    TOTP_ISSUER = "SPTF"
    # The fund's IATI organisation identifier: OHCHR's (DAC channel code 41313), which would
    # administer such a fund. Every IATI activity identifier starts with it.
    IATI_ORGANISATION_ID = os.environ.get("IATI_ORGANISATION_ID", "XM-DAC-41313")

    @staticmethod
    def validate(config: Mapping[str, Any]) -> None:
        """Refuse configurations that would be unsafe; called by create_app."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False
    SECRET_KEY = os.environ.get("SECRET_KEY") or "development-only-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    HSTS = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-that-is-long-enough-0123456789"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'test.sqlite'}"
    )
    SESSION_COOKIE_SECURE = False
    HSTS = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_SERVER = ""
    STRIPE_SECRET_KEY = ""
    STRIPE_PUBLISHABLE_KEY = ""
    STRIPE_WEBHOOK_SECRET = ""
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    ENV_NAME = "production"

    @staticmethod
    def validate(config: Mapping[str, Any]) -> None:
        key = config.get("SECRET_KEY") or ""
        if key.lower() in WEAK_SECRETS or len(key) < MIN_SECRET_LENGTH or len(set(key)) < 10:
            raise RuntimeError(
                "SECRET_KEY is missing or weak: set a random value of at least "
                f"{MIN_SECRET_LENGTH} characters (e.g. python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))')"
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("SPTF_ENV", "development").lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"SPTF_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
