"""A card gift, from the donor's amount to the PaymentIntent its browser confirms: one flow
for the giving page and for `POST /api/v1/donations`.

This flow owns its transactions, like `fees.py`: it ends the transaction before calling
Stripe (nothing stays locked while Stripe answers, and the gift's idempotency key is saved
first, so a retried request can never charge twice), and saves what Stripe answered before
it returns or refuses. The money itself is recorded by the signed webhook (webhooks.py).

When Stripe refuses to create the PaymentIntent, or cannot be reached, the gift is marked
failed with the reason (the donor's list shows what became of it; nobody can pay it without
the intent's client secret, and a new gift gets a new key) and `CardRefused` says why. When
only re-reading an intent already created fails, the gift stays pending: the payment page
can be opened again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.auth.models import User
from app.contributions import services, stripe_gateway
from app.contributions.models import Contribution
from app.core.errors import Conflict


class CardRefused(Conflict):
    """Stripe did not give the gift its PaymentIntent (409 in the API); `reason` is Stripe's."""

    def __init__(self, reason: str) -> None:
        super().__init__(_("the card processor refused the payment: %(error)s", error=reason))
        self.reason = reason


class GiftExpired(Conflict):
    """Too late to create the PaymentIntent safely under the gift's idempotency key."""


@dataclass(frozen=True)
class Payment:
    """What the browser needs to confirm the card with Stripe's Payment Element."""

    contribution: Contribution
    payment_intent_id: str
    client_secret: str


def start(session: Session, donor: User, amount: Any, currency: str | None = None) -> Contribution:
    """The pending gift and its idempotency key (committed by the request)."""
    if not stripe_gateway.card_giving_enabled():
        raise Conflict(
            _(
                "card giving is switched off (no Stripe keys configured);"
                " pledges and transfers still work"
            )
        )
    return services.start_card_gift(session, donor, amount, currency)


def pay(session: Session, donor: User, contribution_id: int) -> Payment:
    """The gift's PaymentIntent, created once under its idempotency key (a reloaded payment
    page reads the same intent again)."""
    contribution = services.get_for(session, donor, contribution_id)
    if services.intent_expired(contribution):
        services.mark_failed(session, contribution, "the payment page was not opened in time")
        session.commit()
        raise GiftExpired(_("This gift has expired before it was paid. Please start again."))
    attached = contribution.payment_intent_id
    gift = services.intent_request(contribution)
    session.commit()  # the key is saved, and nothing stays locked while Stripe answers
    try:
        if attached:
            intent_id, client_secret = attached, stripe_gateway.client_secret_of(attached)
        else:
            intent_id, client_secret = stripe_gateway.create_payment_intent(gift)
    except stripe_gateway.StripeUnavailable as error:
        if not attached:
            failed = services.get_for(session, donor, contribution_id, lock=True)
            services.mark_failed(session, failed, str(error))
            session.commit()
        raise CardRefused(str(error)) from error
    contribution = services.get_for(session, donor, contribution_id, lock=True)
    if contribution.payment_intent_id is None:
        services.attach_payment_intent(session, contribution, intent_id)
    session.commit()
    return Payment(contribution, intent_id, client_secret)
