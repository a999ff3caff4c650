"""Security headers, configuration safety and redirects (design.md §6)."""

import pytest

from app import create_app
from app.core.security import safe_next
from config import ProductionConfig


def test_security_headers_on_pages(client):
    response = client.get("/login")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # testing: plain HTTP


def test_session_cookie_flags(client, factory):
    from tests.factories import PASSWORD
    from tests.test_auth import sign_in

    user = factory.user("donor", password=PASSWORD)
    response = sign_in(client, user.email)
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("sptf_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_signed_in_pages_are_not_cached(client, factory):
    from tests.factories import login

    login(client, factory.user("donor"))
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("secret", ["", "dev", "short-secret", "a" * 64])
def test_production_refuses_a_missing_or_weak_secret_key(secret, monkeypatch):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY=secret, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_with_a_strong_key_uses_secure_cookies_and_hsts(tmp_path):
    app = create_app(
        ProductionConfig,
        SECRET_KEY="Zk3p9-QeW2x_Lm8vTt1rYb7NcA5sHd4FgJ0uIo6",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.sqlite'}",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/healthz")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account", "/account"),
        ("/dashboard?tab=1", "/dashboard?tab=1"),
        ("https://evil.example/", "/d"),
        ("//evil.example", "/d"),
        ("/\\evil.example", "/d"),
        ("\\\\evil.example", "/d"),
        ("javascript:alert(1)", "/d"),
        ("http:/evil.example", "/d"),
        ("/ok\r\nSet-Cookie: x", "/d"),
        ("", "/d"),
        (None, "/d"),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target, "/d") == expected


def test_language_switch_only_redirects_within_the_site(client):
    response = client.post("/language", data={"lang": "fr", "next": "https://evil.example"})
    assert response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert session["lang"] == "fr"
    response = client.post("/language", data={"lang": "xx", "next": "/login"})
    assert response.headers["Location"] == "/login"
    with client.session_transaction() as session:
        assert session["lang"] == "fr"


def test_templates_have_no_inline_styles_or_scripts():
    """The CSP forbids inline style and script; a template using them would break silently."""
    import re
    from pathlib import Path

    offenders = []
    for path in Path("templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\sstyle=\"", text) or re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text):
            offenders.append(str(path))
        if re.search(r"\son[a-z]+=\"", text):
            offenders.append(f"{path} (inline event handler)")
    assert not offenders, offenders


def test_behind_a_trusted_proxy_the_client_is_the_forwarded_address(app, database_uri):
    """Behind nginx (README, "Deploying") every request comes from the proxy: without
    TRUSTED_PROXIES the per-address sign-in throttle would be one lock for everybody."""
    from flask import request

    from config import TestingConfig

    proxied = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_uri, TRUSTED_PROXIES=1)
    seen: list[str | None] = []
    for each in (proxied, app):
        each.before_request_funcs.setdefault(None, []).append(
            lambda: seen.append(request.remote_addr)
        )
    forwarded = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    local = {"REMOTE_ADDR": "127.0.0.1"}
    try:
        proxied.test_client().get("/healthz", headers=forwarded, environ_base=local)
        # Not trusted by default: a client cannot pick its own address.
        app.test_client().get("/healthz", headers=forwarded, environ_base=local)
    finally:
        app.before_request_funcs[None].pop()
    assert seen == ["203.0.113.9", "127.0.0.1"]
