"""Demo requests in every status, the committee's seats, and ballots with real votes.

Longer than ~500 lines because it is mostly data: each request of the demo is written out
with its recommendations, indicators and budget, so every status has a believable example."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications import services as applications
from app.applications.models import Application
from app.applications.specs import (
    ApplicationSpec,
    BudgetLineSpec,
    ConsentSpec,
    ExpertiseSpec,
    IndicatorSpec,
    OverviewSpec,
    RecommendationSpec,
)
from app.auth.models import User
from app.committee import ballots, decisions, screening, seats
from app.committee.models import CommitteeSeat, SeatKind
from app.core.database import today, utcnow
from app.core.dates import add_years


def ensure_seats(session: Session, people: dict[str, User]) -> None:
    """Seats from the first of January of the year the demo's history starts in (the demo
    runs this at that date), for a term long enough to hold the present day."""
    if session.execute(select(CommitteeSeat.id).limit(1)).first() is not None:
        return
    start = date(today().year, 1, 1)
    end = add_years(start, 4)
    for key in (
        "committee_african",
        "committee_asia_pacific",
        "committee_eastern_european",
        "committee_grulac",
        "committee_weog",
    ):
        seats.add_seat(
            session,
            people["secretariat"],
            people[key],
            kind=SeatKind.MEMBER,
            term_start=start,
            term_end=end,
        )
    seats.add_seat(
        session,
        people["secretariat"],
        people["committee_grulac_alt"],
        kind=SeatKind.ALTERNATE,
        term_start=start,
        term_end=end,
    )


@dataclass
class DemoRequest:
    state_key: str
    title: str
    summary: str
    objectives: str
    activities: str
    themes: list[str]
    sdgs: list[int]
    recommendations: list[RecommendationSpec]
    indicators: list[IndicatorSpec]
    budget: list[BudgetLineSpec]
    entity: str
    months: int = 12
    expertise: ExpertiseSpec = field(default_factory=ExpertiseSpec)
    official: tuple[str, str] | None = ("", "")


def _simple(
    state_key: str,
    title: str,
    summary: str,
    themes: list[str],
    sdgs: list[int],
    mechanism: str,
    symbol: str,
    budget: list[tuple[str, str, str]],
    entity: str,
    official: tuple[str, str],
    months: int = 12,
    expertise: ExpertiseSpec | None = None,
) -> DemoRequest:
    return DemoRequest(
        state_key,
        title,
        summary,
        summary,
        "Workshops, drafting and follow-up.",
        themes,
        sdgs,
        [RecommendationSpec(mechanism, symbol, summary, "", "")],
        [IndicatorSpec("People reached", "0", "200")],
        [BudgetLineSpec(c, d, a) for c, d, a in budget],
        entity,
        months,
        expertise=expertise or ExpertiseSpec(),
        official=official,
    )


REQUESTS: dict[str, DemoRequest] = {
    "fiji_nmrf": DemoRequest(
        "applicant_fji",
        "A national mechanism for reporting and follow-up",
        "Set up Fiji's national mechanism for implementation, reporting and follow-up (NMIRF) and its tracking database.",
        "A standing inter-ministerial mechanism that clusters recommendations and tracks their implementation.",
        "Drafting of terms of reference; training of 40 focal points; configuration of a tracking database.",
        ["nmirf", "international-instruments"],
        [16, 17],
        [
            RecommendationSpec(
                "UPR",
                "A/HRC/43/8, para. 98.12",
                "Establish a national mechanism for reporting and follow-up.",
                "Paraguay",
                "UPR 3rd cycle, 2019",
            )
        ],
        [
            IndicatorSpec(
                "Recommendations clustered and tracked in the database",
                "0",
                "250",
                "A working tracking database",
            )
        ],
        [
            BudgetLineSpec("experts", "Expert on NMIRF design, 20 days", "9000"),
            BudgetLineSpec("training", "Two training workshops", "7000"),
        ],
        "Ministry of Justice",
        official=None,
    ),
    "malawi_prisons": DemoRequest(
        "applicant_mwi",
        "Training of prison officers on the Nelson Mandela Rules",
        "Practical training of prison officers in four regional prisons on the United Nations Standard Minimum Rules for the Treatment of Prisoners.",
        "Prison officers apply the Mandela Rules; complaints mechanisms work in four prisons.",
        "Training of trainers; 8 training sessions; a pocket guide in Chichewa; a follow-up visit.",
        ["persons-deprived-liberty", "torture"],
        [16],
        [
            RecommendationSpec(
                "CAT",
                "CAT/C/MWI/CO/1, para. 20",
                "Improve conditions of detention in line with the Nelson Mandela Rules.",
                "Committee against Torture",
                "2023",
            ),
            RecommendationSpec(
                "UPR",
                "A/HRC/46/10, para. 117.45",
                "Train law enforcement and prison personnel on human rights.",
                "Germany",
                "UPR 3rd cycle, 2021",
            ),
        ],
        [
            IndicatorSpec("Prison officers trained", "0", "320", "Officers apply the Rules"),
            IndicatorSpec("Prisons with a working complaints box", "0", "4"),
        ],
        [
            BudgetLineSpec("training", "Eight training sessions", "18000"),
            BudgetLineSpec("publications", "Pocket guide in Chichewa, 2,000 copies", "4500"),
            BudgetLineSpec("travel", "Trainers' travel", "6000"),
        ],
        "Malawi Prison Service",
        official=("Chikondi Banda", "Principal Secretary, Ministry of Homeland Security"),
        expertise=ExpertiseSpec(["persons-deprived-liberty"], ["en"], 15),
    ),
    "nepal_disability": DemoRequest(
        "applicant_npl",
        "Accessible voting for persons with disabilities",
        "Make polling stations and voter information accessible ahead of local elections.",
        "Persons with disabilities can vote independently and in secret.",
        "Accessibility audit of 60 polling stations; accessible voter guides; training of election officers.",
        ["persons-disabilities", "participation-public-affairs"],
        [10, 16],
        [
            RecommendationSpec(
                "CRPD",
                "CRPD/C/NPL/CO/1, para. 48",
                "Ensure accessible polling stations and electoral materials.",
                "Committee on the Rights of Persons with Disabilities",
                "2018",
            )
        ],
        [IndicatorSpec("Accessible polling stations", "5", "60")],
        [
            BudgetLineSpec(
                "consultation",
                "Accessibility audit with organisations of persons with disabilities",
                "12000",
            ),
            BudgetLineSpec("publications", "Voter guides in braille and easy-read", "8000"),
        ],
        "Election Commission of Nepal",
        official=("Sita Shrestha", "Joint Secretary, Office of the Prime Minister"),
    ),
    "ecuador_large": DemoRequest(
        "applicant_ecu",
        "National human rights information system",
        "A national information system on the implementation of all recommendations received.",
        "All ministries report through one system.",
        "Software development and deployment across 22 ministries.",
        ["data-statistics", "nmirf"],
        [16, 17],
        [
            RecommendationSpec(
                "UPR",
                "A/HRC/52/4, para. 86.3",
                "Strengthen the national system for follow-up of recommendations.",
                "Spain",
                "UPR 4th cycle, 2022",
            )
        ],
        [IndicatorSpec("Ministries reporting", "3", "22")],
        [BudgetLineSpec("equipment", "Software development", "48000")],
        "Secretaría de Derechos Humanos",
        official=("Diego Paredes", "Undersecretary for Human Rights"),
    ),
    "jamaica_children": DemoRequest(
        "applicant_jam",
        "Child-friendly justice: training for family court staff",
        "Train family court judges and staff on child-friendly procedures and on hearing children's views.",
        "Children are heard in proceedings that affect them, with trained staff.",
        "Curriculum with the Judicial Education Institute; 6 training sessions; a practice guide.",
        ["children", "administration-of-justice"],
        [16, 5],
        [
            RecommendationSpec(
                "CRC",
                "CRC/C/JAM/CO/3-4, para. 24",
                "Ensure that children are heard in judicial proceedings affecting them.",
                "Committee on the Rights of the Child",
                "2015",
            )
        ],
        [
            IndicatorSpec("Court staff trained", "0", "150"),
            IndicatorSpec("Family courts using the practice guide", "0", "7"),
        ],
        [
            BudgetLineSpec("experts", "Child-rights justice expert, 15 days", "7500"),
            BudgetLineSpec("training", "Six training sessions", "12000"),
        ],
        "Court Management Services",
        official=("Andre Campbell", "Permanent Secretary, Ministry of Justice"),
        expertise=ExpertiseSpec(["children", "administration-of-justice"], ["en"], 15),
    ),
    "fiji_disaster": DemoRequest(
        "applicant_fji",
        "Disability-inclusive disaster response",
        "Bring organisations of persons with disabilities into disaster planning and response.",
        "Evacuation plans and centres that include persons with disabilities.",
        "Consultations in 4 divisions; revision of evacuation guidelines; training of disaster officers.",
        ["persons-disabilities", "environment-climate"],
        [11, 13],
        [
            RecommendationSpec(
                "CRPD",
                "CRPD/C/FJI/CO/1, para. 20",
                "Include persons with disabilities in disaster risk reduction.",
                "Committee on the Rights of Persons with Disabilities",
                "2023",
            )
        ],
        [IndicatorSpec("Evacuation centres assessed for accessibility", "0", "40")],
        [
            BudgetLineSpec("consultation", "Consultations in four divisions", "12000"),
            BudgetLineSpec("training", "Training of disaster officers", "9000"),
            BudgetLineSpec("publications", "Revised guidelines", "3000"),
            BudgetLineSpec(
                "experts", "Experts on disability-inclusive evacuation planning", "13000"
            ),
        ],
        "National Disaster Management Office",
        months=18,
        official=("Mere Tuilagi", "Permanent Secretary, Ministry of Foreign Affairs"),
        expertise=ExpertiseSpec(["persons-disabilities", "environment-climate"], ["en"], 12),
    ),
    "malawi_hrd": DemoRequest(
        "applicant_mwi",
        "Awareness campaign on human rights defenders",
        "A radio campaign on the role of human rights defenders.",
        "Public awareness of the role of defenders.",
        "Radio spots and talk shows over six months.",
        ["human-rights-defenders"],
        [16],
        [
            RecommendationSpec(
                "UPR",
                "A/HRC/46/10, para. 117.80",
                "Protect human rights defenders and journalists.",
                "Ireland",
                "UPR 3rd cycle, 2021",
            )
        ],
        [IndicatorSpec("Radio spots broadcast", "0", "120")],
        [BudgetLineSpec("publications", "Radio airtime", "15000")],
        "Malawi Human Rights Commission",
        official=("Chikondi Banda", "Principal Secretary, Ministry of Justice"),
    ),
    "nepal_trafficking": DemoRequest(
        "applicant_npl",
        "Victim identification in cases of trafficking",
        "Standard operating procedures for identifying and referring victims of trafficking.",
        "Victims are identified and referred.",
        "Drafting of SOPs; training of border police.",
        ["human-trafficking", "women-girls"],
        [5, 8, 16],
        [
            RecommendationSpec(
                "CEDAW",
                "CEDAW/C/NPL/CO/6, para. 23",
                "Strengthen victim identification and referral.",
                "CEDAW",
                "2018",
            )
        ],
        [IndicatorSpec("Border posts applying the SOPs", "0", "12")],
        [
            BudgetLineSpec("experts", "Expert on victim identification", "8000"),
            BudgetLineSpec("training", "Training of border police", "9000"),
        ],
        "Ministry of Women, Children and Senior Citizens",
        official=("Sita Shrestha", "Secretary"),
    ),
    "malawi_juvenile": _simple(
        "applicant_mwi",
        "Diversion for children in conflict with the law",
        "Set up diversion schemes for children in three districts.",
        ["children", "administration-of-justice"],
        [16],
        "CRC",
        "CRC/C/MWI/CO/3-5, para. 45",
        [
            ("training", "Training of police and social workers", "16000"),
            ("consultation", "Community diversion committees", "12000"),
            ("experts", "Experts on child justice and diversion", "12000"),
        ],
        "Ministry of Gender, Children and Social Welfare",
        ("Chikondi Banda", "Principal Secretary"),
        18,
        ExpertiseSpec(["children", "administration-of-justice"], ["en"], 12),
    ),
    "nepal_nhri": _simple(
        "applicant_npl",
        "Complaints handling at the National Human Rights Commission",
        "A case management system and training for complaints officers.",
        ["national-human-rights-institutions"],
        [16],
        "UPR",
        "A/HRC/47/5, para. 109.23",
        [
            ("equipment", "Case management software", "18000"),
            ("training", "Training of complaints officers", "12000"),
        ],
        "National Human Rights Commission",
        ("Sita Shrestha", "Secretary"),
    ),
    "ecuador_prisons": _simple(
        "applicant_ecu",
        "Independent monitoring of places of detention",
        "Support the national preventive mechanism's visits.",
        ["persons-deprived-liberty", "torture"],
        [16],
        "SPT",
        "CAT/OP/ECU/1, para. 30",
        [("travel", "Monitoring visits", "12000"), ("training", "Training of monitors", "8000")],
        "Defensoría del Pueblo",
        ("Diego Paredes", "Undersecretary for Human Rights"),
    ),
    "jamaica_elderly": _simple(
        "applicant_jam",
        "Rights of older persons in residential care",
        "Standards and inspections for residential care homes.",
        ["older-persons", "health"],
        [3, 10],
        "UPR",
        "A/HRC/48/14, para. 101.7",
        [
            ("experts", "Expert on care standards", "10000"),
            ("training", "Training of inspectors", "15000"),
        ],
        "Ministry of Health and Wellness",
        ("Andre Campbell", "Permanent Secretary"),
    ),
    "fiji_birth": _simple(
        "applicant_fji",
        "Birth registration in the outer islands",
        "Mobile registration teams and digitised records for outer-island communities.",
        ["children", "stateless-persons"],
        [16],
        "CRC",
        "CRC/C/FJI/CO/2-4, para. 30",
        [
            ("travel", "Mobile registration teams", "28000"),
            ("equipment", "Record digitisation", "20000"),
        ],
        "Ministry of Justice",
        ("Mere Tuilagi", "Permanent Secretary"),
        24,
    ),
    "ecuador_withdrawn": DemoRequest(
        "applicant_ecu",
        "Translation of treaty body recommendations into Kichwa",
        "Translate and disseminate recommendations in Kichwa.",
        "Indigenous communities know the recommendations.",
        "Translation; community radio.",
        ["indigenous-peoples", "cultural-rights"],
        [10],
        [
            RecommendationSpec(
                "CERD",
                "CERD/C/ECU/CO/23-24, para. 12",
                "Disseminate the Committee's observations in indigenous languages.",
                "CERD",
                "2017",
            )
        ],
        [IndicatorSpec("Communities reached", "0", "80")],
        [BudgetLineSpec("translation", "Translation into Kichwa", "5000")],
        "Secretaría de Derechos Humanos",
        official=("Diego Paredes", "Undersecretary for Human Rights"),
    ),
}


def find_request(session: Session, people: dict[str, User], r: DemoRequest) -> Application | None:
    """The demo request's application, if the demo made it already (its State and title)."""
    return session.execute(
        select(Application).where(
            Application.state_iso3 == people[r.state_key].state_iso3, Application.title == r.title
        )
    ).scalar_one_or_none()


