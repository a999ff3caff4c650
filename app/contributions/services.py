"""Recording contributions: bank transfers and pledges (secretariat), card gifts (donors, with
Stripe's webhook as the only proof of payment), refunds and disputes, receipts.

Longer than our ~500 lines for now: money in, in every form, is recorded here with the one
lock order and the one set of postings, and the security review under way reads it whole;
corrections, card gifts (card_gifts.py), fees and the webhook are already apart. To be split
by kind of contribution once that review has landed."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.services import find_user_by_email
from app.contributions.models import Contribution, ContributionKind, ContributionStatus
from app.contributions.stripe_gateway import GiftIntent
from app.core import audit, mail
from app.core.database import today, utcnow
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from app.core.i18n import money_text, status_word
from app.core.money import Money, MoneyError, fund_currency, parse_amount
from app.core.money import convert as convert_money
from app.core.numbers import whole_number
from app.core.pagination import Page, paginate
from app.core.permissions import require_role
from app.core.roles import Role
from app.core.sequences import yearly_reference
from app.grants import funding
from app.ledger import postings
from app.ledger import services as ledger
from app.ledger.models import Category, LedgerTransaction, TransactionKind
from app.ledger.services import Duplicate


def _money(value: Any, currency: str) -> Money:
    try:
        return parse_amount(value, currency)
    except MoneyError as error:
        raise ValidationError(
            _("amount: %(error)s", error=str(error)), fields={"amount": str(error)}
        ) from None


def convert(original: Money, rate: Any, *, stored: bool = False) -> tuple[str, int]:
    """(rate as text, amount in the fund's currency). Same currency: rate 1."""
    return convert_money(original, rate, fund_currency(), stored=stored)


def find_donor(session: Session, email: str) -> User:
    user = find_user_by_email(session, email)
    if user is None or user.role_enum is not Role.DONOR:
        raise ValidationError(
            _("no donor account with e-mail %(email)s", email=email),
            fields={"donor_email": "unknown donor"},
        )
    return user


def _receipt_number(session: Session) -> str:
    return yearly_reference(session, "R", today().year)


def _after_money_in(session: Session, contribution: Contribution) -> None:
    """A receipt is issued, the donor told, and waiting grants committed in this transaction."""
    if contribution.receipt_number is None:
        contribution.receipt_number = _receipt_number(session)
    mail.queue(session, contribution.donor, "contribution_received", {"contribution": contribution})
    funding.commit_waiting(session)


# -- who sees what ----------------------------------------------------------------------------------


def visible_query(user: User) -> Select[Any]:
    stmt = select(Contribution)
    if user.role_enum is Role.DONOR:
        return stmt.where(Contribution.donor_id == user.id)
    if user.role_enum in (Role.SECRETARIAT, Role.AUDITOR):
        return stmt
    raise PermissionDenied(_("your role does not see contributions"))


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
        ledger.lock_fund(session)  # the fund first, then the contribution (as postings do)
        stmt = stmt.with_for_update(of=Contribution).execution_options(populate_existing=True)
    contribution = session.execute(stmt).unique().scalar_one_or_none()
    if contribution is None:
        raise NotFound(_("no such contribution"))
    return contribution


# -- bank transfers and pledges (the secretariat) ---------------------------------------------------------


# A bank reference is part of the ledger's external id (`bank:{donor}:{reference}`,
# `pledge:{pledge}:{reference}`, at most 120 characters): it is refused beyond this length,
# never cut, so the id always names the whole reference.
REFERENCE_MAX = 100


def _reference(reference: str | None, *, required: str = "") -> str:
    """The reference, trimmed; `required` is the message when it may not be empty."""
    reference = (reference or "").strip()
    if required and not reference:
        raise ValidationError(required, fields={"reference": "required"})
    if len(reference) > REFERENCE_MAX:
        raise ValidationError(
            _("the reference is at most %(max)s characters long", max=REFERENCE_MAX),
            fields={"reference": "too long"},
        )
    return reference


def _duplicate_transfer(reference: str) -> Conflict:
    return Conflict(
        _(
            "a transfer from this donor with reference %(reference)s is already recorded",
            reference=reference,
        ),
        fields={"reference": "duplicate"},
    )


def _duplicate_payment(reference: str) -> Conflict:
    return Conflict(
        _(
            "a payment with reference %(reference)s is already recorded on this pledge",
            reference=reference,
        ),
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
    reference = _reference(reference, required=_("give the bank reference of the transfer"))
    original = _money(amount, currency)
    rate_text, base = convert(original, rate)
    if ledger.is_posted(session, f"bank:{donor.id}:{reference}"):
        # Checked before anything is written; the ledger's own check under its lock still
        # catches two clerks recording the same transfer at the same moment.
        raise _duplicate_transfer(reference)
    if received_on is not None and received_on > today():
        raise ValidationError(
            _("a transfer cannot be received in the future"),
            fields={"received_on": "in the future"},
        )
    contribution = Contribution(
        donor_id=donor.id,
        kind=ContributionKind.BANK,
        status=ContributionStatus.RECEIVED,
        original_amount_minor=original.amount_minor,
        original_currency=original.currency,
        rate=rate_text,
        base_amount_minor=base,
        base_currency=fund_currency(),
        received_minor=base,
        received_original_minor=original.amount_minor,
        reference=reference,
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
    reference = _reference(reference)
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
        base_currency=fund_currency(),
        reference=reference,
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
    rate: Any = None,
) -> Contribution:
    """Money arrives against a pledge, in the pledge's currency. A pledge is owed in its own
    currency: what is outstanding is counted there, so the payment that brings it to zero
    settles the pledge whatever the rounding. The payment is booked at the day's `rate`
    (the pledge's when not given); the part of the receivable it settles is at the pledge's
    rate (the last payment settles all that is left), and the difference is an exchange gain
    or loss."""
    require_role(actor, Role.SECRETARIAT)
    if (
        contribution.kind_enum is not ContributionKind.PLEDGE
        or contribution.status_enum is not ContributionStatus.PLEDGED
    ):
        raise Conflict(
            _(
                "only an open pledge receives payments (this one is %(status)s)",
                status=status_word(contribution.status_enum),
            )
        )
    reference = _reference(reference, required=_("give the bank reference of the payment"))
    external_id = f"pledge:{contribution.id}:{reference}"
    if ledger.is_posted(session, external_id):
        # A form sent twice would book the same money twice: refused before anything is
        # written (and by the ledger's unique external id under its lock).
        raise _duplicate_payment(reference)
    paid = _money(amount, contribution.original_currency)
    owed = contribution.outstanding_original
    if paid.amount_minor > owed.amount_minor:
        raise ValidationError(
            _(
                "that is more than the %(amount)s still pledged;"
                " record the excess as a new contribution",
                amount=money_text(owed),
            ),
            fields={"amount": "above the pledge"},
        )
    day_rate = contribution.rate if rate in (None, "") else rate
    rate_text, cash = convert(paid, day_rate, stored=rate in (None, ""))
    remaining_base = contribution.base_amount_minor - contribution.received_minor
    if paid.amount_minor == owed.amount_minor:
        settles = remaining_base
    else:
        _pledge_rate, at_pledge_rate = convert(paid, contribution.rate, stored=True)
        settles = min(at_pledge_rate, remaining_base)
    try:
        postings.pledge_receipt(
            session,
            donor_id=contribution.donor_id,
            donor_name=contribution.donor.display_name,
            amount_minor=cash,
            settles_minor=settles,
            actor=actor,
            memo=f"Payment {reference} on pledge {contribution.id} ({paid}"
            + (f" at {rate_text}" if contribution.is_foreign else "")
            + ")",
            external_id=external_id,
            effective_on=received_on,
        )
    except Duplicate:
        raise _duplicate_payment(reference) from None
    contribution.received_minor += settles
    contribution.received_original_minor += paid.amount_minor
    if contribution.received_original_minor == contribution.original_amount_minor:
        contribution.status = ContributionStatus.RECEIVED
        contribution.received_at = utcnow()
    audit.record(
        session,
        "contribution.pledge_payment",
        contribution,
        actor=actor,
        data={
            "amount": str(paid),
            "rate": rate_text,
            "base": cash,
            "settles": settles,
            "exchange_difference": cash - settles,
            "reference": reference,
        },
    )
    _after_money_in(session, contribution)
    return contribution


# -- card gifts (Stripe) -----------------------------------------------------------------------------------------


def start_card_gift(
    session: Session, donor: User, amount: Any, currency: str | None = None
) -> Contribution:
    """The pending gift and its idempotency key, committed before Stripe is called."""
    if donor.role_enum is not Role.DONOR:
        raise PermissionDenied(_("only donors give by card"))
    currency = (currency or fund_currency()).strip().upper()
    money = _money(amount, currency)
    if money.currency != fund_currency():
        raise ValidationError(
            _(
                "card gifts are made in the fund's currency, %(currency)s;"
                " transfers can be in any currency",
                currency=fund_currency(),
            ),
            fields={"currency": "not the fund currency"},
        )
    contribution = Contribution(
        donor_id=donor.id,
        kind=ContributionKind.CARD,
        status=ContributionStatus.PENDING,
        original_amount_minor=money.amount_minor,
        original_currency=money.currency,
        base_amount_minor=money.amount_minor,
        base_currency=fund_currency(),
        idempotency_key=f"sptf-gift-{uuid.uuid4()}",
    )
    session.add(contribution)
    session.flush()
    audit.record(
        session, "contribution.card_start", contribution, actor=donor, data={"amount": str(money)}
    )
    return contribution


# A card gift whose payment page was not reached within Stripe's idempotency window (24 h)
# could get a second PaymentIntent; it expires instead and the donor starts again.
INTENT_WINDOW = timedelta(hours=23)


def attach_payment_intent(
    session: Session, contribution: Contribution, payment_intent_id: str
) -> None:
    """Attach the PaymentIntent Stripe created for this gift (once: never replaced)."""
    if contribution.payment_intent_id not in (None, payment_intent_id):
        raise Conflict(_("this gift already has its payment"))
    contribution.payment_intent_id = payment_intent_id
    contribution.reference = payment_intent_id


def intent_request(contribution: Contribution) -> GiftIntent:
    return GiftIntent(
        contribution_id=contribution.id,
        donor_id=contribution.donor_id,
        amount_minor=contribution.original_amount_minor,
        currency=contribution.original_currency,
        idempotency_key=contribution.idempotency_key or f"sptf-gift-{contribution.id}",
    )


def mark_failed(session: Session, contribution: Contribution, reason: str) -> None:
    if contribution.status_enum is ContributionStatus.PENDING:
        contribution.status = ContributionStatus.FAILED
        contribution.note = reason[:2000]
        audit.record(
            session, "contribution.card_failed", contribution, data={"reason": reason[:500]}
        )


def intent_expired(contribution: Contribution) -> bool:
    """No PaymentIntent yet, and too late to create one safely under its idempotency key."""
    created = contribution.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return contribution.payment_intent_id is None and utcnow() - created > INTENT_WINDOW


def _find(session: Session, where: Any, *, lock: bool) -> Contribution | None:
    stmt = select(Contribution).where(where)
    if lock:
        ledger.lock_fund(session)
        stmt = stmt.with_for_update(of=Contribution).execution_options(populate_existing=True)
    return session.execute(stmt).unique().scalar_one_or_none()


def locked(session: Session, contribution_id: int) -> Contribution:
    """A contribution for the system's own work (jobs), locked after the fund."""
    contribution = _find(session, Contribution.id == contribution_id, lock=True)
    if contribution is None:
        raise NotFound(_("no such contribution"))
    return contribution


def by_payment_intent(
    session: Session,
    payment_intent_id: str | None,
    *,
    lock: bool = True,
    metadata: Mapping[str, Any] | None = None,
) -> Contribution:
    """The gift a PaymentIntent pays for. If the app stopped between creating the intent and
    attaching it, the intent's metadata names the gift: it is attached now, if it still waits
    for one and is for the same amount."""
    if lock:
        ledger.lock_fund(session)  # the fund first, then the contribution (as postings do)

    def find(where: Any) -> Contribution | None:
        return _find(session, where, lock=lock)

    contribution = (
        find(Contribution.payment_intent_id == payment_intent_id) if payment_intent_id else None
    )
    wanted = whole_number((metadata or {}).get("contribution_id"))
    if contribution is None and payment_intent_id and wanted is not None:
        orphan = find(Contribution.id == wanted)
        if (
            orphan is not None
            and orphan.kind_enum is ContributionKind.CARD
            and orphan.payment_intent_id is None
            and str((metadata or {}).get("donor_id") or orphan.donor_id) == str(orphan.donor_id)
        ):
            attach_payment_intent(session, orphan, payment_intent_id)
            audit.record(
                session,
                "contribution.card_attach",
                orphan,
                data={"payment_intent": payment_intent_id, "from": "metadata"},
            )
            contribution = orphan
    if contribution is None:
        raise NotFound(
            _(
                "no contribution is waiting for PaymentIntent %(intent)s",
                intent=repr(payment_intent_id),
            )
        )
    return contribution


def card_paid(
    session: Session,
    contribution: Contribution,
    *,
    amount_minor: int,
    currency: str,
    fee_minor: int | None,
    charge_id: str | None = None,
) -> bool:
    """Stripe says the money arrived: record it once. Returns False if it already was.
    `fee_minor` None: Stripe does not know the fee yet (it is recorded later)."""
    if contribution.received_minor > 0:
        return False
    if currency.upper() != contribution.base_currency or amount_minor <= 0:
        raise ValidationError(
            _("the payment's currency or amount does not match the gift"),
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
    contribution.base_amount_minor = contribution.original_amount_minor = amount_minor
    contribution.received_minor = contribution.received_original_minor = amount_minor
    contribution.charge_id = charge_id or contribution.charge_id
    contribution.fee_known = False
    contribution.status = ContributionStatus.RECEIVED
    contribution.received_at = utcnow()
    audit.record(
        session,
        "contribution.card_paid",
        contribution,
        data={"amount": amount_minor, "fee": fee_minor},
    )
    if fee_minor is not None:
        _post_fee(session, contribution, fee_minor)
    _after_money_in(session, contribution)
    return True


def _post_fee(session: Session, contribution: Contribution, fee_minor: int) -> int:
    fee = max(0, min(fee_minor, contribution.received_minor))
    if fee:
        postings.fee(
            session,
            donor_id=contribution.donor_id,
            amount_minor=fee,
            memo=f"Card fee for {contribution.payment_intent_id}",
            external_id=f"stripe-fee:{contribution.payment_intent_id}",
        )
    contribution.fee_minor = fee
    contribution.fee_known = True
    return fee


def record_fee(
    session: Session, contribution: Contribution, fee_minor: int, *, charge_id: str | None = None
) -> bool:
    """Stripe's fee, learnt after the payment was recorded (a `charge.updated` event or the
    `jobs run` look-up). Once per gift; the fee leaves the cash, so grants not yet accepted
    may go back to the queue (funding.after_money_out)."""
    if contribution.fee_known or contribution.received_minor == 0:
        return False
    contribution.charge_id = charge_id or contribution.charge_id
    fee = _post_fee(session, contribution, fee_minor)
    audit.record(session, "contribution.card_fee", contribution, data={"fee": fee})
    if fee:
        funding.after_money_out(session)
    return True


def unknown_fees(session: Session, *, limit: int = 100) -> list[tuple[int, str]]:
    """(contribution id, charge id) of card gifts whose fee Stripe had not told us yet."""
    rows = session.execute(
        select(Contribution.id, Contribution.charge_id)
        .where(
            Contribution.kind == ContributionKind.CARD,
            Contribution.fee_known.is_(False),
            Contribution.received_minor > 0,
            Contribution.charge_id.is_not(None),
        )
        .order_by(Contribution.id)
        .limit(limit)
    ).all()
    return [(int(i), str(c)) for i, c in rows]


RETURNED = {TransactionKind.REFUND: "refunded_minor", TransactionKind.DISPUTE: "disputed_minor"}


def _settle_status(contribution: Contribution) -> None:
    contribution.status = (
        ContributionStatus.REFUNDED if contribution.kept_minor <= 0 else ContributionStatus.RECEIVED
    )


def money_returned(
    session: Session,
    contribution: Contribution,
    *,
    kind: TransactionKind,
    external_id: str,
    amount_minor: int,
    memo: str,
) -> bool:
    """A refund or a dispute's withdrawal, once per provider id. Returns False for a replay.
    It has already happened at the card processor, so it is recorded whatever the fund's
    position; then funding.after_money_out restores the rule that commitments are covered."""
    amount_minor = min(amount_minor, contribution.kept_minor)
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
    field = RETURNED[kind]
    setattr(contribution, field, getattr(contribution, field) + amount_minor)
    _settle_status(contribution)
    audit.record(
        session,
        f"contribution.{kind.value}",
        contribution,
        data={"amount": amount_minor, "external_id": external_id},
    )
    put_back = funding.after_money_out(session)
    if put_back:
        audit.record(
            session,
            "fund.shortfall",
            contribution,
            data={"returned_to_queue": [g.reference for g in put_back]},
        )
    return True


def money_restored(
    session: Session,
    contribution: Contribution,
    *,
    external_id: str,
    reversal_id: str,
    memo: str,
) -> bool:
    """A refund that failed, or a dispute whose funds were reinstated: the posting of
    `external_id` is reversed (once, under `reversal_id`) and the money is the fund's again.
    Returns False if there is nothing to reverse or it already was."""
    original = session.execute(
        select(LedgerTransaction).where(LedgerTransaction.external_id == external_id)
    ).scalar_one_or_none()
    if original is None or ledger.is_posted(session, reversal_id):
        return False
    try:
        ledger.reverse(session, original, memo=memo, external_id=reversal_id)
    except (Conflict, Duplicate):
        return False
    restored = sum(
        e.amount_minor for e in original.entries if e.account.category == Category.CONTRIBUTIONS
    )
    field = RETURNED[original.kind_enum]
    setattr(contribution, field, max(0, getattr(contribution, field) - restored))
    _settle_status(contribution)
    audit.record(
        session,
        "contribution.money_restored",
        contribution,
        data={"amount": restored, "external_id": reversal_id},
    )
    funding.commit_waiting(session)
    return True
