"""Finding experts: hard filters, then a ranking with a visible, explained score.

Everything is computed in one SQL statement (plus a count), so a search costs the same on
ten experts or ten thousand: the filters are EXISTS sub-queries on indexed tables, and each
part of the score is a column of the result. The page then explains each expert's score
from those same columns, so what is shown is exactly what was ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.core.database import today
from app.core.pagination import MAX_PER_PAGE, Page
from app.core.roles import Region
from app.deployments.models import OPEN, Deployment, holding_days
from app.experts.models import Availability, Expert, ExpertLanguage, ExpertStatus, expert_themes
from app.grants.models import Grant
from app.reference import services as reference
from app.reference.models import State
from app.settings import services as settings

THEME_POINTS = 40
LANGUAGE_POINTS = 20
EXPERIENCE_POINTS = 10  # half a point a year, up to 20 years
RATING_POINTS_PER_STAR = 3  # the average rating × 3: 3 to 15
UNRATED_POINTS = 9  # as a three-star average: no history is neither good nor bad
LOAD_POINTS = 10  # minus 5 per mission under way
SOUTH = (Region.AFRICAN.value, Region.ASIA_PACIFIC.value, Region.GRULAC.value)


@dataclass(frozen=True)
class Criteria:
    themes: Sequence[str] = ()
    languages: Sequence[str] = ()
    region: str | None = None
    available_from: date | None = None
    available_to: date | None = None
    exclude_state: str | None = None  # the beneficiary State: its nationals never match
    state_region: str | None = None  # the beneficiary's group, for the regional bonus
    name: str | None = None
    # A deployment being re-matched does not block its own expert's calendar.
    ignore_deployment: int | None = None

    @property
    def window(self) -> tuple[date, date] | None:
        if self.available_from and self.available_to:
            return self.available_from, self.available_to
        return None


@dataclass(frozen=True)
class ScorePart:
    label: str
    points: int
    detail: str


@dataclass(frozen=True)
class Match:
    expert: Expert
    score: int
    parts: list[ScorePart] = field(default_factory=list)


def mission_window(grant: Grant, start: date | None, end: date | None) -> tuple[date, date]:
    """The window to match in: the one asked for, or else a month from now (never before the
    grant starts) for the person-days the State asked for, kept inside the grant's period.

    Matching for a grant always has a window, so nobody ranks experts who could not be
    proposed: the availability and calendar filters need one.
    """
    if start is not None and end is not None and start <= end:
        return start, end
    first = start or max(today() + timedelta(days=30), grant.start_date or today())
    days = max(1, min(grant.application.expertise_person_days or 10, 60))
    last = first + timedelta(days=days - 1)
    if grant.end_date is not None and last > grant.end_date:
        last = max(grant.end_date, first)
    return first, last


def criteria_for_grant(grant: Grant, start: date | None, end: date | None) -> Criteria:
    """What the State asked for in its application's "expertise wanted", in a window."""
    application = grant.application
    start, end = mission_window(grant, start, end)
    return Criteria(
        themes=[t.code for t in application.expertise_themes],
        languages=application.language_codes,
        available_from=start,
        available_to=end,
        exclude_state=grant.state_iso3,
        state_region=Region(grant.state.region).value,
    )


def _count_in(table_col: Any, owner_col: Any, codes: Sequence[str]) -> ColumnElement[int]:
    if not codes:
        return literal(0)
    return (
        select(func.count())
        .where(owner_col == Expert.id, table_col.in_(list(codes)))
        .scalar_subquery()
    )


def _share(matched: ColumnElement[int], wanted: int, points: int) -> ColumnElement[Any]:
    if not wanted:
        return literal(0)
    # Integer division on both backends: a whole number of points.
    return (matched * points) // wanted


