"""Stripe webhook events → the ledger. Every event is recorded by id; every money movement
is keyed by its Stripe object id (PaymentIntent, refund, dispute), so retries, duplicates and
events arriving out of order change nothing twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.contributions import services
from app.contributions.models import Contribution, ContributionStatus, StripeEvent
from app.contributions.stripe_gateway import fee_for_charge
from app.core.errors import Conflict, ValidationError
from app.ledger import services as ledger
from app.ledger.models import Category, LedgerTransaction, TransactionKind


def handle(session: Session, event: dict[str, Any]) -> str:
    event_id = str(event.get("id") or "")
    kind = str(event.get("type") or "")
    obj = (event.get("data") or {}).get("object")
    if not event_id or not kind or not isinstance(obj, dict):
        raise ValidationError("not a Stripe event", fields={"event": "malformed"})
    if session.get(StripeEvent, event_id) is not None:
        return "duplicate event"
    handler = HANDLERS.get(kind)
    if handler is None:
        outcome, contribution = "ignored", None
    else:
        outcome, contribution = handler(session, obj)
    session.add(
        StripeEvent(
            id=event_id,
            type=kind,
            contribution_id=contribution.id if contribution else None,
            outcome=outcome,
        )
    )
    return outcome


def _payment_intent_id(obj: dict[str, Any]) -> str | None:
    value = obj.get("payment_intent") or (
        obj.get("id") if str(obj.get("id", "")).startswith("pi_") else None
    )
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _ensure_paid(
    session: Session, contribution: Contribution, amount: int, currency: str, charge_id: str | None
) -> None:
    """An event about a refund or dispute may arrive before payment_intent.succeeded."""
    if contribution.received_minor == 0:
        services.card_paid(
            session,
            contribution,
            amount_minor=amount,
            currency=currency,
            fee_minor=fee_for_charge(charge_id, contribution.base_currency),
        )


def payment_succeeded(session: Session, intent: dict[str, Any]) -> tuple[str, Contribution]:
    contribution = services.by_payment_intent(session, _payment_intent_id(intent))
    amount = int(intent.get("amount_received") or intent.get("amount") or 0)
    currency = str(intent.get("currency", "")).upper()
    charge = intent.get("latest_charge")
    charge_id = charge.get("id") if isinstance(charge, dict) else charge
    fee = fee_for_charge(str(charge_id) if charge_id else None, contribution.base_currency)
    recorded = services.card_paid(
        session, contribution, amount_minor=amount, currency=currency, fee_minor=fee
    )
    return ("recorded" if recorded else "already recorded"), contribution


def payment_failed(session: Session, intent: dict[str, Any]) -> tuple[str, Contribution]:
    contribution = services.by_payment_intent(session, _payment_intent_id(intent))
    error = intent.get("last_payment_error") or {}
    services.mark_failed(
        session, contribution, str(error.get("message") or "the card payment failed")
    )
    return "failed", contribution


def charge_refunded(session: Session, charge: dict[str, Any]) -> tuple[str, Contribution]:
    contribution = services.by_payment_intent(session, _payment_intent_id(charge))
    currency = str(charge.get("currency", "")).upper()
    _ensure_paid(session, contribution, int(charge.get("amount") or 0), currency, charge.get("id"))
    refunds = (charge.get("refunds") or {}).get("data") or []
    recorded = 0
    for refund in refunds:
        if refund.get("status") not in (None, "succeeded", "pending"):
            continue
        recorded += services.money_returned(
            session,
            contribution,
            kind=TransactionKind.REFUND,
            external_id=f"stripe:{refund['id']}",
            amount_minor=int(refund.get("amount") or 0),
            memo=f"Card refund {refund['id']}",
        )
    if not refunds and charge.get("amount_refunded"):
        # Without the refund list, key the refund by the charge and the refunded total.
        recorded += services.money_returned(
            session,
            contribution,
            kind=TransactionKind.REFUND,
            external_id=f"stripe:{charge.get('id')}:refunded:{charge['amount_refunded']}",
            amount_minor=int(charge["amount_refunded"]) - contribution.refunded_minor,
            memo=f"Card refund on {charge.get('id')}",
        )
    return (
        f"{recorded} refund(s) recorded" if recorded else "refunds already recorded"
    ), contribution


def dispute_created(session: Session, dispute: dict[str, Any]) -> tuple[str, Contribution]:
    contribution = services.by_payment_intent(session, _payment_intent_id(dispute))
    currency = str(dispute.get("currency", "")).upper()
    _ensure_paid(
        session, contribution, int(dispute.get("amount") or 0), currency, dispute.get("charge")
    )
    recorded = services.money_returned(
        session,
        contribution,
        kind=TransactionKind.DISPUTE,
        external_id=f"stripe:{dispute['id']}",
        amount_minor=int(dispute.get("amount") or 0),
        memo=f"Card dispute {dispute['id']} ({dispute.get('reason', 'no reason given')})",
    )
    return ("dispute recorded" if recorded else "dispute already recorded"), contribution


def dispute_closed(session: Session, dispute: dict[str, Any]) -> tuple[str, Contribution]:
    contribution = services.by_payment_intent(session, _payment_intent_id(dispute))
    if dispute.get("status") != "won":
        return "dispute lost: nothing more to record", contribution
    original = session.execute(
        select(LedgerTransaction).where(LedgerTransaction.external_id == f"stripe:{dispute['id']}")
    ).scalar_one_or_none()
    if original is None:
        return "won dispute had taken no money", contribution
    try:
        ledger.reverse(
            session,
            original,
            memo=f"Dispute {dispute['id']} won",
            external_id=f"stripe:{dispute['id']}:won",
        )
    except Conflict:  # reversed already: a replay
        return "won dispute already recorded", contribution
    restored = sum(
        e.amount_minor for e in original.entries if e.account.category == Category.CONTRIBUTIONS
    )
    contribution.refunded_minor = max(0, contribution.refunded_minor - restored)
    if contribution.refunded_minor < contribution.received_minor:
        contribution.status = ContributionStatus.RECEIVED
    return "dispute won: money restored", contribution


HANDLERS = {
    "payment_intent.succeeded": payment_succeeded,
    "payment_intent.payment_failed": payment_failed,
    "charge.refunded": charge_refunded,
    "charge.dispute.created": dispute_created,
    "charge.dispute.closed": dispute_closed,
}
