"""The annual report for the Council's item 10 panel (design.md §3.5): a year's figures, read
from published or approved data only, in a fixed number of SQL statements.

Money comes from the ledger's entries dated in the year (`finances.py`), so every table
reconciles: the cash at the start of the year plus the year's movements is the cash at its
end. Grants are those the committee approved in the year and that are published as open
data defines it; deployments those the State consented to; recommendation statuses those of
accepted reports; stories those published. Nothing here reads ballots, votes, comments,
drafts, reports under review or anyone's name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications.models import Application, Recommendation, application_themes
from app.core.audit import GENESIS_HASH, AuditEvent, AuditHead
from app.core.database import today
from app.core.numbers import whole_number
from app.core.roles import Region
from app.deployments.models import Deployment, DeploymentStatus
from app.grants.models import Grant, GrantStatus
from app.ledger.models import LedgerTransaction
from app.opendata.services import is_published
from app.reference.models import Mechanism, State, Theme
from app.reports import stories
from app.reports.models import (
    ImplementationStatus,
    RecommendationProgress,
    Report,
    ReportStatus,
    Story,
)
from app.transparency import finances
from app.transparency.finances import Finances

# Implementation statuses in the order of progress: moving right is an advance.
PROGRESS_ORDER = (
    ImplementationStatus.NOT_STARTED,
    ImplementationStatus.IN_PROGRESS,
    ImplementationStatus.PARTIALLY_IMPLEMENTED,
    ImplementationStatus.IMPLEMENTED,
)
MECHANISM_KINDS = {
    "upr": _l("Universal Periodic Review"),
    "treaty_body": _l("Treaty bodies"),
    "special_procedures": _l("Special Procedures"),
}
# Deployments the State consented to, in the order a mission goes.
DEPLOYMENT_ORDER = (
    DeploymentStatus.SCHEDULED,
    DeploymentStatus.REPORTED,
    DeploymentStatus.REVISION_REQUESTED,
    DeploymentStatus.COMPLETED,
    DeploymentStatus.CANCELLED,
)


class YearOutOfRange(ValueError):
    """A year the fund has no report for: before its first year, or still to come."""


# -- the figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    label: str
    count: int
    amount: int = 0  # minor units of the fund's currency, or person-days for deployments
    key: str = ""


@dataclass(frozen=True)
class ApprovedGrant:
    reference: str
    state: str
    region: Region
    title: str
    amount: int
    status: GrantStatus
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Approvals:
    grants: tuple[ApprovedGrant, ...]
    by_region: tuple[Tally, ...]
    by_theme: tuple[Tally, ...]
    by_group: tuple[Tally, ...]  # LDC / SIDS status of the State
    states: int
    not_yet_public: int  # approved in the year, the State has not accepted (yet)
    not_yet_public_amount: int

    @property
    def count(self) -> int:
        return len(self.grants)

    @property
    def amount(self) -> int:
        return sum(g.amount for g in self.grants)


@dataclass(frozen=True)
class Deployments:
    by_status: tuple[Tally, ...]  # amount = person-days
    by_region: tuple[Tally, ...]

    @property
    def count(self) -> int:
        return sum(t.count for t in self.by_status)

    @property
    def person_days(self) -> int:
        return sum(t.amount for t in self.by_status)


@dataclass(frozen=True)
class Recommendations:
    reported: int  # recommendations an accepted report spoke of in the year
    advanced: int  # …whose status moved forward in the year
    implemented: int  # …that became implemented in the year
    by_status: tuple[Tally, ...]  # status at the end of the year
    by_mechanism: tuple[Tally, ...]  # count = reported, amount = advanced


@dataclass(frozen=True)
class AuditSeal:
    events: int
    latest_hash: str
    latest_at: datetime | None


@dataclass(frozen=True)
class AnnualReport:
    year: int
    as_of: date
    finances: Finances
    approvals: Approvals
    deployments: Deployments
    recommendations: Recommendations
    stories: Sequence[Story]
    audit: AuditSeal

    @property
    def provisional(self) -> bool:
        """The year is not over: its figures are to date."""
        return self.as_of.year == self.year

    @property
    def starts(self) -> date:
        return date(self.year, 1, 1)

    @property
    def ends(self) -> date:
        """The last day the figures cover: the year's end, or today while it runs."""
        return min(date(self.year, 12, 31), self.as_of)


# -- which years ------------------------------------------------------------------------------------


def first_year(session: Session) -> int:
    """The fund's first year: its first ledger transaction or submitted request."""
    ledger_day, submitted = session.execute(
        select(
            select(func.min(LedgerTransaction.effective_on)).scalar_subquery(),
            select(func.min(Application.first_submitted_at)).scalar_subquery(),
        )
    ).one()
    years = [value.year for value in (ledger_day, submitted) if value is not None]
    return min(years) if years else today().year


