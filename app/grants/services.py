"""Grants: created at approval, committed when the fund can cover them (oldest first),
accepted by the State, paid in tranches that two officers release, closed by completion or
cancellation — every money movement through the ledger.

Longer than our ~500 lines on purpose: the maker–checker release (create, approve, cancel)
and the figures it is checked against (releasable, expert budget) are kept beside the
grant's statuses they guard, so a reader checks the money rules of design.md §3.3 in one
place; `funding.py` (the queue) and `agreement.py` (tranches) are already apart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app import signals
from app.applications.models import Application, BudgetCategory
from app.auth.models import User
from app.core import audit
from app.core.database import today, utcnow
from app.core.dates import add_months
from app.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from app.core.i18n import money_text, status_word
from app.core.money import Money, MoneyError, parse_amount
from app.core.pagination import Page, paginate
from app.core.permissions import require_role
from app.core.roles import Role
from app.grants.agreement import allocate
from app.grants.funding import commit_waiting, release_unspent
from app.grants.models import (
    Disbursement,
    DisbursementKind,
    DisbursementStatus,
    Grant,
    GrantStatus,
    Tranche,
    TrancheCondition,
)
from app.grants.workflow import DISBURSEMENT_WORKFLOW, GRANT_WORKFLOW
from app.ledger import postings
from app.ledger import services as ledger

SCHEDULE = ((60, TrancheCondition.ACCEPTANCE), (40, TrancheCondition.INTERIM_REPORT))

READERS = (Role.APPLICANT, Role.SECRETARIAT, Role.DONOR, Role.AUDITOR)


# -- who sees what ----------------------------------------------------------------------------------


def can_view(user: User, grant: Grant) -> bool:
    role = user.role_enum
    if role is Role.APPLICANT:
        return user.state_iso3 == grant.state_iso3
    return role in (Role.SECRETARIAT, Role.DONOR, Role.AUDITOR)


def get_grant_for(session: Session, user: User, grant_id: int, *, lock: bool = False) -> Grant:
    if user.role_enum not in READERS:
        raise PermissionDenied(_("your role does not see grants"))
    stmt = select(Grant).where(Grant.id == grant_id)
    if lock:
        # Lock order: the fund first, then the grant (as every money posting does), so a
        # request on this grant and a contribution committing waiting grants cannot deadlock.
        ledger.lock_fund(session)
        stmt = stmt.with_for_update(of=Grant).execution_options(populate_existing=True)
    grant = session.execute(stmt).unique().scalar_one_or_none()
    if grant is None or not can_view(user, grant):
        raise NotFound(_("no such grant"))
    return grant


def visible_query(user: User) -> Select[Any]:
    if user.role_enum not in READERS:
        raise PermissionDenied(_("your role does not see grants"))
    stmt = select(Grant)
    if user.role_enum is Role.APPLICANT:
        stmt = stmt.where(Grant.state_iso3 == user.state_iso3)
    return stmt


def list_for(
    session: Session, user: User, *, status: str | None = None, page: int = 1
) -> Page[Grant]:
    stmt = visible_query(user)
    if status in {s.value for s in GrantStatus}:
        stmt = stmt.where(Grant.status == status)
    return paginate(
        session, stmt.order_by(Grant.created_at.desc(), Grant.id.desc()), page=page, per_page=25
    )


def grant_for_application(session: Session, application: Application) -> Grant | None:
    return (
        session.execute(select(Grant).where(Grant.application_id == application.id))
        .unique()
        .scalar_one_or_none()
    )


# -- creation and commitment --------------------------------------------------------------------------


def expert_share(application: Application, amount_minor: int) -> int:
    """The part of the approved amount for the "experts" budget lines, in proportion when the
    committee approved less than was asked: the sum of those lines in the agreement's budget
    (`allocate`, largest remainder), so the agreement and the expert budget agree to the
    cent. The fund pays experts itself from this part, so it is not paid to the State in
    tranches."""
    lines = list(application.budget_lines)
    if not sum(line.amount_minor for line in lines):
        return 0
    shares = allocate(amount_minor, [line.amount_minor for line in lines])
    return sum(
        share
        for line, share in zip(lines, shares, strict=True)
        if line.category == BudgetCategory.EXPERTS
    )


def tranche_schedule(amount_minor: int) -> list[Tranche]:
    """60% on acceptance (rounded down), the rest after the interim report; a tranche that
    would be zero is left out."""
    first = amount_minor * SCHEDULE[0][0] // 100
    amounts = (first, amount_minor - first)
    return [
        Tranche(number=number, percent=percent, amount_minor=part, condition=condition)
        for number, ((percent, condition), part) in enumerate(
            zip(SCHEDULE, amounts, strict=True), 1
        )
        if part > 0
    ]


def create_for_application(
    session: Session, application: Application, actor: User | None = None
) -> Grant:
    """Approval hands over here: the grant, its tranche schedule, and a commitment if funds allow."""
    if application.approved_amount_minor is None:
        raise Conflict(_("only an approved application with an approved amount becomes a grant"))
    if grant_for_application(session, application) is not None:
        raise Conflict(_("this application already has a grant"))
    amount = application.approved_amount_minor
    expert_budget = expert_share(application, amount)
    grant = Grant(
        application_id=application.id,
        reference=application.reference,
        state_iso3=application.state_iso3,
        currency=application.currency,
        amount_minor=amount,
        expert_budget_minor=expert_budget,
        duration_months=application.duration_months or 12,
        status=GrantStatus.AWAITING_FUNDS,
    )
    grant.tranches = tranche_schedule(amount - expert_budget)
    session.add(grant)
    session.flush()
    audit.record(
        session, "grant.create", grant, actor=actor, data={"amount": grant.amount.as_string()}
    )
    # The new grant joins the queue: it is committed now only if every older waiting grant
    # could be committed before it.
    commit_waiting(session, actor)
    return grant


# -- the State accepts ----------------------------------------------------------------------------------


def accept(session: Session, actor: User, grant: Grant, *, name: str, title: str) -> Grant:
    if actor.state_iso3 != grant.state_iso3:
        raise NotFound(_("no such grant"))
    name, title = (name or "").strip(), (title or "").strip()
    if not name or not title:
        raise ValidationError(
            _("give the name and title of the official accepting the agreement"),
            fields={"name": "required"},
        )
    GRANT_WORKFLOW.check(grant, "accept", actor)
    now = utcnow()
    grant.accepted_at = now
    grant.accepted_by_id = actor.id
    grant.accepted_name, grant.accepted_title = name[:200], title[:200]
    grant.start_date = today()
    grant.end_date = add_months(grant.start_date, grant.duration_months)
    for tranche in grant.tranches:
        if tranche.condition == TrancheCondition.ACCEPTANCE:
            tranche.condition_met_at = now
    GRANT_WORKFLOW.apply(
        session,
        grant,
        "accept",
        actor,
        data={"name": grant.accepted_name, "title": grant.accepted_title},
    )
    signals.grant_accepted.send(grant, session=session, actor=actor)
    return grant


def interim_report_accepted(session: Session, grant: Grant, actor: User | None) -> None:
    """Called by the reports domain: the tranches waiting for the interim report may go."""
    now = utcnow()
    for tranche in grant.tranches:
        if (
            tranche.condition == TrancheCondition.INTERIM_REPORT
            and tranche.condition_met_at is None
        ):
            tranche.condition_met_at = now
            audit.record(
                session, "tranche.releasable", grant, actor=actor, data={"tranche": tranche.number}
            )


def final_report_accepted(session: Session, grant: Grant, actor: User | None) -> None:
    grant.final_report_accepted_at = utcnow()
    audit.record(session, "grant.final_report_accepted", grant, actor=actor)


# -- the secretariat manages -------------------------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("give the reason"), fields={"reason": "required"})
    return reason[:2000]


def suspend(session: Session, actor: User, grant: Grant, reason: str) -> None:
    grant.status_note = _reason(reason)
    GRANT_WORKFLOW.apply(session, grant, "suspend", actor, data={"reason": grant.status_note})


def resume(session: Session, actor: User, grant: Grant) -> None:
    GRANT_WORKFLOW.apply(session, grant, "resume", actor)
    grant.status_note = ""


def cancel(session: Session, actor: User, grant: Grant, reason: str) -> int:
    """Cancel; pending releases are cancelled and the undisbursed commitment is released,
    then grants waiting for funds are committed with it."""
    reason = _reason(reason)
    ledger.lock_fund(session)
    GRANT_WORKFLOW.check(grant, "cancel", actor)
    signals.grant_closing.send(grant, session=session, actor=actor, action="cancel")
    for disbursement in grant.disbursements:
        if disbursement.status == DisbursementStatus.PENDING_APPROVAL:
            DISBURSEMENT_WORKFLOW.apply(
                session, disbursement, "cancel", actor, data={"reason": "grant cancelled"}
            )
            disbursement.cancelled_at = utcnow()
    released = release_unspent(session, actor, grant, f"{grant.reference} cancelled: {reason}")
    grant.status_note = reason
    grant.closed_at = utcnow()
    GRANT_WORKFLOW.apply(
        session, grant, "cancel", actor, data={"reason": reason, "released": released}
    )
    # The money released (or the queue's place freed) may cover waiting grants: they are
    # committed in this transaction, oldest first.
    commit_waiting(session, actor)
    return released


def complete(session: Session, actor: User, grant: Grant) -> int:
    """Complete once the final report is accepted; what was not disbursed is released and
    may commit grants waiting for funds."""
    ledger.lock_fund(session)
    GRANT_WORKFLOW.check(grant, "complete", actor)
    signals.grant_closing.send(grant, session=session, actor=actor, action="complete")
    released = release_unspent(
        session, actor, grant, f"{grant.reference} completed: unspent commitment released"
    )
    grant.closed_at = utcnow()
    GRANT_WORKFLOW.apply(session, grant, "complete", actor, data={"released": released})
    commit_waiting(session, actor)  # what was not disbursed may cover waiting grants
    return released


# -- releases (maker–checker) ---------------------------------------------------------------------------------


def pending_minor(grant: Grant, *, tranches_only: bool = False) -> int:
    return sum(
        d.amount_minor
        for d in grant.disbursements
        if d.status == DisbursementStatus.PENDING_APPROVAL
        and (not tranches_only or d.kind == DisbursementKind.TRANCHE)
    )


def tranche_paid_minor(grant: Grant) -> int:
    return sum(
        d.amount_minor
        for d in grant.disbursements
        if d.status == DisbursementStatus.PAID and d.kind == DisbursementKind.TRANCHE
    )


def expert_spent_minor(grant: Grant) -> int:
    """Expert fees and travel paid or waiting for their second officer."""
    return sum(
        d.amount_minor
        for d in grant.disbursements
        if d.status != DisbursementStatus.CANCELLED and d.kind != DisbursementKind.TRANCHE
    )


def expert_budget_left(grant: Grant) -> int:
    return grant.expert_budget_minor - expert_spent_minor(grant)


def releasable_minor(session: Session, grant: Grant) -> int:
    """What may still be released to the State now: the tranches whose condition is met,
    less what is paid or waiting, and never more than the undisbursed commitment that is
    not kept for the experts."""
    due = sum(t.amount_minor for t in grant.tranches if t.is_releasable)
    scheduled = due - tranche_paid_minor(grant) - pending_minor(grant, tranches_only=True)
    headroom = (
        postings.commitment_outstanding(session, grant.id)
        - pending_minor(grant)
        - expert_budget_left(grant)
    )
    return max(0, min(scheduled, headroom))


def expert_payable_minor(session: Session, grant: Grant) -> int:
    """What may still be paid to experts: their budget's rest, within the commitment."""
    headroom = postings.commitment_outstanding(session, grant.id) - pending_minor(grant)
    return max(0, min(expert_budget_left(grant), headroom))


