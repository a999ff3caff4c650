"""What the Index's words mean here: its country names, bodies, theme labels and SDG targets,
each mapped explicitly (a name not in a table is reported, never guessed)."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.recommendations.symbols import SPECIAL_PROCEDURES
from app.recommendations.uhri import normalise
from app.reference import services as reference
from app.reference.models import Mechanism, SdgTarget, SpecialProcedure, State, Theme

DATA = Path(__file__).resolve().parent / "data"
COUNTRIES_CSV = DATA / "uhri_countries.csv"
# Special procedure mandates under a title the Council has since changed.
FORMER_MANDATE_TITLES_CSV = DATA / "uhri_mandates.csv"
LABELS_CSV = "names/uhri_labels.csv"
# `- 16.3 - Promote the rule of law`: the target's number comes first.
TARGET = re.compile(r"(\d{1,2}\.(?:\d{1,2}|[a-z]))(?![\w.])", re.IGNORECASE)
# The line UHRI adds under a special procedure mandate, naming the family.
SPECIAL_PROCEDURES_LINE = normalise("Special Procedures")
# The Index opens a mandate's line with the abbreviation of its kind: "SR on the right to food".
MANDATE_KINDS = {
    "sr": "Special Rapporteur",
    "ie": "Independent Expert",
    "wg": "Working Group",
}
MANDATE_LINE = re.compile(r"(SR|IE|WG)\b\s*(.*)", re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=1)
def country_names() -> Mapping[str, str]:
    """UHRI's English country names (compared normalised) → ISO 3166-1 alpha-3."""
    with COUNTRIES_CSV.open(newline="", encoding="utf-8") as handle:
        return MappingProxyType(
            {normalise(row["uhri_name"]): row["iso3"] for row in csv.DictReader(handle)}
        )


@lru_cache(maxsize=1)
def former_mandate_titles() -> Mapping[str, str]:
    with FORMER_MANDATE_TITLES_CSV.open(newline="", encoding="utf-8") as handle:
        return MappingProxyType(
            {normalise(row["uhri_body"]): row["code"] for row in csv.DictReader(handle)}
        )


def mandate_title(line: str) -> str:
    """A `Reccomending Body` line with its abbreviation written out, normalised: "SR on the
    right to food" → "special rapporteur on the right to food"."""
    match = MANDATE_LINE.match(line.strip())
    if match is None:
        return normalise(line)
    return normalise(f"{MANDATE_KINDS[match.group(1).lower()]} {match.group(2)}")


@lru_cache(maxsize=1)
def theme_labels() -> Mapping[tuple[bool, str], str]:
    """(from the Themes column?, label normalised) → our theme code. The file's kind says
    which column a label comes from: `theme`, or else the affected persons."""
    return MappingProxyType(
        {
            (row["kind"] == "theme", normalise(row["uhri_label"])): row["code"]
            for row in reference.read_csv(LABELS_CSV)
        }
    )


class Unmapped(Exception):
    """A value the row cannot be imported with; `reason` is a code of importer.SKIP_REASONS,
    `value` the name not found (for the report), if there is one."""

    def __init__(self, reason: str, value: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value


@dataclass(frozen=True)
class Body:
    mechanism_code: str
    mandate_code: str | None = None


@dataclass(frozen=True)
class Lookup:
    """The reference data one import checks against, read once."""

    states: frozenset[str]
    mechanisms: Mapping[str, str]  # code → kind
    mandates: Mapping[str, str]  # the mandate's title, normalised → its code
    targets: frozenset[str]
    themes: frozenset[str]

    @classmethod
    def load(cls, session: Session) -> Lookup:
        titles = {
            normalise(row.name): row.code
            for row in session.execute(select(SpecialProcedure.code, SpecialProcedure.name))
        }
        codes = set(titles.values())
        mandates = {t: c for t, c in former_mandate_titles().items() if c in codes} | titles
        return cls(
            states=frozenset(session.execute(select(State.iso3)).scalars()),
            mechanisms={
                r.code: r.kind for r in session.execute(select(Mechanism.code, Mechanism.kind))
            },
            mandates=mandates,
            targets=frozenset(session.execute(select(SdgTarget.target)).scalars()),
            themes=frozenset(session.execute(select(Theme.code)).scalars()),
        )

    def state(self, name: str) -> str | None:
        iso3 = country_names().get(normalise(name))
        return iso3 if iso3 in self.states else None

    def body(self, lines: list[str]) -> Body:
        """The body a `Reccomending Body` cell names."""
        named = [line for line in lines if normalise(line) != SPECIAL_PROCEDURES_LINE]
        if not named:
            if not lines:
                raise Unmapped("unknown_body", "")
            # Only the family's line: a special procedure whose mandate is not given.
            return Body(SPECIAL_PROCEDURES)
        if len(named) > 1:
            raise Unmapped("several_bodies")
        line = named[0]
        code = line.strip().upper()
        if self.mechanisms.get(code) in ("upr", "treaty_body"):
            return Body(code)
        mandate = self.mandates.get(mandate_title(line))
        if mandate is None:
            raise Unmapped("unknown_body", line)
        return Body(SPECIAL_PROCEDURES, mandate)

    def target(self, line: str) -> str:
        match = TARGET.match(line.strip())
        number = match.group(1).lower() if match else ""
        if number not in self.targets:
            raise Unmapped("unknown_sdg_target")
        return number

    def theme(self, label: str, *, from_themes: bool) -> str | None:
        code = theme_labels().get((from_themes, normalise(label)))
        return code if code in self.themes else None
