"""Importing the Universal Human Rights Index's export into the States' registers.

One import is one transaction: a file is imported whole or not at all (the caller commits).
Memory stays bounded all the same: rows are read one at a time, and written a batch at a
time with Core statements, so no ORM object and no row outlives its batch; the database, not
Python, holds what the transaction wrote so far.

Idempotent: a row is keyed by (State, annotation id). A row already registered is updated
only when one of its fields differs, so importing the same file twice changes nothing, not
even a timestamp.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import audit, uploads
from app.core.database import utcnow
from app.core.errors import PermissionDenied, ValidationError
from app.core.roles import Role
from app.recommendations import uhri
from app.recommendations.mapping import Lookup, Unmapped
from app.recommendations.models import (
    RecommendationKind,
    RecommendationSource,
    StateRecommendation,
    UprPosition,
    recommendation_sdg_targets,
    recommendation_themes,
    recommending_states,
)
from app.recommendations.symbols import symbol_fits_body
from app.reference import services as reference

BATCH = 200  # rows written per round trip; bounds what Python holds
NAMES_KEPT = 100  # distinct unmapped names reported; the rest are only counted
ANNOTATION_LIMIT = 64

# Why a row (or one State of a row) was not imported: stable codes, read by the API.
SKIP_REASONS = {
    "unknown_country": _l("unknown country"),
    "no_country": _l("no country concerned"),
    "other_state": _l("another State's row"),
    "unknown_body": _l("unknown body"),
    "several_bodies": _l("more than one body"),
    "unknown_sdg_target": _l("unknown SDG target"),
    "symbol_mismatch": _l("symbol does not fit the body"),
    "no_annotation_id": _l("no annotation id"),
    "no_text": _l("no text"),
    "unknown_type": _l("unknown type"),
    "unknown_position": _l("unknown UPR position"),
    "invalid_session": _l("unreadable UPR session"),
    "invalid_date": _l("unreadable publication date"),
    "duplicate": _l("repeated in the file"),
}
TYPES = {
    "recommendations": RecommendationKind.RECOMMENDATION,
    "recommendation": RecommendationKind.RECOMMENDATION,
    "concerns/observations": RecommendationKind.CONCERN,
    "concerns / observations": RecommendationKind.CONCERN,
    "concern/observation": RecommendationKind.CONCERN,
}
POSITIONS = {"supported": UprPosition.SUPPORTED, "noted": UprPosition.NOTED}
SESSION = re.compile(r"(\d{1,3})(?:st|nd|rd|th)?(?:\s+session)?", re.IGNORECASE)


class NotAnExport(ValidationError):
    """The workbook lacks columns of the export: `columns` names them."""

    def __init__(self, columns: list[str]) -> None:
        super().__init__(
            _(
                "This workbook is not a Universal Human Rights Index export: it has no column"
                " %(columns)s.",
                columns=", ".join(f"“{c}”" for c in columns),
            ),
            fields={"file": "missing columns: " + ", ".join(columns)},
        )
        self.columns = columns


@dataclass
class ImportResult:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # skipped rows, by reason
    unmapped_countries: Counter[str] = field(default_factory=Counter)
    unmapped_bodies: Counter[str] = field(default_factory=Counter)
    # Theme and affected-person labels we have no code for: left out of their rows.
    unmapped_labels: Counter[str] = field(default_factory=Counter)

    @property
    def skipped(self) -> int:
        return sum(self.reasons.values())

    def skip(self, reason: str) -> None:
        self.reasons[reason] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "skipped": self.skipped,
            "unchanged": self.unchanged,
            "reasons": dict(self.reasons),
            "unmapped_countries": dict(self.unmapped_countries),
            "unmapped_bodies": dict(self.unmapped_bodies),
            "unmapped_labels": dict(self.unmapped_labels),
        }


def _note(counter: Counter[str], name: str) -> None:
    if name in counter or len(counter) < NAMES_KEPT:
        counter[name] += 1


@dataclass(frozen=True)
class Unit:
    """One row for one State: what the register should hold."""

    state: str
    annotation_id: str
    fields: dict[str, Any]
    themes: frozenset[str]
    targets: frozenset[str]
    recommending: frozenset[str]


# -- who may import what --------------------------------------------------------------------------


def import_scope(session: Session, actor: User | None, state: str | None) -> str | None:
    """The one State whose rows are imported, or None for every State a row names.

    `actor` None is the command line, run by whoever runs the server (the secretariat's
    operator). A focal point imports for its own State only."""
    iso3 = reference.get_state(session, state).iso3 if state else None
    if actor is None or actor.role_enum is Role.SECRETARIAT:
        return iso3
    if actor.role_enum is Role.APPLICANT:
        if iso3 is not None and iso3 != actor.state_iso3:
            raise PermissionDenied(_("a focal point imports its own State's recommendations only"))
        return actor.state_iso3
    raise PermissionDenied(_("your role does not import recommendations"))


# -- the import -----------------------------------------------------------------------------------


def import_workbook(
    session: Session, actor: User | None, stream: IO[bytes], *, state: str | None = None
) -> ImportResult:
    """Import a UHRI export into the registers `actor` may write. Raises ValidationError
    (nothing imported) for a file too large, a zip that would inflate too far, a file that is
    not a workbook, or a workbook without the export's columns (NotAnExport)."""
    scope = import_scope(session, actor, state)
    config = current_app.config
    stream = uploads.limited_stream(stream, int(config["MAX_UPLOAD_BYTES"]))
    uploads.check_zip_sizes(
        stream, label="Excel (XLSX)", max_uncompressed=int(config["MAX_UNCOMPRESSED_BYTES"])
    )
    lookup = Lookup.load(session)
    result = ImportResult()
    writer = _Writer(session, utcnow(), result)
    try:
        for row in uhri.read_rows(stream):
            for unit in _units(row, lookup, scope, result):
                writer.add(unit)
    except uhri.NotAWorkbook:
        raise ValidationError(
            _("This file is not an Excel workbook (.xlsx) that can be read."),
            fields={"file": "type"},
        ) from None
    except uhri.MissingColumns as missing:
        raise NotAnExport(missing.columns) from None
    writer.flush()
    audit.record(
        session,
        "recommendations.import",
        actor=actor,
        object_type="register",
        object_id=scope or "all",
        data=result.as_dict(),
    )
    return result


