"""Cross-checks between the ledger and the records that caused its postings (grants,
disbursements, contributions). Used by `ledger verify` next to the ledger's own invariants."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.contributions.models import Contribution, ContributionKind, ContributionStatus
from app.grants.models import Disbursement, DisbursementStatus, Grant
from app.ledger import checks
from app.ledger.checks import Problem
from app.ledger.models import Account, Category, Entry, LedgerTransaction


def iter_problems(session: Session) -> Iterator[Problem]:
    # Each grant: committed (outstanding + disbursed) never above the approved amount, and
    # disbursed never above committed (the commitment account never turns positive).
    rows = session.execute(
        select(Grant.reference, Grant.amount_minor, Account.category, Account.balance_minor)
        .join(Account, Account.grant_id == Grant.id)
        .order_by(Grant.id)
    ).all()
    committed: dict[str, int] = {}
    approved: dict[str, int] = {}
    for reference, amount, category, balance in rows:
        approved[reference] = amount
        committed[reference] = committed.get(reference, 0) + (
            -balance if category == Category.COMMITMENT else balance
        )
    for reference, total in committed.items():
        if total > approved[reference]:
            yield Problem(
                f"grant {reference}: {total} committed or paid, above its approved {approved[reference]}"
            )

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

    # Each contribution: what was received is in the donor's account.
    received = dict(
        session.execute(
            select(
                Contribution.donor_id,
                func.sum(Contribution.received_minor - Contribution.refunded_minor),
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
    for donor_id in donor_ids:
        expected = int(received.get(donor_id) or 0) + int(pledged_open.get(donor_id) or 0)
        if -int(accounts.get(donor_id) or 0) != expected:
            yield Problem(
                f"donor {donor_id}: contributions on record {expected} but the ledger's account holds {-int(accounts.get(donor_id) or 0)}"
            )


def all_problems(session: Session) -> Iterator[Problem]:
    """What `ledger verify` checks: the ledger's own invariants, then the cross-checks."""
    return chain(checks.iter_problems(session), iter_problems(session))
