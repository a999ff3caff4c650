"""Frozen versions of an application and what changed between two of them."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.applications.models import Application


def snapshot(application: Application) -> dict[str, Any]:
    a = application
    return {
        "title": a.title,
        "summary": a.summary,
        "objectives": a.objectives,
        "activities": a.activities,
        "duration_months": a.duration_months,
        "implementing_entity": a.implementing_entity,
        "currency": a.currency,
        "requested": a.requested.as_string(),
        "cofinancing": a.cofinancing.as_string() if a.cofinancing else None,
        "cofinancing_note": a.cofinancing_note,
        "themes": [t.code for t in a.themes],
        "sdgs": [g.number for g in a.sdgs],
        "recommendations": [
            {
                "mechanism": r.mechanism_code,
                "reference": r.reference,
                "text": r.text,
                "recommending_body": r.recommending_body,
                "cycle": r.cycle,
            }
            for r in a.recommendations
        ],
        "indicators": [
            {"result": i.result, "name": i.name, "baseline": i.baseline, "target": i.target}
            for i in a.indicators
        ],
        "budget": [
            {"category": b.category, "description": b.description, "amount": b.amount.as_string()}
            for b in a.budget_lines
        ],
        "expertise": {
            "themes": [t.code for t in a.expertise_themes],
            "languages": a.language_codes,
            "person_days": a.expertise_person_days,
        },
        "consent": {
            "official_name": a.consent_official_name,
            "official_title": a.consent_official_title,
        },
        "attachments": [f.original_name for f in a.attachments],
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


FIELD_LABELS: dict[str, Any] = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "objectives": _l("Objectives"),
    "activities": _l("Activities"),
    "duration_months": _l("Duration (months)"),
    "implementing_entity": _l("Implementing national entity"),
    "currency": _l("Currency"),
    "requested": _l("Amount requested"),
    "cofinancing": _l("Co-financing"),
    "cofinancing_note": _l("Co-financing details"),
    "themes": _l("Themes"),
    "sdgs": _l("SDGs"),
    "recommendations": _l("Recommendations"),
    "indicators": _l("Results and indicators"),
    "budget": _l("Budget lines"),
    "expertise": _l("Expertise wanted"),
    "consent": _l("Consent"),
    "attachments": _l("Attachments"),
}
TEXT_FIELDS = {"summary", "objectives", "activities", "cofinancing_note"}


@dataclass(frozen=True)
class Change:
    field: str
    label: Any
    before: Any
    after: Any
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    inline: Markup | None = None
    listed: bool = False  # a list: shown as what was added and removed (or reordered)


def _word_diff(before: str, after: str) -> Markup:
    a, b = (before or "").split(), (after or "").split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(str(escape(" ".join(a[i1:i2]))))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return Markup(" ".join(out))  # noqa: S704 (every piece is escaped above)


def _item(value: Any) -> str:
    if isinstance(value, dict):
        return " · ".join(str(v) for v in value.values() if v not in (None, "", []))
    return str(value)


# Lists whose order means nothing: the same themes in another order are no change.
UNORDERED = {"themes", "sdgs"}


def changes(
    before: dict[str, Any], after: dict[str, Any], theme_names: dict[str, str] | None = None
) -> list[Change]:
    """What changed between two snapshots, field by field; theme codes are shown by name."""
    names = theme_names or {}

    def readable(field: str, value: Any) -> Any:
        if field == "themes":
            return [names.get(code, code) for code in value or []]
        if field == "expertise" and isinstance(value, dict):
            return {**value, "themes": ", ".join(names.get(c, c) for c in value.get("themes", []))}
        return value

    result = []
    for field, label in FIELD_LABELS.items():
        old, new = before.get(field), after.get(field)
        if field in UNORDERED:
            old, new = sorted(old or [], key=str), sorted(new or [], key=str)
        if old == new:
            continue
        old, new = readable(field, old), readable(field, new)
        if isinstance(old, list) or isinstance(new, list):
            old_items = [_item(x) for x in old or []]
            new_items = [_item(x) for x in new or []]
            result.append(
                Change(
                    field,
                    label,
                    old,
                    new,
                    added=tuple(x for x in new_items if x not in old_items),
                    removed=tuple(x for x in old_items if x not in new_items),
                    listed=True,
                )
            )
        elif field in TEXT_FIELDS:
            result.append(Change(field, label, old, new, inline=_word_diff(old or "", new or "")))
        else:
            result.append(
                Change(
                    field,
                    label,
                    _item(old) if old is not None else "—",
                    _item(new) if new is not None else "—",
                )
            )
    return result
