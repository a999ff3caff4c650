"""The offer of a mission: its terms, checked against the grant, the expert's calendar and
the grant's budget for experts; the secretariat proposes, and the expert is told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import audit
from app.core.database import today
from app.core.dates import period_day
from app.core.errors import Conflict, TransitionNotAllowed, ValidationError
from app.core.i18n import money_text, status_word
from app.core.money import Money, MoneyError, convert, parse_amount
from app.core.permissions import require_role
from app.core.roles import Role
from app.core.sequences import yearly_reference
from app.deployments import notifications
from app.deployments.models import Deployment, DeploymentStatus, holding_days
from app.experts.models import Expert, ExpertStatus
from app.grants.models import Grant, GrantStatus

MAX_MISSION_DAYS = 180
NOT_RESERVING = (DeploymentStatus.DECLINED, DeploymentStatus.CANCELLED)


@dataclass(frozen=True)
class Terms:
    start: Any
    end: Any
    person_days: Any
    terms_of_reference: str
    travel_budget: Any = "0"
    fx_rate: Any = None


def _person_days(value: Any, days: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            _("person-days: give a whole number"), fields={"person_days": "invalid"}
        ) from None
    if number <= 0:
        raise ValidationError(
            _("person-days must be at least 1"), fields={"person_days": "not positive"}
        )
    if number > days:
        raise ValidationError(
            _("person-days cannot exceed the %(days)s day(s) of the mission", days=days),
            fields={"person_days": "above the mission's length"},
        )
    return number


def reserved_minor(session: Session, grant: Grant, *, ignore: int | None = None) -> int:
    """The expert budget held by the grant's deployments (fee and travel budget of each
    one not declined or cancelled)."""
    stmt = select(
        func.coalesce(func.sum(Deployment.fee_minor + Deployment.travel_budget_minor), 0)
    ).where(Deployment.grant_id == grant.id, Deployment.status.not_in(NOT_RESERVING))
    if ignore is not None:
        stmt = stmt.where(Deployment.id != ignore)
    return int(session.execute(stmt).scalar_one())


def expert_budget_free(session: Session, grant: Grant) -> int:
    return max(0, grant.expert_budget_minor - reserved_minor(session, grant))


def validate_terms(
    session: Session, grant: Grant, expert: Expert, terms: Terms
) -> tuple[date, date, int, str, int, int, str]:
    """(start, end, person_days, fx rate text, fee, travel budget, terms) — or raise."""
    start, end = period_day(terms.start, "start"), period_day(terms.end, "end")
    if end < start:
        raise ValidationError(
            _("the mission ends before it starts"), fields={"end": "before start"}
        )
    if start < today():
        raise ValidationError(_("the mission cannot start in the past"), fields={"start": "past"})
    days = (end - start).days + 1
    if days > MAX_MISSION_DAYS:
        raise ValidationError(
            _("a mission lasts at most %(days)s days", days=MAX_MISSION_DAYS),
            fields={"end": "too long"},
        )
    if grant.start_date is None or grant.end_date is None:
        raise TransitionNotAllowed(_("the grant has no period yet: the State has not accepted it"))
    if start < grant.start_date or end > grant.end_date:
        raise ValidationError(
            _(
                "the mission must fall within the grant's period (%(start)s – %(end)s)",
                start=grant.start_date.isoformat(),
                end=grant.end_date.isoformat(),
            ),
            fields={"start": "outside the grant's period"},
        )
    person_days = _person_days(terms.person_days, days)
    text = (terms.terms_of_reference or "").strip()
    if len(text) < 20:
        raise ValidationError(
            _("write the terms of reference: what the expert is asked to do (a few sentences)"),
            fields={"terms_of_reference": "required"},
        )
    if expert.daily_rate is None:
        raise ValidationError(
            _("the expert has no daily rate on the profile"), fields={"expert": "no rate"}
        )
    fee_original = Money(expert.daily_rate.amount_minor * person_days, expert.rate_currency)
    rate_text, fee = convert(fee_original, terms.fx_rate, grant.currency, field="fx_rate")
    try:
        travel = parse_amount(
            str(terms.travel_budget or "0"), grant.currency, allow_zero=True
        ).amount_minor
    except MoneyError as error:
        raise ValidationError(
            _("travel budget: %(error)s", error=str(error)),
            fields={"travel_budget": str(error)},
        ) from None
    return start, end, person_days, rate_text, fee, travel, text[:10000]


def overlapping(
    session: Session, expert_id: int, start: date, end: date, *, ignore: int | None = None
) -> Deployment | None:
    """A deployment that already holds some of these days in the expert's calendar."""
    stmt = select(Deployment).where(*holding_days(expert_id, start, end, ignore=ignore))
    return session.execute(stmt.limit(1)).scalars().first()


