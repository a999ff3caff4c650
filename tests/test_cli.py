"""The CLI contracts of design.md §5.1."""

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.core import audit
from app.extensions import db
from tests.factories import bearer


def test_created_applicant_can_call_the_api_with_its_token(runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "a@b.org",
            "--role",
            "applicant",
            "--state",
            "FJI",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "token", "a@b.org"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == "a@b.org"
    assert body["role"] == "applicant"
    assert body["state"] == "FJI"
    assert body["region"] is None
    assert isinstance(body["id"], int)


def test_committee_user_with_region_and_nationality(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "c@b.org",
            "--role",
            "committee",
            "--region",
            "grulac",
            "--state",
            "JAM",
            "--name",
            "Lucía Fernández",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Set-password link" in result.output and "/password/reset/" in result.output
    user = db.session.execute(select(User).where(User.email == "c@b.org")).scalar_one()
    assert (user.role, user.region, user.state_iso3, user.name) == (
        "committee",
        "grulac",
        "JAM",
        "Lucía Fernández",
    )
    assert not user.has_password


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--role", "overlord"], "unknown role 'overlord'"),
        (["--role", "committee", "--region", "oceania"], "unknown region 'oceania'"),
        (["--role", "applicant", "--state", "XXX"], "unknown State 'XXX'"),
        (["--role", "applicant"], "an applicant must belong to a State"),
        (["--role", "committee"], "a committee member must represent a regional group"),
        (["--role", "donor", "--password", "short"], "at least 12 characters"),
    ],
)
def test_create_refuses_bad_input_with_exit_code_2_and_one_line(runner, args, reason):
    before = db.session.execute(select(func.count(User.id))).scalar_one()
    result = runner.invoke(args=["users", "create", "x@b.org", *args])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("Error: ") and reason in lines[0]
    assert db.session.execute(select(func.count(User.id))).scalar_one() == before


def test_create_refuses_a_duplicate_email(runner, factory):
    factory.user("donor", email="dup@b.org")
    result = runner.invoke(args=["users", "create", "DUP@b.org", "--role", "donor"])
    assert result.exit_code == 2
    assert "already exists" in result.output


def test_token_for_unknown_user(runner):
    result = runner.invoke(args=["users", "token", "nobody@b.org"])
    assert result.exit_code == 2
    assert "no user" in result.output


def test_no_token_for_a_totp_role_before_it_enrols(runner, factory):
    # The API would refuse it (a second factor first): the command says so instead.
    factory.user("secretariat", email="officer@b.org", enrol_totp=False)
    result = runner.invoke(args=["users", "token", "officer@b.org"])
    assert result.exit_code == 2 and "two-factor enrolment" in result.output
    factory.user("secretariat", email="enrolled@b.org", enrol_totp=True)
    assert runner.invoke(args=["users", "token", "enrolled@b.org"]).exit_code == 0


