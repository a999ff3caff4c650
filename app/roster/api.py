"""/api/v1/experts: the roster searched, ranked with an explained score (design.md §5.2)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, request
from flask_babel import gettext as _

from app.api.core import api_endpoint, current_api_user, page_response
from app.core.errors import ValidationError
from app.core.numbers import whole_number
from app.core.pagination import page_arg
from app.core.roles import Region, Role
from app.extensions import db
from app.grants import services as grants
from app.roster import matching
from app.roster.serializers import match_json

bp = Blueprint("roster_api", __name__, url_prefix="/api/v1")
REGIONS = frozenset(r.value for r in Region)  # the `region` filter is allow-listed


def _date_param(name: str) -> date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("%(name)s: give a date as YYYY-MM-DD", name=name), fields={name: "bad date"}
        ) from None


@bp.get("/experts")
@api_endpoint(
    summary="Search the roster, ranked with an explained score; `for_grant` matches a grant's"
    " request (nationals of its State excluded)",
    roles=[Role.SECRETARIAT],
    tags=["roster"],
)
def search() -> Response:
    session = db.session()
    start, end = _date_param("available_from"), _date_param("available_to")
    if start and end and end < start:
        raise ValidationError(
            _("available_to is before available_from"), fields={"available_to": "before start"}
        )
    grant_arg = request.args.get("for_grant")
    region = request.args.get("region") or None
    if region is not None and region not in REGIONS:
        raise ValidationError(
            _("region: one of %(regions)s", regions=", ".join(sorted(REGIONS))),
            fields={"region": "unknown region"},
        )
    if grant_arg:
        grant_id = whole_number(grant_arg)
        if grant_id is None:
            raise ValidationError(_("for_grant: a grant id"), fields={"for_grant": "invalid"})
        grant = grants.get_grant_for(session, current_api_user(), grant_id)
        criteria = matching.criteria_for_grant(grant, start, end)
    else:
        criteria = matching.Criteria(
            themes=[t for t in request.args.getlist("theme") if t],
            languages=[lang.lower() for lang in request.args.getlist("language") if lang],
            region=region,
            available_from=start,
            available_to=end,
            name=request.args.get("q") or None,
        )
    page = matching.search(session, criteria, page=page_arg(request.args.get("page")))
    return page_response(page, [match_json(m) for m in page.items])
