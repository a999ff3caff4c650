"""Stripe webhook events → the ledger.

Every event is stored once by id (a replay, or the same event delivered twice at once, is
answered "duplicate event"); every money movement is keyed by its Stripe object id
(PaymentIntent, refund, dispute), so retries, duplicates and events arriving in any order
change nothing twice:

- a payment is recorded by `payment_intent.succeeded`, or by the first refund or dispute
  event about it if that arrives first;
- a refund is recorded per refund id, from `charge.refunded` (its refund list, or the list
  fetched from Stripe when newer API versions leave it out) or from the refund's own events
  (`refund.created`, `refund.updated`, `charge.refund.updated`); a refund that fails or is
  cancelled gives the money back;
- a dispute's state is read from whichever of its events arrives: an inquiry (`warning_*`)
  moves no money; a dispute whose funds were withdrawn takes them once; one that was won
  (or whose funds were reinstated) gives them back once, after taking them if that event
  had not arrived yet;
- Stripe's fee is recorded when known: looked up before the payment is recorded, or later
  from `charge.updated` or `jobs run`.

Calls to Stripe's API happen in `prepare`, before any database transaction is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.contributions import services, stripe_gateway
from app.contributions.models import Contribution, StripeEvent
from app.core.errors import NotFound, ValidationError
from app.ledger.models import TransactionKind

DUPLICATE = "duplicate event"
# Dispute statuses after the disputed amount was withdrawn from the fund's Stripe balance.
FUNDS_WITHDRAWN = frozenset({"needs_response", "under_review", "won", "lost"})


@dataclass(frozen=True)
class Lookups:
    """What a handler needs from Stripe's API, fetched before the database is touched."""

    fee: int | None = None  # the charge's fee, when Stripe knows it
    refunds: tuple[dict[str, Any], ...] | None = None  # a charge's refunds, when not in the event


def _object(event: dict[str, Any]) -> dict[str, Any]:
    obj = (event.get("data") or {}).get("object")
    return obj if isinstance(obj, dict) else {}


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return str(value) if value else None


def _charge_id(intent: dict[str, Any]) -> str | None:
    return _id(intent.get("latest_charge"))