def _next_tranche(grant: Grant) -> Tranche | None:
    """The tranche a new release starts in (its label on the grant's page). What each
    tranche has paid is not counted from this: releases fill the tranches in order
    (`Tranche.paid_minor`), so one release may finish one tranche and start the next."""
    paid = tranche_paid_minor(grant) + pending_minor(grant, tranches_only=True)
    running = 0
    for tranche in grant.tranches:
        running += tranche.amount_minor
        if running > paid:
            return tranche
    return None


def _amount(value: Any, currency: str) -> int:
    try:
        return parse_amount(value, currency).amount_minor
    except MoneyError as error:
        raise ValidationError(
            _("amount: %(error)s", error=str(error)), fields={"amount": str(error)}
        ) from None


def create_disbursement(
    session: Session,
    actor: User,
    grant: Grant,
    amount: Any,
    note: str = "",
    *,
    kind: DisbursementKind = DisbursementKind.TRANCHE,
    payee: str = "",
    deployment_id: int | None = None,
) -> Disbursement:
    """The maker's step: a release waiting for a second officer."""
    require_role(actor, Role.SECRETARIAT)
    ledger.lock_fund(session)
    if grant.status_enum is not GrantStatus.ACTIVE:
        raise TransitionNotAllowed(
            _(
                "releases are made on active grants; this one is %(status)s",
                status=status_word(grant.status_enum),
            ),
            fields={"status": grant.status_enum.value},
        )
    amount_minor = _amount(amount, grant.currency)
    if kind == DisbursementKind.TRANCHE:
        limit = releasable_minor(session, grant)
        if amount_minor > limit:
            raise ValidationError(
                _(
                    "only %(amount)s can be released now: the rest waits for its tranche's"
                    " condition",
                    amount=money_text(Money(limit, grant.currency)),
                )
                if limit
                else _("nothing can be released now: the next tranche waits for its condition"),
                fields={"amount": "above what is releasable"},
            )
    else:
        headroom = expert_payable_minor(session, grant)
        if amount_minor > headroom:
            raise ValidationError(
                _(
                    "only %(amount)s of the grant's budget for experts remains",
                    amount=money_text(Money(headroom, grant.currency)),
                ),
                fields={"amount": "above the remaining commitment"},
            )
    tranche = _next_tranche(grant) if kind == DisbursementKind.TRANCHE else None
    disbursement = Disbursement(
        grant_id=grant.id,
        tranche_id=tranche.id if tranche is not None else None,
        deployment_id=deployment_id,
        kind=kind,
        amount_minor=amount_minor,
        currency=grant.currency,
        note=(note or "").strip()[:2000],
        payee=(payee or f"Government of {grant.state.name}")[:200],
        created_by_id=actor.id,
    )
    grant.disbursements.append(disbursement)
    session.flush()
    audit.record(
        session,
        "disbursement.create",
        disbursement,
        actor=actor,
        data={
            "grant": grant.reference,
            "amount": disbursement.amount.as_string(),
            "kind": kind.value,
        },
    )
    return disbursement


