"""Public open data: the page that explains it, and the three files, streamed.

A streamed body is read after the view returns, when the request's session is closed and
there is no application context: each file reads in a read-only session of its own, from
values (the fund, the time) taken while the request was still there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Blueprint, Response, current_app, render_template
from sqlalchemy.orm import Session

from app.core.database import read_only_session, utcnow
from app.extensions import db, limiter
from app.opendata import iati, services, threesixty
from app.opendata.records import Vocabulary
from app.reference import services as reference

bp = Blueprint("opendata", __name__)

# Each file reads every published grant: generous for people and tools, not for floods.
FILE_LIMIT = "60 per minute"
# Public and the same for everyone, so any site's scripts may read it (without credentials).
DATA_HEADERS = {"Access-Control-Allow-Origin": "*"}
EXAMPLE_REFERENCE = "SPTF-2026-0001"


def _streamed(
    produce: Callable[[Session], Iterator[str]], mimetype: str, filename: str, *, download: bool
) -> Response:
    engine = db.engine

    def body() -> Iterator[str]:
        with read_only_session(engine) as session:
            yield from produce(session)

    response = Response(body(), mimetype=mimetype)
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers.update(DATA_HEADERS)
    return response


@bp.route("/open-data")
def index() -> str:
    fund = services.fund_from_config(current_app.config)
    return render_template(
        "opendata/index.html",
        fund=fund,
        published=services.published_count(db.session()),
        themes=reference.themes(db.session()),
        themes_vocabulary=Vocabulary.THEMES.value,
        licence_url=services.LICENCE_URL,
        licence_name=services.LICENCE_NAME,
        example_reference=EXAMPLE_REFERENCE,
        example_iati=services.iati_identifier(fund, EXAMPLE_REFERENCE),
        example_360=services.threesixty_grant_id(EXAMPLE_REFERENCE),
        example_org=services.government_org_id("FJI"),
    )


@bp.route("/open-data/iati.xml")
@limiter.limit(FILE_LIMIT)
def iati_xml() -> Response:
    fund, generated = services.fund_from_config(current_app.config), utcnow()
    return _streamed(
        lambda session: iati.document(session, fund, generated),
        "application/xml",
        "sptf-iati-activities.xml",
        download=False,
    )


@bp.route("/open-data/360giving.json")
@limiter.limit(FILE_LIMIT)
def threesixtygiving_json() -> Response:
    fund, generated = services.fund_from_config(current_app.config), utcnow()
    return _streamed(
        lambda session: threesixty.json_document(session, fund, generated),
        "application/json",
        "sptf-360giving.json",
        download=False,
    )


@bp.route("/open-data/360giving.csv")
@limiter.limit(FILE_LIMIT)
def threesixtygiving_csv() -> Response:
    fund = services.fund_from_config(current_app.config)
    return _streamed(
        lambda session: threesixty.csv_document(session, fund),
        "text/csv",
        "sptf-360giving.csv",
        download=True,
    )
