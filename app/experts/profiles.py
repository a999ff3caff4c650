"""Expert profiles: the expert keeps its own; the secretariat vets, deactivates, reads all."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.datastructures import FileStorage

from app.auth.models import User
from app.core import audit, uploads
from app.core.database import today, utcnow
from app.core.dates import period_day
from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.core.money import MoneyError, fund_currency, is_currency, parse_amount
from app.core.pagination import Page, paginate
from app.core.permissions import require_role
from app.core.roles import Role
from app.experts.models import Availability, Expert, ExpertLanguage, ExpertStatus, LanguageLevel
from app.experts.workflow import EXPERT_WORKFLOW
from app.reference import services as reference
from app.reference.models import Mechanism, Theme

# Who reads every expert's profile (the roster's pages); an expert reads its own.
ROSTER_READERS = (Role.SECRETARIAT, Role.AUDITOR)
CV_KINDS = ("pdf", "docx")
MAX_PERIODS = 24
MAX_LANGUAGES = 12


# -- reading ------------------------------------------------------------------------------------


def profile_of(session: Session, user: User) -> Expert | None:
    return session.execute(select(Expert).where(Expert.user_id == user.id)).scalar_one_or_none()


def own_profile(session: Session, user: User) -> Expert:
    """The expert's profile, started (status `applied`) the first time it is asked for."""
    require_role(user, Role.EXPERT)
    expert = profile_of(session, user)
    if expert is None:
        expert = Expert(user_id=user.id, rate_currency=fund_currency())
        session.add(expert)
        session.flush()
        audit.record(session, "expert.start", expert, actor=user)
    return expert


def list_experts(
    session: Session, status: ExpertStatus, *, page: int = 1, per_page: int = 25
) -> Page[Expert]:
    """Profiles in one status, oldest first (the vetting queue is served in order)."""
    stmt = (
        select(Expert)
        .where(Expert.status == status)
        .options(selectinload(Expert.themes), selectinload(Expert.languages))
        .order_by(Expert.updated_at, Expert.id)
    )
    return paginate(session, stmt, page=page, per_page=per_page)


def vetting_queue_size(session: Session) -> int:
    return int(
        session.execute(
            select(func.count()).where(Expert.status == ExpertStatus.APPLIED)
        ).scalar_one()
    )


def get_expert_for(session: Session, user: User, expert_id: int, *, lock: bool = False) -> Expert:
    """The secretariat and the auditor see every profile; an expert only its own."""
    stmt = select(Expert).where(Expert.id == expert_id)
    if lock:
        stmt = stmt.with_for_update(of=Expert)
    expert = session.execute(stmt).unique().scalar_one_or_none()
    if expert is None:
        raise NotFound(_("no such expert"))
    role = user.role_enum
    if role in (Role.SECRETARIAT, Role.AUDITOR):
        return expert
    if role is Role.EXPERT and expert.user_id == user.id:
        return expert
    if role is Role.EXPERT:
        raise NotFound(_("no such expert"))
    raise PermissionDenied(_("the roster is kept by the secretariat"))


# -- validation of what the expert enters ---------------------------------------------------------


def parse_languages(items: Iterable[Any]) -> list[tuple[str, LanguageLevel]]:
    """Codes ("fr") or pairs ("fr", "fluent") / {"code": "fr", "level": "fluent"}."""
    known = reference.languages()
    result: dict[str, LanguageLevel] = {}
    for item in items:
        if isinstance(item, dict):
            code, level = item.get("code"), item.get("level") or LanguageLevel.WORKING.value
        elif isinstance(item, (tuple, list)):
            code, level = item[0], item[1] if len(item) > 1 else LanguageLevel.WORKING.value
        else:
            code, level = item, LanguageLevel.WORKING.value
        code = str(code or "").strip().lower()
        if code not in known:
            raise ValidationError(
                _(
                    "unknown language code %(code)s (use ISO 639-1, e.g. en, fr, es)",
                    code=repr(code),
                ),
                fields={"languages": "unknown"},
            )
        try:
            result[code] = LanguageLevel(str(level))
        except ValueError:
            raise ValidationError(
                _(
                    "unknown language level %(level)s (use basic, working, fluent or native)",
                    level=repr(level),
                ),
                fields={"languages": "level"},
            ) from None
    if len(result) > MAX_LANGUAGES:
        raise ValidationError(_("list at most 12 languages"), fields={"languages": "too many"})
    return list(result.items())


def _rows_by_code(
    session: Session, model: Any, codes: Iterable[str], what: Literal["theme", "mechanism"]
) -> list[Any]:
    wanted = list(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))
    found = {
        row.code: row
        for row in session.execute(select(model).where(model.code.in_(wanted))).scalars()
    }
    unknown = [c for c in wanted if c not in found]
    if unknown:
        code = repr(unknown[0])
        raise ValidationError(
            _("unknown theme code %(code)s", code=code)
            if what == "theme"
            else _("unknown mechanism code %(code)s", code=code),
            fields={what + "s": "unknown"},
        )
    return [found[c] for c in wanted]


