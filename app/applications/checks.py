"""What makes an application complete (to submit) and eligible (to go to the committee)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, object_session

from app.applications.models import Application
from app.auth.models import User
from app.core.errors import ValidationError
from app.core.money import Money, exponent, fund_currency
from app.settings import services as settings


@dataclass(frozen=True)
class Section:
    key: str
    label: Any
    complete: bool
    optional: bool = False
    problems: tuple[str, ...] = ()


SECTION_LABELS = {
    "overview": _l("Project"),
    "recommendations": _l("Recommendations"),
    "results": _l("Results and indicators"),
    "budget": _l("Budget"),
    "expertise": _l("Expertise wanted"),
    "consent": _l("Consent"),
    "attachments": _l("Attachments"),
}


def sections(application: Application) -> list[Section]:
    a = application
    overview_missing = [
        str(label)
        for label, ok in (
            (_l("title"), bool(a.title.strip())),
            (_l("summary"), bool(a.summary.strip())),
            (_l("objectives"), bool(a.objectives.strip())),
            (_l("activities"), bool(a.activities.strip())),
            (_l("duration"), bool(a.duration_months)),
            (_l("implementing national entity"), bool(a.implementing_entity.strip())),
            (_l("at least one theme"), bool(a.themes)),
            (_l("at least one SDG"), bool(a.sdgs)),
        )
        if not ok
    ]
    expertise_ok = not a.expertise_person_days or bool(a.expertise_themes or a.language_codes)
    return [
        Section(
            "overview",
            SECTION_LABELS["overview"],
            not overview_missing,
            problems=tuple(overview_missing),
        ),
        Section(
            "recommendations",
            SECTION_LABELS["recommendations"],
            bool(a.recommendations),
            problems=() if a.recommendations else (str(_l("link at least one recommendation")),),
        ),
        Section(
            "results",
            SECTION_LABELS["results"],
            bool(a.indicators),
            problems=() if a.indicators else (str(_l("add at least one indicator")),),
        ),
        Section(
            "budget",
            SECTION_LABELS["budget"],
            bool(a.budget_lines),
            problems=() if a.budget_lines else (str(_l("add at least one budget line")),),
        ),
        Section(
            "expertise",
            SECTION_LABELS["expertise"],
            expertise_ok,
            optional=True,
            problems=()
            if expertise_ok
            else (str(_l("say which themes or languages the experts need")),),
        ),
        Section(
            "consent",
            SECTION_LABELS["consent"],
            a.has_consent,
            problems=() if a.has_consent else (str(_l("record the government's consent")),),
        ),
        Section("attachments", SECTION_LABELS["attachments"], True, optional=True),
    ]


def progress(application: Application) -> tuple[int, int]:
    required = [s for s in sections(application) if not s.optional]
    return sum(s.complete for s in required), len(required)


def require_complete(application: Application, actor: User | None) -> None:
    missing = [p for s in sections(application) if not s.complete for p in s.problems]
    if missing:
        raise ValidationError(
            _("The application is not complete: %(missing)s.", missing="; ".join(missing)),
            fields={"application": "incomplete"},
        )


# -- eligibility (screening) --------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    key: str
    label: Any
    met: bool
    detail: str = ""


def ceiling(session: Session) -> Money:
    """The grant ceiling today: the admin's setting (GRANT_CEILING until one is saved)."""
    whole = settings.get(session, "grant_ceiling")
    currency = fund_currency()
    return Money(int(whole) * 10 ** exponent(currency), currency)


def eligibility(application: Application) -> list[Criterion]:
    a = application
    session = object_session(a)
    if session is None:  # screening reads a stored application, never a transient one
        raise RuntimeError("eligibility is checked on a stored application")
    limit = ceiling(session)
    currency = fund_currency()
    budget_ok = bool(a.budget_lines) and a.requested_amount_minor > 0 and a.currency == currency
    within = a.currency == limit.currency and a.requested_amount_minor <= limit.amount_minor
    return [
        Criterion(
            "consent",
            _l("The government's consent is recorded"),
            a.has_consent,
            f"{a.consent_official_name}, {a.consent_official_title}" if a.has_consent else "",
        ),
        Criterion(
            "recommendation",
            _l("At least one linked recommendation"),
            bool(a.recommendations),
            str(len(a.recommendations)),
        ),
        Criterion(
            "budget",
            _l("The budget is complete, in the fund's currency"),
            budget_ok,
            a.requested.format() if a.budget_lines else "",
        ),
        Criterion(
            "ceiling",
            _l("Within the grant ceiling"),
            within,
            f"{a.requested.format()} / {limit.format()}",
        ),
    ]


def require_eligible(application: Application, actor: User | None) -> None:
    unmet = [str(c.label) for c in eligibility(application) if not c.met]
    if unmet:
        raise ValidationError(
            _(
                "Not eligible yet: %(unmet)s. Return it to the State or declare it ineligible.",
                unmet="; ".join(unmet),
            ),
            fields={"outcome": "criteria not met"},
        )