def get_disbursement_for(
    session: Session, actor: User, disbursement_id: int, *, lock: bool = False
) -> Disbursement:
    require_role(actor, Role.SECRETARIAT, Role.AUDITOR)
    stmt = select(Disbursement).where(Disbursement.id == disbursement_id)
    if lock:
        ledger.lock_fund(session)  # the fund first, then the release (see get_grant_for)
        stmt = stmt.with_for_update(of=Disbursement).execution_options(populate_existing=True)
    disbursement = session.execute(stmt).unique().scalar_one_or_none()
    if disbursement is None:
        raise NotFound(_("no such release"))
    return disbursement


def ledger_payee(disbursement: Disbursement) -> str:
    """What the ledger's memo says was paid, to whom. Donors read the memos (the ledger's
    pages, API and CSV), so an expert is named by the deployment's reference, never by name
    (docs/roster.md): personal data stays with the secretariat and the auditor."""
    kind = disbursement.kind_enum
    if kind is DisbursementKind.TRANCHE:
        return f"{kind.value} to {disbursement.payee}"
    deployment = disbursement.deployment
    return f"{kind.value} for {deployment.reference}" if deployment else kind.value


def sees_payees(user: User) -> bool:
    """Who may read a release's payee and note on the grant's page: the fund's officers and
    the auditor, and the State whose grant it is (it is paid itself, and consented to the
    experts it knows by name). Donors see what was paid, not to whom (docs/roster.md)."""
    return user.role_enum in (Role.SECRETARIAT, Role.AUDITOR, Role.APPLICANT)


