"""What the public home page shows: who may ask, the fund's money, and how much it has
published (projects and stories), in three SQL statements."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.grants.models import Grant
from app.ledger import services as ledger
from app.ledger.services import FundPosition
from app.opendata.services import is_published
from app.reference.models import State
from app.reports.models import Story, StoryStatus


@dataclass(frozen=True)
class HomeOverview:
    eligible_states: int
    ldc_states: int
    sids_states: int
    position: FundPosition
    projects: int  # published as open data defines it
    stories: int  # published with the State's consent


def home_overview(session: Session) -> HomeOverview:
    row = session.execute(
        select(
            func.count(State.iso3),
            func.count(State.iso3).filter(State.ldc.is_(True)),
            func.count(State.iso3).filter(State.sids.is_(True)),
        )
    ).one()
    projects, stories = session.execute(
        select(
            select(func.count(Grant.id)).where(is_published()).scalar_subquery(),
            select(func.count(Story.id))
            .where(Story.status == StoryStatus.PUBLISHED)
            .scalar_subquery(),
        )
    ).one()
    return HomeOverview(
        eligible_states=row[0],
        ldc_states=row[1],
        sids_states=row[2],
        position=ledger.position(session),
        projects=int(projects),
        stories=int(stories),
    )
