"""Stripe's webhook signing scheme, for events that localstripe cannot send."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

WEBHOOK_SECRET = "whsec_test_secret_for_sptf"


def signature(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def event(kind: str, obj: dict[str, Any], event_id: str) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": obj},
            "api_version": "2024-06-20",
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None},
        }
    ).encode()


def intent(
    pi_id: str,
    amount: int,
    currency: str = "usd",
    charge: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount,
        "currency": currency,
        "status": "succeeded",
        "latest_charge": charge,
        "metadata": metadata or {},
    }


def refunded_charge(
    pi_id: str,
    amount: int,
    refunds: list[tuple[str, int]],
    currency: str = "usd",
    *,
    with_list: bool = True,
) -> dict[str, Any]:
    """A refunded Charge; newer API versions send it without its refund list."""
    charge = {
        "id": f"ch_{pi_id[3:]}",
        "object": "charge",
        "payment_intent": pi_id,
        "amount": amount,
        "currency": currency,
        "amount_refunded": sum(a for _r, a in refunds),
        "refunds": {
            "object": "list",
            "data": [
                {"id": r, "object": "refund", "amount": a, "status": "succeeded"}
                for r, a in refunds
            ],
        },
    }
    if not with_list:
        del charge["refunds"]
    return charge


def dispute(
    dispute_id: str, pi_id: str, amount: int, status: str = "needs_response"
) -> dict[str, Any]:
    return {
        "id": dispute_id,
        "object": "dispute",
        "payment_intent": pi_id,
        "charge": f"ch_{pi_id[3:]}",
        "amount": amount,
        "currency": "usd",
        "status": status,
        "reason": "fraudulent",
    }


def send(client: Any, kind: str, obj: dict[str, Any], event_id: str, **signing: Any) -> Any:
    """POST a signed event to the app's webhook, as Stripe would."""
    payload = event(kind, obj, event_id)
    return client.post(
        "/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": signature(payload, **signing)},
    )


def refund(refund_id: str, pi_id: str, amount: int, status: str = "succeeded") -> dict[str, Any]:
    """A Refund object, as in refund.created / refund.updated / charge.refund.updated."""
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "currency": "usd",
        "charge": f"ch_{pi_id[3:]}",
        "payment_intent": pi_id,
        "status": status,
    }
