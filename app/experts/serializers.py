"""JSON for an expert's profile (design.md §5.2)."""

from __future__ import annotations

from typing import Any

from app.experts.models import Expert


def expert_json(expert: Expert) -> dict[str, Any]:
    state = expert.user.state
    return {
        "id": expert.id,
        "name": expert.name,
        "status": expert.status_enum.value,
        "nationality": expert.user.state_iso3,
        "region": state.region.value if state is not None else None,
        "current_position": expert.current_position,
        "summary": expert.summary,
        "years_experience": expert.years_experience,
        "daily_rate": expert.daily_rate.as_string() if expert.daily_rate else None,
        "currency": expert.rate_currency,
        "languages": [
            {"code": language.code, "level": language.level_enum.value}
            for language in expert.languages
        ],
        "themes": expert.theme_codes,
        "mechanisms": [m.code for m in expert.mechanisms],
        "availability": [
            {"start": p.start_date.isoformat(), "end": p.end_date.isoformat()}
            for p in expert.availability
        ],
        "cv": expert.cv.original_name if expert.cv else None,
        "status_note": expert.status_note or None,
    }
