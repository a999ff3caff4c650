"""Reading the ledger: filtered transaction lists, the CSV export, and the fund's figures
over time, by region and by theme — every figure from the entries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.applications.models import application_themes
from app.auth.models import User
from app.core.database import today
from app.core.dates import add_months
from app.core.errors import PermissionDenied
from app.core.money import Money, fund_currency
from app.core.numbers import whole_number
from app.core.pagination import Page, paginate
from app.core.roles import Role
from app.grants.models import Grant
from app.ledger.models import (
    Account,
    Category,
    Entry,
    LedgerTransaction,
    MonthTotal,
    TransactionKind,
)
from app.reference.models import State, Theme

READERS = (Role.SECRETARIAT, Role.DONOR, Role.AUDITOR)
DONOR_PUBLIC_KINDS = (
    TransactionKind.COMMITMENT,
    TransactionKind.RELEASE,
    TransactionKind.DISBURSEMENT,
)


@dataclass
class LedgerFilter:
    grant: str | None = None  # reference
    state: str | None = None  # ISO3
    region: str | None = None
    theme: str | None = None
    donor: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in (
                ("grant", self.grant),
                ("state", self.state),
                ("region", self.region),
                ("theme", self.theme),
                ("donor", self.donor),
                ("kind", self.kind),
                ("from", self.date_from),
                ("to", self.date_to),
            )
            if v not in (None, "")
        }


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filter_from_args(args: Any) -> LedgerFilter:
    """Only known keys and well-formed values are taken (allow-listed filters)."""
    donor = args.get("donor")
    kind = args.get("kind")
    return LedgerFilter(
        grant=(args.get("grant") or "").strip()[:20] or None,
        state=(args.get("state") or "").strip().upper()[:3] or None,
        region=args.get("region")
        if args.get("region") in {"african", "asia_pacific", "eastern_european", "grulac", "weog"}
        else None,
        theme=(args.get("theme") or "").strip()[:60] or None,
        donor=whole_number(donor),
        kind=kind if kind in {k.value for k in TransactionKind} else None,
        date_from=_parse_date(args.get("from")),
        date_to=_parse_date(args.get("to")),
    )


def _visible(stmt: Select[Any], user: User) -> Select[Any]:
    if user.role_enum not in READERS:
        raise PermissionDenied(_("your role does not see the ledger"))
    if user.role_enum is Role.DONOR:
        # The whole fund's commitments and disbursements, and only its own gifts.
        stmt = stmt.where(
            or_(
                LedgerTransaction.kind.in_(DONOR_PUBLIC_KINDS),
                LedgerTransaction.donor_id == user.id,
            )
        )
    return stmt


def _filtered(stmt: Select[Any], f: LedgerFilter) -> Select[Any]:
    if f.grant or f.state or f.region or f.theme:
        grant_match = [Grant.id == LedgerTransaction.grant_id]
        if f.grant:
            grant_match.append(Grant.reference == f.grant)
        if f.state:
            grant_match.append(Grant.state_iso3 == f.state)
        if f.region:
            grant_match.append(
                Grant.state_iso3.in_(select(State.iso3).where(State.region == f.region))
            )
        if f.theme:
            grant_match.append(
                Grant.application_id.in_(
                    select(application_themes.c.application_id).where(
                        application_themes.c.theme_code == f.theme
                    )
                )
            )
        stmt = stmt.where(exists(select(Grant.id).where(and_(*grant_match))))
    if f.donor:
        stmt = stmt.where(LedgerTransaction.donor_id == f.donor)
    if f.kind:
        stmt = stmt.where(LedgerTransaction.kind == f.kind)
    if f.date_from:
        stmt = stmt.where(LedgerTransaction.effective_on >= f.date_from)
    if f.date_to:
        stmt = stmt.where(LedgerTransaction.effective_on <= f.date_to)
    return stmt


def transactions(
    session: Session, user: User, f: LedgerFilter, *, page: int = 1
) -> Page[LedgerTransaction]:
    stmt = _filtered(_visible(select(LedgerTransaction), user), f)
    stmt = stmt.order_by(LedgerTransaction.effective_on.desc(), LedgerTransaction.id.desc())
    return paginate(
        session, stmt.options(selectinload(LedgerTransaction.entries)), page=page, per_page=50
    )


def names(session: Session, user: User, page: Page[LedgerTransaction]) -> dict[str, dict[int, str]]:
    """Grant references and donor names for one page, in two queries. A donor sees only
    its own name: other donors stay anonymous to it."""
    grant_ids = {t.grant_id for t in page.items if t.grant_id}
    donor_ids = {t.donor_id for t in page.items if t.donor_id}
    grants = (
        dict(
            session.execute(select(Grant.id, Grant.reference).where(Grant.id.in_(grant_ids))).all()
        )
        if grant_ids
        else {}
    )
    donors = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(donor_ids))).all())
        if donor_ids
        else {}
    )
    if user.role_enum is Role.DONOR:
        donors = {k: v for k, v in donors.items() if k == user.id}
    return {"grants": grants, "donors": donors}


def csv_rows(session: Session, user: User, f: LedgerFilter) -> Iterator[str]:
    """The entries as CSV, streamed in chunks: memory stays flat however long the ledger."""
    own = user.id if user.role_enum is Role.DONOR else None
    header = io.StringIO()
    csv.writer(header).writerow(
        [
            "transaction",
            "date",
            "kind",
            "account",
            "debit",
            "credit",
            "currency",
            "grant",
            "donor",
            "memo",
        ]
    )
    yield header.getvalue()
    stmt: Any = (
        select(
            LedgerTransaction.id,
            LedgerTransaction.effective_on,
            LedgerTransaction.kind,
            Account.code,
            Entry.amount_minor,
            Entry.currency,
            Grant.reference,
            LedgerTransaction.donor_id,
            User.name,
            LedgerTransaction.memo,
        )
        .select_from(Entry)
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .join(Account, Account.id == Entry.account_id)
        .outerjoin(Grant, Grant.id == LedgerTransaction.grant_id)
        .outerjoin(User, User.id == LedgerTransaction.donor_id)
        .order_by(LedgerTransaction.id, Entry.id)
    )
    stmt = _filtered(_visible(stmt, user), f).execution_options(yield_per=2000)
    result = session.execute(stmt)
    try:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        row: Any
        for n, row in enumerate(result, 1):
            tid, day, kind, code, amount, currency, grant, donor_id, donor_name, memo = row
            money = Money(abs(amount), currency).as_string()
            if own is not None and donor_id not in (None, own):
                donor_name, code = (
                    "",
                    code if not code.startswith("contributions:donor:") else "contributions:donor",
                )
            writer.writerow(
                [
                    tid,
                    day.isoformat(),
                    kind,
                    code,
                    money if amount > 0 else "",
                    money if amount < 0 else "",
                    currency,
                    grant or "",
                    donor_name or "",
                    memo,
                ]
            )
            if n % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()
    finally:
        result.close()


# -- figures over time, by region and by theme ------------------------------------------------------------------


def monthly_flows(session: Session, months: int = 12) -> tuple[list[date], list[int], list[int]]:
    """Money in (contributions received) and out (disbursements) in each of the last `months`
    months, the current one included, from the cash account's month totals (kept with its
    entries). Every month is there, quiet ones at zero, so the bars stand on an even axis."""
    first = add_months(today().replace(day=1), 1 - months)
    rows = session.execute(
        select(MonthTotal.month, MonthTotal.kind, func.sum(MonthTotal.amount_minor))
        .join(Account, Account.id == MonthTotal.account_id)
        .where(Account.category == Category.CASH, MonthTotal.month >= first)
        .where(
            MonthTotal.kind.in_(
                [
                    TransactionKind.CONTRIBUTION,
                    TransactionKind.PLEDGE_RECEIPT,
                    TransactionKind.DISBURSEMENT,
                ]
            )
        )
        .group_by(MonthTotal.month, MonthTotal.kind)
    ).all()
    money_in = dict.fromkeys(range(months), 0)
    money_out = dict.fromkeys(range(months), 0)
    for month, kind, amount in rows:
        index = (month.year - first.year) * 12 + month.month - first.month
        if kind == TransactionKind.DISBURSEMENT:
            money_out[index] += -int(amount)
        else:
            money_in[index] += int(amount)
    return (
        [add_months(first, i) for i in range(months)],
        list(money_in.values()),
        list(money_out.values()),
    )


def by_region(session: Session) -> list[tuple[str, int, int]]:
    """(region, committed incl. disbursed, disbursed) from each grant's accounts."""
    rows = session.execute(
        select(State.region, Account.category, func.sum(Account.balance_minor))
        .select_from(Account)
        .join(Grant, Grant.id == Account.grant_id)
        .join(State, State.iso3 == Grant.state_iso3)
        .where(Account.category.in_([Category.COMMITMENT, Category.DISBURSEMENTS]))
        .group_by(State.region, Account.category)
    ).all()
    out: dict[str, list[int]] = {}
    for region, category, total in rows:
        pair = out.setdefault(str(region), [0, 0])
        if category == Category.COMMITMENT:
            pair[0] += -int(total)
        else:
            pair[0] += int(total)
            pair[1] += int(total)
    return sorted(((r, c, d) for r, (c, d) in out.items() if c), key=lambda x: -x[1])


