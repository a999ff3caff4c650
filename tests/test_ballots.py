"""Screening, ballots, recusal, votes, quorum and majority, closing and reopening (design.md §3.2)."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.committee import ballots, decisions, screening, seats
from app.committee.models import Ballot, Vote
from app.core.audit import AuditEvent, iter_problems
from app.core.database import today, utcnow
from app.core.errors import Conflict, PermissionDenied, TransitionNotAllowed, ValidationError
from app.core.mail import OutboxMessage
from app.core.roles import Region
from app.extensions import db
from tests import builders
from tests.factories import bearer, login

A, AP, EE, G, W = (
    Region.AFRICAN,
    Region.ASIA_PACIFIC,
    Region.EASTERN_EUROPEAN,
    Region.GRULAC,
    Region.WEOG,
)


@pytest.fixture
def board(factory, staff):
    """Five seated members; the Asia-Pacific member is a national of Fiji."""
    return builders.committee(factory, staff, nationality={AP: "FJI"})


def in_review(fiji, staff):
    return builders.application(fiji, "in_review", secretariat=staff)


def ballot_of(application):
    return ballots.current_ballot(db.session(), application)


# -- screening ------------------------------------------------------------------------------------


def test_eligible_opens_a_ballot_with_a_deadline(fiji, staff, board):
    application = in_review(fiji, staff)
    ballot = ballot_of(application)
    assert ballot.is_open and ballot.number == 1
    assert timedelta(days=13) < ballot.deadline - utcnow() <= timedelta(days=14)
    assert {m.user_id for m in ballot.members} == {u.id for u in board.all()}


def test_default_deadline_is_the_ballot_days_setting(fiji, staff, board):
    application = builders.application(fiji, "submitted")
    screening.screen(db.session(), staff, application, "eligible")
    assert (
        timedelta(days=13, hours=23)
        < ballot_of(application).deadline - utcnow()
        <= timedelta(days=14)
    )


@pytest.mark.parametrize(
    ("outcome", "kwargs", "message"),
    [
        ("returned", {}, "what the State should fix"),
        ("ineligible", {"referral": "X"}, "give the reason"),
        ("eligible", {"deadline": utcnow() - timedelta(days=1)}, "in the future"),
        ("maybe", {}, "eligible, returned or ineligible"),
    ],
)
def test_screening_needs_its_reasons(fiji, staff, board, outcome, kwargs, message):
    application = builders.application(fiji, "submitted")
    with pytest.raises(ValidationError, match=message):
        screening.screen(db.session(), staff, application, outcome, **kwargs)
    db.session.rollback()
    db.session.refresh(application)
    assert application.status == "submitted"
    assert db.session.execute(select(func.count(Ballot.id))).scalar_one() == 0


def test_ineligible_without_a_referral_records_the_standard_one(fiji, staff):
    """design.md's body is {outcome, note}: the State is still referred on, in so many words."""
    application = builders.application(fiji, "submitted")
    screening.screen(db.session(), staff, application, "ineligible", note="Outside the mandate.")
    assert application.status == "ineligible"
    assert application.decision_reasons == "Outside the mandate."
    assert application.referral == screening.default_referral()
    assert "other sources of support" in application.referral
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "application.mark_ineligible")
    ).scalar_one()
    assert event.data_dict["referral"] == application.referral


def test_queue_is_oldest_first(factory, staff):
    states = ["FJI", "MWI", "JAM"]
    made = [builders.application(factory.user("applicant", state=s), "submitted") for s in states]
    page = screening.queue(db.session(), staff)
    assert [a.id for a in page.items] == [a.id for a in made]


def test_returned_and_ineligible_tell_the_state(fiji, staff):
    builders.application(fiji, "ineligible", secretariat=staff)
    message = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.kind == "application_ineligible")
    ).scalar_one()
    assert message.to_address == fiji.email and "Another fund." in message.body


# -- membership and recusal ----------------------------------------------------------------------------


