"""/api/v1/fund and /api/v1/ledger."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from app.api.core import api_endpoint, current_api_user, page_response
from app.core.money import Money
from app.core.pagination import page_arg
from app.extensions import db
from app.fund import queries
from app.ledger import services as ledger

bp = Blueprint("ledger_api", __name__, url_prefix="/api/v1")

FUND_SCHEMA = {
    "type": "object",
    "properties": {
        k: {"type": "string"}
        for k in (
            "currency",
            "cash",
            "committed",
            "disbursed",
            "available",
            "received",
            "pledged",
            "fees",
            "shortfall",
        )
    },
}


@bp.get("/fund")
@api_endpoint(
    summary="The fund's totals (public: no token needed)",
    response=FUND_SCHEMA,
    tags=["money"],
    public=True,
)
def fund() -> Response:
    p = ledger.position(db.session())
    return jsonify(
        currency=p.currency,
        cash=p.money("cash").as_string(),
        committed=p.money("committed").as_string(),
        disbursed=p.money("disbursed").as_string(),
        available=p.money("available").as_string(),
        received=p.money("received").as_string(),
        pledged=p.money("pledges_outstanding").as_string(),
        fees=p.money("fees").as_string(),
        shortfall=p.money("shortfall").as_string(),
    )


@bp.get("/ledger")
@api_endpoint(
    summary="Ledger transactions, filterable by grant, state, region, theme, donor, kind and dates",
    roles=list(queries.READERS),
    tags=["money"],
)
def ledger_entries() -> Response:
    user = current_api_user()
    f = queries.filter_from_args(request.args)
    page = queries.transactions(db.session(), user, f, page=page_arg(request.args.get("page")))
    names = queries.names(db.session(), user, page)
    items = []
    for t in page.items:
        items.append(
            {
                "id": t.id,
                "date": t.effective_on.isoformat(),
                "kind": t.kind_enum.value,
                "memo": t.memo,
                "grant": names["grants"].get(t.grant_id) if t.grant_id else None,
                "donor": names["donors"].get(t.donor_id) if t.donor_id else None,
                "entries": [
                    {
                        "account": e.account.code
                        if not (
                            user.role_enum.value == "donor" and t.donor_id not in (None, user.id)
                        )
                        else e.account.category,
                        "amount": Money(e.amount_minor, e.currency).as_string(),
                        "currency": e.currency,
                    }
                    for e in t.entries
                ],
            }
        )
    return page_response(page, items)
