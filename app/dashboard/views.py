from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.dashboard import services
from app.extensions import db

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def index() -> str:
    board = services.for_user(db.session(), current_user._get_current_object())
    return render_template(board.template, **board.context)