def parse_periods(items: Iterable[Any]) -> list[tuple[date, date]]:
    """Availability periods: each ends on or after its start, none ends in the past, and
    they do not overlap one another."""
    periods: list[tuple[date, date]] = []
    for item in items:
        if isinstance(item, dict):
            start, end = item.get("start"), item.get("end")
        else:
            start, end = item
        start, end = (
            period_day(start, "start", field="availability"),
            period_day(end, "end", field="availability"),
        )
        if end < start:
            raise ValidationError(
                _(
                    "an availability period ends (%(end)s) before it starts (%(start)s)",
                    end=end.isoformat(),
                    start=start.isoformat(),
                ),
                fields={"availability": "ends before it starts"},
            )
        if end < today():
            raise ValidationError(
                _(
                    "the period %(start)s – %(end)s is already over",
                    start=start.isoformat(),
                    end=end.isoformat(),
                ),
                fields={"availability": "in the past"},
            )
        periods.append((start, end))
    periods.sort()
    for (s1, e1), (s2, e2) in pairwise(periods):
        if s2 <= e1:
            raise ValidationError(
                _(
                    "the periods %(start1)s – %(end1)s and %(start2)s – %(end2)s overlap:"
                    " join them into one",
                    start1=s1.isoformat(),
                    end1=e1.isoformat(),
                    start2=s2.isoformat(),
                    end2=e2.isoformat(),
                ),
                fields={"availability": "overlap"},
            )
    if len(periods) > MAX_PERIODS:
        raise ValidationError(_("give at most 24 periods"), fields={"availability": "too many"})
    return periods


def _years(value: Any) -> int:
    try:
        years = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            _("years of experience: give a whole number"),
            fields={"years_experience": "invalid"},
        ) from None
    if not 0 <= years <= 70:
        raise ValidationError(
            _("years of experience: between 0 and 70"),
            fields={"years_experience": "out of range"},
        )
    return years


def _rate(value: Any, currency: str) -> int:
    if not is_currency(currency):
        raise ValidationError(
            _(
                "unknown currency %(code)s (use an ISO 4217 code such as USD, EUR, CHF)",
                code=repr(currency),
            ),
            fields={"currency": "unknown"},
        )
    try:
        return parse_amount(value, currency).amount_minor
    except MoneyError as error:
        raise ValidationError(
            _("daily rate: %(error)s", error=str(error)), fields={"daily_rate": str(error)}
        ) from None


# -- the expert's own changes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileChanges:
    """What to change; None leaves a field as it is."""

    current_position: str | None = None
    summary: str | None = None
    references: str | None = None
    years_experience: Any = None
    daily_rate: Any = None
    currency: str | None = None
    nationality: str | None = None
    languages: Sequence[Any] | None = None
    themes: Sequence[str] | None = None
    mechanisms: Sequence[str] | None = None
    availability: Sequence[Any] | None = None


def update_profile(
    session: Session, actor: User, expert: Expert, changes: ProfileChanges
) -> Expert:
    """Validate everything first, then write: a refused change leaves the profile as it was."""
    if actor.id != expert.user_id:
        raise PermissionDenied(_("an expert edits only its own profile"))
    if expert.status_enum is ExpertStatus.INACTIVE:
        raise PermissionDenied(_("this profile is deactivated: write to the secretariat"))
    currency = (changes.currency or expert.rate_currency or fund_currency()).strip().upper()
    rate = None
    if changes.daily_rate is not None or changes.currency is not None:
        raw = changes.daily_rate
        if raw is None and expert.daily_rate is not None:
            raw = str(expert.daily_rate.to_decimal())
        rate = _rate(raw, currency) if raw is not None else None
    years = _years(changes.years_experience) if changes.years_experience is not None else None
    languages = parse_languages(changes.languages) if changes.languages is not None else None
    themes = (
        _rows_by_code(session, Theme, changes.themes, "theme")
        if changes.themes is not None
        else None
    )
    mechanisms = (
        _rows_by_code(session, Mechanism, changes.mechanisms, "mechanism")
        if changes.mechanisms is not None
        else None
    )
    periods = parse_periods(changes.availability) if changes.availability is not None else None
    nationality = None
    if changes.nationality is not None and changes.nationality != expert.user.state_iso3:
        # Locked once vetted, but one that was never given may still be: without it the
        # expert cannot be proposed for any mission.
        if expert.status_enum is ExpertStatus.ACTIVE and expert.user.state_iso3 is not None:
            raise ValidationError(
                _("a vetted expert's nationality is changed by the secretariat"),
                fields={"nationality": "locked"},
            )
        nationality = reference.get_state(session, changes.nationality).iso3

    for name in ("current_position", "summary", "references"):
        value = getattr(changes, name)
        if value is not None:
            limit = 200 if name == "current_position" else 5000
            setattr(expert, name, value.strip()[:limit])
    if rate is not None:
        expert.daily_rate_minor, expert.rate_currency = rate, currency
    if years is not None:
        expert.years_experience = years
    if languages is not None:
        levels = dict(languages)
        expert.languages = [language for language in expert.languages if language.code in levels]
        present = {language.code: language for language in expert.languages}
        for code, level in languages:
            if code in present:
                present[code].level = level
            else:
                expert.languages.append(ExpertLanguage(code=code, level=level))
    if themes is not None:
        expert.themes = themes
    if mechanisms is not None:
        expert.mechanisms = mechanisms
    if periods is not None:
        expert.availability = [Availability(start_date=s, end_date=e) for s, e in periods]
    if nationality is not None:
        expert.user.state_iso3 = nationality
    expert.updated_at = utcnow()
    session.flush()
    audit.record(session, "expert.update", expert, actor=actor)
    if expert.status_enum is ExpertStatus.REJECTED:
        EXPERT_WORKFLOW.apply(session, expert, "reapply", actor)
    return expert


