"""The only module that talks to Stripe (or to localstripe, through STRIPE_API_BASE)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

import stripe
from flask import current_app

log = logging.getLogger(__name__)


class StripeUnavailable(Exception):
    """Card giving is off, or Stripe could not be reached."""


def card_giving_enabled() -> bool:
    cfg = current_app.config
    return bool(
        cfg.get("STRIPE_SECRET_KEY")
        and cfg.get("STRIPE_PUBLISHABLE_KEY")
        and cfg.get("STRIPE_WEBHOOK_SECRET")
    )


def _client() -> stripe.StripeClient:
    cfg = current_app.config
    if not card_giving_enabled():
        raise StripeUnavailable("card giving is switched off: no Stripe keys are configured")
    base = cfg.get("STRIPE_API_BASE") or None
    return stripe.StripeClient(
        cfg["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=2,
    )


@dataclass(frozen=True)
class GiftIntent:
    """What Stripe is asked for one card gift: the key makes a retried request harmless."""

    contribution_id: int
    donor_id: int
    amount_minor: int
    currency: str
    idempotency_key: str


def create_payment_intent(gift: GiftIntent) -> tuple[str, str]:
    """Create the PaymentIntent; the same idempotency key never charges twice. The gift's id
    rides in the metadata, so a webhook can find the gift if the intent was never attached."""
    try:
        intent = _client().v1.payment_intents.create(
            params=cast(
                Any,
                {
                    "amount": gift.amount_minor,
                    "currency": gift.currency.lower(),
                    "payment_method_types": ["card"],
                    # The description rides in the metadata: localstripe refuses the field.
                    "metadata": {
                        "contribution_id": str(gift.contribution_id),
                        "donor_id": str(gift.donor_id),
                        "description": "Gift to the Small Projects Trust Fund"
                        f" ({gift.contribution_id})",
                    },
                },
            ),
            options={"idempotency_key": gift.idempotency_key},
        )
    except stripe.StripeError as error:
        log.warning("Stripe refused the PaymentIntent: %s", error)
        raise StripeUnavailable(str(error.user_message or error)) from error
    return str(intent.id), str(intent.client_secret)


def client_secret_of(payment_intent_id: str) -> str:
    """The client secret of a PaymentIntent already created (the payment page reloaded)."""
    try:
        intent = _client().v1.payment_intents.retrieve(payment_intent_id)
    except stripe.StripeError as error:
        log.warning("Stripe could not find %s: %s", payment_intent_id, error)
        raise StripeUnavailable(str(error.user_message or error)) from error
    return str(intent.client_secret)


def fee_for_balance_transaction(txn_id: str | None, currency: str) -> int | None:
    """The fee of one balance transaction, or None when it cannot be known now."""
    if not txn_id:
        return None
    try:
        txn = _client().v1.balance_transactions.retrieve(str(txn_id))
    except (stripe.StripeError, StripeUnavailable) as error:
        log.info("balance transaction %s not known yet: %s", txn_id, error)
        return None
    if str(getattr(txn, "currency", "")).upper() != currency:
        return None
    return int(getattr(txn, "fee", 0) or 0)


def fee_for_charge(charge_id: str | None, currency: str) -> int | None:
    """Stripe's fee for a charge, from its balance transaction, when Stripe tells us; None
    when it cannot be known now (no balance transaction yet, Stripe unreachable)."""
    if not charge_id:
        return None
    try:
        charge = _client().v1.charges.retrieve(charge_id)
    except (stripe.StripeError, StripeUnavailable) as error:
        log.info("fee for %s not known yet: %s", charge_id, error)
        return None
    return fee_for_balance_transaction(getattr(charge, "balance_transaction", None), currency)


def refunds_of_charge(charge_id: str) -> list[dict[str, Any]]:
    """Every refund of a charge (newer API versions leave them out of `charge.refunded`)."""
    try:
        page = _client().v1.refunds.list(params={"charge": charge_id, "limit": 100})
        return [refund.to_dict() for refund in page.auto_paging_iter()]
    except stripe.StripeError as error:
        log.warning("refunds of %s could not be listed: %s", charge_id, error)
        raise StripeUnavailable(str(error.user_message or error)) from error


def verify_webhook(payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event, if the signature is Stripe's and fresh; raises ValueError otherwise."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise ValueError("webhooks are not configured")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=300)
    except stripe.SignatureVerificationError as error:
        raise ValueError("bad or stale signature") from error
    except ValueError as error:
        raise ValueError("malformed payload") from error
    data = event.to_dict() if hasattr(event, "to_dict") else dict(event)
    return data
