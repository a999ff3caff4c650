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
    assert len(errors) == 3 and all("status is closed" in str(e) for e in errors)
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


def test_racing_first_uses_of_a_reference_counter_number_in_turn(live_server):
    """The first draft of a year creates its counter: racing first drafts neither fail nor
    share a number (PostgreSQL: the insert skips the row a concurrent one created)."""
    from app.core.sequences import yearly_reference

    app = live_server.app

    def first_of_the_year(_i):
        return yearly_reference(db.session(), "RACE", 2999)

    results, errors = race(app, first_of_the_year)
    assert errors == []
    assert sorted(results) == [f"RACE-2999-{n:04d}" for n in range(1, THREADS + 1)]


# -- money ---------------------------------------------------------------------------------------


def _active_grant(app, amount="20000"):
    """A committed, accepted grant in the live database; returns (grant id, maker id, checker ids)."""
    from app.contributions import services as contributions
    from app.grants import services as grants

    with app.app_context():
        staff = db.session.merge(person("secretariat", state="CHE"))
        checkers = [db.session.merge(person("secretariat", state="CHE")).id for _ in range(THREADS)]
        members = seated_committee(staff, builders.NATIONALITY)
        donor = db.session.merge(person("donor", state="NOR"))
        contributions.record_bank(db.session(), staff, donor, amount, "USD", reference="RACE-1")
        applicant = db.session.merge(person("applicant", state="KIR"))
        application = applications.create_application(
            db.session(),
            applicant,
            builders.spec(budget=[builders.BudgetLineSpec("training", "x", amount)]),
        )
        applications.submit(db.session(), applicant, application)
        screening.screen(
            db.session(), staff, application, "eligible", deadline=utcnow() + timedelta(days=3)
        )
        for region in (Region.AFRICAN, Region.GRULAC, Region.WEOG):
            ballots.cast_vote(
                db.session(), db.session.merge(members[region]), application, "approve"
            )
        ballots.close_ballot(db.session(), staff, application)
        grant = grants.grant_for_application(db.session(), application)
        grants.accept(db.session(), applicant, grant, name="A", title="B")
        db.session.commit()
        return grant.id, staff.id, checkers


def _user(user_id):
    from app.auth.models import User

    return db.session.get(User, user_id)


def test_racing_releases_of_the_last_releasable_money_create_one(live_server):
    from app.grants import services as grants
    from app.grants.models import Disbursement, Grant

    app = live_server.app
    grant_id, maker_id, _checkers = _active_grant(app)

    def release(_i):
        grant = db.session.get(Grant, grant_id)
        return grants.create_disbursement(db.session(), _user(maker_id), grant, "12000").id

    results, errors = race(app, release)
    assert len(results) == 1
    assert len(errors) == THREADS - 1 and all("can be released" in str(e) for e in errors)
    with app.app_context():
        assert db.session.execute(select(func.count(Disbursement.id))).scalar_one() == 1


def test_racing_approvals_of_one_release_pay_once(live_server):
    from app.grants import services as grants
    from app.grants.models import Grant
    from app.ledger import postings

    app = live_server.app
    grant_id, maker_id, checkers = _active_grant(app)
    with app.app_context():
        release = grants.create_disbursement(
            db.session(), _user(maker_id), db.session.get(Grant, grant_id), "12000"
        )
        db.session.commit()
        release_id = release.id

    def approve(i):
        disbursement = grants.get_disbursement_for(db.session(), _user(checkers[i]), release_id)
        return grants.approve_disbursement(
            db.session(), _user(checkers[i]), disbursement, f"BNK-{i}"
        ).id

    results, errors = race(app, approve)
    assert len(results) == 1 and len(errors) == THREADS - 1
    with app.app_context():
        assert postings.disbursed(db.session(), grant_id) == 1_200_000
        assert list(checks_problems()) == []


