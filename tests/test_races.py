"""Racing requests on a real database: committed work in separate connections and threads.

On PostgreSQL the rows are locked with SELECT … FOR UPDATE; on SQLite every transaction is
BEGIN IMMEDIATE. Either way the races below must leave exactly the allowed outcome."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.applications import services as applications
from app.committee import ballots, decisions, screening
from app.committee.models import Vote
from app.core.audit import AuditEvent, iter_problems
from app.core.database import utcnow
from app.core.roles import Region
from app.extensions import db
from tests import builders
from tests.browser import person, seated_committee

pytestmark = pytest.mark.live
THREADS = 8
MONEY_THREADS = 10  # the ten threads racing for the last money


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
        return decisions.close_ballot(db.session(), actor, target)[1].outcome

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


def _active_grant(app, amount="20000", *, by_card=False):
    """A committed, accepted grant in the live database; returns (grant id, maker id, checker
    ids). The money is a bank transfer, or a card gift (which a dispute can take back)."""
    from app.contributions import services as contributions
    from app.grants import services as grants

    with app.app_context():
        staff = db.session.merge(person("secretariat", state="CHE"))
        checkers = [
            db.session.merge(person("secretariat", state="CHE")).id for _ in range(MONEY_THREADS)
        ]
        members = seated_committee(staff, builders.NATIONALITY)
        donor = db.session.merge(person("donor", state="NOR"))
        if by_card:
            gift = contributions.start_card_gift(db.session(), donor, amount)
            contributions.attach_payment_intent(db.session(), gift, "pi_race_1")
            contributions.card_paid(
                db.session(),
                gift,
                amount_minor=gift.original_amount_minor,
                currency="USD",
                fee_minor=0,
            )
        else:
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
        decisions.close_ballot(db.session(), staff, application)
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
        grant = grants.get_grant_for(db.session(), _user(maker_id), grant_id, lock=True)
        assert isinstance(grant, Grant)
        return grants.create_disbursement(db.session(), _user(maker_id), grant, "12000").id

    results, errors = race(app, release, MONEY_THREADS)
    assert len(results) == 1
    assert len(errors) == MONEY_THREADS - 1 and all("can be released" in str(e) for e in errors)
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

    results, errors = race(app, approve, MONEY_THREADS)
    assert len(results) == 1 and len(errors) == MONEY_THREADS - 1
    with app.app_context():
        assert postings.disbursed(db.session(), grant_id) == 1_200_000
        assert list(checks_problems()) == []


def test_racing_approvals_of_separate_releases_pay_exactly_the_last_cash(live_server):
    """Ten releases of $2,000 wait for their second officer; a card dispute has left the fund
    short, with $12,000 of cash: ten officers approve at once and exactly six are paid."""
    from app.contributions import services as contributions
    from app.contributions.models import Contribution
    from app.grants import services as grants
    from app.grants.models import Grant
    from app.ledger import postings
    from app.ledger import services as ledger
    from app.ledger.models import TransactionKind

    app = live_server.app
    grant_id, maker_id, checkers = _active_grant(app, by_card=True)
    with app.app_context():
        grant = db.session.get(Grant, grant_id)
        grants.interim_report_accepted(db.session(), grant, _user(maker_id))
        release_ids = [
            grants.create_disbursement(db.session(), _user(maker_id), grant, "2000").id
            for _ in range(MONEY_THREADS)
        ]
        gift = db.session.execute(select(Contribution)).scalar_one()
        contributions.money_returned(
            db.session(),
            gift,
            kind=TransactionKind.DISPUTE,
            external_id="stripe:dp_race",
            amount_minor=800_000,
            memo="dispute",
        )
        db.session.commit()
        position = ledger.position(db.session())
        assert (position.cash, position.shortfall) == (1_200_000, 800_000)

    def approve(i):
        user = _user(checkers[i])
        disbursement = grants.get_disbursement_for(db.session(), user, release_ids[i], lock=True)
        return grants.approve_disbursement(db.session(), user, disbursement, f"BNK-{i}").id

    results, errors = race(app, approve, MONEY_THREADS)
    assert len(results) == 6
    assert len(errors) == MONEY_THREADS - 6 and all("cash does not cover" in str(e) for e in errors)
    with app.app_context():
        assert ledger.position(db.session()).cash == 0
        assert postings.disbursed(db.session(), grant_id) == 1_200_000
        assert list(checks_problems()) == []


def test_racing_commitments_never_over_commit(live_server):
    """Ten grants wait for funds; the money covers three: ten job runs at once commit exactly
    the three oldest."""
    from app.contributions import services as contributions
    from app.grants import services as grants
    from app.grants.models import Grant, GrantStatus
    from app.ledger import services as ledger

    app = live_server.app
    with app.app_context():
        staff = db.session.merge(person("secretariat", state="CHE"))
        members = seated_committee(staff, builders.NATIONALITY)
        ids = []
        for i in range(MONEY_THREADS):
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
            decisions.close_ballot(db.session(), staff, application)
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
        pledge.received_original_minor = pledge.original_amount_minor
        pledge.status = "received"
        db.session.commit()

    def commit(_i):
        return grants.commit_waiting(db.session())

    results, errors = race(app, commit, MONEY_THREADS)
    assert errors == []
    assert sum(results) == 3
    with app.app_context():
        committed = (
            db.session.execute(
                select(Grant.id).where(Grant.status == GrantStatus.AWAITING_ACCEPTANCE)
            )
            .scalars()
            .all()
        )
        assert sorted(committed) == ids[:3]  # the oldest three
        assert ledger.available(db.session()) == 0
        assert list(checks_problems()) == []


def test_cancelling_a_waiting_grant_while_a_contribution_lands_does_not_deadlock(live_server):
    """The request locks the grant (after the fund); the contribution commits waiting grants
    (the fund, then the grants). Taken the other way round on PostgreSQL, the two would each
    wait for the other's lock."""
    import time

    from app.contributions import services as contributions
    from app.grants import services as grants
    from app.grants.models import Grant, GrantStatus
    from app.ledger import services as ledger
    from tests.factories import Factory

    app = live_server.app
    with app.app_context():
        factory = Factory(db.session)
        staff = factory.user("secretariat")
        board = builders.committee(factory, staff)
        grant = builders.approved_grant(
            factory, staff, board, factory.user("applicant", state="FJI")
        )
        donor = factory.user("donor")
        assert grant.status == GrantStatus.AWAITING_FUNDS
        db.session.commit()
        grant_id, staff_id, donor_id = grant.id, staff.id, donor.id
    both = threading.Barrier(2)

    def work(i):
        if i == 0:  # the cancel request, as the page does it
            grant = grants.get_grant_for(db.session(), _user(staff_id), grant_id, lock=True)
            both.wait(timeout=10)
            time.sleep(0.5)  # the contribution arrives meanwhile
            return grants.cancel(db.session(), _user(staff_id), grant, "withdrawn")
        both.wait(timeout=10)
        return contributions.record_bank(
            db.session(), _user(staff_id), _user(donor_id), "30000", "USD", reference="LAND-1"
        ).id

    _results, errors = race(app, work, n=2)
    assert errors == []
    with app.app_context():
        grant = db.session.get(Grant, grant_id)
        assert grant.status == GrantStatus.CANCELLED
        assert ledger.available(db.session()) == 3_000_000
        assert list(checks_problems()) == []


