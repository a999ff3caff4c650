"""Public pages: nothing here needs an account, and nothing here is personal or unpublished.

Stories appear only once published (the State consented); projects only once published as
open data defines it (`app.opendata.services.published_grants_query`).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request, send_file
from werkzeug.wrappers import Response

from app.core import uploads
from app.core.errors import NotFound
from app.core.pagination import page_arg, paginate
from app.extensions import db
from app.reports import stories

bp = Blueprint("transparency", __name__)


@bp.route("/stories")
def stories_index() -> str:
    page = paginate(
        db.session(),
        stories.published_query(),
        page=page_arg(request.args.get("page")),
        per_page=12,
    )
    return render_template("transparency/stories.html", page=page)


@bp.route("/stories/<int:story_id>")
def story(story_id: int) -> str:
    return render_template(
        "transparency/story.html", story=stories.public_story(db.session(), story_id)
    )


@bp.route("/stories/<int:story_id>/photo")
def story_photo(story_id: int) -> Response:
    found = stories.public_story(db.session(), story_id)
    if found.photo is None:
        raise NotFound("no photo")
    response = send_file(uploads.path_of(found.photo), mimetype=found.photo.content_type)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