def years(session: Session) -> list[int]:
    """The years there is a report for, newest first."""
    return list(range(today().year, first_year(session) - 1, -1))


def default_year(choices: Sequence[int]) -> int:
    """The last full year when there is one, else the current year (`choices` newest first)."""
    return choices[1] if len(choices) > 1 else choices[0]


def check_year(session: Session, value: Any) -> int:
    """The year asked for, or `YearOutOfRange` with a message a visitor understands."""
    text = str(value if value is not None else "").strip()
    newest, oldest = today().year, first_year(session)
    span = {"oldest": oldest, "newest": newest}
    year = whole_number(text, maximum=9999) if len(text) == 4 else None
    if year is None:
        raise YearOutOfRange(_("Choose a year from %(oldest)d to %(newest)d.", **span))
    if year < oldest:
        raise YearOutOfRange(
            _(
                "The fund's first year is %(oldest)d: choose a year from %(oldest)d to %(newest)d.",
                **span,
            )
        )
    if year > newest:
        raise YearOutOfRange(
            _(
                "%(year)d has not begun: choose a year from %(oldest)d to %(newest)d.",
                year=year,
                **span,
            )
        )
    return year


# -- reading -------------------------------------------------------------------------------------------


def _tallies(counts: dict[str, list[int]], labels: Iterable[tuple[str, str]]) -> tuple[Tally, ...]:
    return tuple(
        Tally(label=str(label), count=counts[key][0], amount=counts[key][1], key=key)
        for key, label in labels
    )


def _approvals(session: Session, year: int) -> Approvals:
    """Two statements: the grants approved in the year, and their themes."""
    _start, _end, begins, ends = finances.bounds(year)
    in_year = (Application.decided_at >= begins) & (Application.decided_at < ends)
    rows = session.execute(
        select(
            Grant.id,
            Grant.reference,
            Grant.amount_minor,
            Grant.status,
            Application.title,
            State.name,
            State.region,
            State.ldc,
            State.sids,
            is_published().label("published"),
        )
        .select_from(Grant)
        .join(Application, Application.id == Grant.application_id)
        .join(State, State.iso3 == Grant.state_iso3)
        .where(in_year)
        .order_by(State.name, Grant.reference)
    ).all()
    themes: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for grant_id, code, name in session.execute(
        select(Grant.id, Theme.code, Theme.name)
        .select_from(Grant)
        .join(Application, Application.id == Grant.application_id)
        .join(application_themes, application_themes.c.application_id == Application.id)
        .join(Theme, Theme.code == application_themes.c.theme_code)
        .where(in_year, is_published())
        .order_by(Theme.name)
    ):
        themes[grant_id].append((code, name))
    grants: list[ApprovedGrant] = []
    by_region: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_theme: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    theme_names: dict[str, str] = {}
    states: set[str] = set()
    hidden = hidden_amount = 0
    for gid, reference, amount, status, title, state, region, ldc, sids, published in rows:
        if not published:
            hidden, hidden_amount = hidden + 1, hidden_amount + int(amount)
            continue
        grants.append(
            ApprovedGrant(
                reference=reference,
                state=state,
                region=Region(region),
                title=title,
                amount=int(amount),
                status=GrantStatus(status),
                themes=tuple(name for _code, name in themes[gid]),
            )
        )
        states.add(state)
        for tally in (
            by_region[Region(region).value],
            by_group[
                {(True, True): "both", (True, False): "ldc", (False, True): "sids"}.get(
                    (bool(ldc), bool(sids)), "other"
                )
            ],
        ):
            tally[0] += 1
            tally[1] += int(amount)
        for code, name in themes[gid]:
            theme_names[code] = name
            by_theme[code][0] += 1
            by_theme[code][1] += int(amount)
    theme_order = sorted(theme_names, key=lambda c: (-by_theme[c][1], theme_names[c]))
    return Approvals(
        grants=tuple(grants),
        by_region=_tallies(by_region, ((r.value, r.label) for r in Region)),
        by_theme=_tallies(by_theme, ((c, theme_names[c]) for c in theme_order)),
        by_group=_tallies(
            by_group,
            (
                ("ldc", _l("Least developed countries (LDC)")),
                ("sids", _l("Small island developing States (SIDS)")),
                ("both", _l("Both LDC and SIDS")),
                ("other", _l("Neither LDC nor SIDS")),
            ),
        ),
        states=len(states),
        not_yet_public=hidden,
        not_yet_public_amount=hidden_amount,
    )