def _units(
    row: uhri.UhriRow, lookup: Lookup, scope: str | None, result: ImportResult
) -> list[Unit]:
    """The row's Units for the States in scope; every State left out is counted."""
    wanted: list[str] = []
    for name in dict.fromkeys(row.countries):
        iso3 = lookup.state(name)
        if iso3 is None:
            _note(result.unmapped_countries, name)
            result.skip("unknown_country")
        elif scope is not None and iso3 != scope:
            result.skip("other_state")
        elif iso3 not in wanted:
            wanted.append(iso3)
    if not row.countries:
        result.skip("no_country")
    if not wanted:
        return []
    try:
        unit = _unit(row, lookup, result)
    except Unmapped as problem:
        result.skip(problem.reason)
        if problem.reason == "unknown_body" and problem.value:
            _note(result.unmapped_bodies, problem.value)
        return []
    return [replace(unit, state=iso3) for iso3 in wanted]


def _unit(row: uhri.UhriRow, lookup: Lookup, result: ImportResult) -> Unit:
    """What the row says, for any State it concerns; Unmapped if it cannot be imported."""
    if not row.annotation_id or len(row.annotation_id) > ANNOTATION_LIMIT:
        raise Unmapped("no_annotation_id")
    if not row.text:
        raise Unmapped("no_text")
    kind = TYPES.get(uhri.normalise(row.type))
    if kind is None:
        raise Unmapped("unknown_type")
    body = lookup.body(row.bodies)
    if not symbol_fits_body(body.mechanism_code, row.symbol):
        raise Unmapped("symbol_mismatch")
    targets = frozenset(lookup.target(line) for line in row.sdgs)
    published = _date(row.published)
    session_number, position = _upr(row) if body.mechanism_code == "UPR" else (None, None)
    themes = set()
    for labels, from_themes in ((row.themes, True), (row.affected_persons, False)):
        for label in labels:
            code = lookup.theme(label, from_themes=from_themes)
            if code is None:
                _note(result.unmapped_labels, label)
            else:
                themes.add(code)
    recommending = set()
    for name in row.recommending_states if body.mechanism_code == "UPR" else ():
        iso3 = lookup.state(name)
        if iso3 is None:
            _note(result.unmapped_countries, name)
        else:
            recommending.add(iso3)
    fields = {
        "kind": kind,
        "mechanism_code": body.mechanism_code,
        "mandate_code": body.mandate_code,
        "symbol": " ".join(row.symbol.split()),
        "text": row.text,
        "upr_session": session_number,
        "upr_position": position,
        "published_on": published,
    }
    return Unit("", row.annotation_id, fields, frozenset(themes), targets, frozenset(recommending))


def _date(value: Any) -> date | None:
    try:
        return uhri.excel_date(value)
    except (ValueError, OverflowError):
        raise Unmapped("invalid_date") from None


def _upr(row: uhri.UhriRow) -> tuple[int | None, UprPosition | None]:
    position = None
    if row.position:
        position = POSITIONS.get(uhri.normalise(row.position))
        if position is None:
            raise Unmapped("unknown_position")
    number = None
    if row.session:
        match = SESSION.fullmatch(row.session.strip())
        if match is None or not 1 <= int(match.group(1)) <= 999:
            raise Unmapped("invalid_session")
        number = int(match.group(1))
    return number, position