def search(
    session: Session, criteria: Criteria, *, page: int = 1, per_page: int = 25
) -> Page[Match]:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    themes = list(dict.fromkeys(criteria.themes))
    languages = list(dict.fromkeys(criteria.languages))

    themes_matched = _count_in(expert_themes.c.theme_code, expert_themes.c.expert_id, themes)
    languages_matched = _count_in(ExpertLanguage.code, ExpertLanguage.expert_id, languages)
    # Each expert's past ratings and current load, aggregated once for all experts (a
    # correlated subquery per expert and per figure cost 5 × 10,000 lookups a page: bench/).
    history = (
        select(
            Deployment.expert_id.label("expert_id"),
            func.sum(Deployment.rating).label("rating_sum"),
            func.count(Deployment.rating).label("rating_count"),
            func.sum(case((Deployment.status.in_(OPEN), 1), else_=0)).label("load"),
        )
        .group_by(Deployment.expert_id)
        .subquery()
    )
    rating_sum = func.coalesce(history.c.rating_sum, 0)
    rating_count = func.coalesce(history.c.rating_count, 0)
    load = func.coalesce(history.c.load, 0)
    configured = settings.all_values(session)
    south_south = configured["south_south_points"]
    same_region = configured["same_region_points"]

    theme_points = _share(themes_matched, len(themes), THEME_POINTS)
    language_points = _share(languages_matched, len(languages), LANGUAGE_POINTS)
    experience_points = case(
        (Expert.years_experience >= 2 * EXPERIENCE_POINTS, EXPERIENCE_POINTS),
        else_=func.coalesce(Expert.years_experience, 0) // 2,
    )
    rating_points = case(
        (rating_count == 0, UNRATED_POINTS),
        else_=(rating_sum * RATING_POINTS_PER_STAR) // rating_count,
    )
    load_points = case((load >= 2, 0), else_=LOAD_POINTS - 5 * load)
    region_points: ColumnElement[int] = literal(0)
    if criteria.state_region:
        region_points = case(
            (
                and_(State.region.in_(SOUTH), literal(criteria.state_region in SOUTH)),
                south_south,
            ),
            else_=0,
        ) + case((State.region == criteria.state_region, same_region), else_=0)
    total = (
        theme_points
        + language_points
        + region_points
        + experience_points
        + rating_points
        + load_points
    )

    # Rank on narrow rows (the id and the score's parts), then load the page's experts whole:
    # the ranking scores every candidate, and joining each one's account and State (Expert's
    # joined `user`) before taking the page made the sort ten times wider (bench/).
    ranked = (
        select(
            Expert.id.label("expert_id"),
            total.label("score"),
            themes_matched.label("themes_matched"),
            languages_matched.label("languages_matched"),
            theme_points.label("theme_points"),
            language_points.label("language_points"),
            region_points.label("region_points"),
            experience_points.label("experience_points"),
            rating_points.label("rating_points"),
            rating_count.label("rating_count"),
            rating_sum.label("rating_sum"),
            load_points.label("load_points"),
            load.label("load"),
        )
        .join(User, User.id == Expert.user_id)
        .outerjoin(State, State.iso3 == User.state_iso3)
        .outerjoin(history, history.c.expert_id == Expert.id)
        .where(*_filters(criteria, themes, languages))
    )
    count = session.execute(
        select(func.count()).select_from(
            select(Expert.id)
            .join(User, User.id == Expert.user_id)
            .outerjoin(State, State.iso3 == User.state_iso3)
            .where(*_filters(criteria, themes, languages))
            .subquery()
        )
    ).scalar_one()
    rows = session.execute(
        ranked.order_by(total.desc(), Expert.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    experts = {
        expert.id: expert
        for expert in session.execute(
            select(Expert)
            .where(Expert.id.in_([row.expert_id for row in rows]))
            .options(
                selectinload(Expert.themes),
                selectinload(Expert.languages),
                selectinload(Expert.availability),
            )
        ).scalars()
    }
    matches = [_explain(row, experts[row.expert_id], themes, languages, criteria) for row in rows]
    return Page(items=matches, page=page, per_page=per_page, total=int(count))


def _filters(criteria: Criteria, themes: list[str], languages: list[str]) -> list[Any]:
    clauses: list[Any] = [Expert.status == ExpertStatus.ACTIVE, User.active.is_(True)]
    if themes:
        clauses.append(
            exists().where(
                expert_themes.c.expert_id == Expert.id, expert_themes.c.theme_code.in_(themes)
            )
        )
    if languages:
        clauses.append(
            exists().where(
                ExpertLanguage.expert_id == Expert.id, ExpertLanguage.code.in_(languages)
            )
        )
    if criteria.region:
        clauses.append(State.region == criteria.region)
    if criteria.exclude_state:
        clauses.append(or_(User.state_iso3.is_(None), User.state_iso3 != criteria.exclude_state))
    if criteria.name:
        pattern = f"%{criteria.name.strip().lower()}%"
        clauses.append(func.lower(User.name).like(pattern))
    window = criteria.window
    if window is not None:
        start, end = window
        clauses.append(
            exists().where(
                Availability.expert_id == Expert.id,
                Availability.start_date <= start,
                Availability.end_date >= end,
            )
        )
        busy = holding_days(Expert.id, start, end, ignore=criteria.ignore_deployment)
        clauses.append(~exists().where(*busy))
    elif criteria.available_from or criteria.available_to:
        # One end given: available at some point in that direction.
        day = criteria.available_from or criteria.available_to
        assert day is not None
        clauses.append(
            exists().where(
                Availability.expert_id == Expert.id,
                Availability.end_date >= day
                if criteria.available_from
                else Availability.start_date <= day,
            )
        )
    return clauses


def _explain(
    row: Any, expert: Expert, themes: list[str], languages: list[str], criteria: Criteria
) -> Match:
    parts = []
    if themes:
        parts.append(
            ScorePart(
                _("Themes"),
                int(row.theme_points),
                _("%(n)d of %(m)d asked for", n=row.themes_matched, m=len(themes)),
            )
        )
    if languages:
        names = reference.languages()
        spoken = [names.get(c, c) for c in languages if c in expert.language_codes]
        parts.append(
            ScorePart(
                _("Languages"),
                int(row.language_points),
                ", ".join(spoken) or _("none of those asked for"),
            )
        )
    if criteria.state_region:
        parts.append(
            ScorePart(_("Region"), int(row.region_points), _region_detail(expert, criteria))
        )
    parts.append(
        ScorePart(
            _("Experience"),
            int(row.experience_points),
            ngettext("%(num)d year", "%(num)d years", expert.years_experience or 0),
        )
    )
    if row.rating_count:
        rating_detail = ngettext(
            "%(avg).1f / 5 from %(num)d mission",
            "%(avg).1f / 5 from %(num)d missions",
            row.rating_count,
            avg=row.rating_sum / row.rating_count,
        )
    else:
        rating_detail = _("not rated yet")
    parts.append(ScorePart(_("Past ratings"), int(row.rating_points), rating_detail))
    parts.append(
        ScorePart(
            _("Current load"),
            int(row.load_points),
            ngettext("%(num)d mission under way", "%(num)d missions under way", row.load),
        )
    )
    return Match(expert=expert, score=int(row.score), parts=parts)


def _region_detail(expert: Expert, criteria: Criteria) -> str:
    state = expert.user.state
    region = Region(state.region).value if state is not None else None
    south = region in SOUTH and criteria.state_region in SOUTH
    same = region is not None and region == criteria.state_region
    if south and same:
        return str(_("South–South, same regional group"))
    if south:
        return str(_("South–South"))
    if same:
        return str(_("same regional group"))
    return str(_("no preference applies"))
