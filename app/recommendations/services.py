"""Reading a State's register, typing a recommendation into it, and tracking how far each
one is implemented. Every function takes the acting user and checks it.

Who: a State's focal point (applicant) reads and writes its own State's register; the
secretariat reads every register and types entries into any; the auditor and the committee
read. Only the State itself posts a voluntary status update.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.core import audit
from app.core.database import utcnow
from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.core.pagination import Page, paginate
from app.core.roles import Role
from app.core.text import clean_text
from app.recommendations.models import (
    ImplementationStatus,
    RecommendationKind,
    RecommendationSource,
    StateRecommendation,
    StatusOrigin,
    StatusUpdate,
    UprPosition,
    recommendation_sdg_targets,
    recommendation_themes,
)
from app.recommendations.symbols import SPECIAL_PROCEDURES, check_symbol
from app.reference import services as reference
from app.reference.models import Mechanism, SdgTarget, SpecialProcedure, State, Theme

READERS = frozenset({Role.APPLICANT, Role.SECRETARIAT, Role.AUDITOR, Role.COMMITTEE})
WRITERS = frozenset({Role.APPLICANT, Role.SECRETARIAT})
TEXT_LIMIT = 20_000
NOTE_LIMIT = 5_000
QUERY_LIMIT = 200
LIST_LIMIT = 50  # themes, targets or recommending States on one entry


# -- who sees what -------------------------------------------------------------------------------


def may_read(user: User, iso3: str) -> bool:
    role = user.role_enum
    if role is Role.APPLICANT:
        return user.state_iso3 == iso3
    return role in READERS


def _check_writer(user: User, iso3: str) -> None:
    if user.role_enum not in WRITERS or not may_read(user, iso3):
        raise PermissionDenied(_("you may not change this State's register"))


def _loaded() -> list[Any]:
    return [
        selectinload(StateRecommendation.all_themes),
        selectinload(StateRecommendation.sdg_targets),
        selectinload(StateRecommendation.recommending_states),
    ]


def get_for(
    session: Session, user: User, recommendation_id: int, *, lock: bool = False
) -> StateRecommendation:
    """The register entry if `user` may read its State's register; 404 otherwise."""
    stmt = select(StateRecommendation).where(StateRecommendation.id == recommendation_id)
    if lock:
        stmt = stmt.with_for_update()
    found = session.execute(stmt.options(*_loaded())).scalar_one_or_none()
    if found is None or not may_read(user, found.state_iso3):
        raise NotFound(_("no such recommendation"))
    return found


def get_with_history(
    session: Session, user: User, recommendation_id: int
) -> tuple[StateRecommendation, Sequence[StatusUpdate]]:
    found = get_for(session, user, recommendation_id)
    history = (
        session.execute(
            select(StatusUpdate)
            .where(StatusUpdate.recommendation_id == found.id)
            .options(selectinload(StatusUpdate.created_by))
            .order_by(StatusUpdate.created_at, StatusUpdate.id)
        )
        .scalars()
        .all()
    )
    return found, history


# -- the register, searched ----------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    q: str = ""  # words of the text or the symbol
    body: str = ""  # a mechanism code (`CAT`, `UPR`, `SP`) or a mandate's code
    theme: str = ""  # a theme or affected-person code
    sdg: str = ""  # a target (`16.3`) or a whole goal (`16`)
    status: str = ""


