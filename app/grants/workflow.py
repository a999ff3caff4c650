"""The grant's and the disbursement's transition tables (design.md §3)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import User
from app.core.errors import Conflict, PermissionDenied
from app.core.roles import Role
from app.core.workflow import Transition, Workflow
from app.grants import notifications
from app.grants.models import Disbursement, Grant
from app.grants.models import DisbursementStatus as D
from app.grants.models import GrantStatus as G

SECRETARIAT = frozenset({Role.SECRETARIAT})
APPLICANT = frozenset({Role.APPLICANT})


def _no_pending_releases(grant: Grant, actor: User | None) -> None:
    if any(d.status == D.PENDING_APPROVAL for d in grant.disbursements):
        raise Conflict(_("a release is waiting for approval: approve or cancel it first"))


def _final_report_accepted(grant: Grant, actor: User | None) -> None:
    _no_pending_releases(grant, actor)
    if grant.final_report_accepted_at is None:
        raise Conflict(_("the grant is completed once its final report is accepted"))


def _checker_is_not_maker(disbursement: Disbursement, actor: User | None) -> None:
    if actor is not None and actor.id == disbursement.created_by_id:
        raise PermissionDenied(
            _("the officer who created a release cannot approve it: a second officer must")
        )


GRANT_WORKFLOW: Workflow[G] = Workflow(
    "grant",
    G,
    [
        Transition(
            G.AWAITING_FUNDS,
            "commit",
            G.AWAITING_ACCEPTANCE,
            SECRETARIAT,
            effects=(notifications.agreement_ready,),
            system=True,
        ),
        Transition(
            G.AWAITING_ACCEPTANCE, "accept", G.ACTIVE, APPLICANT, effects=(notifications.accepted,)
        ),
        # A refund or a lost dispute left the fund short before the State accepted: the
        # commitment is released and the grant waits again, in its place in the queue.
        Transition(
            G.AWAITING_ACCEPTANCE,
            "return_to_queue",
            G.AWAITING_FUNDS,
            SECRETARIAT,
            effects=(notifications.waiting_again,),
            system=True,
        ),
        Transition(
            G.ACTIVE,
            "suspend",
            G.SUSPENDED,
            SECRETARIAT,
            _no_pending_releases,
            (notifications.suspended,),
        ),
        Transition(G.SUSPENDED, "resume", G.ACTIVE, SECRETARIAT, effects=(notifications.resumed,)),
        Transition(G.ACTIVE, "complete", G.COMPLETED, SECRETARIAT, _final_report_accepted),
        Transition(
            G.AWAITING_FUNDS, "cancel", G.CANCELLED, SECRETARIAT, effects=(notifications.cancelled,)
        ),
        Transition(
            G.AWAITING_ACCEPTANCE,
            "cancel",
            G.CANCELLED,
            SECRETARIAT,
            effects=(notifications.cancelled,),
        ),
        Transition(
            G.ACTIVE, "cancel", G.CANCELLED, SECRETARIAT, effects=(notifications.cancelled,)
        ),
        Transition(
            G.SUSPENDED, "cancel", G.CANCELLED, SECRETARIAT, effects=(notifications.cancelled,)
        ),
    ],
)

DISBURSEMENT_WORKFLOW: Workflow[D] = Workflow(
    "disbursement",
    D,
    [
        Transition(D.PENDING_APPROVAL, "approve", D.PAID, SECRETARIAT, _checker_is_not_maker),
        Transition(D.PENDING_APPROVAL, "cancel", D.CANCELLED, SECRETARIAT),
    ],
)