def _grant_is_active(grant: Grant) -> None:
    if grant.status_enum is not GrantStatus.ACTIVE:
        raise TransitionNotAllowed(
            _(
                "experts are deployed under active grants; this one is %(status)s",
                status=status_word(grant.status_enum),
            ),
            fields={"status": grant.status_enum.value},
        )


def _expert_may_go(expert: Expert, grant: Grant) -> None:
    """Vetted and active, its account on, and never sent to its own State (which needs its
    nationality on record)."""
    if expert.status_enum is not ExpertStatus.ACTIVE:
        raise ValidationError(
            _("only vetted, active experts can be proposed"), fields={"expert": "not active"}
        )
    if not expert.user.active:
        raise ValidationError(
            _("the expert's account is deactivated: it cannot be proposed"),
            fields={"expert": "account deactivated"},
        )
    if not expert.user.state_iso3:
        # Without a nationality the rule that nobody is sent to its own State cannot hold.
        raise ValidationError(
            _("the expert has no nationality on record: it cannot be proposed until it has one"),
            fields={"expert": "no nationality"},
        )
    if expert.user.state_iso3 == grant.state_iso3:
        raise ValidationError(
            _("an expert is never sent to its own State"), fields={"expert": "national"}
        )


def _expert_is_free(session: Session, expert: Expert, start: date, end: date) -> None:
    """Available, by its own calendar, for the whole mission, and engaged elsewhere on none
    of its days."""
    if not expert.is_available(start, end):
        raise ValidationError(
            _("the expert has not said it is available for all of these dates"),
            fields={"start": "not available"},
        )
    clash = overlapping(session, expert.id, start, end)
    if clash is not None:
        raise Conflict(
            _(
                "the expert is already engaged from %(start)s to %(end)s (%(reference)s)",
                start=clash.start_date.isoformat(),
                end=clash.end_date.isoformat(),
                reference=clash.reference,
            ),
            fields={"start": "overlaps another deployment"},
        )


def _within_the_expert_budget(session: Session, grant: Grant, cost_minor: int) -> None:
    free = expert_budget_free(session, grant)
    if cost_minor > free:
        raise ValidationError(
            _(
                "the fee and travel (%(cost)s) exceed what remains of the grant's budget for"
                " experts (%(free)s)",
                cost=money_text(Money(cost_minor, grant.currency)),
                free=money_text(Money(free, grant.currency)),
            ),
            fields={"fee": "above the remaining commitment"},
        )


def propose(
    session: Session, actor: User, grant: Grant, expert: Expert, terms: Terms
) -> Deployment:
    require_role(actor, Role.SECRETARIAT)
    # Locks, always in this order (the views lock the grant first too): the grant's row for
    # its expert budget, then the expert's row for its calendar. Two proposals for the same
    # expert or the same budget queue here, and the second sees the first's (FOR UPDATE on
    # PostgreSQL; SQLite's write lock at BEGIN IMMEDIATE).
    session.execute(select(Grant.id).where(Grant.id == grant.id).with_for_update())
    session.execute(select(Expert.id).where(Expert.id == expert.id).with_for_update())
    _grant_is_active(grant)
    _expert_may_go(expert, grant)
    start, end, person_days, rate_text, fee, travel, text = validate_terms(
        session, grant, expert, terms
    )
    _expert_is_free(session, expert, start, end)
    _within_the_expert_budget(session, grant, fee + travel)
    deployment = Deployment(
        reference=yearly_reference(session, "DEP", today().year),
        grant_id=grant.id,
        expert_id=expert.id,
        status=DeploymentStatus.PROPOSED,
        terms_of_reference=text,
        start_date=start,
        end_date=end,
        person_days=person_days,
        daily_rate_minor=expert.daily_rate_minor or 0,
        rate_currency=expert.rate_currency,
        fx_rate=rate_text,
        currency=grant.currency,
        fee_minor=fee,
        travel_budget_minor=travel,
        proposed_by_id=actor.id,
    )
    session.add(deployment)
    session.flush()
    audit.record(
        session,
        "deployment.propose",
        deployment,
        actor=actor,
        data={
            "grant": grant.reference,
            "expert": expert.id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "fee": deployment.fee.as_string(),
            "travel": deployment.travel_budget.as_string(),
        },
    )
    notifications.offered(session, deployment, actor)
    return deployment