def approve_disbursement(
    session: Session, actor: User, disbursement: Disbursement, payment_reference: str
) -> Disbursement:
    """The checker's step: a different officer approves and the money moves."""
    ledger.lock_fund(session)
    session.execute(
        select(Disbursement)
        .where(Disbursement.id == disbursement.id)
        .with_for_update(of=Disbursement)
        .execution_options(populate_existing=True)
    )
    # Without the bank's reference, the fund's own payment order number stands in.
    reference = (
        payment_reference or ""
    ).strip() or f"PAY-{disbursement.grant.reference}-{disbursement.id}"
    DISBURSEMENT_WORKFLOW.check(disbursement, "approve", actor)
    grant = disbursement.grant
    if grant.status_enum is not GrantStatus.ACTIVE:
        raise TransitionNotAllowed(
            _(
                "the grant is %(status)s: nothing is paid until it is active again",
                status=status_word(grant.status_enum),
            ),
            fields={"status": grant.status_enum.value},
        )
    if disbursement.amount_minor > postings.commitment_outstanding(session, grant.id):
        raise Conflict(_("this release is larger than what remains of the grant's commitment"))
    if disbursement.amount_minor > ledger.balance(session, ledger.CASH):
        raise Conflict(_("the fund's cash does not cover this release"))
    transaction = postings.disbursement(
        session,
        grant_id=grant.id,
        reference=grant.reference,
        amount_minor=disbursement.amount_minor,
        actor=actor,
        memo=f"{grant.reference} — {ledger_payee(disbursement)} ({reference})",
    )
    disbursement.transaction_id = transaction.id
    disbursement.approved_by_id = actor.id
    disbursement.approved_at = utcnow()
    disbursement.payment_reference = reference[:120]
    DISBURSEMENT_WORKFLOW.apply(
        session, disbursement, "approve", actor, data={"payment_reference": reference}
    )
    return disbursement


def cancel_disbursement(
    session: Session, actor: User, disbursement: Disbursement, reason: str = ""
) -> None:
    DISBURSEMENT_WORKFLOW.apply(
        session, disbursement, "cancel", actor, data={"reason": (reason or "")[:2000]}
    )
    disbursement.cancelled_at = utcnow()


def pending_releases(session: Session) -> Sequence[Disbursement]:
    return (
        session.execute(
            select(Disbursement)
            .where(Disbursement.status == DisbursementStatus.PENDING_APPROVAL)
            .order_by(Disbursement.created_at)
            .options(selectinload(Disbursement.grant))
        )
        .scalars()
        .all()
    )


def figures(session: Session, grant: Grant) -> dict[str, Money]:
    outstanding = postings.commitment_outstanding(session, grant.id)
    paid = postings.disbursed(session, grant.id)
    return {
        "approved": grant.amount,
        "committed": Money(outstanding + paid, grant.currency),
        "disbursed": Money(paid, grant.currency),
        "undisbursed": Money(outstanding, grant.currency),
        "releasable": Money(releasable_minor(session, grant), grant.currency),
    }
