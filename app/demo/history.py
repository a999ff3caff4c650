"""The demo's history: two years of the fund told through the real services, each step run
at the date it would have happened (`clock_at`), so the ledger, the audit log, references
and report due dates all agree.

Counted back from today (for 1 December 2026: January 2025 to November 2026):

- contributions from Norway and the Open Rights Foundation, and a card gift;
- Jamaica's lock-up inspections (approved early last year): both tranches paid, a mission
  paid and rated, interim and final reports accepted, the grant completed and its unspent
  commitment released, a success story published with the State's consent, and a follow-up
  request drafted from the further needs;
- Malawi's legal aid (approved last year, 18 months): the interim report sent back once,
  then accepted, which released the second tranche; the final report is in review;
- Nepal's court interpreters (approved last autumn): interim report accepted and second
  tranche paid; the final report is back with the State for revision, and overdue;
- Fiji's custody safeguards (approved this spring): a mission done and paid; the interim
  report is overdue.

A history grant already present is left as it is: the demo commits once, so a grant's
history is either all there or not at all.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator, Iterable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from app.applications import services as applications
from app.applications.models import Application
from app.auth.models import User
from app.contributions import services as contributions
from app.core.database import clock_at, today
from app.core.money import Money
from app.demo import history_data as data
from app.demo.applications import DemoRequest, create_request, find_request, screen_and_vote
from app.demo.experts import ensure_expert
from app.demo.money import contribution_exists
from app.demo.roster import Payment, pay
from app.deployments import proposals
from app.deployments import services as deployments
from app.experts.models import Expert
from app.grants import services as grants
from app.grants.models import Grant
from app.reports import further_needs, stories
from app.reports import services as reports
from app.reports.models import Report

PHOTOS = Path(__file__).resolve().parent / "photos"

# How far back the history starts, in days: the people and the committee's seats date from then.
OPENING = 700

# A story of the fund: a generator that yields the day of its next step and, resumed, takes
# that step with the clock set to that day.
Steps = Generator[date, None, None]


def opening_day() -> date:
    return today() - timedelta(days=OPENING)


def play(stories_: Iterable[Steps]) -> None:
    """Interleave the stories by date, so every step, from whichever story, happens in the
    order of the calendar: ids, the audit log and the ledger then read in time order."""
    now = today()
    queue: list[tuple[date, int, Steps]] = []

    def advance(n: int, steps: Steps) -> None:
        day = next(steps, None)
        if day is not None:
            heapq.heappush(queue, (min(day, now), n, steps))

    for n, steps in enumerate(stories_):
        advance(n, steps)
    while queue:
        day, n, steps = heapq.heappop(queue)
        with clock_at(day):
            advance(n, steps)


class Fund:
    """The steps the stories are made of, through the services."""

    def __init__(self, session: Session, people: dict[str, User]) -> None:
        self.session = session
        self.people = people
        self.now = today()

    def ago(self, days: int) -> date:
        return self.now - timedelta(days=days)

    # -- money in -------------------------------------------------------------------------------------------

    def bank(self, days: int, donor: str, amount: str, reference: str) -> Steps:
        if contribution_exists(self.session, reference=reference):
            return
        yield self.ago(days)
        contributions.record_bank(
            self.session,
            self.people["secretariat"],
            self.people[donor],
            amount,
            "USD",
            reference=reference,
        )

    def card(self, days: int, donor: str, amount: str, intent: str, fee_minor: int) -> Steps:
        if contribution_exists(self.session, payment_intent_id=intent):
            return
        yield self.ago(days)
        gift = contributions.start_card_gift(self.session, self.people[donor], amount)
        contributions.attach_payment_intent(self.session, gift, intent)
        contributions.card_paid(
            self.session,
            gift,
            amount_minor=gift.original_amount_minor,
            currency="USD",
            fee_minor=fee_minor,
        )

    # -- a request becomes a grant ---------------------------------------------------------------------------

    def grant(
        self, r: DemoRequest, submitted: int, decided: int, accepted: int
    ) -> Generator[date, None, Grant]:
        """Submitted, screened and voted on, then accepted by the State, `n` days ago each."""
        applicant = self.people[r.state_key]
        yield self.ago(submitted)
        application = create_request(self.session, self.people, r)
        applications.submit(self.session, applicant, application)
        yield self.ago(decided)
        screen_and_vote(self.session, self.people, application)
        grant = grants.grant_for_application(self.session, application)
        assert grant is not None, "the demo's history needs the fund to have the money"
        yield self.ago(accepted)
        official = r.official or (applicant.name, "Permanent Secretary")
        grants.accept(self.session, applicant, grant, name=official[0], title=official[1])
        return grant

    def release(self, grant: Grant, day: date, note: str, ref: str) -> Steps:
        """A tranche as large as may go now: asked by secretariat@, paid by finance@ the
        next day."""
        yield day
        amount = Money(grants.releasable_minor(self.session, grant), grant.currency)
        release = grants.create_disbursement(
            self.session, self.people["secretariat"], grant, amount.as_string(), note
        )
        yield day + timedelta(days=1)
        grants.approve_disbursement(self.session, self.people["secretariat2"], release, ref)

    def first_tranche(self, grant: Grant, ref: str) -> Steps:
        assert grant.start_date is not None
        yield from self.release(grant, grant.start_date + timedelta(days=5), "First tranche", ref)

    # -- reports -------------------------------------------------------------------------------------------

    def write(self, report: Report, day: date, writing: data.Writing) -> Steps:
        yield day
        application: Application = report.grant.application
        content = reports.ReportContent(
            achievements=writing.achievements,
            challenges=writing.challenges,
            good_practice=writing.good_practice,
            further_needs=writing.further_needs,
            indicators={
                i.id: (value, "")
                for i, value in zip(application.indicators, writing.actuals, strict=True)
            },
            recommendations={
                r.id: status
                for r, status in zip(application.recommendations, writing.statuses, strict=True)
            },
        )
        reports.submit(self.session, self.state_of(report.grant), report, content)

    def review(self, report: Report, day: date, outcome: str, note: str = "Thank you.") -> Steps:
        yield day
        reports.review(self.session, self.people["secretariat"], report, outcome, note)

    def state_of(self, grant: Grant) -> User:
        return next(
            u
            for k, u in self.people.items()
            if k.startswith("applicant_") and u.state_iso3 == grant.state_iso3
        )

    # -- an expert's mission -----------------------------------------------------------------------------

    def expert_joins(self, days: int) -> Steps:
        """The expert of the history's missions applies and is vetted (availability windows
        are counted from that day)."""
        yield self.ago(days)
        ensure_expert(self.session, self.people["secretariat"], data.HISTORY_EXPERT)

    def mission(
        self, grant: Grant, expert: Expert, key: str, start: int, days: int, travel: str
    ) -> Steps:
        """Offered three weeks ahead, accepted, consented, carried out, reported, reviewed,
        paid (travel and fee, maker and checker) and rated by the State."""
        staff, state = self.people["secretariat"], self.state_of(grant)
        first = self.ago(start)
        last = first + timedelta(days=days - 1)
        yield first - timedelta(days=21)
        d = proposals.propose(
            self.session,
            staff,
            grant,
            expert,
            proposals.Terms(
                start=first,
                end=last,
                person_days=days,
                terms_of_reference=data.MISSION_TERMS[key],
                travel_budget=travel,
            ),
        )
        yield first - timedelta(days=19)
        deployments.accept(self.session, expert.user, d)
        yield first - timedelta(days=16)
        deployments.consent(self.session, state, d, name=state.name, title="Focal point")
        yield last + timedelta(days=2)
        deployments.report(self.session, expert.user, d, data.MISSION_REPORTS[key])
        yield last + timedelta(days=6)
        deployments.review(self.session, staff, d, "completed", "Report accepted with thanks.")
        yield last + timedelta(days=8)
        for kind in ("travel", "fee"):
            pay(self.session, self.people, d, Payment(kind, f"BNK-{d.reference}-{kind.upper()}"))
        yield last + timedelta(days=12)
        deployments.rate(self.session, state, d, 5, data.MISSION_RATINGS[key])

    def story(self, report: Report, day: date) -> Steps:
        """Drafted with its photo and sent to the State, which consents a week later."""
        staff, state = self.people["secretariat"], self.state_of(report.grant)
        yield day
        draft = stories.StoryDraft(
            title=data.STORY_TITLE,
            text=data.STORY_TEXT,
            recommendation_ids=[r.id for r in report.grant.application.recommendations],
            photo_credit=data.STORY_PHOTO_CREDIT,
            photo_alt=data.STORY_PHOTO_ALT,
        )
        with (PHOTOS / data.STORY_PHOTO).open("rb") as photo:
            story = stories.create(
                self.session, staff, report, draft, FileStorage(photo, data.STORY_PHOTO)
            )
        stories.request_consent(self.session, staff, story)
        yield day + timedelta(days=7)
        stories.consent(self.session, state, story, name=state.name, title="Permanent Secretary")


def _reports(session: Session, grant: Grant) -> tuple[Report, Report]:
    interim, final = (r for r in reports.for_grant(session, grant.id) if r.kind != "progress")
    return interim, final


# -- the four grants ---------------------------------------------------------------------------------


def _jamaica(f: Fund) -> Steps:
    grant = yield from f.grant(data.JAMAICA_LOCKUPS, submitted=690, decided=680, accepted=665)
    yield from f.first_tranche(grant, "BNK-2025-0114")
    expert = ensure_expert(f.session, f.people["secretariat"], data.HISTORY_EXPERT)
    yield from f.mission(grant, expert, "jamaica", start=610, days=5, travel="1500")
    interim, final = _reports(f.session, grant)
    yield from f.write(interim, interim.due_date - timedelta(days=2), data.JAMAICA_INTERIM)
    yield from f.review(interim, interim.due_date + timedelta(days=8), "accepted")
    yield from f.release(
        grant, interim.due_date + timedelta(days=9), "Second tranche", "BNK-2025-0833"
    )
    yield from f.write(final, final.due_date + timedelta(days=5), data.JAMAICA_FINAL)
    yield from f.review(final, final.due_date + timedelta(days=15), "accepted")
    yield final.due_date + timedelta(days=20)
    grants.complete(f.session, f.people["secretariat"], grant)  # the unspent part goes back
    yield from f.story(final, final.due_date + timedelta(days=25))
    yield final.due_date + timedelta(days=40)
    further_needs.follow_up_application(f.session, f.state_of(grant), final)


def _malawi(f: Fund) -> Steps:
    grant = yield from f.grant(data.MALAWI_LEGAL_AID, submitted=575, decided=566, accepted=555)
    yield from f.first_tranche(grant, "BNK-2025-0611")
    interim, final = _reports(f.session, grant)
    yield from f.write(interim, interim.due_date - timedelta(days=3), data.MALAWI_INTERIM_FIRST)
    yield from f.review(
        interim, interim.due_date + timedelta(days=7), "revision_requested", data.MALAWI_REVISION
    )
    yield from f.write(interim, interim.due_date + timedelta(days=15), data.MALAWI_INTERIM)
    yield from f.review(interim, interim.due_date + timedelta(days=20), "accepted")
    yield from f.release(
        grant, interim.due_date + timedelta(days=21), "Second tranche", "BNK-2026-0618"
    )
    yield from f.write(final, final.due_date + timedelta(days=4), data.MALAWI_FINAL)  # in review


def _nepal(f: Fund) -> Steps:
    grant = yield from f.grant(data.NEPAL_SIGN_LANGUAGE, submitted=430, decided=421, accepted=410)
    yield from f.first_tranche(grant, "BNK-2025-1022")
    interim, final = _reports(f.session, grant)
    yield from f.write(interim, interim.due_date + timedelta(days=2), data.NEPAL_INTERIM)
    yield from f.review(interim, interim.due_date + timedelta(days=12), "accepted")
    yield from f.release(
        grant, interim.due_date + timedelta(days=14), "Second tranche", "BNK-2026-0502"
    )
    yield from f.write(final, final.due_date + timedelta(days=6), data.NEPAL_FINAL)
    yield from f.review(
        final, final.due_date + timedelta(days=16), "revision_requested", data.NEPAL_REVISION
    )


def _fiji(f: Fund) -> Steps:
    grant = yield from f.grant(data.FIJI_CUSTODY, submitted=260, decided=251, accepted=240)
    yield from f.first_tranche(grant, "BNK-2026-0409")
    expert = ensure_expert(f.session, f.people["secretariat"], data.HISTORY_EXPERT)
    yield from f.mission(grant, expert, "fiji", start=170, days=4, travel="2200")
    # The interim report, due half-way, was never sent: it is overdue.


HISTORY: tuple[tuple[DemoRequest, Callable[[Fund], Steps]], ...] = (
    (data.JAMAICA_LOCKUPS, _jamaica),
    (data.MALAWI_LEGAL_AID, _malawi),
    (data.NEPAL_SIGN_LANGUAGE, _nepal),
    (data.FIJI_CUSTODY, _fiji),
)


def ensure_history(session: Session, people: dict[str, User]) -> None:
    f = Fund(session, people)
    play(
        [
            f.bank(695, "donor", "60000", "NOR-2025-0107"),
            f.bank(445, "donor_foundation", "25000", "ORF-2025-0912"),
            f.card(380, "donor_person", "150", "pi_demo_2025_1", 465),
            f.expert_joins(OPENING - 5),
            *(steps(f) for r, steps in HISTORY if find_request(session, people, r) is None),
        ]
    )
