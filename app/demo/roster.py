"""Demo roster: the experts (app/demo/experts.py) and deployments in every status on the two
active grants, with a completed mission rated by the State and its fee and travel paid
through maker–checker — all through the roster's and the grants' services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.auth.models import User
from app.core.database import today
from app.core.money import Money
from app.demo.applications import REQUESTS
from app.demo.experts import MAIN_EXPERT, ensure_experts
from app.deployments import expert_payments, proposals
from app.deployments import services as deployments
from app.deployments.models import Deployment
from app.deployments.models import DeploymentStatus as S
from app.experts.models import Expert
from app.grants import services as grants
from app.grants.models import Disbursement, Grant, GrantStatus

# Rates to the fund's currency for experts who charge in another one.
FX_RATES = {"EUR": "1.08", "CHF": "1.12"}

MALAWI_TERMS = (
    "Support the Ministry in setting up diversion schemes for children in conflict with the"
    " law in three districts: review the draft diversion guidelines against the Convention on"
    " the Rights of the Child and General Comment No. 24, and train police prosecutors,"
    " social welfare officers and community diversion committees."
)
FIJI_TERMS = (
    "Advise the National Disaster Management Office on making evacuation plans and centres"
    " accessible: review the evacuation guidelines with organisations of persons with"
    " disabilities, assess two evacuation centres, and train divisional disaster officers."
)


@dataclass(frozen=True)
class Payment:
    kind: str  # fee or travel
    reference: str  # the bank's reference; "" leaves it waiting for the second officer


@dataclass(frozen=True)
class Mission:
    request: str  # the key of the grant's request in app/demo/applications.py
    expert: str  # the expert's e-mail
    status: S
    start: int  # days from today
    days: int
    person_days: int
    travel: str
    payments: tuple[Payment, ...] = ()
    rating: tuple[int, str] | None = None


# Declined and refused offers come first on each grant: they hold the grant's expert budget
# only while they are open. Missions that are reported or completed start today (a report is
# filed once the mission has started) and each has its own expert, so no calendar overlaps.
MISSIONS = (
    Mission("malawi_juvenile", "michael.oconnor@roster.example", S.DECLINED, 30, 3, 3, "1000"),
    Mission("malawi_juvenile", "thandiwe.dlamini@roster.example", S.CANCELLED, 14, 3, 3, "900"),
    Mission(
        "malawi_juvenile",
        MAIN_EXPERT.address,
        S.COMPLETED,
        0,
        3,
        3,
        "1200",
        payments=(Payment("travel", "BNK-EXP-0001"), Payment("fee", "BNK-EXP-0002")),
        rating=(
            5,
            "Practical, well prepared and attentive to the districts' realities; the diversion"
            " committees now meet monthly.",
        ),
    ),
    Mission("malawi_juvenile", "keisha.thompson@roster.example", S.REPORTED, 0, 2, 2, "1400"),
    Mission("malawi_juvenile", "priya.raghavan@roster.example", S.SCHEDULED, 21, 5, 4, "1100"),
    Mission(
        "fiji_disaster",
        "leilani.tavita@roster.example",
        S.COMPLETED,
        0,
        2,
        2,
        "1600",
        payments=(Payment("travel", "BNK-EXP-0003"), Payment("fee", "")),
    ),
    Mission(
        "fiji_disaster", "sofia.lindqvist@roster.example", S.REVISION_REQUESTED, 0, 2, 2, "1800"
    ),
    Mission("fiji_disaster", "siti.rahmawati@roster.example", S.ACCEPTED, 28, 3, 3, "1300"),
    Mission("fiji_disaster", MAIN_EXPERT.address, S.PROPOSED, 45, 3, 3, "1400"),
)

REPORTS = {
    "malawi_juvenile": deployments.MissionReport(
        summary="Reviewed the draft diversion guidelines with the Ministry and trained 46"
        " police prosecutors, social welfare officers and members of community diversion"
        " committees in Zomba, Kasungu and Mzimba.",
        activities="Two-day workshop in each district; a session with the Chief Justice's"
        " office on the role of magistrates; visits to two reformatory centres.",
        recommendations_state="Adopt the revised guidelines by ministerial order; designate a"
        " diversion focal point in every police station.",
        recommendations_partners="Fund the committees' travel for the first year.",
    ),
    "fiji_disaster": deployments.MissionReport(
        summary="Assessed the accessibility of two evacuation centres in the Western Division"
        " with the Fiji Disabled Peoples Federation and trained 30 disaster officers on"
        " inclusive evacuation.",
        activities="Site visits with wheelchair users and deaf and blind members of the"
        " Federation; a one-day training; a debriefing with the Office's director.",
        recommendations_state="Add accessibility criteria to the designation of evacuation"
        " centres; warnings in sign language and by text message.",
    ),
}
REVISION_NOTE = (
    "Thank you. Please add the list of participants and the findings for the second"
    " evacuation centre, which the summary does not cover."
)


def _grant(session: Session, key: str) -> Grant | None:
    request = REQUESTS[key]
    application = session.execute(
        select(Application).where(Application.title == request.title)
    ).scalar_one_or_none()
    return None if application is None else grants.grant_for_application(session, application)


def _exists(session: Session, grant: Grant, expert: Expert) -> bool:
    stmt = select(Deployment.id).where(
        Deployment.grant_id == grant.id, Deployment.expert_id == expert.id
    )
    return session.execute(stmt.limit(1)).first() is not None


def pay(
    session: Session, people: dict[str, User], deployment: Deployment, payment: Payment
) -> None:
    """The maker asks for the whole fee or travel budget; a second officer pays it."""
    owed = Money(
        deployment.fee_minor if payment.kind == "fee" else deployment.travel_budget_minor,
        deployment.currency,
    )
    release: Disbursement = expert_payments.request_payment(
        session, people["secretariat"], deployment, payment.kind, owed.as_string()
    )
    if payment.reference:
        grants.approve_disbursement(session, people["secretariat2"], release, payment.reference)


def _deploy(
    session: Session, people: dict[str, User], grant: Grant, expert: Expert, mission: Mission
) -> None:
    staff = people["secretariat"]
    request = REQUESTS[mission.request]
    state = people[request.state_key]
    official = request.official or (state.name, "Permanent Secretary")
    start = today() + timedelta(days=mission.start)
    d = proposals.propose(
        session,
        staff,
        grant,
        expert,
        proposals.Terms(
            start=start,
            end=start + timedelta(days=mission.days - 1),
            person_days=mission.person_days,
            terms_of_reference=MALAWI_TERMS if mission.request == "malawi_juvenile" else FIJI_TERMS,
            travel_budget=mission.travel,
            fx_rate=FX_RATES.get(expert.rate_currency),
        ),
    )
    if mission.status is S.PROPOSED:
        return
    if mission.status is S.DECLINED:
        deployments.decline(
            session, expert.user, d, "Teaching commitments at the university on these dates."
        )
        return
    deployments.accept(session, expert.user, d)
    if mission.status is S.ACCEPTED:
        return
    if mission.status is S.CANCELLED:
        deployments.refuse(
            session,
            state,
            d,
            "The districts' officers are in budget hearings that fortnight; please propose"
            " later dates.",
        )
        return
    deployments.consent(session, state, d, name=official[0], title=official[1])
    if mission.status is S.SCHEDULED:
        return
    deployments.report(session, expert.user, d, REPORTS[mission.request])
    if mission.status is S.REPORTED:
        return
    if mission.status is S.REVISION_REQUESTED:
        deployments.review(session, staff, d, "revision_requested", REVISION_NOTE)
        return
    deployments.review(session, staff, d, "completed", "Report accepted with thanks.")
    for payment in mission.payments:
        pay(session, people, d, payment)
    if mission.rating is not None:
        deployments.rate(session, state, d, mission.rating[0], mission.rating[1])


def ensure_roster(session: Session, people: dict[str, User]) -> None:
    experts = ensure_experts(session, people)
    for mission in MISSIONS:
        grant = _grant(session, mission.request)
        expert = experts[mission.expert]
        # A database from before the grants kept an experts budget has none to spend.
        if grant is None or grant.status_enum is not GrantStatus.ACTIVE:
            continue
        if not grant.expert_budget_minor or _exists(session, grant, expert):
            continue
        _deploy(session, people, grant, expert, mission)
