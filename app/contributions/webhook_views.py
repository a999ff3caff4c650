"""POST /stripe/webhook: the signature is checked on the raw body before anything is read."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import IntegrityError

from app.api.core import error_response
from app.contributions import stripe_gateway, webhooks
from app.contributions.models import StripeEvent
from app.core.audit import audit_origin
from app.core.errors import DomainError
from app.extensions import db

bp = Blueprint("stripe", __name__)
log = logging.getLogger(__name__)


@bp.post("/stripe/webhook")
def webhook() -> Response:
    audit_origin.set("stripe webhook")
    payload = request.get_data(cache=False)
    try:
        event = stripe_gateway.verify_webhook(payload, request.headers.get("Stripe-Signature"))
    except ValueError as error:
        return error_response(400, "bad_signature", str(error))
    # Stripe's API is asked what the event leaves out before the database is touched, so no
    # row (and on SQLite, not the database) stays locked while Stripe answers.
    try:
        lookups = webhooks.prepare(event)
    except stripe_gateway.StripeUnavailable as error:
        log.warning("Stripe event %s postponed: %s", event.get("id"), error)
        return error_response(503, "stripe_unavailable", f"try again later: {error}")
    try:
        outcome = webhooks.handle(db.session(), event, lookups)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        log.warning("Stripe event %s refused: %s", event.get("id"), error.message)
        return error_response(
            400 if error.status in (404, 422) else error.status, error.code, error.message
        )
    except IntegrityError:
        # The same event, delivered twice at the same moment, was stored by the other delivery.
        db.session.rollback()
        if db.session.get(StripeEvent, str(event.get("id") or "")) is None:
            raise
        return jsonify(received=True, outcome=webhooks.DUPLICATE)
    return jsonify(received=True, outcome=outcome)
