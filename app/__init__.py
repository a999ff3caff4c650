"""SPTF — the Small Projects Trust Fund application factory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response as WerkzeugResponse

from app import signals
from app.admin.views import bp as admin_bp
from app.api.core import error_response
from app.api.views import bp as api_bp
from app.applications.api import bp as applications_api_bp
from app.applications.editor_views import bp as application_editor_bp
from app.applications.views import bp as applications_bp
from app.auditlog.cli import audit_cli
from app.auditlog.views import bp as auditlog_bp
from app.auth import services as auth_services
from app.auth.cli import users_cli
from app.auth.forms import ActionForm
from app.auth.views import bp as auth_bp
from app.committee import visibility as committee_visibility
from app.committee.api import bp as committee_api_bp
from app.committee.screening_views import bp as screening_bp
from app.committee.views import bp as committee_bp
from app.contributions.api import bp as contributions_api_bp
from app.contributions.views import bp as contributions_bp
from app.contributions.webhook_views import bp as stripe_bp
from app.core import i18n, security, unit_of_work
from app.core.audit import audit_origin
from app.core.database import configure_engine
from app.core.errors import DomainError
from app.core.money import Money
from app.core.roles import Region, Role
from app.dashboard.views import bp as dashboard_bp
from app.demo.cli import demo_cli
from app.deployments import serializers as deployment_serializers
from app.deployments import services as deployment_services
from app.deployments import views as deployment_views
from app.deployments.api import bp as deployments_api_bp
from app.deployments.views import bp as deployments_bp
from app.experts import profiles as expert_profiles
from app.experts.api import bp as experts_api_bp
from app.experts.views import bp as experts_bp
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.fund.api import bp as ledger_api_bp
from app.fund.cli import ledger_cli
from app.fund.views import bp as ledger_bp
from app.grants.api import bp as grants_api_bp
from app.grants.views import bp as grants_bp
from app.jobs.cli import jobs_cli
from app.navigation import nav_items
from app.opendata.views import bp as opendata_bp
from app.public.views import bp as public_bp
from app.recommendations.cli import recommendations_cli
from app.reports import api as reports_api
from app.reports import services as reports_services
from app.reports import views as reports_views
from app.reports.api import bp as reports_api_bp
from app.reports.views import bp as reports_bp
from app.roster.api import bp as roster_api_bp
from app.roster.views import bp as roster_bp
from app.transparency.views import bp as transparency_bp
from config import BASE_DIR, Config, config_from_env

# Bearer-token JSON APIs read no cookie, so there is no session to forge a request with.
API_BLUEPRINTS = [
    api_bp,
    applications_api_bp,
    committee_api_bp,
    grants_api_bp,
    contributions_api_bp,
    ledger_api_bp,
    experts_api_bp,
    roster_api_bp,
    deployments_api_bp,
    reports_api_bp,
]
# Stripe's webhook carries no session either; it is authenticated by its signature.
SIGNED_BLUEPRINTS = [stripe_bp]
BLUEPRINTS = [
    public_bp,
    auth_bp,
    dashboard_bp,
    applications_bp,
    application_editor_bp,
    screening_bp,
    committee_bp,
    grants_bp,
    contributions_bp,
    ledger_bp,
    opendata_bp,
    experts_bp,
    roster_bp,
    deployments_bp,
    reports_bp,
    transparency_bp,
    admin_bp,
    auditlog_bp,
    *API_BLUEPRINTS,
    *SIGNED_BLUEPRINTS,
]
CLI_GROUPS = [users_cli, audit_cli, ledger_cli, demo_cli, jobs_cli, recommendations_cli]


def connect_signals() -> None:
    """Every receiver of app/signals.py, in one list: how the packages built on others take
    part in them. The order is the order they answer (the grant page's sections)."""
    signals.nationality_changing.connect(expert_profiles.on_nationality_changing)
    signals.committee_reach.connect(committee_visibility.reach)
    signals.application_ballots.connect(committee_visibility.ballots_on_page)
    signals.grant_accepted.connect(reports_services.on_grant_accepted)
    signals.grant_closing.connect(deployment_services.on_grant_closing)
    signals.grant_page_sections.connect(reports_views.grant_section)
    signals.grant_page_sections.connect(deployment_views.grant_section)
    signals.grant_json_parts.connect(reports_api.grant_reports)
    signals.grant_json_parts.connect(deployment_serializers.grant_deployments)


class DatabaseIntConverter(IntegerConverter):
    """`<int:id>` up to the largest BIGINT: a longer number matches no route (404) instead of
    overflowing the database driver (SQLite raises OverflowError past 2**63 - 1)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: type[Config] | None = None, **overrides: Any) -> Flask:
    config = config or config_from_env()
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder="static",
        instance_path=str(BASE_DIR / "instance"),
    )
    app.config.from_object(config)
    app.config.update(overrides)
    config.validate(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)

    if app.config["TRUSTED_PROXIES"] > 0:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    _init_extensions(app)
    app.url_map.converters["int"] = DatabaseIntConverter
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    for blueprint in API_BLUEPRINTS + SIGNED_BLUEPRINTS:
        csrf.exempt(blueprint)
    for group in CLI_GROUPS:
        app.cli.add_command(group)
    connect_signals()
    security.init_app(app)
    unit_of_work.init_app(app)
    _init_request_hooks(app)
    _init_error_handlers(app)
    _init_templates(app)
    return app


def _select_locale() -> str | None:
    languages = list(current_app.config["LANGUAGES"])
    if not has_request_context():  # the CLI and jobs: mail picks its own language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    if session.get("lang") in languages:
        return str(session["lang"])
    return request.accept_languages.best_match(languages) or "en"


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(lambda session_id: auth_services.load_user(db.session(), session_id))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    for directory in app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";"):
        i18n.compile_catalogs(Path(app.root_path, directory))


def _init_request_hooks(app: Flask) -> None:
    @app.before_request
    def _request_origin() -> None:
        audit_origin.set(f"web {request.remote_addr or '-'}"[:120])

    @app.before_request
    def _absolute_session_lifetime() -> WerkzeugResponse | None:
        if not current_user.is_authenticated:
            return None
        login_at = session.get("login_at", 0)
        if time.time() - login_at > app.config["SESSION_ABSOLUTE_LIFETIME"]:
            logout_user()
            session.clear()
            flash(_("Your session has ended. Please sign in again."), "info")
            return redirect(url_for("auth.login"))
        return None


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _init_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Any:
        db.session.rollback()
        if _wants_json():
            return error_response(error.status, error.code, error.message, error.fields or None)
        return render_template(
            "errors/error.html", code=error.status, message=error.message
        ), error.status

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> Any:
        db.session.rollback()
        message = _(
            "This form has expired or did not come from this site. Go back, reload it and try again."
        )
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        db.session.rollback()
        code = error.code or 500
        if _wants_json():
            names = {
                404: "not_found",
                405: "method_not_allowed",
                413: "too_large",
                429: "too_many_requests",
            }
            message = error.description if code == 429 else (error.name or "error")
            return error_response(code, names.get(code, "error"), str(message).lower())
        return render_template(
            "errors/error.html", code=code, message=_http_message(code, error)
        ), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        db.session.rollback()
        app.logger.exception("unhandled error")
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        if _wants_json():
            return error_response(500, "server_error", "something went wrong on our side")
        return render_template("errors/error.html", code=500, message=_http_message(500, None)), 500


def _http_message(code: int, error: HTTPException | None) -> str:
    messages = {
        400: _("The request could not be understood."),
        403: _("You do not have access to this page."),
        404: _(
            "There is nothing here. The address may be mistyped, or the page is not yours to see."
        ),
        405: _("This page cannot be used that way."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Wait a few minutes and try again."),
        500: _("Something went wrong on our side. The error is logged; please try again later."),
    }
    return messages.get(code, error.description if error is not None else "") or ""


def _money(value: Money | None) -> str:
    return value.format(str(get_locale() or "en")) if value is not None else "—"


def _minor_money(minor: int | None, currency: str) -> str:
    return _money(Money(int(minor), currency)) if minor is not None else "—"


def _init_templates(app: Flask) -> None:
    app.jinja_env.filters["money"] = _money
    app.jinja_env.filters["minor_money"] = _minor_money
    app.jinja_env.globals.update(
        nav_items=nav_items,
        Role=Role,
        Region=Region,
        get_locale=get_locale,
        action_form=ActionForm,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