# -- writing, a batch at a time -------------------------------------------------------------------

R = StateRecommendation
COMPARED = (
    "kind",
    "mechanism_code",
    "mandate_code",
    "symbol",
    "text",
    "upr_session",
    "upr_position",
    "published_on",
)
LINKS = (
    (recommendation_themes, recommendation_themes.c.theme_code, "themes"),
    (recommendation_sdg_targets, recommendation_sdg_targets.c.target, "targets"),
    (recommending_states, recommending_states.c.state_iso3, "recommending"),
)


class _Writer:
    def __init__(self, session: Session, started: datetime, result: ImportResult) -> None:
        self.session = session
        # Every row this import writes carries this time, which is how a row repeated
        # further down the file is told from one registered before.
        self.started = started
        self.result = result
        self.batch: dict[tuple[str, str], Unit] = {}

    def add(self, unit: Unit) -> None:
        key = (unit.state, unit.annotation_id)
        if key in self.batch:
            self.result.skip("duplicate")
            return
        self.batch[key] = unit
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self._write(list(self.batch.values()))
            self.batch = {}

    def _write(self, units: list[Unit]) -> None:
        existing = {
            (row.state_iso3, row.annotation_id): row
            for row in self.session.execute(
                select(
                    R.id,
                    R.state_iso3,
                    R.annotation_id,
                    R.created_at,
                    R.updated_at,
                    *[getattr(R, name) for name in COMPARED],
                ).where(R.annotation_id.in_(sorted({u.annotation_id for u in units})))
            )
        }
        links = self._links([row.id for row in existing.values()])
        new: list[Unit] = []
        changed: list[tuple[int, Unit]] = []
        relinked: list[tuple[int, Unit]] = []
        for unit in units:
            row = existing.get((unit.state, unit.annotation_id))
            if row is None:
                new.append(unit)
                continue
            if self.started in (row.created_at, row.updated_at):
                self.result.skip("duplicate")
                continue
            fields_differ = any(getattr(row, name) != unit.fields[name] for name in COMPARED)
            links_differ = any(
                links[name].get(row.id, frozenset()) != getattr(unit, name)
                for _table, _column, name in LINKS
            )
            if fields_differ or links_differ:
                changed.append((row.id, unit))
                if links_differ:
                    relinked.append((row.id, unit))
            else:
                self.result.unchanged += 1
        self._insert(new)
        self._update(changed, relinked)

    def _links(self, ids: list[int]) -> dict[str, dict[int, frozenset[str]]]:
        found: dict[str, dict[int, frozenset[str]]] = {}
        for table, column, name in LINKS:
            sets: dict[int, set[str]] = {}
            if ids:
                for rec_id, value in self.session.execute(
                    select(table.c.recommendation_id, column).where(
                        table.c.recommendation_id.in_(ids)
                    )
                ):
                    sets.setdefault(rec_id, set()).add(value)
            found[name] = {k: frozenset(v) for k, v in sets.items()}
        return found

    def _insert(self, units: list[Unit]) -> None:
        if not units:
            return
        rows = [
            {
                "state_iso3": u.state,
                "annotation_id": u.annotation_id,
                "source": RecommendationSource.UHRI,
                "created_at": self.started,
                "updated_at": self.started,
                **u.fields,
            }
            for u in units
        ]
        ids = {
            (state, annotation_id): rec_id
            for rec_id, state, annotation_id in self.session.execute(
                insert(R).returning(R.id, R.state_iso3, R.annotation_id), rows
            )
        }
        self._link([(ids[(u.state, u.annotation_id)], u) for u in units])
        self.result.imported += len(units)

    def _update(self, changed: list[tuple[int, Unit]], relinked: list[tuple[int, Unit]]) -> None:
        if not changed:
            return
        self.session.execute(
            update(R),
            [{"id": rec_id, "updated_at": self.started, **u.fields} for rec_id, u in changed],
        )
        ids = [rec_id for rec_id, _unit in relinked]
        for table, _column, _name in LINKS:
            if ids:
                self.session.execute(delete(table).where(table.c.recommendation_id.in_(ids)))
        self._link(relinked)
        self.result.updated += len(changed)

    def _link(self, pairs: Iterable[tuple[int, Unit]]) -> None:
        pairs = list(pairs)
        for table, column, name in LINKS:
            rows = [
                {"recommendation_id": rec_id, column.key: value}
                for rec_id, unit in pairs
                for value in sorted(getattr(unit, name))
            ]
            if rows:
                self.session.execute(insert(table), rows)
