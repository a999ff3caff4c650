"""Test fixtures.

The schema is built once per run by the real migrations, on SQLite (a fresh temporary file)
or on PostgreSQL when TEST_DATABASE_URL is set. Every test then runs inside one outer
transaction that is rolled back at the end (SQLAlchemy's "join an external transaction"
recipe): views and services commit as usual, and each commit only releases a savepoint.
"""

from __future__ import annotations

import itertools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, make_url, text
from sqlalchemy.orm import scoped_session, sessionmaker
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db, limiter
from app.fund.checks import all_problems
from app.ledger import checks as ledger_checks
from config import TestingConfig, database_url
from tests import builders, stripe_helpers
from tests.factories import Factory

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_report_header(config: Any) -> str:
    return (
        f"database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite (temporary file)'}"
    )


def reset_database(app: Flask) -> None:
    """Drop everything and run every migration from scratch."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


def make_app(uri: str, **overrides: Any) -> Flask:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=uri, **overrides)

    def _fresh_g() -> None:
        # In production every request has its own app context; the test client reuses the
        # test's, so forget what the previous request cached (the signed-in user, locale).
        for key in list(vars(g)):
            delattr(g, key)

    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    return app


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    if POSTGRES_URL:
        return database_url(POSTGRES_URL)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(database_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    uploads = tmp_path_factory.mktemp("uploads")
    # CSRF is on in every real configuration; tests post forms without tokens, and the
    # `csrf` fixture turns it back on for the tests that check it.
    app = make_app(database_uri, UPLOAD_FOLDER=str(uploads), WTF_CSRF_ENABLED=False)
    reset_database(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _db_transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run the test in an outer transaction that is rolled back afterwards.

    Tests marked `live` commit for real in their own database (a browser or several threads
    need to see each other's work), so they are left alone here.
    """
    if request.node.get_closest_marker("live"):
        yield
        return
    app: Flask = request.getfixturevalue("app")
    ctx = app.app_context()
    ctx.push()
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    )
    limiter.reset()
    try:
        yield
        if not request.node.get_closest_marker("breaks_ledger"):
            assert_ledger_holds(cross_checks=not request.node.get_closest_marker("raw_postings"))
    finally:
        db.session.remove()
        db.session = original
        if outer.is_active:
            outer.rollback()
        connection.close()
        ctx.pop()


def assert_ledger_holds(*, cross_checks: bool = True) -> None:
    """`ledger verify` must pass after every test, whatever the test did with money. Tests
    of the ledger layer alone post without the records behind the postings (contributions,
    grants), so only the ledger's own invariants apply to them."""
    session = db.session()
    if not session.is_active:
        session.rollback()
    found = all_problems(session) if cross_checks else ledger_checks.iter_problems(session)
    problems = [str(p) for p in found]
    assert problems == [], f"ledger verify fails after this test: {problems[0]}"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def factory(app: Flask) -> Factory:
    return Factory(db.session)


# -- the people most tests need (a file may give its own, for a reason it says) ------------------


@pytest.fixture
def staff(factory: Factory) -> Any:
    """A secretariat officer: the maker of releases and corrections."""
    return factory.user("secretariat", name="Amara Diallo")


@pytest.fixture
def checker(factory: Factory) -> Any:
    """A second secretariat officer: the checker who approves what `staff` prepared."""
    return factory.user("secretariat", name="Tomás Herrera")


@pytest.fixture
def fiji(factory: Factory) -> Any:
    """Fiji's focal point (Fiji is a SIDS in the Asia-Pacific group)."""
    return factory.user("applicant", state="FJI", name="Mere Tuilagi")


@pytest.fixture
def board(factory: Factory, staff: Any) -> Any:
    """The committee: five seated members, one per regional group."""
    return builders.committee(factory, staff)


@pytest.fixture
def stripe_on(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Card giving switched on, with a Stripe API nobody answers (fees stay unknown)."""
    monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", "sk_test_x")
    monkeypatch.setitem(app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_x")
    monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", stripe_helpers.WEBHOOK_SECRET)
    monkeypatch.setitem(app.config, "STRIPE_API_BASE", "http://127.0.0.1:9")


@pytest.fixture
def csrf(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def count_queries(app: Flask) -> Any:
    """`with count_queries() as counter:` ... `counter.count` is the number of SQL statements."""

    @contextmanager
    def counting() -> Iterator[Any]:
        class Counter:
            count = 0
            statements: list[str] = []

        counter = Counter()
        counter.statements = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                return
            counter.count += 1
            counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


# -- live server: a real HTTP server on its own, committed database -----------------------------
#
# Each live test gets a fresh copy of a database migrated once per run: a copied file on
# SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL. Tests commit for real and cannot see
# each other's data.


@dataclass
class LiveServer:
    url: str
    app: Flask


def _pg_admin(url: Any) -> Any:
    admin = url.set(database="postgres").render_as_string(hide_password=False)
    return psycopg.connect(admin.replace("postgresql+psycopg", "postgresql"), autocommit=True)


@pytest.fixture(scope="session")
def live_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to copy for each live test (a file path or a database name)."""
    if not POSTGRES_URL:
        path = tmp_path_factory.mktemp("live") / "template.sqlite"
        reset_database(make_app(f"sqlite:///{path}"))
        yield str(path)
        return
    url = make_url(database_url(POSTGRES_URL))
    name = f"{url.database}_live_tpl"
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    reset_database(make_app(url.set(database=name).render_as_string(hide_password=False)))
    yield name
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _clone(template: str, tmp_path: Path) -> tuple[str, Any]:
    """A fresh copy of the template; returns its URI and how to drop it."""
    if not POSTGRES_URL:
        path = tmp_path / "live.sqlite"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}", lambda: None
    url = make_url(database_url(POSTGRES_URL))
    name = f"{url.database}_live_{next(_live_numbers)}"
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def drop() -> None:
        with _pg_admin(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


_live_numbers = itertools.count(1)


@pytest.fixture
def live_server(live_template: str, tmp_path: Path) -> Iterator[LiveServer]:
    uri, drop = _clone(live_template, tmp_path)
    app = make_app(uri, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    try:
        with app.app_context():
            assert_ledger_holds()  # once the server is down: no request holds a lock
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium, never a downloaded browser."""
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not installed (apt-get install chromium): browser tests skipped")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-gpu",
        ],
    }


@contextmanager
def isolated_example() -> Iterator[None]:
    """A savepoint around one hypothesis example, inside the test's own transaction."""
    connection = db.session.get_bind()
    saved = db.session
    nested = connection.begin_nested()
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    )
    try:
        yield
    finally:
        db.session.remove()
        db.session = saved
        if nested.is_active:
            nested.rollback()