def test_racing_commitments_never_over_commit(live_server):
    """Ten grants wait for funds; the money covers three: exactly three are committed."""
    from app.contributions import services as contributions
    from app.grants import services as grants
    from app.grants.models import Grant, GrantStatus
    from app.ledger import services as ledger

    app = live_server.app
    with app.app_context():
        staff = db.session.merge(person("secretariat", state="CHE"))
        members = seated_committee(staff, builders.NATIONALITY)
        ids = []
        for i in range(THREADS):
            applicant = db.session.merge(
                person("applicant", state=["KIR", "TUV", "NRU", "PLW", "TON"][i % 5])
            )
            application = applications.create_application(
                db.session(),
                applicant,
                builders.spec(budget=[builders.BudgetLineSpec("training", "x", "10000")]),
            )
            applications.submit(db.session(), applicant, application)
            screening.screen(
                db.session(), staff, application, "eligible", deadline=utcnow() + timedelta(days=3)
            )
            for region in (Region.AFRICAN, Region.GRULAC, Region.WEOG):
                ballots.cast_vote(
                    db.session(), db.session.merge(members[region]), application, "approve"
                )
            ballots.close_ballot(db.session(), staff, application)
            ids.append(grants.grant_for_application(db.session(), application).id)
        # Money for three grants, recorded without committing (so the race below does it).
        from app.ledger import postings

        donor = db.session.merge(person("donor", state="NOR"))
        contributions.record_pledge(db.session(), staff, donor, "30000", "USD")
        db.session.commit()
        pledge_id = db.session.execute(select(func.max(contributions.Contribution.id))).scalar_one()
        pledge = db.session.get(contributions.Contribution, pledge_id)
        postings.pledge_receipt(
            db.session(), donor_id=donor.id, donor_name="D", amount_minor=3_000_000, actor=staff
        )
        pledge.received_minor = pledge.base_amount_minor
        pledge.status = "received"
        db.session.commit()

    def commit(i):
        return grants.try_commit(db.session(), db.session.get(Grant, ids[i]))

    results, errors = race(app, commit)
    assert errors == []
    assert sum(results) == 3
    with app.app_context():
        committed = db.session.execute(
            select(func.count(Grant.id)).where(Grant.status == GrantStatus.AWAITING_ACCEPTANCE)
        ).scalar_one()
        assert committed == 3
        assert ledger.available(db.session()) == 0
        assert list(checks_problems()) == []


def checks_problems():
    from app.ledger import checks
    from app.money_checks import iter_problems as money

    yield from checks.iter_problems(db.session())
    yield from money(db.session())


def _expert_grant(app):
    """A committed active grant with $12,000 for experts, and two vetted experts."""
    from tests.factories import Factory

    with app.app_context():
        factory = Factory(db.session)
        staff = factory.user("secretariat")
        board = builders.committee(factory, staff)
        fiji = factory.user("applicant", state="FJI")
        grant = builders.expert_grant(factory, staff, board, fiji)
        experts = [builders.expert(factory, rate="1000") for _ in range(THREADS)]
        db.session.commit()
        return grant.id, staff.id, [e.id for e in experts]


def _propose(grant_id, staff_id, expert_id, start, days):
    from app.grants.models import Grant
    from app.roster import deployments
    from app.roster.models import Expert

    return deployments.propose(
        db.session(),
        _user(staff_id),
        db.session.get(Grant, grant_id),
        db.session.get(Expert, expert_id),
        deployments.Terms(
            start=start,
            end=start + timedelta(days=days - 1),
            person_days=days,
            terms_of_reference="Advise the drafting committee of the new prisons act.",
            travel_budget="0",
        ),
    ).id


def test_racing_overlapping_proposals_for_one_expert_keep_one(live_server):
    from app.core.database import today
    from app.roster.models import Deployment

    app = live_server.app
    grant_id, staff_id, experts = _expert_grant(app)

    def propose(i):
        # Every window shares day 10 with every other.
        return _propose(grant_id, staff_id, experts[0], today() + timedelta(days=3 + i), 8)

    results, errors = race(app, propose)
    assert len(results) == 1
    assert len(errors) == THREADS - 1 and all("already engaged" in str(e) for e in errors)
    with app.app_context():
        assert db.session.execute(select(func.count(Deployment.id))).scalar_one() == 1


def test_racing_proposals_never_exceed_the_experts_budget(live_server):
    """$12,000 for experts; each proposal costs $5,000: exactly two go through."""
    from app.core.database import today
    from app.roster import deployments
    from app.roster.models import Deployment

    app = live_server.app
    grant_id, staff_id, experts = _expert_grant(app)

    def propose(i):
        return _propose(grant_id, staff_id, experts[i], today() + timedelta(days=3), 5)

    results, errors = race(app, propose)
    assert len(results) == 2
    assert all("exceed what remains" in str(e) for e in errors)
    with app.app_context():
        from app.grants.models import Grant

        grant = db.session.get(Grant, grant_id)
        assert db.session.execute(select(func.count(Deployment.id))).scalar_one() == 2
        assert deployments.expert_budget_free(db.session(), grant) == 200_000
