"""The fund's money events, each one balanced transaction (design.md §3.3).

    contribution received   Dr cash                     Cr contributions(donor)
    payment fee             Dr fees                     Cr cash (beyond it, Cr due to the
                                                         card processor)
    pledge                  Dr pledges(donor)            Cr contributions(donor)
    pledge payment          Dr cash                     Cr pledges(donor)
                            (Dr or Cr exchange differences, when the payment's rate is not
                            the pledge's, or the last payment settles a rounding remainder)
    pledge cancelled        Dr contributions(donor)      Cr pledges(donor)
    commitment              Dr committed funds           Cr commitment(grant)
    disbursement            Dr commitment(grant)         Cr committed funds
                            Dr disbursements(grant)      Cr cash
    release of commitment   Dr commitment(grant)         Cr shortfall, then committed funds
    refund or dispute       Dr contributions(donor)      Cr cash (and, beyond the cash held,
                                                         Cr due to the card processor)
    shortfall               Dr shortfall                 Cr committed funds
    shortfall covered       Dr committed funds           Cr shortfall

Funds set aside ("committed funds") never exceed the cash held. When a refund, a lost
dispute or a late fee takes cash that was set aside, the part no longer covered moves to the
shortfall account (after the grants not yet accepted have been put back in the queue, which
the grants domain does); money coming in covers it again before anything new is committed.

The callers (grants, contributions) decide *whether*; these functions write *how*.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.core.audit import Actor
from app.ledger import services as ledger
from app.ledger.models import LedgerTransaction, TransactionKind
from app.ledger.services import LedgerError, Leg


def receipt(
    session: Session,
    *,
    donor_id: int,
    donor_name: str,
    amount_minor: int,
    actor: Actor | None = None,
    memo: str = "",
    external_id: str | None = None,
    effective_on: date | None = None,
) -> LedgerTransaction:
    cash = ledger.fixed(session, ledger.CASH)
    contributions = ledger.contributions_of(session, donor_id, donor_name)
    return ledger.post(
        session,
        TransactionKind.CONTRIBUTION,
        [Leg(cash, amount_minor), Leg(contributions, -amount_minor)],
        actor=actor,
        memo=memo,
        external_id=external_id,
        donor_id=donor_id,
        effective_on=effective_on,
    )


def fee(
    session: Session,
    *,
    donor_id: int,
    amount_minor: int,
    memo: str = "",
    external_id: str | None = None,
) -> LedgerTransaction:
    # Stripe has taken its fee already: what the fund no longer holds is owed to it.
    cash_account = ledger.lock_fund(session)
    from_cash = min(amount_minor, cash_account.balance_minor)
    return ledger.post(
        session,
        TransactionKind.FEE,
        [
            Leg(ledger.fixed(session, ledger.FEES), amount_minor),
            Leg(cash_account, -from_cash),
            Leg(ledger.fixed(session, ledger.DUE_TO_PROCESSOR), -(amount_minor - from_cash)),
        ],
        memo=memo,
        external_id=external_id,
        donor_id=donor_id,
    )


def pledge(
    session: Session,
    *,
    donor_id: int,
    donor_name: str,
    amount_minor: int,
    actor: Actor | None,
    memo: str = "",
) -> LedgerTransaction:
    return ledger.post(
        session,
        TransactionKind.PLEDGE,
        [
            Leg(ledger.pledges_of(session, donor_id, donor_name), amount_minor),
            Leg(ledger.contributions_of(session, donor_id, donor_name), -amount_minor),
        ],
        actor=actor,
        memo=memo,
        donor_id=donor_id,
    )


def pledge_receipt(
    session: Session,
    *,
    donor_id: int,
    donor_name: str,
    amount_minor: int,
    actor: Actor | None,
    memo: str = "",
    effective_on: date | None = None,
    settles_minor: int | None = None,
    external_id: str | None = None,
) -> LedgerTransaction:
    """`amount_minor` arrived in cash; it settles `settles_minor` of the receivable (the
    same unless the rate differs): the difference is an exchange gain or loss."""
    settles = amount_minor if settles_minor is None else settles_minor
    return ledger.post(
        session,
        TransactionKind.PLEDGE_RECEIPT,
        [
            Leg(ledger.fixed(session, ledger.CASH), amount_minor),
            Leg(ledger.pledges_of(session, donor_id, donor_name), -settles),
            Leg(ledger.fixed(session, ledger.EXCHANGE), settles - amount_minor),
        ],
        actor=actor,
        memo=memo,
        external_id=external_id,
        donor_id=donor_id,
        effective_on=effective_on,
    )


def pledge_cancellation(
    session: Session,
    *,
    donor_id: int,
    donor_name: str,
    amount_minor: int,
    actor: Actor | None,
    memo: str = "",
) -> LedgerTransaction:
    return ledger.post(
        session,
        TransactionKind.PLEDGE_CANCELLATION,
        [
            Leg(ledger.contributions_of(session, donor_id, donor_name), amount_minor),
            Leg(ledger.pledges_of(session, donor_id, donor_name), -amount_minor),
        ],
        actor=actor,
        memo=memo,
        donor_id=donor_id,
    )


def commitment(
    session: Session,
    *,
    grant_id: int,
    reference: str,
    amount_minor: int,
    actor: Actor | None = None,
) -> LedgerTransaction:
    ledger.lock_fund(session)
    if ledger.available(session) < amount_minor:
        raise LedgerError(_("the fund does not hold enough uncommitted money for this commitment"))
    return ledger.post(
        session,
        TransactionKind.COMMITMENT,
        [
            Leg(ledger.fixed(session, ledger.COMMITTED_FUNDS), amount_minor),
            Leg(ledger.commitment_of(session, grant_id, reference), -amount_minor),
        ],
        actor=actor,
        memo=f"Commitment to {reference}",
        grant_id=grant_id,
    )


def disbursement(
    session: Session,
    *,
    grant_id: int,
    reference: str,
    amount_minor: int,
    actor: Actor | None,
    memo: str = "",
) -> LedgerTransaction:
    return ledger.post(
        session,
        TransactionKind.DISBURSEMENT,
        [
            Leg(ledger.commitment_of(session, grant_id, reference), amount_minor),
            Leg(ledger.fixed(session, ledger.COMMITTED_FUNDS), -amount_minor),
            Leg(ledger.disbursements_of(session, grant_id, reference), amount_minor),
            Leg(ledger.fixed(session, ledger.CASH), -amount_minor),
        ],
        actor=actor,
        memo=memo,
        grant_id=grant_id,
    )


def release(
    session: Session,
    *,
    grant_id: int,
    reference: str,
    amount_minor: int,
    actor: Actor | None,
    memo: str = "",
) -> LedgerTransaction:
    # What cash did not cover is released first: the shortfall shrinks before the funds
    # set aside do.
    ledger.lock_fund(session)
    uncovered = min(amount_minor, ledger.balance(session, ledger.SHORTFALL))
    return ledger.post(
        session,
        TransactionKind.RELEASE,
        [
            Leg(ledger.commitment_of(session, grant_id, reference), amount_minor),
            Leg(ledger.fixed(session, ledger.SHORTFALL), -uncovered),
            Leg(ledger.fixed(session, ledger.COMMITTED_FUNDS), -(amount_minor - uncovered)),
        ],
        actor=actor,
        memo=memo or f"Undisbursed commitment of {reference} released",
        grant_id=grant_id,
    )


def money_back(
    session: Session,
    kind: TransactionKind,
    *,
    donor_id: int,
    donor_name: str,
    amount_minor: int,
    external_id: str,
    memo: str = "",
) -> LedgerTransaction:
    """A refund or a lost dispute: the money leaves whatever we hold. What the fund no longer
    holds becomes a debt to the card processor, so fund cash never goes below zero."""
    cash_account = ledger.lock_fund(session)
    from_cash = min(amount_minor, cash_account.balance_minor)
    return ledger.post(
        session,
        kind,
        [
            Leg(ledger.contributions_of(session, donor_id, donor_name), amount_minor),
            Leg(cash_account, -from_cash),
            Leg(ledger.fixed(session, ledger.DUE_TO_PROCESSOR), -(amount_minor - from_cash)),
        ],
        memo=memo,
        external_id=external_id,
        donor_id=donor_id,
    )


def settle_shortfall(session: Session) -> int:
    """Keep the funds set aside within the cash held: move what cash does not cover to the
    shortfall account, or cover the shortfall again from cash that came in. Returns the
    shortfall after the move. Call it under the fund lock after money moved."""
    cash = ledger.lock_fund(session).balance_minor
    set_aside = ledger.balance(session, ledger.COMMITTED_FUNDS)
    short = ledger.balance(session, ledger.SHORTFALL)
    committed_funds = ledger.fixed(session, ledger.COMMITTED_FUNDS)
    shortfall = ledger.fixed(session, ledger.SHORTFALL)
    if set_aside > cash:
        moved = set_aside - cash
        ledger.post(
            session,
            TransactionKind.SHORTFALL,
            [Leg(shortfall, moved), Leg(committed_funds, -moved)],
            memo="Commitments above the cash held after money left the fund",
        )
        return short + moved
    if short > 0 and cash > set_aside:
        moved = min(short, cash - set_aside)
        ledger.post(
            session,
            TransactionKind.SHORTFALL_COVERED,
            [Leg(committed_funds, moved), Leg(shortfall, -moved)],
            memo="Shortfall covered by money received",
        )
        return short - moved
    return short


def commitment_outstanding(session: Session, grant_id: int) -> int:
    """The grant's undisbursed commitment (a positive number)."""
    return -ledger.balance(session, f"commitment:grant:{grant_id}")


def disbursed(session: Session, grant_id: int) -> int:
    return ledger.balance(session, f"disbursements:grant:{grant_id}")