def by_theme(session: Session, limit: int = 10) -> list[tuple[str, int]]:
    """Committed (incl. disbursed) per theme; a grant with two themes counts in each."""
    committed = func.sum(func.abs(Account.balance_minor))
    rows = session.execute(
        select(Theme.name, committed)
        .select_from(Account)
        .join(Grant, Grant.id == Account.grant_id)
        .join(application_themes, application_themes.c.application_id == Grant.application_id)
        .join(Theme, Theme.code == application_themes.c.theme_code)
        .where(Account.category.in_([Category.COMMITMENT, Category.DISBURSEMENTS]))
        .group_by(Theme.name)
        .having(committed > 0)
        .order_by(committed.desc())
        .limit(limit)
    ).all()
    return [(str(name), int(total)) for name, total in rows]


def donor_choices(session: Session, user: User) -> list[tuple[int, str]]:
    """Donors with an account in the ledger, for the filter; a donor filters only itself."""
    if user.role_enum == Role.DONOR:
        return []
    rows = session.execute(
        select(Account.donor_id, Account.name)
        .where(Account.category == Category.CONTRIBUTIONS, Account.donor_id.is_not(None))
        .order_by(Account.name)
    ).all()
    return [(int(donor_id or 0), name.split(" — ", 1)[-1]) for donor_id, name in rows]


def money_formatter() -> Any:
    currency = fund_currency()
    return lambda minor: Money(int(minor), currency).format()


def money_tick_formatter() -> Any:
    currency = fund_currency()
    return lambda minor: Money(int(minor), currency).format_compact()
