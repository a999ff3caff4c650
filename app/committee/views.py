"""Ballot pages (vote, recuse, close, reopen, discuss) and the secretariat's seat management."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.applications import services as applications
from app.applications.models import Application
from app.auth.current import actor
from app.auth.models import User
from app.committee import ballots, decisions, seats
from app.committee.forms import (
    CloseBallotForm,
    DiscussionForm,
    EndSeatForm,
    RecusalForm,
    ReopenForm,
    SeatForm,
    VoteForm,
)
from app.core.database import today, utcnow
from app.core.errors import ValidationError
from app.core.forms import choices
from app.core.money import Money
from app.core.pagination import page_arg
from app.core.permissions import roles_required
from app.core.roles import Role
from app.core.unit_of_work import flash_after_commit
from app.core.web import refusals
from app.extensions import db

bp = Blueprint("committee", __name__)

BALLOT_READERS = (Role.COMMITTEE, Role.SECRETARIAT, Role.AUDITOR)


def _application(application_id: int, *, lock: bool = False) -> Application:
    return applications.get_application_for(db.session(), actor(), application_id, lock=lock)


def _end_of_day(day: object) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(23, 59), tzinfo=UTC)  # type: ignore[arg-type]


@bp.route("/ballots")
@roles_required(*BALLOT_READERS)
def index() -> str:
    user = actor()
    page = page_arg(request.args.get("page"))
    if user.role_enum is Role.COMMITTEE:
        return render_template(
            "committee/my_ballots.html",
            open_ballots=ballots.open_ballots_for_member(db.session(), user, page=page),
            history=ballots.closed_ballots_for_member(db.session(), user),
        )
    return render_template(
        "committee/ballots.html",
        open_ballots=ballots.open_ballots(db.session(), page=page),
        closed=ballots.recent_closed(db.session()),
    )


def _render_ballot(application: Application, **forms: object) -> str:
    user = actor()
    history = ballots.ballots_of(db.session(), application)
    current = history[-1] if history else None
    member = current.member_for(user) if current else None
    vote = current.vote_of(member) if current and member else None
    vote_form = forms.get("vote_form") or VoteForm(
        data={
            "choice": vote.choice if vote else None,
            "comment": vote.comment if vote else "",
            "proposed_amount": (
                Money(vote.proposed_amount_minor, application.currency).as_string()
                if vote and vote.proposed_amount_minor
                else ""
            ),
        }
    )
    return render_template(
        "committee/ballot.html",
        application=application,
        ballot=current,
        history=history,
        member=member,
        vote=vote,
        summary=ballots.get_open_ballot_summary(current) if current else None,
        see_choices=current is not None and ballots.can_see_choices(user, current),
        discussion=ballots.discussion(db.session(), application),
        vote_form=vote_form,
        recusal_form=forms.get("recusal_form") or RecusalForm(),
        close_form=forms.get("close_form") or CloseBallotForm(),
        reopen_form=forms.get("reopen_form") or ReopenForm(),
        discussion_form=forms.get("discussion_form") or DiscussionForm(),
        default_deadline=ballots.default_deadline(db.session()),
        now=utcnow(),
    )


@bp.route("/applications/<int:application_id>/ballot")
@roles_required(*BALLOT_READERS)
def ballot(application_id: int) -> str:
    application = _application(application_id)
    return _render_ballot(application)


def _act(
    application: Application,
    form_name: str,
    form: FlaskForm,
    change: Callable[[], object],
    done: Callable[[], str] | None = None,
    *,
    category: str = "success",
    anchor: str = "",
) -> Response | tuple[str, int]:
    """A ballot POST: validate, change through the service and go back to the ballot; or
    show the ballot page again with the service's reason and the status that says why (403
    recused or not a member, 409 closed or past the deadline), or 200 for input to correct."""
    status = 200
    if form.validate_on_submit():
        with refusals(form) as refused:
            change()
            if done is not None:
                flash_after_commit(done(), category)
            return redirect(url_for("committee.ballot", application_id=application.id) + anchor)
        if refused.error is not None and not isinstance(refused.error, ValidationError):
            status = refused.error.status
    return _render_ballot(application, **{form_name: form}), status


@bp.route("/applications/<int:application_id>/ballot/vote", methods=["POST"])
@roles_required(Role.COMMITTEE)
def vote(application_id: int) -> Response | tuple[str, int]:
    application = _application(application_id, lock=True)
    form = VoteForm()
    return _act(
        application,
        "vote_form",
        form,
        lambda: ballots.cast_vote(
            db.session(),
            actor(),
            application,
            form.choice.data or "",
            form.comment.data or "",
            form.proposed_amount.data,
        ),
        lambda: _("Your vote is recorded. You can change it until the ballot closes."),
    )


@bp.route("/applications/<int:application_id>/ballot/recuse", methods=["POST"])
@roles_required(Role.COMMITTEE)
def recuse(application_id: int) -> Response | tuple[str, int]:
    application = _application(application_id, lock=True)
    form = RecusalForm()
    return _act(
        application,
        "recusal_form",
        form,
        lambda: ballots.declare_conflict(
            db.session(), actor(), application, form.reason.data or ""
        ),
        lambda: _("You are recused from this ballot."),
        category="info",
    )


@bp.route("/applications/<int:application_id>/ballot/close", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def close(application_id: int) -> Response | tuple[str, int]:
    application = _application(application_id, lock=True)
    form = CloseBallotForm()
    return _act(
        application,
        "close_form",
        form,
        lambda: decisions.close_ballot(
            db.session(),
            actor(),
            application,
            approved_amount=form.approved_amount.data,
            reasons=form.reasons.data or "",
        ),
        lambda: _("The ballot is closed: %(outcome)s.", outcome=application.status_enum.label),
    )


@bp.route("/applications/<int:application_id>/ballot/reopen", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def reopen(application_id: int) -> Response | tuple[str, int]:
    application = _application(application_id, lock=True)
    form = ReopenForm()
    return _act(
        application,
        "reopen_form",
        form,
        lambda: ballots.reopen(
            db.session(),
            actor(),
            application,
            _end_of_day(form.deadline.data) or ballots.default_deadline(db.session()),
        ),
        lambda: _("A new ballot is open."),
    )


@bp.route("/applications/<int:application_id>/discussion", methods=["POST"])
@roles_required(Role.COMMITTEE, Role.SECRETARIAT)
def discuss(application_id: int) -> Response | tuple[str, int]:
    application = _application(application_id)
    form = DiscussionForm()
    return _act(
        application,
        "discussion_form",
        form,
        lambda: ballots.post_to_discussion(
            db.session(), actor(), application, form.body.data or ""
        ),
        anchor="#discussion",
    )


# -- seats -----------------------------------------------------------------------------------------


def _seat_form() -> SeatForm:
    form = SeatForm()
    form.user.choices = choices(
        (u.id, f"{u.display_name} — {u.region.label if u.region else ''}")
        for u in seats.committee_users(db.session())
    )
    return form


@bp.route("/committee/seats", methods=["GET", "POST"])
@roles_required(Role.SECRETARIAT, Role.AUDITOR)
def seat_list() -> Response | str:
    form = _seat_form()
    if request.method == "POST":
        if actor().role_enum is not Role.SECRETARIAT:
            abort(403)
        if form.validate_on_submit():
            user = db.session.get(User, int(form.user.data or 0))
            if user is None:
                abort(404)
            with refusals(form):
                seats.add_seat(
                    db.session(),
                    actor(),
                    user,
                    kind=form.kind.data or "member",
                    term_start=form.term_start.data,
                    term_end=form.term_end.data,
                )
                flash_after_commit(_("The seat is added."))
                return redirect(url_for("committee.seat_list"))
    return render_template(
        "committee/seats.html",
        seats=seats.all_seats(db.session()),
        form=form,
        end_form=EndSeatForm(data={"on": today()}),
        today=today(),
    )


@bp.route("/committee/seats/<int:seat_id>/end", methods=["POST"])
@roles_required(Role.SECRETARIAT)
def end_seat(seat_id: int) -> Response:
    seat = seats.get_seat(db.session(), seat_id)
    form = EndSeatForm()
    if not form.validate_on_submit():
        flash(_("Give the end date and the reason."), "error")
        return redirect(url_for("committee.seat_list"))
    with refusals():
        seats.end_seat(db.session(), actor(), seat, on=form.on.data, reason=form.reason.data or "")
        flash_after_commit(_("The seat ends on %(day)s.", day=form.on.data), "info")
    return redirect(url_for("committee.seat_list"))
