"""Typed settings: a declared default (possibly from config), overridden by the admin."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.errors import ValidationError
from app.core.permissions import require_role
from app.core.roles import Role
from app.core.workflow import WorkflowActor
from app.settings.models import Setting


@dataclass(frozen=True)
class Definition:
    key: str
    label: Any
    help: Any
    default: Callable[[], int]
    minimum: int
    maximum: int


DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition(
            "grant_ceiling",
            _l("Grant ceiling"),
            _l("The largest amount a request may ask for, in the fund's currency (whole units)."),
            lambda: int(current_app.config["GRANT_CEILING"]),
            1,
            10_000_000,
        ),
        Definition(
            "ballot_days",
            _l("Ballot length (days)"),
            _l("Default time the committee has to vote once a request is found eligible."),
            lambda: 14,
            1,
            90,
        ),
        Definition(
            "quorum_percent",
            _l("Quorum (percentage of non-recused members)"),
            _l(
                "More than this share of the non-recused members must have voted. 50 means a majority."
            ),
            lambda: 50,
            0,
            99,
        ),
        Definition(
            "reminder_hours",
            _l("Ballot reminder (hours before the deadline)"),
            _l("Members who have not voted are reminded this long before the ballot closes."),
            lambda: 48,
            1,
            24 * 14,
        ),
        Definition(
            "seat_term_years",
            _l("Committee term (years)"),
            _l("Default length of a committee seat's term."),
            lambda: 3,
            1,
            10,
        ),
        Definition(
            "max_consecutive_terms",
            _l("Consecutive terms allowed"),
            _l("How many consecutive terms one person may serve on the committee."),
            lambda: 2,
            1,
            10,
        ),
        Definition(
            "south_south_points",
            _l("Matching: South–South bonus (points)"),
            _l(
                "Added to an expert's score when both the expert and the State are from the"
                " African, Asia-Pacific or Latin American and Caribbean groups."
            ),
            lambda: 10,
            0,
            30,
        ),
        Definition(
            "same_region_points",
            _l("Matching: same regional group bonus (points)"),
            _l("Added to an expert's score when the expert is from the State's regional group."),
            lambda: 5,
            0,
            30,
        ),
    )
}


def get(session: Session, key: str) -> int:
    definition = DEFINITIONS[key]
    value = session.execute(select(Setting.value).where(Setting.key == key)).scalar_one_or_none()
    return int(value) if value is not None else definition.default()


def all_values(session: Session) -> dict[str, int]:
    stored = dict(session.execute(select(Setting.key, Setting.value)).all())
    return {k: int(stored[k]) if k in stored else d.default() for k, d in DEFINITIONS.items()}


def update(
    session: Session, actor: WorkflowActor, values: Mapping[str, Any]
) -> dict[str, tuple[int, int]]:
    """Validate every value first, then store them; returns what changed."""
    require_role(actor, Role.ADMIN)
    current = all_values(session)
    parsed: dict[str, int] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        definition = DEFINITIONS.get(key)
        if definition is None:
            errors[key] = _("unknown setting")
            continue
        try:
            number = int(str(raw).strip())
        except ValueError:
            errors[key] = _("must be a whole number")
            continue
        if not definition.minimum <= number <= definition.maximum:
            errors[key] = _(
                "must be between %(minimum)s and %(maximum)s",
                minimum=definition.minimum,
                maximum=definition.maximum,
            )
            continue
        parsed[key] = number
    if errors:
        key, message = next(iter(errors.items()))
        raise ValidationError(
            _("%(setting)s: %(problem)s", setting=key, problem=message), fields=errors
        )
    changed = {k: (current[k], v) for k, v in parsed.items() if current[k] != v}
    for key, (_before, after) in changed.items():
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=str(after), updated_by_id=actor.id))
        else:
            row.value = str(after)
            row.updated_by_id = actor.id
    if changed:
        audit.record(
            session,
            "settings.update",
            actor=actor,
            object_type="settings",
            object_id="fund",
            data={k: {"from": b, "to": a} for k, (b, a) in changed.items()},
        )
    return changed
