"""Funded projects as the public sees them: only grants published as open data defines it
(`app.opendata.services.published_grants_query`), and of each only what the State wrote for
the public, the money from the ledger, and what accepted reports say.

Never read here: requests under screening or review, ballots, votes, comments, drafts,
reports not accepted, the free text of a report (evidence, comments), or anyone's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload

from app.applications.models import Application, Indicator, Recommendation, application_themes
from app.core.errors import NotFound
from app.core.pagination import Page, paginate
from app.core.roles import Region
from app.deployments.models import Deployment
from app.grants.models import Grant
from app.ledger.models import Account, Category
from app.opendata.services import is_published, published_grants_query
from app.reference.models import State, Theme
from app.reports import results, stories
from app.reports.models import (
    ImplementationStatus,
    RecommendationProgress,
    Report,
    ReportKind,
    ReportStatus,
    Story,
)
from app.transparency.annual import Tally

PER_PAGE = 20
REFERENCE = re.compile(r"[A-Za-z0-9-]{1,20}")


@dataclass(frozen=True)
class ProjectFilter:
    region: str | None = None
    theme: str | None = None

    def as_args(self) -> dict[str, str]:
        return {k: v for k, v in (("region", self.region), ("theme", self.theme)) if v}

    @property
    def active(self) -> bool:
        return bool(self.region or self.theme)


def filter_from_args(args: Mapping[str, Any], theme_codes: set[str]) -> ProjectFilter:
    """Only a known regional group and a theme that has projects are taken (allow-listed)."""
    region = args.get("region")
    theme = args.get("theme")
    return ProjectFilter(
        region=region if region in {r.value for r in Region} else None,
        theme=theme if theme in theme_codes else None,
    )


@dataclass(frozen=True)
class Totals:
    by_region: tuple[Tally, ...]  # amount: approved, in minor units of the fund's currency
    by_theme: tuple[Tally, ...]

    @property
    def count(self) -> int:
        return sum(t.count for t in self.by_region)

    @property
    def amount(self) -> int:
        return sum(t.amount for t in self.by_region)

    @property
    def theme_codes(self) -> set[str]:
        return {t.key for t in self.by_theme}


def totals(session: Session) -> Totals:
    """Published projects by regional group and by theme (a project with two themes counts
    in each): two statements."""
    regions = {
        Region(region).value: (int(count), int(amount))
        for region, count, amount in session.execute(
            select(State.region, func.count(Grant.id), func.sum(Grant.amount_minor))
            .select_from(Grant)
            .join(State, State.iso3 == Grant.state_iso3)
            .where(is_published())
            .group_by(State.region)
        )
    }
    themes = session.execute(
        select(Theme.code, Theme.name, func.count(Grant.id), func.sum(Grant.amount_minor))
        .select_from(Grant)
        .join(application_themes, application_themes.c.application_id == Grant.application_id)
        .join(Theme, Theme.code == application_themes.c.theme_code)
        .where(is_published())
        .group_by(Theme.code, Theme.name)
        .order_by(func.count(Grant.id).desc(), Theme.name)
    ).all()
    return Totals(
        by_region=tuple(
            Tally(r.label, *regions[r.value], key=r.value) for r in Region if r.value in regions
        ),
        by_theme=tuple(
            Tally(str(name), int(count), int(amount), key=str(code))
            for code, name, count, amount in themes
        ),
    )


def _listed(f: ProjectFilter) -> Select[Any]:
    stmt = (
        published_grants_query()
        .order_by(None)
        .order_by(Grant.accepted_at.desc(), Grant.id.desc())
        .options(joinedload(Grant.application).selectinload(Application.themes))
    )
    if f.region:
        stmt = stmt.where(Grant.state_iso3.in_(select(State.iso3).where(State.region == f.region)))
    if f.theme:
        stmt = stmt.where(
            Grant.application_id.in_(
                select(application_themes.c.application_id).where(
                    application_themes.c.theme_code == f.theme
                )
            )
        )
    return stmt


def disbursed(session: Session, grant_ids: Sequence[int]) -> dict[int, int]:
    """What each grant has been paid, from its disbursements account: one statement."""
    if not grant_ids:
        return {}
    return {
        grant_id: int(balance)
        for grant_id, balance in session.execute(
            select(Account.grant_id, Account.balance_minor).where(
                Account.category == Category.DISBURSEMENTS, Account.grant_id.in_(grant_ids)
            )
        )
        if grant_id is not None
    }


def list_projects(
    session: Session, f: ProjectFilter, *, page: int = 1
) -> tuple[Page[Grant], dict[int, int]]:
    """One page of published projects, newest first, and what each has been paid."""
    found = paginate(session, _listed(f), page=page, per_page=PER_PAGE)
    return found, disbursed(session, [g.id for g in found.items])


# -- one project --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecommendationStatus:
    recommendation: Recommendation
    status: ImplementationStatus | None  # None: no accepted report has spoken of it yet


@dataclass(frozen=True)
class IndicatorStatus:
    indicator: Indicator
    actual: str | None


@dataclass(frozen=True)
class AcceptedReport:
    kind: ReportKind
    accepted_at: datetime


@dataclass(frozen=True)
class Project:
    grant: Grant
    disbursed: int
    recommendations: tuple[RecommendationStatus, ...]
    indicators: tuple[IndicatorStatus, ...]
    reports: tuple[AcceptedReport, ...]
    stories: Sequence[Story]
    missions: int
    person_days: int


def _accepted_progress(
    session: Session, grant_id: int
) -> tuple[dict[int, ImplementationStatus], list[AcceptedReport]]:
    """The latest accepted status of each recommendation, and the accepted reports, in one
    statement (a report with no recommendation row still appears through the outer join)."""
    rows = session.execute(
        select(
            Report.id,
            Report.kind,
            Report.accepted_at,
            RecommendationProgress.recommendation_id,
            RecommendationProgress.status,
        )
        .select_from(Report)
        .outerjoin(RecommendationProgress, RecommendationProgress.report_id == Report.id)
        .where(Report.grant_id == grant_id, Report.status == ReportStatus.ACCEPTED)
        .order_by(Report.accepted_at, Report.id)
    ).all()
    statuses: dict[int, ImplementationStatus] = {}
    accepted: dict[int, AcceptedReport] = {}
    for report_id, kind, accepted_at, recommendation_id, status in rows:
        if accepted_at is not None:  # always, for an accepted report (a CHECK says so)
            accepted.setdefault(report_id, AcceptedReport(ReportKind(kind), accepted_at))
        if recommendation_id is not None:
            statuses[recommendation_id] = ImplementationStatus(status)  # later reports win
    return statuses, list(accepted.values())


def _missions(session: Session, grant_id: int) -> tuple[int, int]:
    """Expert missions the State consented to: how many and how many person-days."""
    count, days = session.execute(
        select(func.count(Deployment.id), func.coalesce(func.sum(Deployment.person_days), 0)).where(
            Deployment.grant_id == grant_id, Deployment.consented_at.is_not(None)
        )
    ).one()
    return int(count), int(days)


def public_project(session: Session, reference: str) -> Project:
    """A published project by its reference, or NotFound (also for anything unpublished)."""
    if not REFERENCE.fullmatch(reference or ""):
        raise NotFound(_("no such project"))
    grant = session.execute(
        published_grants_query()
        .where(Grant.reference == reference)
        .options(
            joinedload(Grant.application).selectinload(Application.themes),
            joinedload(Grant.application).selectinload(Application.sdgs),
            joinedload(Grant.application).selectinload(Application.recommendations),
            joinedload(Grant.application).selectinload(Application.indicators),
        )
    ).scalar_one_or_none()
    if grant is None:
        raise NotFound(_("no such project"))
    statuses, accepted = _accepted_progress(session, grant.id)
    actuals = results.indicator_actuals(session, [grant.id]).get(grant.id, {})
    missions, person_days = _missions(session, grant.id)
    application = grant.application
    return Project(
        grant=grant,
        disbursed=disbursed(session, [grant.id]).get(grant.id, 0),
        recommendations=tuple(
            RecommendationStatus(r, statuses.get(r.id)) for r in application.recommendations
        ),
        indicators=tuple(IndicatorStatus(i, actuals.get(i.id)) for i in application.indicators),
        reports=tuple(accepted),
        stories=stories.published_for_grants(session, [grant.id]),
        missions=missions,
        person_days=person_days,
    )
