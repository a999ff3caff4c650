"""Take screenshots of the main pages for each role, for a human to look at.

    .venv/bin/python scripts/screenshots.py [--out test-artifacts/screens] [--width 1280]

Builds a throwaway SQLite database with the demo data, serves the app on a free port,
signs in as each demo user (TOTP included) and saves full-page PNGs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.auth import totp
from app.demo.people import DEMO_PASSWORD, PEOPLE, demo_totp_secret
from config import DevelopmentConfig

# Ids in the demo: applications 1-5 and grants 1-4 are its history (app/demo/history.py).
PAGES: dict[str | None, list[str]] = {
    None: ["/", "/login", "/register", "/password/forgot", "/fund", "/open-data", "/stories/1"],
    "admin": ["/dashboard", "/admin/users", "/admin/invitations", "/admin/settings", "/audit"],
    "secretariat": [
        "/dashboard",
        "/screening",
        "/applications/7/screen",
        "/ballots",
        "/applications/10/ballot",
        "/applications/12/ballot",
        "/committee/seats",
        "/applications",
        "/admin/outbox",
        "/grants",
        "/grants/1",
        "/grants/5",
        "/grants/6",
        "/reports",
        "/reports?overdue=1",
        "/reports/4",
        "/stories/manage",
        "/contributions",
        "/contributions/new/pledge",
        "/contributions/5",
        "/ledger",
    ],
    "secretariat2": ["/grants/6"],
    "auditor": ["/dashboard", "/audit"],
    "committee_african": ["/dashboard", "/applications/10/ballot"],
    "committee_grulac": ["/applications/10/ballot"],
    "applicant_fji": [
        "/dashboard",
        "/applications/6",
        "/applications/6/edit/overview",
        "/applications/6/edit/recommendations",
        "/applications/6/edit/budget",
        "/applications/6/edit/consent",
        "/applications/11",
        "/reports/7",
    ],
    "applicant_npl": ["/applications/8", "/applications/8/changes", "/reports/6"],
    "donor": ["/dashboard", "/ledger", "/contributions", "/give"],
    "applicant_jam": ["/grants/9", "/reports/2", "/applications/4/edit/overview"],
    "expert": ["/dashboard"],
}


def sign_in(page: Page, base: str, key: str) -> None:
    person = next(p for p in PEOPLE if p.key == key)
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if page.url.endswith("/login/verify"):
        page.get_by_label("6-digit code").fill(totp.code_for(demo_totp_secret(person.email)))
        page.get_by_role("button", name="Verify and sign in").click()


def name_for(key: str | None, path: str) -> str:
    slug = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
    return f"{key or 'public'}--{slug}.png"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="test-artifacts/screens")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    app = create_app(
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'screens.sqlite'}",
        UPLOAD_FOLDER=str(tmp / "uploads"),
        RATELIMIT_ENABLED=False,
    )
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--quiet"])
    assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    chromium = shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-gpu",
            ],
        )
        for key, paths in PAGES.items():
            context = browser.new_context(viewport={"width": args.width, "height": 900})
            page = context.new_page()
            if key:
                sign_in(page, base, key)
            for path in paths:
                page.goto(base + path)
                page.screenshot(path=str(out / name_for(key, path)), full_page=True)
                print(out / name_for(key, path))
            context.close()
        browser.close()
    server.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)
    os.environ.pop("SPTF_ENV", None)


if __name__ == "__main__":
    main()
