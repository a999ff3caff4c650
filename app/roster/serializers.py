"""JSON for a ranked expert: its profile with its score, part by part (design.md §5.2)."""

from __future__ import annotations

from typing import Any

from app.experts.serializers import expert_json
from app.roster.matching import Match


def match_json(match: Match) -> dict[str, Any]:
    expert = match.expert
    return {
        **expert_json(expert),
        "score": match.score,
        "score_parts": [
            {"label": part.label, "points": part.points, "detail": part.detail}
            for part in match.parts
        ],
    }