def test_a_national_of_the_applicant_state_is_recused_automatically(fiji, staff, board):
    ballot = ballot_of(in_review(fiji, staff))
    member = ballot.member_for(board.member(AP))
    assert member.recused and member.recusal_kind == "nationality"


def test_an_alternate_sits_for_a_recused_national(factory, fiji, staff):
    board = builders.committee(factory, staff, nationality={AP: "FJI"}, alternates={AP: "IDN"})
    ballot = ballot_of(in_review(fiji, staff))
    alternate = ballot.member_for(board.alternates[AP])
    assert alternate is not None and alternate.is_alternate and not alternate.recused
    assert sum(not m.recused for m in ballot.members) == 5


@pytest.mark.parametrize("change", [{"role": "auditor"}, {"region": "weog"}])
def test_a_member_whose_role_or_group_changed_sits_on_no_ballot(
    client, factory, fiji, staff, change
):
    from app.auth import services as auth_services

    board = builders.committee(factory, staff, alternates={A: "GHA"})
    member = board.member(A)
    wanted = {"role": "committee", "region": member.region, **change}
    auth_services.change_role(
        db.session(), factory.user("admin"), member, state_iso3=member.state_iso3, **wanted
    )
    ballot = ballot_of(in_review(fiji, staff))
    assert ballot.member_for(member) is None
    alternate = ballot.member_for(board.alternates[A])
    assert alternate is not None and not alternate.recused
    login(client, staff)
    page = client.get("/committee/seats").get_data(as_text=True)
    assert "no longer an active committee member of this group" in page


def test_a_recused_member_cannot_vote(fiji, staff, board):
    application = in_review(fiji, staff)
    with pytest.raises(PermissionDenied, match="recused"):
        ballots.cast_vote(db.session(), board.member(AP), application, "approve")


def test_declared_conflict_withdraws_the_vote_and_records_the_reason(fiji, staff, board):
    application = in_review(fiji, staff)
    ballots.cast_vote(db.session(), board.member(W), application, "approve")
    ballots.declare_conflict(
        db.session(), board.member(W), application, "My employer implements the project."
    )
    ballot = ballot_of(application)
    member = ballot.member_for(board.member(W))
    assert member.recused and member.recusal_kind == "declared"
    assert member.recusal_reason == "My employer implements the project."
    assert ballot.vote_of(member) is None
    with pytest.raises(PermissionDenied):
        ballots.cast_vote(db.session(), board.member(W), application, "approve")
    with pytest.raises(ValidationError, match="conflict"):
        ballots.declare_conflict(db.session(), board.member(A), application, "  ")


def test_the_withdrawn_vote_is_minuted_and_hidden_while_open(client, factory, fiji, staff, board):
    application = in_review(fiji, staff)
    ballots.cast_vote(
        db.session(), board.member(W), application, "approve", proposed_amount="10000"
    )
    ballots.declare_conflict(db.session(), board.member(W), application, "My employer.")
    db.session.commit()
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "vote.withdraw")
    ).scalar_one()
    assert event.actor_id == board.member(W).id
    data = event.data_dict
    assert data["ballot"] == ballot_of(application).id
    assert data["choice"] == "approve" and data["changes"] == 0 and "cast_at" in data
    assert "proposed_amount" not in data  # it would tell an approving vote while open
    assert db.session.execute(select(func.count(Vote.id))).scalar_one() == 0
    login(client, factory.user("auditor"))
    page = client.get("/audit?action=vote.withdraw").get_data(as_text=True)
    assert "hidden until the ballot closes" in page and "approve" not in page


# -- votes -------------------------------------------------------------------------------------------------


def test_one_vote_per_member_the_latest_choice_and_every_change_audited(fiji, staff, board):
    application = in_review(fiji, staff)
    member = board.member(A)
    ballots.cast_vote(db.session(), member, application, "approve", "Good")
    ballots.cast_vote(db.session(), member, application, "reject", "On reflection, no")
    ballots.cast_vote(db.session(), member, application, "abstain")
    db.session.commit()
    votes = db.session.execute(select(Vote)).scalars().all()
    assert len(votes) == 1 and votes[0].choice == "abstain" and votes[0].changes == 2
    trail = db.session.execute(
        select(AuditEvent.action, AuditEvent.data)
        .where(AuditEvent.action.startswith("vote."))
        .order_by(AuditEvent.id)
    ).all()
    assert [a for a, _ in trail] == ["vote.cast", "vote.change", "vote.change"]
    assert '"from":"approve"' in trail[1][1] and '"to":"reject"' in trail[1][1]


