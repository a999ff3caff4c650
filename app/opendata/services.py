"""What the fund publishes: the one definition of a published grant, the publisher and its
identifiers, and the bulk loader that streams each published grant as a `GrantRecord` in a
fixed number of SQL queries.

`published_grants_query()` is the definition; the public pages reuse it. The files are
written by `iati.py` and `threesixty.py` from `GrantRecord`s only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.engine import Result
from sqlalchemy.orm import Session

from app.applications.models import Application, Indicator, application_sdgs, application_themes
from app.core.money import fund_currency
from app.grants.models import Disbursement, DisbursementKind, Grant, GrantStatus
from app.ledger.models import Account, Category, Entry, LedgerTransaction, TransactionKind
from app.opendata.records import GrantRecord, IndicatorRow, Movement, ReportedValue
from app.reference.models import Sdg, State, Theme
from app.reports.results import accepted_values_query

FUND_NAME = "Small Projects Trust Fund"
# The 360Giving publisher prefix. 360Giving assigns one when a publisher registers; until
# then the fund uses its own short name, and every 360Giving identifier starts with it.
THREESIXTYGIVING_PREFIX = "360G-SPTF"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"

# Rows fetched per round trip while streaming: memory stays flat however many grants.
STREAM_BATCH = 500

# A grant is published once the State has accepted its agreement, and stays published when
# it is suspended, completed or cancelled afterwards. A grant waiting for funds or for the
# State's signature is not: the State has not agreed to anything yet.
PUBLISHED_STATUSES = (
    GrantStatus.ACTIVE,
    GrantStatus.SUSPENDED,
    GrantStatus.COMPLETED,
    GrantStatus.CANCELLED,
)


def is_published() -> ColumnElement[bool]:
    """The published-grant condition, for use in any query over `Grant`."""
    return and_(Grant.accepted_at.is_not(None), Grant.status.in_(PUBLISHED_STATUSES))


def published_grants_query() -> Select[Grant]:
    """The published grants, oldest first (the one definition; public pages reuse it)."""
    return select(Grant).where(is_published()).order_by(Grant.id)


def published_count(session: Session) -> int:
    return int(session.execute(select(func.count(Grant.id)).where(is_published())).scalar_one())


# -- who publishes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fund:
    """The publisher, as the files name it. Built from the configuration in the view, so the
    streamed body needs no application context."""

    organisation_id: str  # IATI organisation identifier (IATI_ORGANISATION_ID)
    currency: str  # the fund's base currency: every ledger amount is in it
    base_url: str  # where the files live (BASE_URL), for links inside them
    name: str = FUND_NAME

    @property
    def page_url(self) -> str:
        return f"{self.base_url}/open-data"


def fund_from_config(config: Mapping[str, Any]) -> Fund:
    return Fund(
        organisation_id=str(config["IATI_ORGANISATION_ID"]).strip(),
        currency=fund_currency(),
        base_url=str(config["BASE_URL"]).rstrip("/"),
    )


# -- identifiers ----------------------------------------------------------------------------------------


def iati_identifier(fund: Fund, reference: str) -> str:
    """IATI: the reporting organisation's identifier, a hyphen, the fund's own reference."""
    return f"{fund.organisation_id}-{reference}"


def threesixty_grant_id(reference: str) -> str:
    return f"{THREESIXTYGIVING_PREFIX}-{reference}"


def government_org_id(iso3: str) -> str:
    """The recipient government's 360Giving organisation identifier. No public register
    identifies national governments, so, as the 360Giving identifier guidance allows, the
    fund mints one under its own prefix from the State's ISO 3166-1 alpha-3 code."""
    return f"{THREESIXTYGIVING_PREFIX}-GOV-{iso3}"


# -- loading: one query per table, each streamed and merged on the grant id ---------------------------


class _Stream:
    """A result ordered by grant id (its first column), read ahead by one row."""

    def __init__(self, result: Result[Any]) -> None:
        self.result = result
        self.rows = iter(result)
        self.head: Any = next(self.rows, None)

    def take(self, grant_id: int) -> Iterator[Any]:
        """The rows of `grant_id`, skipping any of smaller ids."""
        while self.head is not None and self.head[0] <= grant_id:
            row, self.head = self.head, next(self.rows, None)
            if row[0] == grant_id:
                yield row

    def close(self) -> None:
        self.result.close()


