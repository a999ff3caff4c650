"""Success stories: drafted by the secretariat from an accepted report, public only once the
State's focal point consents; either side may take a published story down."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import FileStorage

from app.auth.models import User
from app.core import audit, uploads
from app.core.database import utcnow
from app.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from app.core.pagination import Page, paginate
from app.core.permissions import require_role
from app.core.roles import Role
from app.grants.models import Grant
from app.reports.models import Report, ReportStatus, Story, StoryStatus
from app.reports.workflow import STORY_WORKFLOW

PHOTO_KINDS = ("png", "jpeg")
MAX_PHOTO_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class StoryDraft:
    title: str
    text: str
    recommendation_ids: Sequence[int] = ()
    photo_credit: str = ""
    photo_alt: str = ""


def visible_query(user: User) -> Select[Any]:
    stmt = select(Story)
    role = user.role_enum
    if role in (Role.SECRETARIAT, Role.AUDITOR):
        return stmt
    if role is Role.APPLICANT:
        return stmt.join(Grant, Grant.id == Story.grant_id).where(
            Grant.state_iso3 == user.state_iso3
        )
    raise PermissionDenied(_("stories are prepared by the fund with the State"))


def get_for(session: Session, user: User, story_id: int, *, lock: bool = False) -> Story:
    stmt = visible_query(user).where(Story.id == story_id)
    if lock:
        stmt = stmt.with_for_update(of=Story)
    story = session.execute(stmt).unique().scalar_one_or_none()
    if story is None:
        raise NotFound(_("no such story"))
    return story


def list_for(session: Session, user: User, *, page: int = 1) -> Page[Story]:
    return paginate(
        session, visible_query(user).order_by(Story.updated_at.desc(), Story.id.desc()), page=page
    )


def awaiting_consent(session: Session, state_iso3: str | None) -> Sequence[Story]:
    return (
        session.execute(
            select(Story)
            .join(Grant, Grant.id == Story.grant_id)
            .where(Story.status == StoryStatus.AWAITING_CONSENT, Grant.state_iso3 == state_iso3)
            .order_by(Story.consent_requested_at)
        )
        .scalars()
        .all()
    )


# -- the public side: only published stories, ever -----------------------------------------------------


def published_query() -> Select[Any]:
    return (
        select(Story)
        .where(Story.status == StoryStatus.PUBLISHED)
        .options(selectinload(Story.recommendations))
        .order_by(Story.published_at.desc(), Story.id.desc())
    )


def public_story(session: Session, story_id: int) -> Story:
    story = session.execute(published_query().where(Story.id == story_id)).scalar_one_or_none()
    if story is None:
        raise NotFound(_("no such story"))
    return story


def published_for_grants(session: Session, grant_ids: Sequence[int]) -> Sequence[Story]:
    if not grant_ids:
        return []
    return session.execute(published_query().where(Story.grant_id.in_(grant_ids))).scalars().all()


# -- drafting -------------------------------------------------------------------------------------------


def _clean(report: Report, draft: StoryDraft) -> tuple[str, str, list[Any], str, str]:
    title, text = (draft.title or "").strip(), (draft.text or "").strip()
    if not title:
        raise ValidationError(_("give the story a title"), fields={"title": "required"})
    if len(text) < 50:
        raise ValidationError(
            _("tell the story in a few sentences at least"), fields={"text": "too short"}
        )
    by_id = {r.id: r for r in report.grant.application.recommendations}
    chosen = []
    for key in draft.recommendation_ids:
        recommendation = by_id.get(int(key))
        if recommendation is None:
            raise ValidationError(
                _("a recommendation chosen is not one this grant addresses"),
                fields={"recommendations": "unknown"},
            )
        chosen.append(recommendation)
    return (
        title[:200],
        text[:20000],
        chosen,
        (draft.photo_credit or "").strip()[:200],
        (draft.photo_alt or "").strip()[:300],
    )


def _photo(session: Session, actor: User, photo: FileStorage | None, alt: str, credit: str) -> Any:
    if photo is None or not photo.filename:
        return None
    if not alt or not credit:
        raise ValidationError(
            _("a photo needs a credit and a description for people who cannot see it"),
            fields={
                k: "required" for k, v in (("photo_alt", alt), ("photo_credit", credit)) if not v
            },
        )
    return uploads.store(
        session, photo, allowed=PHOTO_KINDS, uploaded_by_id=actor.id, max_bytes=MAX_PHOTO_BYTES
    )


def create(
    session: Session,
    actor: User,
    report: Report,
    draft: StoryDraft,
    photo: FileStorage | None = None,
) -> Story:
    require_role(actor, Role.SECRETARIAT)
    if report.status_enum is not ReportStatus.ACCEPTED:
        raise TransitionNotAllowed(
            _("a story is drawn from an accepted report"),
            fields={"status": report.status_enum.value},
        )
    title, text, chosen, credit, alt = _clean(report, draft)
    stored = _photo(session, actor, photo, alt, credit)
    story = Story(
        grant_id=report.grant_id,
        report_id=report.id,
        title=title,
        text=text,
        photo_file_id=stored.id if stored is not None else None,
        photo_credit=credit,
        photo_alt=alt,
        created_by_id=actor.id,
    )
    story.recommendations = chosen
    session.add(story)
    session.flush()
    audit.record(session, "story.create", story, actor=actor, data={"title": title})
    return story


def update(
    session: Session,
    actor: User,
    story: Story,
    draft: StoryDraft,
    photo: FileStorage | None = None,
) -> Story:
    require_role(actor, Role.SECRETARIAT)
    if story.status_enum is not StoryStatus.DRAFT:
        raise TransitionNotAllowed(
            _("only a draft is edited: the State consents to the text it was shown"),
            fields={"status": story.status_enum.value},
        )
    title, text, chosen, credit, alt = _clean(story.report, draft)
    stored = _photo(session, actor, photo, alt, credit)
    story.title, story.text, story.recommendations = title, text, chosen
    story.photo_credit, story.photo_alt = credit, alt
    if stored is not None:
        story.photo_file_id = stored.id
    story.updated_at = utcnow()
    audit.record(session, "story.update", story, actor=actor)
    return story


# -- consent and publication ------------------------------------------------------------------------------


def request_consent(session: Session, actor: User, story: Story) -> None:
    STORY_WORKFLOW.check(story, "request_consent", actor)
    if story.photo_file_id is not None and not (story.photo_alt and story.photo_credit):
        raise ValidationError(
            _("the photo needs a credit and a description"), fields={"photo_alt": "required"}
        )
    story.consent_requested_at = utcnow()
    STORY_WORKFLOW.apply(session, story, "request_consent", actor)


def _require_state(actor: User, story: Story) -> None:
    if actor.role_enum is not Role.APPLICANT or story.grant.state_iso3 != actor.state_iso3:
        raise NotFound(_("no such story"))


def consent(session: Session, actor: User, story: Story, *, name: str, title: str) -> None:
    _require_state(actor, story)
    name, title = (name or "").strip(), (title or "").strip()
    if not name or not title:
        raise ValidationError(
            _("give the name and title of the official who consents"),
            fields={k: "required" for k, v in (("name", name), ("title", title)) if not v},
        )
    STORY_WORKFLOW.check(story, "consent", actor)
    now = utcnow()
    story.consented_by_id, story.consent_name, story.consent_title = (
        actor.id,
        name[:200],
        title[:200],
    )
    story.consented_at = story.published_at = now
    STORY_WORKFLOW.apply(
        session, story, "consent", actor, data={"name": name[:200], "title": title[:200]}
    )


def decline(session: Session, actor: User, story: Story, reason: str) -> None:
    _require_state(actor, story)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("say what the State would change or why it does not agree"),
            fields={"reason": "required"},
        )
    STORY_WORKFLOW.check(story, "decline", actor)
    story.declined_reason = reason[:2000]
    STORY_WORKFLOW.apply(session, story, "decline", actor, data={"reason": reason[:200]})


def withdraw(session: Session, actor: User, story: Story, reason: str) -> None:
    if actor.role_enum is Role.APPLICANT:
        _require_state(actor, story)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("say why the story is withdrawn"), fields={"reason": "required"})
    STORY_WORKFLOW.check(story, "withdraw", actor)
    story.withdrawn_reason = reason[:2000]
    STORY_WORKFLOW.apply(session, story, "withdraw", actor, data={"reason": reason[:200]})
