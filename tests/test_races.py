"""Racing requests on a real database: committed work in separate connections and threads.

On PostgreSQL the rows are locked with SELECT … FOR UPDATE; on SQLite every transaction is
BEGIN IMMEDIATE. Either way the races below must leave exactly the allowed outcome."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.applications import screening
from app.applications import services as applications
from app.committee import ballots
from app.committee.models import Vote
from app.core.audit import AuditEvent, iter_problems
from app.core.database import utcnow
from app.core.roles import Region
from app.extensions import db
from tests import builders
from tests.browser import person, seated_committee

pytestmark = pytest.mark.live
THREADS = 8


def race(app, work, n=THREADS):
    """Run `work(i)` in n threads released together; collect results and errors."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                results.append(work(i))
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def _in_review(app, *, approvals=()):
    """A committed application in committee review; returns (application id, staff, members)."""
    with app.app_context():
        staff = person("secretariat", state="CHE")
        members = seated_committee(staff, builders.NATIONALITY)
        applicant = db.session.merge(person("applicant", state="TUV"))
        application = applications.create_application(db.session(), applicant, builders.spec())
        applications.submit(db.session(), applicant, application)
        screening.screen(
            db.session(),
            db.session.merge(staff),
            application,
            "eligible",
            deadline=utcnow() + timedelta(days=3),
        )
        for region in approvals:
            ballots.cast_vote(
                db.session(), db.session.merge(members[region]), application, "approve"
            )
        db.session.commit()
        return application.id, staff, members


def test_racing_votes_by_one_member_leave_one_vote(live_server):
    app = live_server.app
    application_id, _staff, members = _in_review(app)
    member_id = members[Region.AFRICAN].id

    choices = ["approve", "reject", "abstain"]

    def vote(i):
        member = db.session.get(type(members[Region.AFRICAN]), member_id)
        target = applications.get_application_for(db.session(), member, application_id, lock=True)
        return ballots.cast_vote(db.session(), member, target, choices[i % 3]).id

    _results, errors = race(app, vote)
    assert errors == []
    with app.app_context():
        votes = (
            db.session.execute(
                select(Vote).join(Vote.member).where(Vote.ballot.has(application_id=application_id))
            )
            .scalars()
            .all()
        )
        assert len(votes) == 1
        assert votes[0].changes == THREADS - 1
        actions = dict(
            db.session.execute(
                select(AuditEvent.action, func.count())
                .where(AuditEvent.actor_id == member_id, AuditEvent.action.startswith("vote."))
                .group_by(AuditEvent.action)
            ).all()
        )
        assert actions == {"vote.cast": 1, "vote.change": THREADS - 1}
        assert list(iter_problems(db.session())) == []


def test_racing_closes_decide_once(live_server):
    app = live_server.app
    application_id, staff, _members = _in_review(
        app, approvals=(Region.AFRICAN, Region.GRULAC, Region.WEOG)
    )
    staff_id = staff.id

    def close(_i):
        actor = db.session.get(type(staff), staff_id)
        target = applications.get_application_for(db.session(), actor, application_id, lock=True)
        return ballots.close_ballot(db.session(), actor, target)[1].outcome

    results, errors = race(app, close, n=4)
    assert [r.value for r in results] == ["approved"]
    assert len(errors) == 3 and all("no open ballot" in str(e) for e in errors)
    with app.app_context():
        decided = db.session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "application.approve",
                AuditEvent.object_id == str(application_id),
            )
        ).scalar_one()
        assert decided == 1