# A select of several columns, whatever they are.
Rows = Select[*tuple[Any, ...]]


def _published_ids() -> Select[int]:
    return select(Grant.id).where(is_published())


def _streamed(session: Session, stmt: Rows) -> _Stream:
    return _Stream(session.execute(stmt, execution_options={"yield_per": STREAM_BATCH}))


def _grants_stmt() -> Rows:
    return (
        select(
            Grant.id,
            Grant.reference,
            Grant.status,
            Grant.currency,
            Grant.amount_minor,
            Grant.duration_months,
            Grant.committed_at,
            Grant.accepted_at,
            Grant.start_date,
            Grant.end_date,
            Grant.closed_at,
            Grant.final_report_accepted_at,
            Application.title,
            Application.summary,
            Application.requested_amount_minor,
            Application.decided_at,
            Application.first_submitted_at,
            Application.implementing_entity,
            State.iso3,
            State.name,
        )
        .select_from(Grant)
        .join(Application, Application.id == Grant.application_id)
        .join(State, State.iso3 == Grant.state_iso3)
        .where(is_published())
        .order_by(Grant.id)
    )


def _themes_stmt() -> Rows:
    return (
        select(Grant.id, Theme.code, Theme.name)
        .select_from(Grant)
        .join(application_themes, application_themes.c.application_id == Grant.application_id)
        .join(Theme, Theme.code == application_themes.c.theme_code)
        .where(is_published())
        .order_by(Grant.id, Theme.name)
    )


def _sdgs_stmt() -> Rows:
    return (
        select(Grant.id, Sdg.number, Sdg.name)
        .select_from(Grant)
        .join(application_sdgs, application_sdgs.c.application_id == Grant.application_id)
        .join(Sdg, Sdg.number == application_sdgs.c.sdg_number)
        .where(is_published())
        .order_by(Grant.id, Sdg.number)
    )


def _indicators_stmt() -> Rows:
    return (
        select(
            Grant.id,
            Indicator.id,
            Indicator.result,
            Indicator.name,
            Indicator.baseline,
            Indicator.target,
        )
        .select_from(Grant)
        .join(Indicator, Indicator.application_id == Grant.application_id)
        .where(is_published())
        .order_by(Grant.id, Indicator.id)
    )


def _reported_stmt() -> Rows:
    """What accepted reports measured, per published grant (the reports domain's query)."""
    return accepted_values_query(_published_ids())


def _reported(rows: Iterator[Any]) -> dict[int, ReportedValue]:
    """Each indicator's latest accepted value (rows come in the order reports were accepted)."""
    latest: dict[int, ReportedValue] = {}
    for _grant_id, indicator_id, actual, kind, due, accepted_at in rows:
        latest[int(indicator_id)] = ReportedValue(
            value=actual, report_kind=str(kind), as_of=due, accepted_on=accepted_at.date()
        )
    return latest


LEDGER_KINDS = (
    TransactionKind.COMMITMENT,
    TransactionKind.RELEASE,
    TransactionKind.DISBURSEMENT,
    TransactionKind.REVERSAL,
)


def _ledger_stmt() -> Rows:
    """Each grant transaction's entries on the grant's own two accounts (commitment and
    disbursements), with the kind of payment behind a disbursement."""
    return (
        select(
            LedgerTransaction.grant_id,
            LedgerTransaction.id,
            LedgerTransaction.kind,
            LedgerTransaction.effective_on,
            LedgerTransaction.reverses_id,
            Account.category,
            Entry.amount_minor,
            Entry.currency,
            Disbursement.kind,
        )
        .select_from(Entry)
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .join(
            Account,
            and_(
                Account.id == Entry.account_id,
                Account.grant_id == LedgerTransaction.grant_id,
                Account.category.in_([Category.COMMITMENT, Category.DISBURSEMENTS]),
            ),
        )
        .outerjoin(Disbursement, Disbursement.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.grant_id.in_(_published_ids()))
        .where(LedgerTransaction.kind.in_(LEDGER_KINDS))
        .order_by(LedgerTransaction.grant_id, LedgerTransaction.id, Entry.id)
    )