def test_votes_on_a_closed_ballot_are_refused(fiji, staff, board):
    application = builders.application(
        fiji,
        "approved",
        secretariat=staff,
        votes={board.member(A): "approve", board.member(EE): "approve", board.member(G): "approve"},
    )
    with pytest.raises(TransitionNotAllowed, match="status is closed"):
        ballots.cast_vote(db.session(), board.member(W), application, "reject")


def test_votes_after_the_deadline_are_refused(fiji, staff, board):
    application = in_review(fiji, staff)
    ballot_of(application).deadline = utcnow() - timedelta(minutes=1)
    with pytest.raises(TransitionNotAllowed, match="deadline has passed"):
        ballots.cast_vote(db.session(), board.member(A), application, "approve")


def test_only_ballot_members_vote(factory, fiji, staff, board):
    outsider = factory.user("committee", region="weog", state="DEU")
    application = in_review(fiji, staff)
    with pytest.raises(PermissionDenied, match="not a member"):
        ballots.cast_vote(db.session(), outsider, application, "approve")
    with pytest.raises(PermissionDenied):
        ballots.cast_vote(db.session(), staff, application, "approve")


def test_a_lower_amount_can_be_proposed_only_when_approving(fiji, staff, board):
    application = in_review(fiji, staff)
    with pytest.raises(ValidationError, match="only an approving vote"):
        ballots.cast_vote(
            db.session(), board.member(A), application, "reject", proposed_amount="1000"
        )
    with pytest.raises(ValidationError, match="not more"):
        ballots.cast_vote(
            db.session(), board.member(A), application, "approve", proposed_amount="999999"
        )


# -- quorum and majority ------------------------------------------------------------------------------------


def _close(application, staff, **kwargs):
    return decisions.close_ballot(db.session(), staff, application, **kwargs)


@pytest.mark.parametrize(
    ("choices", "recuse", "outcome", "quorum"),
    [
        # 3 approve, 0 reject, 2 abstain → approved
        (
            {A: "approve", EE: "approve", G: "approve", W: "abstain", AP: "abstain"},
            [],
            "approved",
            True,
        ),
        # 2 approve, 2 reject, 1 recused → tie → deferred
        ({A: "approve", EE: "approve", G: "reject", W: "reject"}, [AP], "deferred", True),
        # 2 votes cast of 5, none recused → no quorum → deferred
        ({A: "approve", EE: "approve"}, [], "deferred", False),
        # 1 approve, 0 reject, 4 abstain → quorum met → approved
        (
            {A: "approve", EE: "abstain", G: "abstain", W: "abstain", AP: "abstain"},
            [],
            "approved",
            True,
        ),
        # 1 approve, 0 reject, 1 abstain of 5 → no quorum even though approvals lead
        ({A: "approve", EE: "abstain"}, [], "deferred", False),
        # 1 approve, 2 reject, 1 recused: 3 of 4 voted → rejected
        ({A: "approve", EE: "reject", G: "reject"}, [W], "rejected", True),
        # 3 of 5 is a majority of the non-recused: exactly the quorum
        ({A: "reject", EE: "reject", G: "approve"}, [], "rejected", True),
    ],
)
def test_quorum_and_majority(factory, staff, choices, recuse, outcome, quorum):
    applicant = factory.user("applicant", state="MWI")
    board = builders.committee(factory, staff)
    application = in_review(applicant, staff)
    for region in recuse:
        ballots.declare_conflict(db.session(), board.member(region), application, "conflict")
    for region, choice in choices.items():
        ballots.cast_vote(db.session(), board.member(region), application, choice)
    ballot, tally = _close(application, staff)
    assert tally.outcome.value == outcome and tally.quorum_met is quorum
    assert application.status == outcome
    assert ballot.recused_count == len(recuse)
    assert ballot.not_voting_count == 5 - len(recuse) - len(choices)
    if outcome == "approved":
        assert application.approved_amount_minor == application.requested_amount_minor
        assert application.decided_at is not None
    if outcome == "deferred":
        assert application.decided_at is None and application.approved_amount_minor is None