def _refund_list(charge: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The refunds in the event, or None when the event does not carry them all."""
    refunds = charge.get("refunds")
    if not isinstance(refunds, dict) or refunds.get("has_more"):
        return None
    data = refunds.get("data")
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else None


def prepare(event: dict[str, Any]) -> Lookups:
    """Ask Stripe what the event does not say. Raises StripeUnavailable when something the
    event cannot be recorded without is out of reach (the webhook then answers 503 and
    Stripe delivers the event again later)."""
    kind, obj = str(event.get("type") or ""), _object(event)
    currency = str(obj.get("currency") or "").upper()
    if kind == "payment_intent.succeeded":
        return Lookups(fee=stripe_gateway.fee_for_charge(_charge_id(obj), currency))
    if kind == "charge.updated":
        txn = obj.get("balance_transaction")
        if isinstance(txn, dict):
            fee = int(txn["fee"]) if str(txn.get("currency", "")).upper() == currency else None
            return Lookups(fee=fee)
        return Lookups(fee=stripe_gateway.fee_for_balance_transaction(_id(txn), currency))
    if kind == "charge.refunded" and obj.get("amount_refunded") and _refund_list(obj) is None:
        return Lookups(refunds=tuple(stripe_gateway.refunds_of_charge(str(obj.get("id")))))
    return Lookups()


def handle(session: Session, event: dict[str, Any], lookups: Lookups | None = None) -> str:
    event_id = str(event.get("id") or "")
    kind = str(event.get("type") or "")
    obj = (event.get("data") or {}).get("object")
    if not event_id or not kind or not isinstance(obj, dict):
        raise ValidationError(_("not a Stripe event"), fields={"event": "malformed"})
    if session.get(StripeEvent, event_id) is not None:
        return DUPLICATE
    # Claim the event before doing anything: the same event delivered twice at the same
    # moment waits here for the first delivery's transaction, then finds it stored.
    record = StripeEvent(id=event_id, type=kind, outcome="")
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        return DUPLICATE
    handler = HANDLERS.get(kind)
    if handler is None:
        outcome, contribution = "ignored", None
    else:
        outcome, contribution = handler(session, obj, lookups or Lookups())
    record.outcome = outcome
    record.contribution_id = contribution.id if contribution else None
    return outcome


def _gift(session: Session, obj: dict[str, Any]) -> Contribution:
    intent_id = _id(obj.get("payment_intent")) or (
        str(obj["id"]) if str(obj.get("id", "")).startswith("pi_") else None
    )
    metadata = obj.get("metadata") if str(obj.get("object")) == "payment_intent" else None
    return services.by_payment_intent(
        session, intent_id, metadata=metadata if isinstance(metadata, dict) else None
    )


def _ensure_paid(
    session: Session,
    contribution: Contribution,
    amount: int | None,
    currency: str | None,
    charge_id: str | None,
) -> None:
    """A refund or dispute event may arrive before payment_intent.succeeded: the payment
    is recorded first (its fee, unknown here, is looked up later)."""
    if contribution.received_minor == 0:
        services.card_paid(
            session,
            contribution,
            amount_minor=int(amount or contribution.original_amount_minor),
            currency=(currency or contribution.base_currency).upper(),
            fee_minor=None,
            charge_id=charge_id,
        )


def payment_succeeded(
    session: Session, intent: dict[str, Any], lookups: Lookups
) -> tuple[str, Contribution]:
    contribution = _gift(session, intent)
    amount = int(intent.get("amount_received") or intent.get("amount") or 0)
    currency = str(intent.get("currency", "")).upper()
    charge_id = _charge_id(intent)
    recorded = services.card_paid(
        session,
        contribution,
        amount_minor=amount,
        currency=currency,
        fee_minor=lookups.fee,
        charge_id=charge_id,
    )
    if recorded:
        return "recorded", contribution
    if lookups.fee is not None and services.record_fee(
        session, contribution, lookups.fee, charge_id=charge_id
    ):
        return "already recorded; fee recorded", contribution
    return "already recorded", contribution


def payment_failed(
    session: Session, intent: dict[str, Any], lookups: Lookups
) -> tuple[str, Contribution]:
    contribution = _gift(session, intent)
    error = intent.get("last_payment_error") or {}
    services.mark_failed(
        session, contribution, str(error.get("message") or "the card payment failed")
    )
    return "failed", contribution


def charge_updated(
    session: Session, charge: dict[str, Any], lookups: Lookups
) -> tuple[str, Contribution | None]:
    try:
        contribution = _gift(session, charge)
    except NotFound:  # charges are updated for many reasons: not every one is a gift's
        return "not a gift's charge", None
    if lookups.fee is not None and services.record_fee(
        session, contribution, lookups.fee, charge_id=_id(charge.get("id"))
    ):
        return "fee recorded", contribution
    return "nothing to record", contribution


def _refund(session: Session, contribution: Contribution, refund: dict[str, Any]) -> bool:
    """One refund, by its id: taken once, and given back once if it failed or was cancelled
    (after taking it, if the failure is the first news of it: the order of events does not
    change the outcome). Returns whether anything was recorded."""
    refund_id = str(refund.get("id") or "")
    status = refund.get("status")
    if not refund_id or status not in (None, "pending", "succeeded", "failed", "canceled"):
        return False  # requires_action: nothing has moved yet
    key = f"stripe:{refund_id}"
    taken = services.money_returned(
        session,
        contribution,
        kind=TransactionKind.REFUND,
        external_id=key,
        amount_minor=int(refund.get("amount") or 0),
        memo=f"Card refund {refund_id}",
    )
    given_back = status in ("failed", "canceled") and services.money_restored(
        session,
        contribution,
        external_id=key,
        reversal_id=f"{key}:failed",
        memo=f"Card refund {refund_id} {status}: the money stays with the fund",
    )
    return taken or given_back


def charge_refunded(
    session: Session, charge: dict[str, Any], lookups: Lookups
) -> tuple[str, Contribution]:
    contribution = _gift(session, charge)
    _ensure_paid(
        session, contribution, charge.get("amount"), charge.get("currency"), _id(charge.get("id"))
    )
    refunds = _refund_list(charge)
    if refunds is None:
        refunds = list(lookups.refunds or ())
    recorded = sum(_refund(session, contribution, refund) for refund in refunds)
    return (
        f"{recorded} refund(s) recorded" if recorded else "refunds already recorded"
    ), contribution


def refund_changed(
    session: Session, refund: dict[str, Any], lookups: Lookups
) -> tuple[str, Contribution]:
    contribution = _gift(session, refund)
    _ensure_paid(session, contribution, None, refund.get("currency"), _id(refund.get("charge")))
    recorded = _refund(session, contribution, refund)
    return ("refund recorded" if recorded else "refund already recorded"), contribution


def _dispute(withdrawn: Callable[[str], bool], reinstated: Callable[[str], bool]) -> Any:
    """A handler for one dispute event: which facts the event establishes, from the dispute's
    status, decides what is recorded; each fact is recorded once whatever the order."""

    def handler(
        session: Session, dispute: dict[str, Any], lookups: Lookups
    ) -> tuple[str, Contribution]:
        contribution = _gift(session, dispute)
        status = str(dispute.get("status") or "")
        dispute_id = str(dispute.get("id") or "")
        if not dispute_id or not withdrawn(status):
            return f"dispute {status or 'without status'}: no funds withdrawn", contribution
        # (A dispute's amount may be less than the payment's: the gift's own amount is paid.)
        _ensure_paid(
            session, contribution, None, dispute.get("currency"), _id(dispute.get("charge"))
        )
        key = f"stripe:{dispute_id}"
        taken = services.money_returned(
            session,
            contribution,
            kind=TransactionKind.DISPUTE,
            external_id=key,
            amount_minor=int(dispute.get("amount") or 0),
            memo=f"Card dispute {dispute_id} ({dispute.get('reason') or 'no reason given'})",
        )
        given_back = reinstated(status) and services.money_restored(
            session,
            contribution,
            external_id=key,
            reversal_id=f"{key}:reinstated",
            memo=f"Dispute {dispute_id} won: funds reinstated",
        )
        outcome = " and ".join(
            part
            for part, happened in (
                ("dispute recorded", taken),
                ("funds reinstated", given_back),
            )
            if happened
        )
        return outcome or "dispute already recorded", contribution

    return handler


def _always(_status: str) -> bool:
    return True


def _won(status: str) -> bool:
    return status == "won"


def _withdrawn(status: str) -> bool:
    return status in FUNDS_WITHDRAWN


Handler = Callable[[Session, dict[str, Any], Lookups], tuple[str, Contribution | None]]
HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": payment_succeeded,
    "payment_intent.payment_failed": payment_failed,
    "charge.updated": charge_updated,
    "charge.refunded": charge_refunded,
    "refund.created": refund_changed,
    "refund.updated": refund_changed,
    "refund.failed": refund_changed,
    "charge.refund.updated": refund_changed,
    "charge.dispute.created": _dispute(_withdrawn, _won),
    "charge.dispute.updated": _dispute(_withdrawn, _won),
    "charge.dispute.closed": _dispute(_withdrawn, _won),
    "charge.dispute.funds_withdrawn": _dispute(_always, lambda _s: False),
    "charge.dispute.funds_reinstated": _dispute(_always, _always),
}
