"""Paying the expert from the grant: the fee once the mission report is accepted, travel
once the mission is scheduled. Each is a release like any other (grants.services): one
officer prepares it, a second approves it, and the ledger names the deployment, never the
expert."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.errors import TransitionNotAllowed, ValidationError
from app.core.i18n import money_text
from app.core.money import Money, MoneyError, parse_amount
from app.core.permissions import require_role
from app.core.roles import Role
from app.deployments.models import Deployment, DeploymentStatus
from app.grants import services as grants
from app.grants.models import Disbursement, DisbursementKind, DisbursementStatus
from app.ledger import services as ledger

PAYMENT_KINDS = {"fee": DisbursementKind.EXPERT_FEE, "travel": DisbursementKind.TRAVEL}
# Travel can be advanced once the mission is scheduled; the fee once the report is accepted.
PAYABLE_FROM = {
    DisbursementKind.EXPERT_FEE: (DeploymentStatus.COMPLETED,),
    DisbursementKind.TRAVEL: (
        DeploymentStatus.SCHEDULED,
        DeploymentStatus.REPORTED,
        DeploymentStatus.REVISION_REQUESTED,
        DeploymentStatus.COMPLETED,
    ),
}


def payments(session: Session, deployment: Deployment) -> Sequence[Disbursement]:
    return (
        session.execute(
            select(Disbursement)
            .where(Disbursement.deployment_id == deployment.id)
            .order_by(Disbursement.id)
        )
        .scalars()
        .all()
    )


def owed_minor(session: Session, deployment: Deployment, kind: DisbursementKind) -> int:
    """What is still to be paid of the fee or the travel budget."""
    budget = (
        deployment.fee_minor
        if kind is DisbursementKind.EXPERT_FEE
        else deployment.travel_budget_minor
    )
    spent = sum(
        d.amount_minor
        for d in payments(session, deployment)
        if d.kind == kind and d.status != DisbursementStatus.CANCELLED
    )
    return max(0, budget - spent)


def request_payment(
    session: Session,
    actor: User,
    deployment: Deployment,
    kind: str,
    amount: Any,
    note: str = "",
) -> Disbursement:
    """The maker's step for an expert's fee or travel; a second officer approves it as any
    other release of grant money."""
    require_role(actor, Role.SECRETARIAT)
    disbursement_kind = PAYMENT_KINDS.get((kind or "").strip())
    if disbursement_kind is None:
        raise ValidationError(_("kind must be fee or travel"), fields={"kind": "unknown"})
    ledger.lock_fund(session)
    if deployment.status_enum not in PAYABLE_FROM[disbursement_kind]:
        raise TransitionNotAllowed(
            _("the fee is paid once the mission report is accepted")
            if disbursement_kind is DisbursementKind.EXPERT_FEE
            else _("travel is paid once the mission is scheduled"),
            fields={"status": deployment.status_enum.value},
        )
    try:
        amount_minor = parse_amount(amount, deployment.currency).amount_minor
    except MoneyError as error:
        raise ValidationError(
            _("amount: %(error)s", error=str(error)), fields={"amount": str(error)}
        ) from None
    owed = owed_minor(session, deployment, disbursement_kind)
    if amount_minor > owed:
        left = money_text(Money(owed, deployment.currency))
        raise ValidationError(
            _("only %(amount)s of the fee remains to be paid", amount=left)
            if disbursement_kind is DisbursementKind.EXPERT_FEE
            else _("only %(amount)s of the travel budget remains to be paid", amount=left),
            fields={"amount": "above what is owed"},
        )
    return grants.create_disbursement(
        session,
        actor,
        deployment.grant,
        str(Money(amount_minor, deployment.currency).to_decimal()),
        note or f"{deployment.reference}: {disbursement_kind.label.lower()}",
        kind=disbursement_kind,
        payee=deployment.expert.name,
        deployment_id=deployment.id,
    )


def cancel_pending(session: Session, actor: User, deployment: Deployment) -> None:
    """The releases still waiting for their second officer (the mission is cancelled)."""
    for payment in payments(session, deployment):
        if payment.status == DisbursementStatus.PENDING_APPROVAL:
            grants.cancel_disbursement(session, actor, payment, "deployment cancelled")
