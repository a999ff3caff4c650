from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.auditlog import services
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import Role
from app.extensions import db

bp = Blueprint("auditlog", __name__)


@bp.route("/audit")
@roles_required(Role.AUDITOR, Role.ADMIN)
def index() -> str:
    action = (request.args.get("action") or "").strip()[:80] or None
    object_type = request.args.get("object_type") or None
    object_id = (request.args.get("object_id") or "").strip()[:64] or None
    types = services.object_types(db.session())
    if object_type not in types:
        object_type = None
    page = services.events(
        db.session(),
        page=page_arg(request.args.get("page")),
        action=action,
        object_type=object_type,
        object_id=object_id,
    )
    return render_template(
        "auditlog/index.html",
        page=page,
        action=action or "",
        object_type=object_type or "",
        object_id=object_id or "",
        object_types=types,
        details=services.visible_details(db.session(), page.items, current_user),
    )