def test_recused_members_do_not_count_toward_quorum(factory, fiji, staff):
    board = builders.committee(factory, staff, nationality={AP: "FJI", W: "FJI"})
    application = in_review(fiji, staff)
    for region in (A, EE):
        ballots.cast_vote(db.session(), board.member(region), application, "approve")
    _ballot, tally = _close(application, staff)
    assert tally.eligible == 3 and tally.quorum_met and tally.outcome.value == "approved"


def test_quorum_is_a_setting(factory, staff, monkeypatch):
    from app.settings import services as settings

    settings.update(db.session(), factory.user("admin"), {"quorum_percent": "80"})
    board = builders.committee(factory, staff)
    application = in_review(factory.user("applicant", state="MWI"), staff)
    for region in (A, EE, G, W):
        ballots.cast_vote(db.session(), board.member(region), application, "approve")
    _ballot, tally = _close(application, staff)
    assert not tally.quorum_met and tally.outcome.value == "deferred"


def test_committee_may_approve_less_than_requested(fiji, staff, board):
    application = in_review(fiji, staff)
    requested = application.requested_amount_minor
    ballots.cast_vote(
        db.session(), board.member(A), application, "approve", proposed_amount="10000"
    )
    ballots.cast_vote(
        db.session(), board.member(EE), application, "approve", proposed_amount="15000"
    )
    ballots.cast_vote(db.session(), board.member(G), application, "approve")
    _close(application, staff)
    # the median of 10,000, 15,000 and the full request
    assert application.approved_amount_minor == 1_500_000 < requested


def test_the_decision_may_fix_the_approved_amount_but_not_above_the_request(fiji, staff, board):
    application = in_review(fiji, staff)
    for region in (A, EE, G):
        ballots.cast_vote(db.session(), board.member(region), application, "approve")
    db.session.commit()
    with pytest.raises(ValidationError, match="cannot exceed"):
        _close(application, staff, approved_amount="1000000")
    db.session.rollback()
    _close(application, staff, approved_amount="12000")
    assert application.approved_amount_minor == 1_200_000


def test_closing_twice_is_refused(fiji, staff, board):
    application = in_review(fiji, staff)
    _close(application, staff)
    with pytest.raises(TransitionNotAllowed, match="status is closed"):
        _close(application, staff)


def test_deferred_goes_to_a_new_ballot(fiji, staff, board):
    application = in_review(fiji, staff)
    _close(application, staff)
    assert application.status == "deferred"
    ballots.reopen(db.session(), staff, application, utcnow() + timedelta(days=7))
    assert application.status == "in_review"
    assert ballot_of(application).number == 2 and ballot_of(application).is_open


def test_a_declared_conflict_stands_on_the_next_ballot(factory, fiji, staff):
    board = builders.committee(factory, staff, nationality={AP: "FJI"}, alternates={W: "CAN"})
    application = in_review(fiji, staff)
    ballots.declare_conflict(db.session(), board.member(W), application, "My brother runs it.")
    _close(application, staff)
    assert application.status == "deferred"
    ballots.reopen(db.session(), staff, application, utcnow() + timedelta(days=7))
    second = ballot_of(application)
    member = second.member_for(board.member(W))
    assert member.recused and member.recusal_kind == "declared"
    assert member.recusal_reason == "My brother runs it."
    alternate = second.member_for(board.alternates[W])
    assert alternate is not None and not alternate.recused
    with pytest.raises(PermissionDenied, match="recused"):
        ballots.cast_vote(db.session(), board.member(W), application, "approve")


