"""Cross-checks between the ledger and the records that caused its postings (grants,
disbursements, contributions). Used by `ledger verify` next to the ledger's own invariants."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.contributions.models import Contribution, ContributionKind, ContributionStatus
from app.grants.models import Disbursement, DisbursementStatus, Grant, GrantStatus
from app.ledger import checks
from app.ledger.checks import Problem
from app.ledger.models import Account, Category, Entry, LedgerTransaction, TransactionKind


def iter_problems(session: Session) -> Iterator[Problem]:
    yield from _grants(session)
    yield from _releases(session)
    yield from _contributions(session)


# What each status holds: (commitment outstanding?, the whole approved amount committed?)
HOLDS_NOTHING = {GrantStatus.AWAITING_FUNDS}
HOLDS_NOTHING_OUTSTANDING = {GrantStatus.CANCELLED, GrantStatus.COMPLETED}
HOLDS_THE_AMOUNT = {GrantStatus.AWAITING_ACCEPTANCE, GrantStatus.ACTIVE, GrantStatus.SUSPENDED}


def _grants(session: Session) -> Iterator[Problem]:
    """Each grant's status matches its commitment: one waiting for funds holds none; a
    committed one (awaiting acceptance, active, suspended) holds its whole approved amount,
    outstanding or paid, and one not yet accepted has been paid nothing; a closed one
    (cancelled, completed) holds nothing outstanding. Paid never exceeds committed (the
    commitment account never turns positive: the sign check) nor the approved amount."""
    outstanding = (
        select(Account.grant_id, (-Account.balance_minor).label("amount"))
        .where(Account.category == Category.COMMITMENT)
        .subquery()
    )
    paid = (
        select(Account.grant_id, Account.balance_minor.label("amount"))
        .where(Account.category == Category.DISBURSEMENTS)
        .subquery()
    )
    rows = session.execute(
        select(
            Grant.reference,
            Grant.status,
            Grant.amount_minor,
            func.coalesce(outstanding.c.amount, 0),
            func.coalesce(paid.c.amount, 0),
        )
        .outerjoin(outstanding, outstanding.c.grant_id == Grant.id)
        .outerjoin(paid, paid.c.grant_id == Grant.id)
        .order_by(Grant.id)
    ).all()
    waiting_for_acceptance = 0
    for reference, status_value, approved, held, spent in rows:
        status = GrantStatus(status_value)
        held, spent = int(held), int(spent)
        if held + spent > approved:
            yield Problem(
                f"grant {reference}: {held + spent} committed or paid, above its approved {approved}"
            )
        if status in HOLDS_NOTHING and (held or spent):
            yield Problem(
                f"grant {reference} waits for funds but holds {held} and was paid {spent}"
            )
        elif status in HOLDS_NOTHING_OUTSTANDING and held:
            yield Problem(f"grant {reference} is {status.value} but still holds {held} committed")
        elif status in HOLDS_THE_AMOUNT and held + spent != approved:
            yield Problem(
                f"grant {reference} is {status.value}: {held + spent} committed, not its"
                f" approved {approved}"
            )
        if status is GrantStatus.AWAITING_ACCEPTANCE:
            waiting_for_acceptance += 1
            if spent:
                yield Problem(f"grant {reference} was paid {spent} before its acceptance")
    # In a shortfall, every grant not yet accepted has gone back to the queue.
    shortfall = session.execute(
        select(func.coalesce(func.sum(Account.balance_minor), 0)).where(
            Account.category == Category.SHORTFALL
        )
    ).scalar_one()
    if int(shortfall) > 0 and waiting_for_acceptance:
        yield Problem(
            f"the fund is short by {shortfall} but {waiting_for_acceptance} grant(s) not yet"
            " accepted still hold their commitment"
        )


def _releases(session: Session) -> Iterator[Problem]:
    # Each paid release has its ledger transaction, of the same amount.
    paid = session.execute(
        select(Disbursement.id, Disbursement.amount_minor, func.sum(Entry.amount_minor))
        .join(LedgerTransaction, LedgerTransaction.id == Disbursement.transaction_id, isouter=True)
        .join(Entry, Entry.transaction_id == LedgerTransaction.id, isouter=True)
        .join(Account, Account.id == Entry.account_id, isouter=True)
        .where(Disbursement.status == DisbursementStatus.PAID)
        .where((Account.category == Category.DISBURSEMENTS) | (Account.id.is_(None)))
        .group_by(Disbursement.id, Disbursement.amount_minor)
    ).all()
    for disbursement_id, amount, posted in paid:
        if posted != amount:
            yield Problem(f"release {disbursement_id}: paid {amount} but the ledger shows {posted}")
    # And every disbursement in the ledger has a paid release behind it (two officers).
    orphan = session.execute(
        select(LedgerTransaction.id)
        .outerjoin(
            Disbursement,
            (Disbursement.transaction_id == LedgerTransaction.id)
            & (Disbursement.status == DisbursementStatus.PAID),
        )
        .where(LedgerTransaction.kind == TransactionKind.DISBURSEMENT, Disbursement.id.is_(None))
        .order_by(LedgerTransaction.id)
        .limit(1)
    ).scalar_one_or_none()
    if orphan is not None:
        yield Problem(f"disbursement transaction {orphan} has no paid release behind it")


def _contributions(session: Session) -> Iterator[Problem]:
    # Each donor: what was received and kept (less refunds and open disputes), plus what is
    # still pledged, is in the donor's contributions account.
    received = dict(
        session.execute(
            select(
                Contribution.donor_id,
                func.sum(
                    Contribution.received_minor
                    - Contribution.refunded_minor
                    - Contribution.disputed_minor
                ),
            )
            .where(
                Contribution.status.in_(
                    [
                        ContributionStatus.RECEIVED,
                        ContributionStatus.PLEDGED,
                        ContributionStatus.REFUNDED,
                    ]
                )
            )
            .group_by(Contribution.donor_id)
        ).all()
    )
    pledged_open = dict(
        session.execute(
            select(
                Contribution.donor_id,
                func.sum(Contribution.base_amount_minor - Contribution.received_minor),
            )
            .where(
                Contribution.kind == ContributionKind.PLEDGE,
                Contribution.status == ContributionStatus.PLEDGED,
            )
            .group_by(Contribution.donor_id)
        ).all()
    )
    accounts = dict(
        session.execute(
            select(Account.donor_id, func.sum(Account.balance_minor))
            .where(Account.category == Category.CONTRIBUTIONS)
            .group_by(Account.donor_id)
        ).all()
    )
    donor_ids: set[int] = {d for d in (*received, *accounts, *pledged_open) if d is not None}
    for donor_id in sorted(donor_ids):
        expected = int(received.get(donor_id) or 0) + int(pledged_open.get(donor_id) or 0)
        if -int(accounts.get(donor_id) or 0) != expected:
            yield Problem(
                f"donor {donor_id}: contributions on record {expected} but the ledger's account holds {-int(accounts.get(donor_id) or 0)}"
            )
    # Card fees on record are the fees in the ledger.
    fees_on_record = session.execute(
        select(func.coalesce(func.sum(Contribution.fee_minor), 0))
    ).scalar_one()
    fees_posted = session.execute(
        select(func.coalesce(func.sum(Account.balance_minor), 0)).where(
            Account.category == Category.FEES
        )
    ).scalar_one()
    if int(fees_on_record) != int(fees_posted):
        yield Problem(
            f"card fees on record ({fees_on_record}) differ from the fees in the ledger ({fees_posted})"
        )


def all_problems(session: Session) -> Iterator[Problem]:
    """What `ledger verify` checks: the ledger's own invariants, then the cross-checks."""
    return chain(checks.iter_problems(session), iter_problems(session))
