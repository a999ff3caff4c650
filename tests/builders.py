"""Build applications, committees and ballots in any status, through the real services."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.applications import services as applications
from app.applications.models import Application
from app.applications.specs import (
    ApplicationSpec,
    BudgetLineSpec,
    ConsentSpec,
    IndicatorSpec,
    OverviewSpec,
    RecommendationSpec,
)
from app.auth.models import User
from app.committee import ballots, decisions, screening, seats
from app.core.database import today, utcnow
from app.core.roles import Region
from app.extensions import db
from tests.factories import Factory

NATIONALITY = {
    Region.AFRICAN: "KEN",
    Region.ASIA_PACIFIC: "IND",
    Region.EASTERN_EUROPEAN: "ROU",
    Region.GRULAC: "CHL",
    Region.WEOG: "NLD",
}

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(data: bytes = PDF, name: str = "concept-note.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def spec(title: str = "Training of prison officers", **changes: Any) -> ApplicationSpec:
    """A complete application: it can be submitted and is eligible."""
    base = ApplicationSpec(
        overview=OverviewSpec(
            title=title,
            summary="Practical training on the Nelson Mandela Rules.",
            objectives="Officers apply the Rules.",
            activities="Eight training sessions.",
            duration_months=12,
            implementing_entity="Prison Service",
            themes=["persons-deprived-liberty", "torture"],
            sdgs=[16],
        ),
        recommendations=[
            RecommendationSpec(
                "CAT", "CAT/C/XXX/CO/1, para. 20", "Improve conditions of detention.", "CAT", "2023"
            )
        ],
        indicators=[IndicatorSpec("Officers trained", "0", "300", "Officers apply the Rules")],
        budget=[
            BudgetLineSpec("training", "Eight sessions", "18000"),
            BudgetLineSpec("publications", "Pocket guide", "2000.50"),
        ],
        consent=ConsentSpec("A. Official", "Permanent Secretary", True),
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


@dataclass
class Committee:
    members: dict[Region, User]
    alternates: dict[Region, User] = field(default_factory=dict)

    def member(self, region: Region | str) -> User:
        return self.members[Region(region)]

    def all(self) -> list[User]:
        return list(self.members.values()) + list(self.alternates.values())


def committee(
    factory: Factory,
    secretariat: User,
    *,
    nationality: dict[Region, str] | None = None,
    alternates: dict[Region, str] | None = None,
) -> Committee:
    """Five seated members, one per regional group (and alternates if asked)."""
    start = today() - timedelta(days=30)
    nations = {**NATIONALITY, **(nationality or {})}
    members = {}
    for region in Region:
        user = factory.user("committee", region=region, state=nations[region])
        seats.add_seat(db.session(), secretariat, user, kind="member", term_start=start)
        members[region] = user
    seated_alternates = {}
    for region, iso3 in (alternates or {}).items():
        user = factory.user("committee", region=region, state=iso3)
        seats.add_seat(db.session(), secretariat, user, kind="alternate", term_start=start)
        seated_alternates[region] = user
    db.session.commit()
    return Committee(members, seated_alternates)


def application(
    applicant: User,
    status: str = "draft",
    *,
    secretariat: User | None = None,
    votes: dict[User, str] | None = None,
    approved_amount: str | None = None,
    **spec_changes: Any,
) -> Application:
    """An application brought to `status` through the services."""
    session: Session = db.session()
    a = applications.create_application(session, applicant, spec(**spec_changes))
    if status == "draft":
        db.session.commit()
        return a
    if status == "withdrawn":
        applications.withdraw(session, applicant, a)
        db.session.commit()
        return a
    applications.submit(session, applicant, a)
    if status in ("submitted",):
        db.session.commit()
        return a
    assert secretariat is not None, "screening needs a secretariat user"
    if status == "returned":
        screening.screen(session, secretariat, a, "returned", note="Add a second indicator.")
    elif status == "ineligible":
        screening.screen(
            session, secretariat, a, "ineligible", note="Too large.", referral="Another fund."
        )
    else:
        screening.screen(
            session, secretariat, a, "eligible", deadline=utcnow() + timedelta(days=14)
        )
        for member, choice in (votes or {}).items():
            ballots.cast_vote(session, member, a, choice)
        if status in ("approved", "rejected", "deferred"):
            decisions.close_ballot(session, secretariat, a, approved_amount=approved_amount)
            assert a.status == status, f"the votes gave {a.status}, not {status}"
    db.session.commit()
    return a


# -- money ---------------------------------------------------------------------------------------


def donate(
    factory: Factory,
    staff: User,
    amount: str = "100000",
    *,
    donor: User | None = None,
    currency: str = "USD",
    rate: str | None = None,
) -> Any:
    """A bank transfer received from a donor (created if not given)."""
    from app.contributions import services as contributions

    donor = donor or factory.user("donor")
    contribution = contributions.record_bank(
        db.session(),
        staff,
        donor,
        amount,
        currency,
        rate=rate,
        reference=f"TR-{donor.id}-{amount}-{utcnow().timestamp()}",
    )
    db.session.commit()
    return contribution


def approved_grant(
    factory: Factory, staff: User, board: Committee, applicant: User, **spec_changes: Any
) -> Any:
    """An approved application and its grant (committed if the fund has the money)."""
    from app.grants import services as grants

    votes = {
        board.member(r): "approve" for r in (Region.AFRICAN, Region.EASTERN_EUROPEAN, Region.WEOG)
    }
    approved = application(applicant, "approved", secretariat=staff, votes=votes, **spec_changes)
    grant = grants.grant_for_application(db.session(), approved)
    assert grant is not None
    return grant


def active_grant(
    factory: Factory, staff: User, board: Committee, applicant: User, **spec_changes: Any
) -> Any:
    from app.grants import services as grants

    grant = approved_grant(factory, staff, board, applicant, **spec_changes)
    assert grant.status == "awaiting_acceptance", grant.status
    grants.accept(db.session(), applicant, grant, name="A. Official", title="Permanent Secretary")
    db.session.commit()
    return grant


# -- roster -----------------------------------------------------------------------------------------


def expert_spec(**changes: Any) -> ApplicationSpec:
    """An application that asks for an expert and budgets for one (the grant's expert part)."""
    from app.applications.specs import ExpertiseSpec

    base = spec(**changes)
    base.budget = [
        BudgetLineSpec("training", "Eight sessions", "18000"),
        BudgetLineSpec("experts", "An expert on the Mandela Rules", "12000"),
    ]
    base.expertise = ExpertiseSpec(
        themes=["torture", "persons-deprived-liberty"], languages=["en", "fr"], person_days=10
    )
    return base


def expert_grant(factory: Factory, staff: User, board: Committee, applicant: User) -> Any:
    """An active grant of $30,000 of which $12,000 is for experts, fully funded."""
    donate(factory, staff, "100000")
    s = expert_spec()
    return active_grant(
        factory,
        staff,
        board,
        applicant,
        overview=s.overview,
        budget=s.budget,
        expertise=s.expertise,
    )


def expert(
    factory: Factory,
    *,
    state: str = "KEN",
    name: str | None = None,
    themes: tuple[str, ...] = ("torture",),
    languages: tuple[str, ...] = ("en",),
    rate: str = "500",
    currency: str = "USD",
    years: int = 12,
    available: tuple[date, date] | None = None,
    status: str = "active",
    user: User | None = None,
) -> Any:
    """An expert with a complete profile, vetted unless `status` says otherwise."""
    from app.experts import profiles

    user = user or factory.user("expert", state=state, name=name)
    session = db.session()
    profile = profiles.own_profile(session, user)
    start, end = available or (today(), today() + timedelta(days=365))
    profiles.update_profile(
        session,
        user,
        profile,
        profiles.ProfileChanges(
            current_position="Former member of a treaty body",
            years_experience=years,
            daily_rate=rate,
            currency=currency,
            languages=list(languages),
            themes=list(themes),
            availability=[(start, end)],
        ),
    )
    if status != "applied":
        staff = factory.user("secretariat")
        profiles.vet(
            session, staff, profile, "active" if status != "rejected" else "rejected", "Vetted."
        )
        if status == "inactive":
            profiles.set_active(session, staff, profile, False, "On leave.")
    session.commit()
    return profile


def deployment(
    grant: Any,
    expert_profile: Any,
    staff: User,
    *,
    start: date | None = None,
    days: int = 5,
    status: str = "proposed",
    applicant: User | None = None,
    travel: str = "1500",
) -> Any:
    """A deployment taken to `status` through the real services."""
    from app.deployments import proposals
    from app.deployments import services as deployments

    session = db.session()
    start = start or today()
    d = proposals.propose(
        session,
        staff,
        grant,
        expert_profile,
        proposals.Terms(
            start=start,
            end=start + timedelta(days=days - 1),
            person_days=days,
            terms_of_reference="Train trainers of the prison service on the Mandela Rules.",
            travel_budget=travel,
        ),
    )
    steps = ["accepted", "scheduled", "reported", "completed"]
    if status == "declined":
        deployments.decline(session, expert_profile.user, d, "Not free.")
    elif status == "cancelled":
        deployments.cancel(session, staff, d, "No longer needed.")
    elif status in steps or status == "revision_requested":
        target = steps.index("reported" if status == "revision_requested" else status)
        deployments.accept(session, expert_profile.user, d)
        if target >= 1:
            assert applicant is not None
            deployments.consent(session, applicant, d, name="A. Official", title="Minister")
        if target >= 2:
            deployments.report(
                session,
                expert_profile.user,
                d,
                deployments.MissionReport(
                    summary="Trained 40 trainers over five days in two cities."
                ),
            )
        if status == "revision_requested":
            deployments.review(session, staff, d, "revision_requested", "Add the attendance list.")
        if target >= 3:
            deployments.review(session, staff, d, "completed", "Thank you.")
    session.commit()
    return d


# -- reports and stories ------------------------------------------------------------------------------

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def report_of(grant: Any, kind: str = "interim") -> Any:
    from app.reports import services as reports

    return next(r for r in reports.for_grant(db.session(), grant.id) if r.kind == kind)


def report_content(report: Any, *, actual: str = "120", status: str = "in_progress") -> Any:
    """Everything a report needs to be submitted: each indicator and recommendation."""
    from app.reports.services import ReportContent

    application = report.grant.application
    return ReportContent(
        achievements="Two hundred officers trained; the standing orders were revised.",
        challenges="Turnover in the prison service.",
        good_practice="Peer trainers from each prison.",
        further_needs="Training for the new regional prisons.",
        indicators={i.id: (actual, "From the training register") for i in application.indicators},
        recommendations={
            r.id: (status, "Standing orders, 2027 edition") for r in application.recommendations
        },
    )


def reviewed_report(
    grant: Any, applicant: User, staff: User, kind: str = "interim", outcome: str = "accepted"
) -> Any:
    from app.reports import services as reports

    report = report_of(grant, kind)
    reports.submit(db.session(), applicant, report, report_content(report))
    if outcome:
        reports.review(db.session(), staff, report, outcome, "Please add the attendance list.")
    db.session.commit()
    return report


def story(report: Any, staff: User, *, applicant: User | None = None, photo: bool = True) -> Any:
    """A story drafted from an accepted report; published when the State's focal point is
    given (it asks for and gives consent)."""
    from werkzeug.datastructures import FileStorage

    from app.reports import stories

    session = db.session()
    draft = stories.StoryDraft(
        title="Prison officers trained in every division",
        text=(
            "Two hundred prison officers learnt the Nelson Mandela Rules from their own "
            "colleagues, and the revised standing orders now guide every prison."
        ),
        recommendation_ids=[r.id for r in report.grant.application.recommendations],
        photo_credit="Ministry of Justice" if photo else "",
        photo_alt="Officers in a training room" if photo else "",
    )
    upload = FileStorage(io.BytesIO(PNG_1PX), "training.png") if photo else None
    created = stories.create(session, staff, report, draft, upload)
    if applicant is not None:
        stories.request_consent(session, staff, created)
        stories.consent(session, applicant, created, name="A. Official", title="Minister")
    session.commit()
    return created