def _filtered(stmt: Select[Any], filters: RegisterFilters) -> Select[Any]:
    R = StateRecommendation
    q = filters.q.strip()[:QUERY_LIMIT]
    if q:
        stmt = stmt.where(
            or_(R.text.icontains(q, autoescape=True), R.symbol.icontains(q, autoescape=True))
        )
    body = filters.body.strip()
    if body:
        # Mechanisms have upper-case codes (`CAT`), mandates lower-case slugs (`sr-food`).
        stmt = stmt.where(or_(R.mechanism_code == body.upper(), R.mandate_code == body.lower()))
    theme = filters.theme.strip()
    if theme:
        stmt = stmt.where(
            exists().where(
                recommendation_themes.c.recommendation_id == R.id,
                recommendation_themes.c.theme_code == theme,
            )
        )
    sdg = filters.sdg.strip().lower()
    if sdg:
        link = recommendation_sdg_targets.c
        target_clause: ColumnElement[bool] = link.target == sdg
        if sdg.isascii() and sdg.isdigit() and len(sdg) <= 2:  # a whole goal
            target_clause = link.target.in_(
                select(SdgTarget.target).where(SdgTarget.goal == int(sdg))
            )
        stmt = stmt.where(exists().where(link.recommendation_id == R.id, target_clause))
    if filters.status:
        stmt = stmt.where(R.status == _status(filters.status))
    return stmt


def list_register(
    session: Session,
    user: User,
    iso3: str,
    filters: RegisterFilters | None = None,
    *,
    page: int = 1,
    per_page: int = 25,
) -> Page[StateRecommendation]:
    """A State's register, newest publication first, searched and filtered."""
    state = reference.get_state(session, iso3)
    if not may_read(user, state.iso3):
        raise PermissionDenied(_("you may not see this State's register"))
    R = StateRecommendation
    stmt = _filtered(select(R).where(R.state_iso3 == state.iso3), filters or RegisterFilters())
    stmt = stmt.options(*_loaded()).order_by(
        R.published_on.is_(None), R.published_on.desc(), R.id.desc()
    )
    return paginate(session, stmt, page=page, per_page=per_page)


# -- typing an entry -----------------------------------------------------------------------------


@dataclass
class ManualSpec:
    """A recommendation the Index does not have, as a form or the API gives it."""

    body: str
    symbol: str
    text: str
    kind: str = RecommendationKind.RECOMMENDATION.value
    upr_session: Any = None
    upr_position: str | None = None
    published_on: date | str | None = None
    themes: list[str] = field(default_factory=list)
    sdg_targets: list[str] = field(default_factory=list)
    recommending_states: list[str] = field(default_factory=list)


def _status(value: str) -> ImplementationStatus:
    return _enum(ImplementationStatus, value, "status")


def _body(session: Session, code: str) -> tuple[str, str | None]:
    code = (code or "").strip()
    if session.get(Mechanism, code.upper()) is not None:
        return code.upper(), None
    mandate = session.get(SpecialProcedure, code.lower())
    if mandate is None:
        raise ValidationError(
            _("unknown body %(code)s", code=repr(code)), fields={"body": "unknown"}
        )
    return SPECIAL_PROCEDURES, mandate.code


def _enum(enum_cls: Any, value: str, name: str) -> Any:
    try:
        return enum_cls(value)
    except ValueError:
        raise ValidationError(
            _(
                "unknown %(name)s %(value)s; use one of %(values)s",
                name=name,
                value=repr(value),
                values=", ".join(member.value for member in enum_cls),
            ),
            fields={name: "unknown"},
        ) from None


def _published(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            _("the publication date must be a date (YYYY-MM-DD)"),
            fields={"published_on": "not a date"},
        ) from None


def _upr(spec: ManualSpec, mechanism_code: str) -> tuple[int | None, UprPosition | None]:
    session_given = spec.upr_session not in (None, "")
    if mechanism_code != "UPR":
        if session_given or spec.upr_position:
            raise ValidationError(
                _("a UPR session and position belong to UPR recommendations only"),
                fields={"upr_session": "not UPR"},
            )
        return None, None
    number = None
    if session_given:
        try:
            number = int(spec.upr_session)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 999:
            raise ValidationError(
                _("the UPR session must be a number from 1 to 999"),
                fields={"upr_session": "out of range"},
            )
    position = _enum(UprPosition, spec.upr_position, "upr_position") if spec.upr_position else None
    return number, position