def _movements(rows: Iterator[Any]) -> list[Movement]:
    """Fold a grant's entry rows (ordered by transaction) into one movement per transaction."""
    facts: dict[int, dict[str, Any]] = {}
    for _grant_id, tid, kind, day, reverses_id, category, amount, currency, paid_kind in rows:
        fact = facts.setdefault(
            tid,
            {
                "kind": TransactionKind(kind),
                "reverses": reverses_id,
                "day": day,
                "currency": currency,
                "committed": 0,
                "disbursed": 0,
                "paid_kind": DisbursementKind(paid_kind) if paid_kind else None,
            },
        )
        if category == Category.COMMITMENT:
            fact["committed"] -= int(amount)  # a credit on the payable is money committed
        else:
            fact["disbursed"] += int(amount)
    movements: dict[int, Movement] = {}
    for tid, fact in facts.items():
        kind, paid_kind = fact["kind"], fact["paid_kind"]
        reversal = kind is TransactionKind.REVERSAL
        if reversal:
            original = movements.get(fact["reverses"])
            if original is None:  # reverses something open data does not show
                continue
            kind, paid_kind = original.kind, original.disbursement_kind
        movements[tid] = Movement(
            ledger_id=tid,
            kind=kind,
            reversal=reversal,
            day=fact["day"],
            currency=fact["currency"],
            committed_minor=fact["committed"],
            disbursed_minor=fact["disbursed"],
            disbursement_kind=paid_kind,
        )
    return list(movements.values())


def iter_published(session: Session, *, reported: bool = False) -> Iterator[GrantRecord]:
    """The published grants, oldest first, one complete record at a time; with `reported`,
    each indicator carries the value the latest accepted report gave it.

    Five queries whatever the number of grants (six with `reported`), each streamed in
    batches and merged on the grant id, so memory holds one grant (and the drivers' fetch
    buffers) at a time.
    """
    statements = [_grants_stmt(), _themes_stmt(), _sdgs_stmt(), _indicators_stmt(), _ledger_stmt()]
    if reported:
        statements.append(_reported_stmt())
    streams = [_streamed(session, stmt) for stmt in statements]
    grants, themes, sdgs, indicators, ledger = streams[:5]
    values = streams[5] if reported else None
    try:
        while grants.head is not None:
            row = grants.head
            grants.head = next(grants.rows, None)
            grant_id = int(row[0])
            measured = _reported(values.take(grant_id)) if values is not None else {}
            yield GrantRecord(
                id=grant_id,
                reference=row[1],
                status=GrantStatus(row[2]),
                currency=row[3],
                amount_minor=int(row[4]),
                duration_months=int(row[5] or 12),
                committed_at=row[6],
                accepted_at=row[7],
                start_date=row[8],
                end_date=row[9],
                closed_at=row[10],
                final_report_accepted_at=row[11],
                title=row[12],
                summary=row[13] or "",
                requested_minor=int(row[14] or 0),
                decided_at=row[15],
                submitted_at=row[16],
                implementing_entity=(row[17] or "").strip(),
                state_iso3=row[18],
                state_name=row[19],
                themes=[(code, name) for _id, code, name in themes.take(grant_id)],
                sdgs=[(int(number), name) for _id, number, name in sdgs.take(grant_id)],
                indicators=[
                    IndicatorRow(int(i), result or "", name, baseline, target, measured.get(int(i)))
                    for _id, i, result, name, baseline, target in indicators.take(grant_id)
                ],
                movements=_movements(ledger.take(grant_id)),
            )
    finally:
        for stream in streams:
            stream.close()


def max_classifications(session: Session) -> int:
    """The most themes plus SDGs of any published grant (the CSV's classification columns)."""
    themes = (
        select(func.count())
        .select_from(application_themes)
        .where(application_themes.c.application_id == Grant.application_id)
        .scalar_subquery()
    )
    sdgs = (
        select(func.count())
        .select_from(application_sdgs)
        .where(application_sdgs.c.application_id == Grant.application_id)
        .scalar_subquery()
    )
    return int(session.execute(select(func.max(themes + sdgs)).where(is_published())).scalar() or 0)
