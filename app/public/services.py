"""What the public home page shows. Later domains add their public figures here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ledger import services as ledger
from app.ledger.services import FundPosition
from app.reference.models import State


@dataclass(frozen=True)
class HomeOverview:
    eligible_states: int
    ldc_states: int
    sids_states: int
    position: FundPosition


def home_overview(session: Session) -> HomeOverview:
    row = session.execute(
        select(
            func.count(State.iso3),
            func.count(State.iso3).filter(State.ldc.is_(True)),
            func.count(State.iso3).filter(State.sids.is_(True)),
        )
    ).one()
    return HomeOverview(
        eligible_states=row[0],
        ldc_states=row[1],
        sids_states=row[2],
        position=ledger.position(session),
    )
