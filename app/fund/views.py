"""The fund at a glance (public), and the ledger with charts and its CSV export."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from app.auth.current import actor
from app.core import charts
from app.core.database import read_only_session, today
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import Region
from app.extensions import db
from app.fund import queries
from app.ledger import services as ledger
from app.reference import services as reference

bp = Blueprint("ledger", __name__)


# The charts as drawn at a ledger version, per language and day: they read every grant's
# accounts, and change only when a transaction is posted (see ledger.version).
_drawn: OrderedDict[tuple[tuple[int, str], str, date], dict[str, object]] = OrderedDict()
_drawn_lock = threading.Lock()


def overview_charts() -> dict[str, object]:
    key = (ledger.version(db.session()), str(get_locale()), today())
    with _drawn_lock:
        if key in _drawn:
            _drawn.move_to_end(key)
            return _drawn[key]
    drawn = _draw_charts()
    with _drawn_lock:
        _drawn[key] = drawn
        while len(_drawn) > 8:
            _drawn.popitem(last=False)
    return drawn


def _draw_charts() -> dict[str, object]:
    fmt = queries.money_formatter()
    months, money_in, money_out = queries.monthly_flows(db.session())
    regions = queries.by_region(db.session())
    return {
        "flows": charts.grouped_bars(
            _("Money in and out, the last 12 months"),
            [format_date(m, "MMMM yyyy") for m in months],
            [
                charts.Series(_("Contributions received"), money_in, charts.PALETTE[2]),
                charts.Series(_("Disbursements"), money_out, charts.PALETTE[0]),
            ],
            formatter=fmt,
            tick_formatter=queries.money_tick_formatter(),
            # The year under January and under the first month only: twelve fit.
            axis_labels=[
                format_date(m, "MMM yyyy" if i == 0 or m.month == 1 else "MMM")
                for i, m in enumerate(months)
            ],
        ),
        "regions": charts.horizontal_bars(
            _("Committed to grants, by regional group"),
            [(Region(r).label, c) for r, c, _d in regions],
            formatter=fmt,
        ),
        "themes": charts.horizontal_bars(
            _("Committed to grants, by theme"), queries.by_theme(db.session()), formatter=fmt
        ),
    }


@bp.route("/fund")
def fund() -> str:
    return render_template(
        "ledger/fund.html", position=ledger.position(db.session()), charts=overview_charts()
    )


@bp.route("/ledger")
@roles_required(*queries.READERS)
def index() -> str:
    user = actor()
    f = queries.filter_from_args(request.args)
    page = queries.transactions(db.session(), user, f, page=page_arg(request.args.get("page")))
    return render_template(
        "ledger/index.html",
        page=page,
        f=f,
        names=queries.names(db.session(), user, page),
        position=ledger.position(db.session()),
        charts=overview_charts(),
        regions=list(Region),
        themes=reference.themes(db.session()),
        kinds=queries.TransactionKind,
        donors=queries.donor_choices(db.session(), user),
    )


@bp.route("/ledger.csv")
@roles_required(*queries.READERS)
def export() -> Response:
    user = actor()
    f = queries.filter_from_args(request.args)
    engine = db.engine

    def rows() -> Iterator[str]:
        with read_only_session(engine) as session:
            yield from queries.csv_rows(session, user, f)

    response = Response(rows(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="sptf-ledger.csv"'
    return response