def test_members_are_told_and_the_applicant_hears_the_decision(fiji, staff, board):
    application = in_review(fiji, staff)
    for region in (A, EE, G):
        ballots.cast_vote(db.session(), board.member(region), application, "approve")
    _close(application, staff)
    db.session.commit()
    kinds = dict(
        db.session.execute(
            select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)
        ).all()
    )
    assert (
        kinds["ballot_opened"] == 5
        and kinds["ballot_closed"] == 5
        and kinds["application_decided"] == 1
    )
    decided = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.kind == "application_decided")
    ).scalar_one()
    assert decided.to_address == fiji.email
    for member in board.all():
        assert member.display_name not in decided.body


# -- scheduled jobs --------------------------------------------------------------------------------------


def test_the_job_closes_ballots_after_the_deadline_only(runner, fiji, staff, board):
    application = in_review(fiji, staff)
    for region in (A, EE, G):
        ballots.cast_vote(db.session(), board.member(region), application, "approve")
    db.session.commit()
    assert decisions.close_expired(db.session()) == 0
    ballot_of(application).deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "1 ballot(s) closed" in result.output
    db.session.refresh(application)
    assert application.status == "approved"
    closed = ballot_of(application)
    assert closed.closed_by_id is None
    again = runner.invoke(args=["jobs", "run"])
    assert "0 ballot(s) closed" in again.output
    with pytest.raises(Conflict):
        decisions.close_ballot(
            db.session(), None, builders.application(fiji, "in_review", secretariat=staff)
        )


def test_reminders_go_only_within_the_48_hours_before_the_deadline(fiji, staff, board):
    application = in_review(fiji, staff)
    for region in (A, EE, G):
        ballots.cast_vote(db.session(), board.member(region), application, "approve")
    ballot_of(application).deadline = utcnow() + timedelta(hours=72)
    db.session.commit()
    assert ballots.send_reminders(db.session()) == 0  # too early
    ballot_of(application).deadline = utcnow() + timedelta(hours=20)
    db.session.commit()
    assert ballots.send_reminders(db.session()) == 1  # only the Western member has not voted
    db.session.commit()
    assert ballots.send_reminders(db.session()) == 0  # the job runs again: nothing new
    reminded = (
        db.session.execute(
            select(OutboxMessage.to_address).where(OutboxMessage.kind == "ballot_reminder")
        )
        .scalars()
        .all()
    )
    assert reminded == [board.member(W).email]


def test_one_failing_close_leaves_the_other_expired_ballots_closed(
    fiji, staff, board, monkeypatch, caplog
):
    approvals = (A, EE, G)
    first, second = in_review(fiji, staff), in_review(fiji, staff)
    for application in (first, second):
        for region in approvals:
            ballots.cast_vote(db.session(), board.member(region), application, "approve")
        ballot_of(application).deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    create_grant = decisions.grants.create_for_application

    def failing_for_the_first(session, application, actor):
        if application.id == first.id:
            raise RuntimeError("the grant side is down")
        return create_grant(session, application, actor)

    monkeypatch.setattr(decisions.grants, "create_for_application", failing_for_the_first)
    with caplog.at_level(logging.ERROR, logger="app.committee.decisions"):
        assert decisions.close_expired(db.session()) == 1
    db.session.commit()
    assert first.reference in caplog.text and "the grant side is down" in caplog.text
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.status == "in_review" and ballot_of(first).is_open  # rolled back alone
    assert second.status == "approved" and not ballot_of(second).is_open
    assert list(iter_problems(db.session())) == []  # the audit chain holds
    monkeypatch.undo()
    assert decisions.close_expired(db.session()) == 1  # the next run closes it
    assert first.status == "approved"


def test_reminders_go_once_to_members_who_have_not_voted(fiji, staff, board):
    application = in_review(fiji, staff)
    ballots.cast_vote(db.session(), board.member(A), application, "approve")
    ballot_of(application).deadline = utcnow() + timedelta(hours=20)
    db.session.commit()
    assert ballots.send_reminders(db.session()) == 3  # 5 members − 1 voted − 1 recused
    db.session.commit()
    assert ballots.send_reminders(db.session()) == 0
    reminded = (
        db.session.execute(
            select(OutboxMessage.to_address).where(OutboxMessage.kind == "ballot_reminder")
        )
        .scalars()
        .all()
    )
    assert sorted(reminded) == sorted(board.member(r).email for r in (EE, G, W))


