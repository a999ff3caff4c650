"""Corrections of recorded money: a bank transfer recorded by mistake is taken back by two
officers (one asks, another confirms, as for releases); a pledge that will not be paid is
written off by one officer, since no money moves. Both give a reason and are audited."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.contributions.models import Contribution, ContributionKind, ContributionStatus
from app.core import audit
from app.core.database import utcnow
from app.core.errors import Conflict, PermissionDenied, ValidationError
from app.core.permissions import require_role
from app.core.roles import Role
from app.ledger import postings
from app.ledger import services as ledger
from app.ledger.models import LedgerTransaction


def _bank_receipt(session: Session, contribution: Contribution) -> LedgerTransaction:
    receipt = session.execute(
        select(LedgerTransaction).where(
            LedgerTransaction.external_id
            == f"bank:{contribution.donor_id}:{contribution.reference}"
        )
    ).scalar_one_or_none()
    if receipt is None:
        raise Conflict(_("the transfer's ledger transaction was not found"))
    return receipt


def _correctable(contribution: Contribution) -> None:
    if (
        contribution.kind_enum is not ContributionKind.BANK
        or contribution.status_enum is not ContributionStatus.RECEIVED
    ):
        raise Conflict(_("only a received bank transfer can be corrected this way"))


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("give the reason"), fields={"reason": "required"})
    return reason[:2000]


def request_correction(
    session: Session, actor: User, contribution: Contribution, reason: str
) -> None:
    """The maker's step of taking back a transfer recorded by mistake: nothing moves yet."""
    require_role(actor, Role.SECRETARIAT)
    _correctable(contribution)
    if contribution.correction_pending:
        raise Conflict(_("a correction of this transfer is already waiting for a second officer"))
    contribution.correction_reason = _reason(reason)
    contribution.correction_requested_by_id = actor.id
    contribution.correction_requested_at = utcnow()
    audit.record(
        session,
        "contribution.correction_request",
        contribution,
        actor=actor,
        data={"reason": contribution.correction_reason},
    )


def withdraw_correction(session: Session, actor: User, contribution: Contribution) -> None:
    require_role(actor, Role.SECRETARIAT)
    if not contribution.correction_pending:
        raise Conflict(_("no correction of this transfer is waiting"))
    audit.record(
        session,
        "contribution.correction_withdraw",
        contribution,
        actor=actor,
        data={"reason": contribution.correction_reason},
    )
    contribution.correction_requested_by_id = None
    contribution.correction_requested_at = None
    contribution.correction_reason = ""


def correct_bank(session: Session, actor: User, contribution: Contribution) -> None:
    """The checker's step: a second officer confirms, the receipt is reversed (never edited)
    and the record cancelled. Refused if the money is already committed or spent. Call with
    the contribution locked (`get_for(..., lock=True)`), which takes the fund lock first."""
    require_role(actor, Role.SECRETARIAT)
    ledger.lock_fund(session)
    _correctable(contribution)
    if not contribution.correction_pending:
        raise Conflict(_("ask for the correction first: a second officer then confirms it"))
    if actor.id == contribution.correction_requested_by_id:
        raise PermissionDenied(
            _("the officer who asked for a correction cannot confirm it: a second officer must")
        )
    receipt = _bank_receipt(session, contribution)
    if ledger.available(session) < contribution.received_minor:
        raise Conflict(
            _("this money is already committed to grants: the transfer cannot be taken back")
        )
    reason = contribution.correction_reason
    ledger.reverse(
        session,
        receipt,
        actor=actor,
        memo=f"Transfer {contribution.reference} recorded by mistake: {reason}",
    )
    contribution.corrected_by_id = actor.id
    contribution.status = ContributionStatus.CANCELLED
    contribution.note = (contribution.note + f"\nCorrected: {reason}").strip()[:2000]
    audit.record(
        session,
        "contribution.correct",
        contribution,
        actor=actor,
        data={"reason": reason, "requested_by": contribution.correction_requested_by_id},
    )


def cancel_pledge(session: Session, actor: User, contribution: Contribution, reason: str) -> None:
    """What will not be paid of a pledge is written off: no money moves, so one officer
    decides, with the reason (audited). What was already paid stays a received gift."""
    require_role(actor, Role.SECRETARIAT)
    ledger.lock_fund(session)
    if contribution.status_enum is not ContributionStatus.PLEDGED:
        raise Conflict(_("only an open pledge can be cancelled"))
    reason = _reason(reason)
    outstanding = contribution.outstanding_minor
    if outstanding > 0:
        postings.pledge_cancellation(
            session,
            donor_id=contribution.donor_id,
            donor_name=contribution.donor.display_name,
            amount_minor=outstanding,
            actor=actor,
            memo=f"Pledge {contribution.id} cancelled: {reason}",
        )
    if contribution.received_minor:
        # The pledge becomes what was received, in both currencies.
        contribution.base_amount_minor = contribution.received_minor
        contribution.original_amount_minor = contribution.received_original_minor
        contribution.status = ContributionStatus.RECEIVED
        contribution.received_at = contribution.received_at or utcnow()
    else:
        contribution.status = ContributionStatus.CANCELLED
    contribution.note = (contribution.note + f"\nCancelled: {reason}").strip()[:2000]
    audit.record(
        session,
        "contribution.pledge_cancel",
        contribution,
        actor=actor,
        data={"reason": reason, "released": outstanding},
    )