def _deployments(session: Session, year: int) -> Deployments:
    """One statement: missions the State consented to that start in the year, by status and
    by the beneficiary State's regional group (nothing about the expert)."""
    start, end, _b, _e = finances.bounds(year)
    rows = session.execute(
        select(
            Deployment.status,
            State.region,
            func.count(Deployment.id),
            func.sum(Deployment.person_days),
        )
        .select_from(Deployment)
        .join(Grant, Grant.id == Deployment.grant_id)
        .join(State, State.iso3 == Grant.state_iso3)
        .where(
            Deployment.consented_at.is_not(None),
            Deployment.start_date >= start,
            Deployment.start_date <= end,
            is_published(),
        )
        .group_by(Deployment.status, State.region)
    ).all()
    by_status: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_region: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for status, region, count, days in rows:
        for tally in (by_status[DeploymentStatus(status).value], by_region[Region(region).value]):
            tally[0] += int(count)
            tally[1] += int(days or 0)
    return Deployments(
        by_status=_tallies(by_status, ((s.value, s.label) for s in DEPLOYMENT_ORDER)),
        by_region=_tallies(by_region, ((r.value, r.label) for r in Region)),
    )


def _recommendations(session: Session, year: int) -> Recommendations:
    """One statement: every accepted report's recommendation statuses up to the year's end,
    oldest first, so the latest status before and at the end of the year can be compared."""
    _s, _e, begins, ends = finances.bounds(year)
    rows = session.execute(
        select(
            RecommendationProgress.recommendation_id,
            RecommendationProgress.status,
            Report.accepted_at,
            Mechanism.kind,
        )
        .select_from(RecommendationProgress)
        .join(Report, Report.id == RecommendationProgress.report_id)
        .join(Grant, Grant.id == Report.grant_id)
        .join(Recommendation, Recommendation.id == RecommendationProgress.recommendation_id)
        .join(Mechanism, Mechanism.code == Recommendation.mechanism_code)
        .where(Report.status == ReportStatus.ACCEPTED, Report.accepted_at < ends, is_published())
        .order_by(Report.accepted_at, Report.id)
    ).all()
    earlier: dict[int, ImplementationStatus] = {}
    latest: dict[int, ImplementationStatus] = {}
    kinds: dict[int, str] = {}
    for rec_id, status, accepted_at, kind in rows:
        if accepted_at is None:  # never, for an accepted report (a CHECK says so)
            continue
        if accepted_at < begins:
            earlier[rec_id] = ImplementationStatus(status)
        else:
            latest[rec_id] = ImplementationStatus(status)
            kinds[rec_id] = str(kind)
    rank = {status: n for n, status in enumerate(PROGRESS_ORDER)}
    by_status: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_mechanism: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    advanced = implemented = 0
    for rec_id, status in latest.items():
        was = earlier.get(rec_id, ImplementationStatus.NOT_STARTED)
        moved = rank[status] > rank[was]
        advanced += moved
        implemented += status is ImplementationStatus.IMPLEMENTED and was is not status
        by_status[status.value][0] += 1
        by_mechanism[kinds[rec_id]][0] += 1
        by_mechanism[kinds[rec_id]][1] += moved
    return Recommendations(
        reported=len(latest),
        advanced=advanced,
        implemented=implemented,
        by_status=_tallies(by_status, ((s.value, s.label) for s in reversed(PROGRESS_ORDER))),
        by_mechanism=_tallies(by_mechanism, MECHANISM_KINDS.items()),
    )


def _stories(session: Session, year: int) -> Sequence[Story]:
    """Two statements: the stories published in the year (and still published), with the
    recommendations they advanced."""
    _s, _e, begins, ends = finances.bounds(year)
    stmt = (
        stories.published_query()
        .where(Story.published_at >= begins, Story.published_at < ends)
        .order_by(None)
        .order_by(Story.published_at, Story.id)
    )
    return session.execute(stmt).scalars().all()


def _audit(session: Session) -> AuditSeal:
    row = session.execute(
        select(AuditHead.last_id, AuditHead.last_hash, AuditEvent.created_at)
        .select_from(AuditHead)
        .outerjoin(AuditEvent, AuditEvent.id == AuditHead.last_id)
        .where(AuditHead.id == 1)
    ).one_or_none()
    if row is None:
        return AuditSeal(events=0, latest_hash=GENESIS_HASH, latest_at=None)
    return AuditSeal(events=int(row[0]), latest_hash=str(row[1]), latest_at=row[2])


def build(session: Session, year: int) -> AnnualReport:
    """The report for `year` (checked by `check_year`): eight SQL statements whatever the
    size of the fund."""
    return AnnualReport(
        year=year,
        as_of=today(),
        finances=finances.read(session, year),
        approvals=_approvals(session, year),
        deployments=_deployments(session, year),
        recommendations=_recommendations(session, year),
        stories=_stories(session, year),
        audit=_audit(session),
    )