# -- pages ---------------------------------------------------------------------------------------------------


def test_while_open_members_see_who_voted_but_not_how(client, fiji, staff, board):
    application = in_review(fiji, staff)
    ballots.cast_vote(db.session(), board.member(A), application, "reject", "A secret reason")
    db.session.commit()
    for viewer in (board.member(EE), staff):
        login(client, viewer)
        page = client.get(f"/applications/{application.id}/ballot").get_data(as_text=True)
        assert "voted" in page and "A secret reason" not in page and ">reject<" not in page
    _close(application, staff)
    db.session.commit()
    login(client, board.member(EE))
    page = client.get(f"/applications/{application.id}/ballot").get_data(as_text=True)
    assert "A secret reason" in page


def test_the_applicant_never_sees_who_voted_how(client, fiji, staff, board):
    application = in_review(fiji, staff)
    ballots.cast_vote(db.session(), board.member(A), application, "reject", "A secret reason")
    for region in (EE, G):
        ballots.cast_vote(db.session(), board.member(region), application, "approve")
    _close(application, staff)
    db.session.commit()
    login(client, fiji)
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "approved" in page and "A secret reason" not in page
    for member in board.all():
        assert member.display_name not in page
    assert client.get(f"/applications/{application.id}/ballot").status_code == 403