def _known(session: Session, key: Any, values: Iterable[str], name: str) -> list[Any]:
    """The reference rows whose `key` column holds `values`, in that order; every value must
    name one."""
    wanted = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if len(wanted) > LIST_LIMIT:
        raise ValidationError(
            _("at most %(count)s values", count=LIST_LIMIT), fields={name: "too many"}
        )
    rows = session.execute(select(key.class_).where(key.in_(wanted))).scalars()
    found = {getattr(row, key.key): row for row in rows}
    unknown = [v for v in wanted if v not in found]
    if unknown:
        raise ValidationError(
            _("unknown code %(code)s", code=repr(unknown[0])),
            fields={name: f"unknown: {', '.join(unknown)}"},
        )
    return [found[v] for v in wanted]


def add_manual(session: Session, actor: User, iso3: str, spec: ManualSpec) -> StateRecommendation:
    """Type a recommendation into a State's register (source `manual`)."""
    state = reference.get_state(session, iso3)
    _check_writer(actor, state.iso3)
    mechanism_code, mandate_code = _body(session, spec.body)
    upr_session, upr_position = _upr(spec, mechanism_code)
    entry = StateRecommendation(
        state_iso3=state.iso3,
        source=RecommendationSource.MANUAL,
        kind=_enum(RecommendationKind, spec.kind, "kind"),
        mechanism_code=mechanism_code,
        mandate_code=mandate_code,
        symbol=check_symbol(mechanism_code, spec.symbol),
        text=clean_text(spec.text, "text", limit=TEXT_LIMIT, required=True),
        upr_session=upr_session,
        upr_position=upr_position,
        published_on=_published(spec.published_on),
        created_by_id=actor.id,
        all_themes=_known(session, Theme.code, spec.themes, "themes"),
        sdg_targets=_known(
            session, SdgTarget.target, [t.lower() for t in spec.sdg_targets], "sdg_targets"
        ),
        recommending_states=_known(
            session,
            State.iso3,
            [s.upper() for s in spec.recommending_states],
            "recommending_states",
        ),
    )
    session.add(entry)
    audit.record(
        session,
        "recommendation.add",
        entry,
        actor=actor,
        data={"state": state.iso3, "body": entry.body, "symbol": entry.symbol},
    )
    return entry


# -- implementation status -----------------------------------------------------------------------


def _record_status(
    session: Session,
    actor: User | None,
    entry: StateRecommendation,
    status: ImplementationStatus,
    note: str,
    *,
    origin: StatusOrigin,
    report_id: int | None = None,
) -> StatusUpdate:
    note = clean_text(note, "note", limit=NOTE_LIMIT)
    now = utcnow()
    update = StatusUpdate(
        recommendation_id=entry.id,
        status=status,
        origin=origin,
        report_id=report_id,
        note=note,
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
    )
    session.add(update)
    previous = entry.status
    entry.status = status
    entry.status_changed_at = now
    audit.record(
        session,
        "recommendation.status",
        entry,
        actor=actor,
        data={
            "from": str(previous),
            "to": status.value,
            "origin": origin.value,
            "report_id": report_id,
        },
    )
    return update


def post_status(
    session: Session, actor: User, recommendation_id: int, status: str, note: str = ""
) -> StateRecommendation:
    """The State's own update on a recommendation, at any time, with or without a grant."""
    entry = get_for(session, actor, recommendation_id, lock=True)
    if actor.role_enum is not Role.APPLICANT:
        raise PermissionDenied(_("only the State's focal point updates its recommendations"))
    _record_status(session, actor, entry, _status(status), note, origin=StatusOrigin.VOLUNTARY)
    return entry


def record_report_status(
    session: Session,
    actor: User | None,
    entry: StateRecommendation,
    status: ImplementationStatus | str,
    note: str,
    *,
    report_id: int,
) -> StatusUpdate:
    """What a progress report says about a linked recommendation. The reports service, which
    checked the report, calls it."""
    return _record_status(
        session,
        actor,
        entry,
        _status(status),
        note,
        origin=StatusOrigin.REPORT,
        report_id=report_id,
    )
