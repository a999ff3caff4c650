"""What open data knows about a published grant: plain values loaded in bulk by
`services.iter_published()`, and nothing else. The files are written from these records
only, so what is not here (officials' names, users, votes, memos, payees, notes) cannot
reach them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cache

import pycountry

from app.grants.models import DisbursementKind, GrantStatus
from app.ledger.models import TransactionKind


class Vocabulary(StrEnum):
    """How the files name the classifications they carry."""

    THEMES = "SPTF human rights themes"
    SDG_GOALS = "UN Sustainable Development Goals"


@cache
def alpha2(iso3: str) -> str:
    """ISO 3166-1 alpha-2 for the State's alpha-3 code (what IATI and 360Giving use)."""
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        raise LookupError(f"no ISO 3166-1 country for {iso3!r}")
    return str(country.alpha_2)


def government_name(state_name: str) -> str:
    return f"Government of {state_name}"


@dataclass(frozen=True)
class Movement:
    """One ledger transaction of a grant, as open data sees it."""

    ledger_id: int
    kind: TransactionKind  # for a reversal: the kind of the transaction it reverses
    reversal: bool
    day: date
    currency: str
    committed_minor: int  # change in the grant's commitment account (+ committed, − released)
    disbursed_minor: int  # change in what has been paid from the grant
    disbursement_kind: DisbursementKind | None  # for payments: a tranche, or expert costs

    @property
    def is_commitment(self) -> bool:
        return self.kind in (TransactionKind.COMMITMENT, TransactionKind.RELEASE)

    @property
    def is_payment(self) -> bool:
        return self.kind is TransactionKind.DISBURSEMENT

    @property
    def pays_the_state(self) -> bool:
        """A tranche paid to the State; other payments (expert fees, travel) are made by the
        fund on the grant's behalf to someone else."""
        return self.is_payment and self.disbursement_kind in (None, DisbursementKind.TRANCHE)


@dataclass(frozen=True)
class ReportedValue:
    """An indicator's value as the latest accepted report measured it."""

    value: str
    report_kind: str  # interim, final or progress
    as_of: date  # the report's due date: the end of the period it reports on
    accepted_on: date


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    result: str
    name: str
    baseline: str
    target: str
    reported: ReportedValue | None = None  # loaded for the IATI file only


@dataclass
class GrantRecord:
    """Everything open data publishes about one grant, and nothing else."""

    id: int
    reference: str
    status: GrantStatus
    currency: str
    amount_minor: int  # approved (awarded)
    duration_months: int
    committed_at: datetime | None
    accepted_at: datetime
    start_date: date | None
    end_date: date | None
    closed_at: datetime | None
    final_report_accepted_at: datetime | None
    title: str
    summary: str
    requested_minor: int
    decided_at: datetime | None
    submitted_at: datetime | None
    implementing_entity: str
    state_iso3: str
    state_name: str
    themes: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    sdgs: list[tuple[int, str]] = field(default_factory=list)  # (number, name)
    indicators: list[IndicatorRow] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)

    @property
    def country_code(self) -> str:
        return alpha2(self.state_iso3)

    @property
    def government(self) -> str:
        return government_name(self.state_name)

    @property
    def description(self) -> str:
        return self.summary.strip() or self.title

    @property
    def starts_on(self) -> date:
        return self.start_date or self.accepted_at.date()

    @property
    def award_day(self) -> date:
        """When the committee's decision to award the grant was made."""
        moment = self.decided_at or self.committed_at or self.accepted_at
        return moment.date()

    @property
    def disbursed_minor(self) -> int:
        """What the ledger says was paid from the grant: the sum of its payments."""
        return sum(m.disbursed_minor for m in self.movements if m.is_payment)

    @property
    def payments(self) -> list[Movement]:
        return [m for m in self.movements if m.is_payment]
