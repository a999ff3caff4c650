"""What the committee adds to the applications package, which does not import it: which
applications a member reaches, and the ballots an application's page links to. Connected
to `app.signals` in create_app."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.auth.models import User
from app.committee import ballots
from app.committee.models import Ballot, BallotMember


def reach(user: User) -> ColumnElement[bool]:
    """The member sits (or sat, recused or as an alternate) on one of the application's
    ballots: design.md §2, the committee "sees ballots it belongs to"."""
    return (
        select(BallotMember.id)
        .join(Ballot, Ballot.id == BallotMember.ballot_id)
        .where(Ballot.application_id == Application.id, BallotMember.user_id == user.id)
        .exists()
    )


def ballots_on_page(application: Application, *, session: Session) -> Sequence[Ballot]:
    return ballots.ballots_of(session, application)
