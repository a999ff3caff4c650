"""Card fees Stripe did not know when the payment was recorded (no balance transaction yet,
or Stripe out of reach): looked up again by `jobs run`, outside any database transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.contributions import services, stripe_gateway
from app.core.money import fund_currency


def record_unknown_fees(session: Session) -> str:
    """A job: the look-ups happen with nothing locked, then each fee is recorded under the
    fund lock (once: a fee recorded meanwhile by a `charge.updated` event is kept)."""
    pending = services.unknown_fees(session)
    currency = fund_currency()
    session.commit()  # nothing stays locked while Stripe answers
    found = [(cid, stripe_gateway.fee_for_charge(charge, currency)) for cid, charge in pending]
    recorded = 0
    for contribution_id, fee in found:
        if fee is not None and services.record_fee(
            session, services.locked(session, contribution_id), fee
        ):
            recorded += 1
    return f"{recorded} fee(s) recorded"