def test_voting_through_the_page(client, fiji, staff, board):
    application = in_review(fiji, staff)
    login(client, board.member(A))
    response = client.post(
        f"/applications/{application.id}/ballot/vote", data={"choice": "approve", "comment": "Yes"}
    )
    assert response.status_code == 302
    response = client.post(f"/applications/{application.id}/ballot/vote", data={"choice": "maybe"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.execute(select(Vote.choice)).scalar_one() == "approve"
    login(client, board.member(AP))
    response = client.post(
        f"/applications/{application.id}/ballot/vote", data={"choice": "approve"}
    )
    assert response.status_code == 403 and "recused" in response.get_data(as_text=True)
    response = client.post(
        f"/applications/{application.id}/ballot/recuse", data={"reason": "Again"}
    )
    assert response.status_code == 403 and "recused" in response.get_data(as_text=True)
    _close(application, staff)
    db.session.commit()
    login(client, board.member(A))
    response = client.post(f"/applications/{application.id}/ballot/vote", data={"choice": "reject"})
    assert response.status_code == 409 and "closed" in response.get_data(as_text=True)


def test_a_committee_member_cannot_see_a_draft(client, fiji, board):
    draft = builders.application(fiji)
    login(client, board.member(A))
    assert client.get(f"/applications/{draft.id}").status_code == 404
    assert client.get(f"/applications/{draft.id}/ballot").status_code == 404


def test_discussion_is_for_the_committee_and_the_secretariat(client, fiji, staff, board):
    application = in_review(fiji, staff)
    login(client, board.member(A))
    client.post(
        f"/applications/{application.id}/discussion", data={"body": "Is the budget realistic?"}
    )
    login(client, staff)
    page = client.get(f"/applications/{application.id}/ballot").get_data(as_text=True)
    assert "Is the budget realistic?" in page
    login(client, board.member(AP))  # recused
    response = client.post(
        f"/applications/{application.id}/discussion", data={"body": "I should not"}
    )
    assert response.status_code == 403 and "recused" in response.get_data(as_text=True)
    login(client, fiji)
    assert (
        client.post(f"/applications/{application.id}/discussion", data={"body": "x"}).status_code
        == 403
    )


def test_the_audit_log_hides_choices_until_the_ballot_closes(client, factory, fiji, staff, board):
    application = in_review(fiji, staff)
    ballots.cast_vote(db.session(), board.member(A), application, "reject")
    db.session.commit()
    auditor = factory.user("auditor")
    login(client, auditor)
    page = client.get("/audit?action=vote.").get_data(as_text=True)
    assert "hidden until the ballot closes" in page and "reject" not in page
    _close(application, staff)
    db.session.commit()
    page = client.get("/audit?action=vote.").get_data(as_text=True)
    assert "reject" in page


def test_the_admin_never_reads_named_votes_in_the_audit_log(client, factory, fiji, staff, board):
    """design.md §2 and §3.2: named votes are for the committee, the secretariat and the auditor;
    the admin reads the log to manage accounts ("no money and no votes")."""
    application = in_review(fiji, staff)
    ballots.cast_vote(db.session(), board.member(A), application, "reject")
    ballots.cast_vote(db.session(), board.member(A), application, "abstain")
    _close(application, staff)
    db.session.commit()
    login(client, factory.user("admin"))
    page = client.get("/audit?action=vote.").get_data(as_text=True)
    assert "named votes are for the committee" in page
    assert "reject" not in page and "abstain" not in page
    minutes = client.get("/audit?action=ballot.close").get_data(as_text=True)
    assert "named votes are for the committee" in minutes
    assert board.member(A).email not in minutes
    login(client, factory.user("auditor"))
    page = client.get("/audit?action=ballot.close").get_data(as_text=True)
    assert board.member(A).email in page and "abstain" in page


# -- who sees a ballot ----------------------------------------------------------------------------------------


def test_the_committee_sees_only_the_ballots_it_belongs_to(client, factory, fiji, staff, board):
    """design.md §2: a member sees the ballots it belongs to; a seated member who is not on this
    ballot, or one with no seat, gets 404 for its pages, files, discussion and API alike."""
    application = in_review(fiji, staff)
    ballots.cast_vote(db.session(), board.member(A), application, "reject", "A secret reason")
    for region in (EE, G, W):
        ballots.cast_vote(db.session(), board.member(region), application, "approve")
    _close(application, staff)
    db.session.commit()
    latecomer = factory.user("committee", region="weog", state="DEU")
    seats.add_seat(db.session(), staff, latecomer, kind="alternate", term_start=today())
    unseated = factory.user("committee", region="grulac", state="BRA")
    db.session.commit()
    base = f"/applications/{application.id}"
    for outsider in (latecomer, unseated):
        login(client, outsider)
        for url in (base, f"{base}/ballot", f"{base}/changes", f"{base}/decision.pdf"):
            assert client.get(url).status_code == 404, url
        assert client.post(f"{base}/discussion", data={"body": "Hello"}).status_code == 404
        assert application.reference not in client.get("/applications").get_data(as_text=True)
        token = bearer(factory.token(outsider))
        for url in (f"/api/v1{base}", f"/api/v1{base}/ballot", f"/api/v1{base}/decision.pdf"):
            assert client.get(url, headers=token).status_code == 404, url
        listed = client.get("/api/v1/applications", headers=token).get_json()
        assert listed["total"] == 0
    login(client, board.member(AP))  # recused, but on the ballot: it may read it
    assert client.get(f"{base}/ballot").status_code == 200
    login(client, board.member(EE))
    page = client.get(f"{base}/ballot").get_data(as_text=True)
    assert "A secret reason" in page
    minutes = client.get(
        f"/api/v1{base}/ballot", headers=bearer(factory.token(board.member(EE)))
    ).get_json()
    assert {m["choice"] for m in minutes["ballot"]["members"] if "choice" in m} == {
        "approve",
        "reject",
    }


def test_an_alternate_who_sat_sees_the_ballot(client, factory, fiji, staff):
    board = builders.committee(factory, staff, nationality={AP: "FJI"}, alternates={AP: "IDN"})
    application = in_review(fiji, staff)
    login(client, board.alternates[AP])
    assert client.get(f"/applications/{application.id}/ballot").status_code == 200
    response = client.post(
        f"/applications/{application.id}/ballot/vote", data={"choice": "abstain"}
    )
    assert response.status_code == 302