def _create(session: Session, people: dict[str, User], key: str) -> Application:
    return create_request(session, people, REQUESTS[key])


def create_request(session: Session, people: dict[str, User], r: DemoRequest) -> Application:
    applicant = people[r.state_key]
    existing = find_request(session, people, r)
    if existing is not None:
        return existing
    spec = ApplicationSpec(
        overview=OverviewSpec(
            title=r.title,
            summary=r.summary,
            objectives=r.objectives,
            activities=r.activities,
            duration_months=r.months,
            implementing_entity=r.entity,
            themes=r.themes,
            sdgs=r.sdgs,
        ),
        recommendations=r.recommendations,
        indicators=r.indicators,
        budget=r.budget,
        expertise=r.expertise,
        consent=ConsentSpec(r.official[0], r.official[1], True) if r.official else None,
    )
    application = applications.create_application(session, applicant, spec)
    application.__dict__["_demo_new"] = True
    return application


def _is_new(application: Application) -> bool:
    return bool(application.__dict__.pop("_demo_new", False))


def ensure_applications(session: Session, people: dict[str, User]) -> None:
    secretariat = people["secretariat"]
    committee = {k: v for k, v in people.items() if k.startswith("committee_")}
    deadline = utcnow() + timedelta(days=10)

    _create(session, people, "fiji_nmrf")  # draft: consent and budget still to do

    a = _create(session, people, "malawi_prisons")  # submitted
    if _is_new(a):
        applications.submit(session, people["applicant_mwi"], a)

    a = _create(session, people, "nepal_disability")  # returned
    if _is_new(a):
        applications.submit(session, people["applicant_npl"], a)
        screening.screen(
            session,
            secretariat,
            a,
            "returned",
            note="Please add an indicator on the number of voters with disabilities, and the cost of the election officers' training.",
        )

    a = _create(session, people, "ecuador_large")  # ineligible
    if _is_new(a):
        applications.submit(session, people["applicant_ecu"], a)
        screening.screen(
            session,
            secretariat,
            a,
            "ineligible",
            note="An information system across 22 ministries goes beyond a small project.",
            referral="The OHCHR Voluntary Fund for Technical Cooperation, and an offer of an expert on NMIRF design from the roster.",
        )

    a = _create(
        session, people, "jamaica_children"
    )  # in review: open ballot, some votes, a recusal
    if _is_new(a):
        applications.submit(session, people["applicant_jam"], a)
        screening.screen(session, secretariat, a, "eligible", deadline=deadline)
        ballots.cast_vote(
            session,
            committee["committee_african"],
            a,
            "approve",
            "A well-targeted, low-cost project.",
        )
        ballots.cast_vote(session, committee["committee_weog"], a, "abstain")

    a = _create(session, people, "fiji_disaster")  # approved
    if _is_new(a):
        applications.submit(session, people["applicant_fji"], a)
        screening.screen(session, secretariat, a, "eligible", deadline=deadline)
        for key, choice in (
            ("committee_african", "approve"),
            ("committee_asia_pacific", "approve"),
            ("committee_eastern_european", "approve"),
            ("committee_grulac", "approve"),
            ("committee_weog", "abstain"),
        ):
            ballots.cast_vote(session, committee[key], a, choice)
        decisions.close_ballot(session, secretariat, a)

    a = _create(session, people, "malawi_hrd")  # rejected
    if _is_new(a):
        applications.submit(session, people["applicant_mwi"], a)
        screening.screen(session, secretariat, a, "eligible", deadline=deadline)
        for key, choice in (
            ("committee_african", "reject"),
            ("committee_asia_pacific", "reject"),
            ("committee_eastern_european", "reject"),
            ("committee_weog", "approve"),
        ):
            ballots.cast_vote(
                session, committee[key], a, choice, "Awareness alone is not capacity-building."
            )
        decisions.close_ballot(
            session,
            secretariat,
            a,
            reasons="The committee found that a campaign alone would not build lasting capacity; a request combining it with protection measures would be welcome.",
        )

    a = _create(session, people, "nepal_trafficking")  # deferred: no quorum
    if _is_new(a):
        applications.submit(session, people["applicant_npl"], a)
        screening.screen(session, secretariat, a, "eligible", deadline=deadline)
        ballots.cast_vote(session, committee["committee_grulac"], a, "approve")
        decisions.close_ballot(session, secretariat, a)

    a = _create(session, people, "ecuador_withdrawn")  # withdrawn
    if _is_new(a):
        applications.submit(session, people["applicant_ecu"], a)
        applications.withdraw(
            session, people["applicant_ecu"], a, "The ministry funds it from its own budget."
        )


def approve(session: Session, people: dict[str, User], key: str) -> Application:
    """A request brought through submission, screening and a unanimous-enough ballot."""
    application = _create(session, people, key)
    if not _is_new(application):
        return application
    applications.submit(session, people[REQUESTS[key].state_key], application)
    screen_and_vote(session, people, application)
    return application


def screen_and_vote(session: Session, people: dict[str, User], application: Application) -> None:
    """Screened eligible, then approved by three of the five regional members."""
    screening.screen(
        session,
        people["secretariat"],
        application,
        "eligible",
        deadline=utcnow() + timedelta(days=10),
    )
    for member in ("committee_african", "committee_eastern_european", "committee_weog"):
        ballots.cast_vote(session, people[member], application, "approve")
    decisions.close_ballot(session, people["secretariat"], application)