def test_the_same_stripe_event_delivered_at_once_is_recorded_once(live_server):
    from app.contributions import services as contributions
    from app.contributions.models import Contribution, StripeEvent
    from tests import stripe_helpers as sh

    app = live_server.app
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_PUBLISHABLE_KEY="pk_test_x",
        STRIPE_WEBHOOK_SECRET=sh.WEBHOOK_SECRET,
        STRIPE_API_BASE="http://127.0.0.1:9",
    )
    with app.app_context():
        donor = db.session.merge(person("donor", state="NOR"))
        gift = contributions.start_card_gift(db.session(), donor, "100")
        contributions.attach_payment_intent(db.session(), gift, "pi_twice")
        db.session.commit()
        gift_id = gift.id
    payload = sh.event("payment_intent.succeeded", sh.intent("pi_twice", 10_000), "evt_twice")
    signature = sh.signature(payload)

    def deliver(_i):
        response = app.test_client().post(
            "/stripe/webhook",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": signature},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["outcome"]

    results, errors = race(app, deliver, MONEY_THREADS)
    assert errors == []
    assert sorted(results) == ["duplicate event"] * (MONEY_THREADS - 1) + ["recorded"]
    with app.app_context():
        assert db.session.get(Contribution, gift_id).received_minor == 10_000
        assert db.session.execute(select(func.count()).select_from(StripeEvent)).scalar_one() == 1


def checks_problems():
    from app.fund.checks import iter_problems as money
    from app.ledger import checks

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
    from app.deployments import proposals
    from app.experts.models import Expert
    from app.grants.models import Grant

    return proposals.propose(
        db.session(),
        _user(staff_id),
        db.session.get(Grant, grant_id),
        db.session.get(Expert, expert_id),
        proposals.Terms(
            start=start,
            end=start + timedelta(days=days - 1),
            person_days=days,
            terms_of_reference="Advise the drafting committee of the new prisons act.",
            travel_budget="0",
        ),
    ).id


def test_racing_overlapping_proposals_for_one_expert_keep_one(live_server):
    from app.core.database import today
    from app.deployments.models import Deployment

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
    from app.deployments import proposals
    from app.deployments.models import Deployment

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
        assert proposals.expert_budget_free(db.session(), grant) == 200_000