def test_demo_is_idempotent_and_covers_every_role(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert set(counts) == {
        "applicant",
        "committee",
        "secretariat",
        "expert",
        "donor",
        "auditor",
        "admin",
    }
    assert counts["committee"] == 6  # five members, one per group, and an alternate
    regions = (
        db.session.execute(select(User.region).where(User.role == "committee")).scalars().all()
    )
    assert set(regions) == {"african", "asia_pacific", "eastern_european", "grulac", "weog"}
    states = db.session.execute(select(User).where(User.role == "applicant")).scalars().all()
    assert any(u.state.ldc for u in states) and any(u.state.sids for u in states)
    total = sum(counts.values())
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert db.session.execute(select(func.count(User.id))).scalar_one() == total
    assert "sptf-demo-password" in second.output
    assert list(audit.iter_problems(db.session())) == []


def test_demo_if_empty_does_nothing_when_users_exist(runner, factory):
    factory.user("admin")
    result = runner.invoke(args=["demo", "--if-empty", "--quiet"])
    assert result.exit_code == 0
    assert db.session.execute(select(func.count(User.id))).scalar_one() == 1


def test_demo_has_applications_in_every_status_and_an_open_ballot(runner):
    from app.applications.models import Application, ApplicationStatus
    from app.committee.models import Ballot, BallotMember, Vote

    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    statuses = set(db.session.execute(select(Application.status)).scalars())
    assert statuses >= {s.value for s in ApplicationStatus}
    open_ballot = (
        db.session.execute(select(Ballot).where(Ballot.status == "open")).scalars().first()
    )
    assert open_ballot is not None
    assert (
        db.session.execute(
            select(func.count(Vote.id)).where(Vote.ballot_id == open_ballot.id)
        ).scalar_one()
        >= 1
    )
    recused = (
        db.session.execute(
            select(BallotMember).where(
                BallotMember.ballot_id == open_ballot.id, BallotMember.recused.is_(True)
            )
        )
        .scalars()
        .all()
    )
    assert recused and recused[0].recusal_kind == "nationality"
    count = db.session.execute(select(func.count(Application.id))).scalar_one()
    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    assert db.session.execute(select(func.count(Application.id))).scalar_one() == count


def test_demo_money_covers_every_grant_status_and_keeps_the_ledger_whole(runner):
    from app.contributions.models import Contribution
    from app.grants.models import Disbursement, Grant, GrantStatus

    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    grant_statuses = set(db.session.execute(select(Grant.status)).scalars())
    assert grant_statuses >= {s.value for s in GrantStatus}
    contributions = db.session.scalars(select(Contribution)).all()
    assert {c.kind for c in contributions} >= {"card", "bank", "pledge"}
    assert any(c.original_currency == "EUR" for c in contributions)
    assert any(c.refunded_minor > 0 for c in contributions)
    releases = set(db.session.execute(select(Disbursement.status)).scalars())
    assert releases >= {"paid", "pending_approval"}
    verified = runner.invoke(args=["ledger", "verify"])
    assert verified.exit_code == 0 and "Ledger OK" in verified.output, verified.output
    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0


def test_demo_roster_spans_the_regions_and_every_deployment_status(runner):
    from app.deployments.models import Deployment, DeploymentStatus
    from app.experts.models import Expert, ExpertStatus
    from app.grants.models import Disbursement, DisbursementKind, DisbursementStatus
    from app.reference.models import State

    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    experts = db.session.scalars(select(Expert)).all()
    assert len(experts) >= 30
    assert {e.status for e in experts} == {s.value for s in ExpertStatus}
    regions = set(
        db.session.scalars(
            select(State.region)
            .join(User, User.state_iso3 == State.iso3)
            .join(Expert, Expert.user_id == User.id)
        )
    )
    assert len(regions) >= 4
    deployments = db.session.scalars(select(Deployment)).all()
    assert {d.status for d in deployments} == {s.value for s in DeploymentStatus}
    for d in deployments:
        assert d.expert.nationality != d.grant.state_iso3, d.reference
        assert d.grant.start_date <= d.start_date <= d.end_date <= d.grant.end_date
        assert d.expert.is_available(d.start_date, d.end_date), d.reference
    rated = [d.id for d in deployments if d.status == "completed" and d.rating is not None]
    paid_fee = db.session.scalars(
        select(Disbursement).where(
            Disbursement.kind == DisbursementKind.EXPERT_FEE,
            Disbursement.status == DisbursementStatus.PAID,
            Disbursement.deployment_id.in_(rated),
        )
    ).all()
    assert paid_fee
    assert paid_fee[0].approved_by_id != paid_fee[0].created_by_id
    pending = db.session.scalars(
        select(Disbursement).where(
            Disbursement.kind == DisbursementKind.EXPERT_FEE,
            Disbursement.status == DisbursementStatus.PENDING_APPROVAL,
        )
    ).all()
    assert pending  # one fee waits for the second officer

    def counts() -> tuple[int, ...]:
        return tuple(
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (User, Expert, Deployment, Disbursement)
        )

    before = counts()
    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    assert counts() == before
    verified = runner.invoke(args=["ledger", "verify"])
    assert verified.exit_code == 0 and "Ledger OK" in verified.output, verified.output
    assert list(audit.iter_problems(db.session())) == []


def test_demo_tells_two_years_of_reports_money_and_a_published_story(runner, client):
    from app.applications.models import Application
    from app.core.database import today
    from app.deployments.models import Deployment
    from app.grants.models import Disbursement, DisbursementKind, Grant, GrantStatus
    from app.ledger import postings
    from app.ledger.models import LedgerTransaction, TransactionKind
    from app.reports.models import Report, ReportStatus, Story, StoryStatus

    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    session = db.session()
    reports = session.scalars(select(Report)).all()
    assert {r.status for r in reports} == {s.value for s in ReportStatus}
    assert any(r.is_overdue and r.status == ReportStatus.DUE for r in reports)

    # An accepted interim report let the second tranche go: asked by one officer, paid by
    # the second.
    accepted_interim = {r.grant_id for r in reports if r.kind == "interim" and r.accepted_at}
    second_tranches = session.scalars(
        select(Disbursement).where(
            Disbursement.kind == DisbursementKind.TRANCHE,
            Disbursement.status == "paid",
            Disbursement.note.like("Second tranche%"),
        )
    ).all()
    assert {d.grant_id for d in second_tranches} <= accepted_interim and second_tranches
    people = {u.id: u.email for u in session.scalars(select(User))}
    assert {(people[d.created_by_id], people[d.approved_by_id]) for d in second_tranches} == {
        ("secretariat@sptf.example", "finance@sptf.example")
    }
    for d in second_tranches:
        interim = next(r for r in reports if r.grant_id == d.grant_id and r.kind == "interim")
        assert d.created_at > interim.accepted_at

    # A completed grant: final report accepted, its unspent commitment released.
    completed = session.scalars(select(Grant).where(Grant.status == GrantStatus.COMPLETED)).all()
    assert completed
    for grant in completed:
        assert grant.final_report_accepted_at is not None
        assert postings.commitment_outstanding(session, grant.id) == 0
        release = session.scalars(
            select(LedgerTransaction).where(
                LedgerTransaction.grant_id == grant.id,
                LedgerTransaction.kind == TransactionKind.RELEASE,
            )
        ).one()
        assert release.effective_on <= grant.closed_at.date()

    # A published story, with the State's consent and a photo that has its credit.
    story = session.scalars(select(Story).where(Story.status == StoryStatus.PUBLISHED)).one()
    assert story.consented_at is not None and story.photo_credit and story.photo_alt
    assert client.get(f"/stories/{story.id}").status_code == 200
    photo = client.get(f"/stories/{story.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.get_data()[:3] == b"\xff\xd8\xff"
    photo.close()

    # History for an annual report: approvals, payments, missions and recommendations
    # advanced, last year and this.
    year = today().year
    decided = {a.decided_at.year for a in session.scalars(select(Application)) if a.decided_at}
    paid = {
        t.effective_on.year
        for t in session.scalars(
            select(LedgerTransaction).where(LedgerTransaction.kind == TransactionKind.DISBURSEMENT)
        )
    }
    missions = {
        d.end_date.year for d in session.scalars(select(Deployment)) if d.status == "completed"
    }
    for years in (decided, paid, missions):
        assert {year - 1, year} <= years
    advanced = [row for r in reports if r.accepted_at for row in r.recommendations]
    assert {row.status for row in advanced} >= {"in_progress", "implemented"}

    def counts() -> tuple[int, ...]:
        return tuple(
            db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Report, Story, Application, Disbursement, LedgerTransaction)
        )

    before, events = counts(), db.session.scalar(select(func.count()).select_from(audit.AuditEvent))
    assert runner.invoke(args=["demo", "--quiet"]).exit_code == 0
    assert counts() == before
    assert db.session.scalar(select(func.count()).select_from(audit.AuditEvent)) == events
    for command in ("ledger", "audit"):
        verified = runner.invoke(args=[command, "verify"])
        assert verified.exit_code == 0, verified.output
