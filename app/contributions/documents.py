"""Receipts and donor statements (PDF)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.contributions.models import Contribution
from app.core import audit
from app.core.database import today
from app.core.errors import ValidationError
from app.core.money import Money, fund_currency
from app.core.pdf import render_pdf
from app.ledger import services as ledger
from app.ledger.models import LedgerTransaction, TransactionKind

PROMISES = frozenset({TransactionKind.PLEDGE, TransactionKind.PLEDGE_CANCELLATION})


def receipt_pdf(contribution: Contribution) -> bytes:
    return render_pdf("pdf/receipt.html", contribution=contribution, issued=today())


def statement_pdf(session: Session, donor: User, date_from: date, date_to: date) -> bytes:
    if date_to < date_from:
        raise ValidationError(
            _("the period ends before it starts"), fields={"date_to": "before the start"}
        )
    if (date_to - date_from).days > 366 * 10:
        raise ValidationError(
            _("a statement covers at most ten years"), fields={"date_from": "too long"}
        )
    transactions: Sequence[LedgerTransaction] = (
        session.execute(
            select(LedgerTransaction)
            .where(
                LedgerTransaction.donor_id == donor.id,
                LedgerTransaction.effective_on >= date_from,
                LedgerTransaction.effective_on <= date_to,
            )
            .order_by(LedgerTransaction.effective_on, LedgerTransaction.id)
        )
        .scalars()
        .all()
    )
    currency = fund_currency()
    rows = []
    total = 0
    for t in transactions:
        given = -sum(e.amount_minor for e in t.entries if e.account.category == "contributions")
        if t.kind_enum is TransactionKind.PLEDGE_RECEIPT:
            given = sum(e.amount_minor for e in t.entries if e.account.category == "cash")
        if t.kind_enum is TransactionKind.FEE or given == 0:
            continue
        # A pledge is a promise, and cancelling (part of) one takes back a promise, not a
        # gift: only money received, refunded or corrected counts in the total given.
        if t.kind_enum not in PROMISES:
            total += given
        rows.append((t, Money(given, currency)))
    position = ledger.position(session)
    disbursed = (
        session.execute(
            select(LedgerTransaction)
            .where(
                LedgerTransaction.kind == TransactionKind.DISBURSEMENT,
                LedgerTransaction.effective_on >= date_from,
                LedgerTransaction.effective_on <= date_to,
            )
            .order_by(LedgerTransaction.effective_on)
        )
        .scalars()
        .all()
    )
    paid = [
        (
            t,
            Money(
                sum(e.amount_minor for e in t.entries if e.account.category == "disbursements"),
                currency,
            ),
        )
        for t in disbursed
    ]
    return render_pdf(
        "pdf/statement.html",
        donor=donor,
        date_from=date_from,
        date_to=date_to,
        rows=rows,
        total=Money(total, currency),
        position=position,
        paid=paid,
        latest_hash=audit.latest_hash(session),
        issued=today(),
    )