def add_period(session: Session, actor: User, expert: Expert, start: Any, end: Any) -> None:
    current = [(p.start_date, p.end_date) for p in expert.availability if p.end_date >= today()]
    update_profile(session, actor, expert, ProfileChanges(availability=[*current, (start, end)]))


def remove_period(session: Session, actor: User, expert: Expert, period_id: int) -> None:
    kept = [
        (p.start_date, p.end_date)
        for p in expert.availability
        if p.id != period_id and p.end_date >= today()
    ]
    if len(kept) == len([p for p in expert.availability if p.end_date >= today()]):
        raise NotFound(_("no such availability period"))
    update_profile(session, actor, expert, ProfileChanges(availability=kept))


def set_language(session: Session, actor: User, expert: Expert, code: str, level: str) -> None:
    current = [(language.code, language.level) for language in expert.languages]
    current = [(c, lv) for c, lv in current if c != code.strip().lower()]
    update_profile(session, actor, expert, ProfileChanges(languages=[*current, (code, level)]))


def remove_language(session: Session, actor: User, expert: Expert, code: str) -> None:
    kept = [(lang.code, lang.level) for lang in expert.languages if lang.code != code]
    if len(kept) == len(expert.languages):
        raise NotFound(_("no such language on the profile"))
    update_profile(session, actor, expert, ProfileChanges(languages=kept))


def attach_cv(session: Session, actor: User, expert: Expert, upload: FileStorage) -> None:
    if actor.id != expert.user_id:
        raise PermissionDenied(_("an expert uploads only its own CV"))
    stored = uploads.store(session, upload, allowed=CV_KINDS, uploaded_by_id=actor.id)
    expert.cv_file_id = stored.id
    expert.updated_at = utcnow()
    audit.record(session, "expert.cv", expert, actor=actor, data={"file": stored.original_name})


# -- the secretariat ----------------------------------------------------------------------------------


VET_OUTCOMES = {"active": "approve", "rejected": "reject"}


def vet(session: Session, actor: User, expert: Expert, outcome: str, note: str = "") -> Expert:
    action = VET_OUTCOMES.get((outcome or "").strip())
    if action is None:
        raise ValidationError(
            _("outcome must be active or rejected"), fields={"outcome": "unknown"}
        )
    note = (note or "").strip()
    if action == "reject" and not note:
        raise ValidationError(
            _("say why the expert is not accepted: the expert reads it"),
            fields={"note": "required"},
        )
    EXPERT_WORKFLOW.check(expert, action, actor)
    expert.status_note = note[:2000]
    if action == "approve":
        expert.vetted_at, expert.vetted_by_id = utcnow(), actor.id
        if expert.user.vetted_at is None:
            expert.user.vetted_at = utcnow()
    EXPERT_WORKFLOW.apply(session, expert, action, actor, data={"note": note[:200]})
    return expert


def set_active(session: Session, actor: User, expert: Expert, active: bool, note: str = "") -> None:
    action = "reactivate" if active else "deactivate"
    note = (note or "").strip()
    if not active and not note:
        raise ValidationError(_("say why the expert is deactivated"), fields={"note": "required"})
    EXPERT_WORKFLOW.check(expert, action, actor)
    expert.status_note = note[:2000]
    EXPERT_WORKFLOW.apply(session, expert, action, actor, data={"note": note[:200]})


# -- an administrator changing the account ------------------------------------------------------------


def on_nationality_changing(
    user: User, *, session: Session, actor: User, state_iso3: str | None
) -> None:
    """Once the roster has vetted an expert, its nationality is what keeps it out of its own
    State's missions: an administrator's change of role may neither change nor clear it
    (nor through another role and back: the vetted profile stays with the account)."""
    if user.state_iso3 is None:
        return  # giving a nationality that was never recorded takes nothing away
    vetted = session.execute(
        select(Expert.id).where(Expert.user_id == user.id, Expert.vetted_at.is_not(None))
    ).first()
    if vetted is not None:
        raise ValidationError(
            _(
                "a vetted expert's nationality is locked: it keeps the expert out of its own"
                " State's missions, so it is neither changed nor cleared with the role"
            ),
            fields={"state": "locked"},
        )
