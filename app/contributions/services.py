"""Recording contributions: bank transfers and pledges (secretariat), card gifts (donors, with
Stripe's webhook as the only proof of payment), refunds and disputes, receipts."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.services import find_user_by_email
from app.contributions.models import Contribution, ContributionKind, ContributionStatus
from app.core import audit, mail
from app.core.database import today, utcnow
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.core.money import Money, MoneyError, parse_amount
from app.core.money import convert as convert_money
from app.core.pagination import Page, paginate
from app.core.permissions import require_role
from app.core.roles import Role
from app.core.sequences import yearly_reference
from app.grants import services as grants
from app.ledger import postings
from app.ledger import services as ledger
from app.ledger.models import LedgerTransaction, TransactionKind
from app.ledger.services import Duplicate


def base_currency() -> str:
    return str(current_app.config["FUND_CURRENCY"])


def _money(value: Any, currency: str, field: str = "amount") -> Money:
    try:
        return parse_amount(value, currency)
    except MoneyError as error:
        raise ValidationError(f"{field}: {error}", fields={field: str(error)}) from None


def convert(original: Money, rate: Any) -> tuple[str, int]:
    """(rate as text, amount in the fund's currency). Same currency: rate 1."""
    return convert_money(original, rate, base_currency())


def find_donor(session: Session, email: str) -> User:
    user = find_user_by_email(session, email)
    if user is None or user.role_enum is not Role.DONOR:
        raise ValidationError(
            f"no donor account with e-mail {email}", fields={"donor_email": "unknown donor"}
        )
    return user


def _receipt_number(session: Session) -> str:
    return yearly_reference(session, "R", today().year)


def _after_money_in(session: Session, contribution: Contribution) -> None:
    """A receipt is issued, the donor told, and waiting grants committed in this transaction."""
    if contribution.receipt_number is None:
        contribution.receipt_number = _receipt_number(session)
    mail.queue(session, contribution.donor, "contribution_received", {"contribution": contribution})
    grants.commit_waiting(session)


# -- who sees what ----------------------------------------------------------------------------------


def visible_query(user: User) -> Select[Any]:
    stmt = select(Contribution)
    if user.role_enum is Role.DONOR:
        return stmt.where(Contribution.donor_id == user.id)
    if user.role_enum in (Role.SECRETARIAT, Role.AUDITOR):
        return stmt
    raise PermissionDenied("your role does not see contributions")


def list_for(
    session: Session, user: User, *, status: str | None = None, page: int = 1
) -> Page[Contribution]:
    stmt = visible_query(user)
    if status in {s.value for s in ContributionStatus}:
        stmt = stmt.where(Contribution.status == status)
    return paginate(
        session,
        stmt.order_by(Contribution.created_at.desc(), Contribution.id.desc()),
        page=page,
        per_page=50,
    )


def get_for(
    session: Session, user: User, contribution_id: int, *, lock: bool = False
) -> Contribution:
    stmt = visible_query(user).where(Contribution.id == contribution_id)
    if lock:
        stmt = stmt.with_for_update(of=Contribution)
    contribution = session.execute(stmt).unique().scalar_one_or_none()
    if contribution is None:
        raise NotFound("no such contribution")
    return contribution


# -- bank transfers and pledges (the secretariat) ---------------------------------------------------------


def _duplicate_transfer(reference: str) -> Conflict:
    return Conflict(
        f"a transfer from this donor with reference {reference} is already recorded",
        fields={"reference": "duplicate"},
    )


def record_bank(
    session: Session,
    actor: User,
    donor: User,
    amount: Any,
    currency: str,
    *,
    reference: str,
    rate: Any = None,
    received_on: date | None = None,
    note: str = "",
) -> Contribution:
    require_role(actor, Role.SECRETARIAT)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(
            "give the bank reference of the transfer", fields={"reference": "required"}
        )
    original = _money(amount, currency)
    rate_text, base = convert(original, rate)
    if ledger.is_posted(session, f"bank:{donor.id}:{reference}"):
        # Checked before anything is written; the ledger's own check under its lock still
        # catches two clerks recording the same transfer at the same moment.
        raise _duplicate_transfer(reference)
    if received_on is not None and received_on > today():
        raise ValidationError(
            "a transfer cannot be received in the future", fields={"received_on": "in the future"}
        )
    contribution = Contribution(
        donor_id=donor.id,
        kind=ContributionKind.BANK,
        status=ContributionStatus.RECEIVED,
        original_amount_minor=original.amount_minor,
        original_currency=original.currency,
        rate=rate_text,
        base_amount_minor=base,
        base_currency=base_currency(),
        received_minor=base,
        reference=reference[:120],
        note=(note or "").strip()[:2000],
        recorded_by_id=actor.id,
        received_at=utcnow(),
    )
    session.add(contribution)
    session.flush()
    try:
        postings.receipt(
            session,
            donor_id=donor.id,
            donor_name=donor.display_name,
            amount_minor=base,
            actor=actor,
            memo=f"Bank transfer {reference} ({original})",
            external_id=f"bank:{donor.id}:{reference}",
            effective_on=received_on,
        )
    except Duplicate:
        raise _duplicate_transfer(reference) from None
    audit.record(
        session,
        "contribution.bank",
        contribution,
        actor=actor,
        data={"amount": str(original), "base": base},
    )
    _after_money_in(session, contribution)
    return contribution


def record_pledge(
    session: Session,
    actor: User,
    donor: User,
    amount: Any,
    currency: str,
    *,
    rate: Any = None,
    due_on: date | None = None,
    reference: str = "",
    note: str = "",
) -> Contribution:
    require_role(actor, Role.SECRETARIAT)
    original = _money(amount, currency)
    rate_text, base = convert(original, rate)
    contribution = Contribution(
        donor_id=donor.id,
        kind=ContributionKind.PLEDGE,
        status=ContributionStatus.PLEDGED,
        original_amount_minor=original.amount_minor,
        original_currency=original.currency,
        rate=rate_text,
        base_amount_minor=base,
        base_currency=base_currency(),
        reference=(reference or "").strip()[:120],
        note=(note or "").strip()[:2000],
        due_on=due_on,
        recorded_by_id=actor.id,
    )
    session.add(contribution)
    session.flush()
    postings.pledge(
        session,
        donor_id=donor.id,
        donor_name=donor.display_name,
        amount_minor=base,
        actor=actor,
        memo=f"Pledge {contribution.reference or contribution.id} ({original})",
    )
    audit.record(
        session,
        "contribution.pledge",
        contribution,
        actor=actor,
        data={"amount": str(original), "base": base},
    )
    mail.queue(session, donor, "pledge_recorded", {"contribution": contribution})
    return contribution


def record_pledge_payment(
    session: Session,
    actor: User,
    contribution: Contribution,
    amount: Any,
    *,
    reference: str,
    received_on: date | None = None,
) -> Contribution:
    """Money arrives against a pledge, in the pledge's currency and at its rate."""
    require_role(actor, Role.SECRETARIAT)
    if (
        contribution.kind_enum is not ContributionKind.PLEDGE
        or contribution.status_enum is not ContributionStatus.PLEDGED
    ):
        raise Conflict(
            f"only an open pledge receives payments (this one is {contribution.status_enum.value})"
        )
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(
            "give the bank reference of the payment", fields={"reference": "required"}
        )
    original = _money(amount, contribution.original_currency)
    _rate, base = convert(original, contribution.rate)
    outstanding = contribution.outstanding_minor
    if base > outstanding:
        raise ValidationError(
            f"that is more than the {Money(outstanding, contribution.base_currency).format()} still pledged;"
            " record the excess as a new contribution",
            fields={"amount": "above the pledge"},
        )
    postings.pledge_receipt(
        session,
        donor_id=contribution.donor_id,
        donor_name=contribution.donor.display_name,
        amount_minor=base,
        actor=actor,
        memo=f"Payment {reference} on pledge {contribution.id}",
        effective_on=received_on,
    )
    contribution.received_minor += base
    if contribution.received_minor == contribution.base_amount_minor:
        contribution.status = ContributionStatus.RECEIVED
        contribution.received_at = utcnow()
    audit.record(
        session,
        "contribution.pledge_payment",
        contribution,
        actor=actor,
        data={"base": base, "reference": reference},
    )
    _after_money_in(session, contribution)
    return contribution


def correct_bank(session: Session, actor: User, contribution: Contribution, reason: str) -> None:
    """A transfer recorded by mistake: its receipt is reversed (never edited) and the record
    cancelled. Refused if the money is already committed or spent."""
    require_role(actor, Role.SECRETARIAT)
    if (
        contribution.kind_enum is not ContributionKind.BANK
        or contribution.status_enum is not ContributionStatus.RECEIVED
    ):
        raise Conflict("only a received bank transfer can be corrected this way")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("give the reason", fields={"reason": "required"})
    receipt = session.execute(
        select(LedgerTransaction).where(
            LedgerTransaction.external_id
            == f"bank:{contribution.donor_id}:{contribution.reference}"
        )
    ).scalar_one_or_none()
    if receipt is None:
        raise Conflict("the transfer's ledger transaction was not found")
    if ledger.available(session) < contribution.received_minor:
        raise Conflict(
            "this money is already committed to grants: the transfer cannot be taken back"
        )
    ledger.reverse(
        session,
        receipt,
        actor=actor,
        memo=f"Transfer {contribution.reference} recorded by mistake: {reason}",
    )
    contribution.status = ContributionStatus.CANCELLED
    contribution.note = (contribution.note + f"\nCorrected: {reason}").strip()[:2000]
    audit.record(
        session, "contribution.correct", contribution, actor=actor, data={"reason": reason}
    )


def cancel_pledge(session: Session, actor: User, contribution: Contribution, reason: str) -> None:
    require_role(actor, Role.SECRETARIAT)
    if contribution.status_enum is not ContributionStatus.PLEDGED:
        raise Conflict("only an open pledge can be cancelled")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("give the reason", fields={"reason": "required"})
    outstanding = contribution.outstanding_minor
    postings.pledge_cancellation(
        session,
        donor_id=contribution.donor_id,
        donor_name=contribution.donor.display_name,
        amount_minor=outstanding,
        actor=actor,
        memo=f"Pledge {contribution.id} cancelled: {reason}",
    )
    contribution.base_amount_minor = contribution.received_minor or contribution.base_amount_minor
    contribution.status = (
        ContributionStatus.RECEIVED if contribution.received_minor else ContributionStatus.CANCELLED
    )
    contribution.note = (contribution.note + f"\nCancelled: {reason}").strip()[:2000]
    audit.record(
        session,
        "contribution.pledge_cancel",
        contribution,
        actor=actor,
        data={"reason": reason, "released": outstanding},
    )


# -- card gifts (Stripe) -----------------------------------------------------------------------------------------


def start_card_gift(
    session: Session, donor: User, amount: Any, currency: str | None = None
) -> Contribution:
    """The pending gift and its idempotency key, committed before Stripe is called."""
    if donor.role_enum is not Role.DONOR:
        raise PermissionDenied("only donors give by card")
    currency = (currency or base_currency()).strip().upper()
    money = _money(amount, currency)
    if money.currency != base_currency():
        raise ValidationError(
            f"card gifts are made in the fund's currency, {base_currency()}; transfers can be in any currency",
            fields={"currency": "not the fund currency"},
        )
    contribution = Contribution(
        donor_id=donor.id,
        kind=ContributionKind.CARD,
        status=ContributionStatus.PENDING,
        original_amount_minor=money.amount_minor,
        original_currency=money.currency,
        base_amount_minor=money.amount_minor,
        base_currency=base_currency(),
        idempotency_key=f"sptf-gift-{uuid.uuid4()}",
    )
    session.add(contribution)
    session.flush()
    audit.record(
        session, "contribution.card_start", contribution, actor=donor, data={"amount": str(money)}
    )
    return contribution


def attach_payment_intent(
    session: Session, contribution: Contribution, payment_intent_id: str
) -> None:
    contribution.payment_intent_id = payment_intent_id
    contribution.reference = payment_intent_id


def mark_failed(session: Session, contribution: Contribution, reason: str) -> None:
    if contribution.status_enum is ContributionStatus.PENDING:
        contribution.status = ContributionStatus.FAILED
        contribution.note = reason[:2000]
        audit.record(
            session, "contribution.card_failed", contribution, data={"reason": reason[:500]}
        )


def by_payment_intent(
    session: Session, payment_intent_id: str | None, *, lock: bool = True
) -> Contribution:
    stmt = select(Contribution).where(Contribution.payment_intent_id == (payment_intent_id or ""))
    if lock:
        stmt = stmt.with_for_update(of=Contribution)
    contribution = session.execute(stmt).unique().scalar_one_or_none()
    if contribution is None or not payment_intent_id:
        raise NotFound(f"no contribution is waiting for PaymentIntent {payment_intent_id!r}")
    return contribution


def card_paid(
    session: Session,
    contribution: Contribution,
    *,
    amount_minor: int,
    currency: str,
    fee_minor: int | None,
) -> bool:
    """Stripe says the money arrived: record it once. Returns False if it already was."""
    if contribution.received_minor > 0:
        return False
    if currency.upper() != contribution.base_currency or amount_minor <= 0:
        raise ValidationError(
            "the payment's currency or amount does not match the gift",
            fields={"amount": "mismatch"},
        )
    try:
        postings.receipt(
            session,
            donor_id=contribution.donor_id,
            donor_name=contribution.donor.display_name,
            amount_minor=amount_minor,
            memo=f"Card gift {contribution.payment_intent_id}",
            external_id=f"stripe:{contribution.payment_intent_id}",
        )
    except Duplicate:
        return False
    if fee_minor:
        postings.fee(
            session,
            donor_id=contribution.donor_id,
            amount_minor=min(fee_minor, amount_minor),
            memo=f"Card fee for {contribution.payment_intent_id}",
            external_id=f"stripe-fee:{contribution.payment_intent_id}",
        )
        contribution.fee_minor = min(fee_minor, amount_minor)
    contribution.base_amount_minor = contribution.original_amount_minor = amount_minor
    contribution.received_minor = amount_minor
    contribution.status = ContributionStatus.RECEIVED
    contribution.received_at = utcnow()
    audit.record(
        session,
        "contribution.card_paid",
        contribution,
        data={"amount": amount_minor, "fee": fee_minor},
    )
    _after_money_in(session, contribution)
    return True


def money_returned(
    session: Session,
    contribution: Contribution,
    *,
    kind: TransactionKind,
    external_id: str,
    amount_minor: int,
    memo: str,
) -> bool:
    """A refund or a lost dispute, once per provider id. Returns False for a replay."""
    amount_minor = min(amount_minor, contribution.received_minor - contribution.refunded_minor)
    if amount_minor <= 0:
        return False
    try:
        postings.money_back(
            session,
            kind,
            donor_id=contribution.donor_id,
            donor_name=contribution.donor.display_name,
            amount_minor=amount_minor,
            external_id=external_id,
            memo=memo,
        )
    except Duplicate:
        return False
    contribution.refunded_minor += amount_minor
    if contribution.refunded_minor >= contribution.received_minor:
        contribution.status = ContributionStatus.REFUNDED
    audit.record(
        session,
        f"contribution.{kind.value}",
        contribution,
        data={"amount": amount_minor, "external_id": external_id},
    )
    return True
