from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from app.auth import services as auth_services
from app.core.security import safe_next
from app.extensions import db
from app.public import services

bp = Blueprint("public", __name__)


@bp.route("/")
def home() -> str:
    return render_template("public/home.html", overview=services.home_overview(db.session()))


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok"), 200


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            user = current_user._get_current_object()
            auth_services.update_profile(db.session(), user, name=user.name, locale=lang)
    return redirect(safe_next(request.form.get("next"), "/"))
