"""Read access to reference data, and the loader the migrations use."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel import Locale
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.reference.models import Mechanism, Sdg, State, Theme

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def states(session: Session) -> Sequence[State]:
    return session.execute(select(State).order_by(State.name)).scalars().all()


def themes(session: Session) -> Sequence[Theme]:
    return session.execute(select(Theme).order_by(Theme.kind.desc(), Theme.name)).scalars().all()


def mechanisms(session: Session) -> Sequence[Mechanism]:
    return (
        session.execute(select(Mechanism).order_by(Mechanism.kind.desc(), Mechanism.code))
        .scalars()
        .all()
    )


def sdgs(session: Session) -> Sequence[Sdg]:
    return session.execute(select(Sdg).order_by(Sdg.number)).scalars().all()


def get_state(session: Session, iso3: str) -> State:
    state = session.get(State, (iso3 or "").strip().upper())
    if state is None:
        raise NotFound(f"unknown State {iso3!r} (use an ISO 3166-1 alpha-3 code)")
    return state


def languages(locale: str | None = None) -> Mapping[str, str]:
    """ISO 639-1 codes and their names in `locale` (by default the page's language), from CLDR,
    sorted by name. Read-only: the same mapping serves every caller in that language."""
    return _language_names(locale or str(get_locale() or "en"))


@lru_cache(maxsize=32)
def _language_names(locale: str) -> Mapping[str, str]:
    # Sorting CLDR's few hundred names cost 1 ms a call, and the roster asks once per expert.
    names = Locale.parse(locale).languages
    return MappingProxyType(
        dict(
            sorted(
                ((code, name) for code, name in names.items() if len(code) == 2),
                key=lambda kv: kv[1],
            )
        )
    )


def reference_payload(session: Session) -> dict[str, Any]:
    return {
        "states": [
            {
                "iso3": s.iso3,
                "name": s.name,
                "region": s.region.value,
                "ldc": s.ldc,
                "lldc": s.lldc,
                "sids": s.sids,
            }
            for s in states(session)
        ],
        "themes": [{"code": t.code, "name": t.name, "kind": t.kind} for t in themes(session)],
        "mechanisms": [
            {"code": m.code, "name": m.name, "kind": m.kind} for m in mechanisms(session)
        ],
        "sdgs": [{"number": g.number, "name": g.name} for g in sdgs(session)],
    }
