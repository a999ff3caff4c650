"""What a request is made of, as plain data from a form or the API (the *Spec classes), and
how each part is checked and cleaned before the services store it: the pages and the API
share one validation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.checks import ceiling
from app.applications.models import Application, BudgetCategory
from app.core.errors import ValidationError
from app.core.money import Money, MoneyError, fund_currency, parse_amount
from app.core.text import clean_text
from app.reference import services as reference
from app.reference.models import Mechanism, Sdg, Theme

TEXT_LIMIT = 10_000
MAX_ROWS = 50  # recommendations, indicators or budget lines on one application
MAX_LANGUAGES = 20  # expertise wanted: "en fr …" fits the column


@dataclass
class RecommendationSpec:
    mechanism: str
    reference: str
    text: str
    recommending_body: str = ""
    cycle: str = ""


@dataclass
class IndicatorSpec:
    name: str
    baseline: str
    target: str
    result: str = ""


@dataclass
class BudgetLineSpec:
    category: str
    description: str
    amount: str


@dataclass
class OverviewSpec:
    title: str
    summary: str = ""
    objectives: str = ""
    activities: str = ""
    duration_months: int | None = None
    implementing_entity: str = ""
    themes: list[str] = field(default_factory=list)
    sdgs: list[int] = field(default_factory=list)


@dataclass
class ExpertiseSpec:
    themes: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    person_days: int | None = None


@dataclass
class ConsentSpec:
    official_name: str
    official_title: str
    given: bool


@dataclass
class ApplicationSpec:
    overview: OverviewSpec
    currency: str | None = None
    recommendations: list[RecommendationSpec] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)
    budget: list[BudgetLineSpec] = field(default_factory=list)
    expertise: ExpertiseSpec = field(default_factory=ExpertiseSpec)
    consent: ConsentSpec | None = None
    cofinancing_amount: str | None = None
    cofinancing_note: str = ""


def text(value: str | None, name: str, *, required: bool = False, limit: int = TEXT_LIMIT) -> str:
    return clean_text(value, name, limit=limit, required=required)


def themes(session: Session, codes: Iterable[str], name: str = "themes") -> list[Theme]:
    codes = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    found = {
        t.code: t for t in session.execute(select(Theme).where(Theme.code.in_(codes))).scalars()
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            _("unknown theme code %(code)s", code=repr(unknown[0])),
            fields={name: f"unknown: {', '.join(unknown)}"},
        )
    return [found[c] for c in codes]


def sdgs(session: Session, numbers: Iterable[Any]) -> list[Sdg]:
    wanted: list[int] = []
    for value in numbers:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError(
                _("%(value)s is not an SDG number", value=repr(value)),
                fields={"sdgs": "not a number"},
            ) from None
        if not 1 <= number <= 99:  # also keeps an absurd integer away from the database
            raise ValidationError(
                _("there is no SDG %(number)s (use 1 to 17)", number=number),
                fields={"sdgs": "unknown"},
            )
        if number not in wanted:
            wanted.append(number)
    found = {
        g.number: g for g in session.execute(select(Sdg).where(Sdg.number.in_(wanted))).scalars()
    }
    unknown = [n for n in wanted if n not in found]
    if unknown:
        raise ValidationError(
            _("there is no SDG %(number)s (use 1 to 17)", number=unknown[0]),
            fields={"sdgs": "unknown"},
        )
    return [found[n] for n in wanted]


def languages(codes: Iterable[str]) -> list[str]:
    known = reference.languages()
    result = list(dict.fromkeys(c.strip().lower() for c in codes if c and c.strip()))
    unknown = [c for c in result if c not in known]
    if unknown:
        raise ValidationError(
            _(
                "unknown language code %(code)s (use ISO 639-1, e.g. en, fr)",
                code=repr(unknown[0]),
            ),
            fields={"languages": "unknown"},
        )
    if len(result) > MAX_LANGUAGES:
        raise ValidationError(
            _("at most %(count)s languages", count=MAX_LANGUAGES),
            fields={"languages": "too many"},
        )
    return result


def positive_int(
    value: Any, name: str, *, low: int, high: int, optional: bool = True
) -> int | None:
    if value in (None, ""):
        if optional:
            return None
        raise ValidationError(_("%(name)s is required", name=name), fields={name: "required"})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            _("%(name)s must be a whole number", name=name), fields={name: "not a number"}
        ) from None
    if not low <= number <= high:
        raise ValidationError(
            _("%(name)s must be between %(low)s and %(high)s", name=name, low=low, high=high),
            fields={name: "out of range"},
        )
    return number


def currency(value: str | None) -> str:
    currency = (value or fund_currency()).strip().upper()
    if currency != fund_currency():
        raise ValidationError(
            _("requests are made in the fund's currency, %(currency)s", currency=fund_currency()),
            fields={"currency": "not the fund currency"},
        )
    return currency


def amount(value: Any, currency: str, name: str = "amount") -> int:
    try:
        return parse_amount(value, currency).amount_minor
    except MoneyError as error:
        raise ValidationError(
            _("%(name)s: %(error)s", name=name, error=str(error)), fields={name: str(error)}
        ) from None


def mechanism(session: Session, code: str) -> str:
    code = (code or "").strip().upper()
    if session.get(Mechanism, code) is None:
        raise ValidationError(
            _("unknown mechanism %(code)s", code=repr(code)), fields={"mechanism": "unknown"}
        )
    return code


def clean_recommendation(session: Session, spec: RecommendationSpec) -> dict[str, str]:
    return {
        "mechanism_code": mechanism(session, spec.mechanism),
        "reference": text(spec.reference, "reference", required=True, limit=120),
        "text": text(spec.text, "text", required=True),
        "recommending_body": text(spec.recommending_body, "recommending_body", limit=200),
        "cycle": text(spec.cycle, "cycle", limit=60),
    }


def clean_indicator(spec: IndicatorSpec) -> dict[str, str]:
    return {
        "name": text(spec.name, "name", required=True, limit=300),
        "baseline": text(
            str(spec.baseline) if spec.baseline is not None else "",
            "baseline",
            required=True,
            limit=100,
        ),
        "target": text(
            str(spec.target) if spec.target is not None else "", "target", required=True, limit=100
        ),
        "result": text(spec.result, "result"),
    }


def clean_budget_line(spec: BudgetLineSpec, currency: str) -> dict[str, Any]:
    try:
        category = BudgetCategory(spec.category)
    except ValueError:
        raise ValidationError(
            _(
                "unknown budget category %(category)s; use one of %(categories)s",
                category=repr(spec.category),
                categories=", ".join(c.value for c in BudgetCategory),
            ),
            fields={"category": "unknown"},
        ) from None
    return {
        "category": category,
        "description": text(spec.description, "description", required=True, limit=300),
        "amount_minor": amount(spec.amount, currency),
    }


def check_total(session: Session, application: Application, total_minor: int) -> None:
    limit = ceiling(session)
    if total_minor > limit.amount_minor:
        raise ValidationError(
            _(
                "the budget total would be %(total)s, above the grant ceiling of %(ceiling)s",
                total=Money(total_minor, application.currency).format(),
                ceiling=limit.format(),
            ),
            fields={"amount": "above the ceiling"},
        )


def row_limit(rows: Sequence[Any], name: str, *, adding: int = 1) -> None:
    """Refuse rows that would take the application past MAX_ROWS of a kind."""
    if len(rows) + adding > MAX_ROWS:
        messages = {
            "recommendations": _("at most %(count)s recommendations", count=MAX_ROWS),
            "indicators": _("at most %(count)s indicators", count=MAX_ROWS),
            "budget lines": _("at most %(count)s budget lines", count=MAX_ROWS),
        }
        raise ValidationError(messages[name], fields={name: "too many"})
