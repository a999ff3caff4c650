"""E-mails implied by reports and stories, and the reminders before and after due dates."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.services import active_users_with_role, focal_points
from app.core import mail
from app.core.roles import Role
from app.reports.models import Report, Story


def submitted(session: Session, report: Report, actor: User | None) -> None:
    for user in active_users_with_role(session, Role.SECRETARIAT):
        mail.queue(session, user, "report_submitted", {"report": report})


def reviewed(session: Session, report: Report, actor: User | None) -> None:
    for user in focal_points(session, report.grant.state_iso3):
        mail.queue(session, user, "report_reviewed", {"report": report})


def story_consent_requested(session: Session, story: Story, actor: User | None) -> None:
    for user in focal_points(session, story.grant.state_iso3):
        mail.queue(session, user, "story_consent_requested", {"story": story})


def story_published(session: Session, story: Story, actor: User | None) -> None:
    for user in active_users_with_role(session, Role.SECRETARIAT):
        mail.queue(session, user, "story_published", {"story": story})


def story_declined(session: Session, story: Story, actor: User | None) -> None:
    for user in active_users_with_role(session, Role.SECRETARIAT):
        mail.queue(session, user, "story_declined", {"story": story})


def report_reminder(session: Session, report: Report, step: str) -> int:
    """`step` names the reminder ("30-days", "7-days", "overdue-0", "overdue-1"…); each focal
    point gets each step of each due date once, however often the job runs: a report moved
    to a new due date is reminded of it again. Returns how many were queued now."""
    queued = 0
    for user in focal_points(session, report.grant.state_iso3):
        message = mail.queue(
            session,
            user,
            "report_overdue" if step.startswith("overdue") else "report_due_soon",
            {"report": report, "step": step},
            dedupe_key=f"report:{report.id}:{report.due_date.isoformat()}:{step}:{user.id}",
        )
        queued += message is not None
    return queued
