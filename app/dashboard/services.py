"""Figures for each role's dashboard: a fixed, small number of queries each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationStatus
from app.auditlog.services import visible_details
from app.auth.models import Invitation, User
from app.committee import ballots
from app.contributions.models import Contribution
from app.core import audit
from app.core.audit import AuditEvent
from app.core.database import today, utcnow
from app.core.mail import OutboxMessage
from app.core.roles import Role
from app.deployments import services as deployments
from app.deployments.models import DeploymentStatus
from app.experts import profiles
from app.grants import services as grant_services
from app.grants.models import Grant, GrantStatus
from app.ledger import services as ledger
from app.reports import services as reports
from app.reports import stories
from app.reports.models import ReportStatus


@dataclass
class Dashboard:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def _unvetted(session: Session) -> Sequence[User]:
    return (
        session.execute(
            select(User)
            .where(
                User.vetted_at.is_(None),
                User.role == Role.DONOR,  # experts are vetted on their roster profile
                User.active.is_(True),
            )
            .order_by(User.created_at)
            .limit(20)
        )
        .scalars()
        .all()
    )


def _open_invitations(session: Session) -> int:
    return int(
        session.execute(
            select(func.count(Invitation.id)).where(
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
        ).scalar_one()
    )


def _applicant(session: Session, user: User) -> Dashboard:
    """The State's requests and grants, and what waits for its focal point."""
    state = user.state_iso3
    requests = (
        session.execute(
            select(Application)
            .where(Application.state_iso3 == state)
            .order_by(Application.updated_at.desc())
            .limit(20)
        )
        .scalars()
        .all()
    )
    state_grants = (
        session.execute(
            select(Grant)
            .where(Grant.state_iso3 == state)
            .order_by(Grant.created_at.desc())
            .limit(10)
        )
        .scalars()
        .all()
    )
    return Dashboard(
        "dashboard/applicant.html",
        {
            "state": user.state,
            "requests": requests,
            "grants": state_grants,
            "to_consent": deployments.in_statuses(
                session, [DeploymentStatus.ACCEPTED], state_iso3=state
            ),
            "to_rate": deployments.in_statuses(
                session, [DeploymentStatus.COMPLETED], state_iso3=state, unrated=True
            ),
            "missions": deployments.in_statuses(
                session, [DeploymentStatus.SCHEDULED, DeploymentStatus.REPORTED], state_iso3=state
            ),
            "reports_owed": reports.list_for(
                session, user, status=None, owed_only=True, per_page=10
            ).items,
            "stories_to_consent": stories.awaiting_consent(session, state),
        },
    )


def _committee(session: Session, user: User) -> Dashboard:
    """The member's open ballots and its latest votes."""
    return Dashboard(
        "dashboard/committee.html",
        {
            "region": user.region,
            "nationality": user.state,
            "open_ballots": ballots.open_ballots_for_member(session, user, per_page=10),
            "history": ballots.closed_ballots_for_member(session, user, limit=10),
        },
    )


def _count(session: Session, column: Any, *where: Any) -> int:
    return int(session.execute(select(func.count(column)).where(*where)).scalar_one())


def _secretariat(session: Session, user: User) -> Dashboard:
    """Every queue the secretariat works through, and the fund's position."""
    return Dashboard(
        "dashboard/secretariat.html",
        {
            "to_vet": _unvetted(session),
            "open_invitations": _open_invitations(session),
            "unsent_mail": _count(session, OutboxMessage.id, OutboxMessage.sent_at.is_(None)),
            "to_screen": _count(
                session, Application.id, Application.status == ApplicationStatus.SUBMITTED
            ),
            "open_ballots": ballots.open_ballots(session, per_page=5),
            "pending_releases": grant_services.pending_releases(session),
            "position": ledger.position(session),
            "waiting_grants": _count(session, Grant.id, Grant.status == GrantStatus.AWAITING_FUNDS),
            "experts_to_vet": profiles.vetting_queue_size(session),
            "missions_to_review": deployments.in_statuses(session, [DeploymentStatus.REPORTED]),
            "mission_counts": deployments.counts_by_status(session, user),
            "reports_to_review": reports.count_in(session, ReportStatus.SUBMITTED),
            "reports_overdue": reports.overdue_count(session),
            "statuses": list(DeploymentStatus),
        },
    )


def _expert(session: Session, user: User) -> Dashboard:
    """The expert's offers, its coming missions and the reports it owes."""
    expert = profiles.profile_of(session, user)
    if expert is None:
        return Dashboard(
            "dashboard/expert.html",
            {"expert": None, "offers": [], "upcoming": [], "reports_due": []},
        )
    mine = {"expert_id": expert.id}
    reporting = deployments.in_statuses(
        session, [DeploymentStatus.SCHEDULED, DeploymentStatus.REVISION_REQUESTED], **mine
    )
    return Dashboard(
        "dashboard/expert.html",
        {
            "expert": expert,
            "offers": deployments.in_statuses(session, [DeploymentStatus.PROPOSED], **mine),
            "upcoming": deployments.in_statuses(
                session, [DeploymentStatus.ACCEPTED, DeploymentStatus.SCHEDULED], **mine
            ),
            # A report is due once the mission has started, or when it is to be revised.
            "reports_due": [
                d
                for d in reporting
                if d.status_enum is DeploymentStatus.REVISION_REQUESTED or d.start_date <= today()
            ],
        },
    )


def _donor(session: Session, user: User) -> Dashboard:
    """The donor's latest gifts and the fund's position."""
    given = (
        session.execute(
            select(Contribution)
            .where(Contribution.donor_id == user.id)
            .order_by(Contribution.created_at.desc())
            .limit(10)
        )
        .scalars()
        .all()
    )
    return Dashboard(
        "dashboard/donor.html", {"contributions": given, "position": ledger.position(session)}
    )


def _auditor(session: Session, user: User) -> Dashboard:
    """The audit log's latest events and the head of its hash chain."""
    recent = (
        session.execute(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10)).scalars().all()
    )
    head = session.get(audit.AuditHead, 1)
    return Dashboard(
        "dashboard/auditor.html",
        {
            "details": visible_details(session, recent, user),
            "recent": recent,
            "event_count": head.last_id if head else 0,
            "latest_hash": audit.latest_hash(session),
        },
    )


def _admin(session: Session, user: User) -> Dashboard:
    """Accounts by role, the latest sign-ins and the open invitations."""
    counts = dict(session.execute(select(User.role, func.count(User.id)).group_by(User.role)).all())
    recent_logins = (
        session.execute(
            select(User)
            .where(User.last_login_at.is_not(None))
            .order_by(User.last_login_at.desc())
            .limit(8)
        )
        .scalars()
        .all()
    )
    return Dashboard(
        "dashboard/admin.html",
        {
            "counts": {r: counts.get(r, 0) for r in Role},
            "recent_logins": recent_logins,
            "open_invitations": _open_invitations(session),
        },
    )


# Each role's dashboard: a fixed, small number of queries each (tests/test_query_counts.py).
DASHBOARDS: dict[Role, Callable[[Session, User], Dashboard]] = {
    Role.APPLICANT: _applicant,
    Role.COMMITTEE: _committee,
    Role.SECRETARIAT: _secretariat,
    Role.EXPERT: _expert,
    Role.DONOR: _donor,
    Role.AUDITOR: _auditor,
    Role.ADMIN: _admin,
}


def for_user(session: Session, user: User) -> Dashboard:
    return DASHBOARDS[user.role_enum](session, user)
