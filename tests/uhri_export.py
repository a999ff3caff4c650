"""Workbooks in the shape of the Universal Human Rights Index's export
(`../shared/uhri/README.md`), built here: the tests never fetch anything."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from openpyxl import Workbook

# The export's columns, in an order of our own: the importer reads the header row.
HEADERS = [
    "OHCHR Annotation Id",
    "Type",
    "Text",
    "Regions Concerned",
    "Countries Concerned",
    "Reccomending Body",
    "Document Symbol",
    "Themes",
    "Affected Persons",
    "Sdgs",
    "Document Publication Date",
    "Date of publication on UHRI",
    "UPR Reccomending States",
    "UPR Position",
    "UPR Session",
    "Recommending Regions",
]


def lines(*values: str) -> str:
    """A multi-value cell: one value a line, each with the export's `- `."""
    return "\n".join(f"- {v}" for v in values)


def serial(day: date) -> int:
    """The Excel date serial of `day`."""
    return (day - date(1899, 12, 30)).days


def treaty_row(**changes: Any) -> dict[str, Any]:
    """A CEDAW concern about Iraq, with themes, affected persons and two SDG targets."""
    row: dict[str, Any] = {
        "OHCHR Annotation Id": str(uuid.uuid4()),
        "Type": "- Concerns/Observations",
        "Text": "The Committee recommends that the State party adopt a law on domestic violence.",
        "Regions Concerned": lines("Asia-Pacific States"),
        "Countries Concerned": lines("Iraq"),
        "Reccomending Body": lines("CEDAW"),
        "Document Symbol": "CEDAW/C/IRQ/CO/8",
        "Themes": lines("Sexual & gender-based violence", "Equality & non-discrimination"),
        "Affected Persons": lines("Women & girls"),
        "Sdgs": lines(
            "5.2 - End all violence against women and girls", "16.3 - Promote the rule of law"
        ),
        "Document Publication Date": 46078,
        "Date of publication on UHRI": 46080.4375,
        "UPR Reccomending States": "",
        "UPR Position": "",
        "UPR Session": "",
        "Recommending Regions": "",
    }
    row.update(changes)
    return row


def upr_row(**changes: Any) -> dict[str, Any]:
    """A UPR recommendation to Iraq that Iraq supported."""
    return treaty_row(
        **{
            "Type": "- Recommendations",
            "Text": "Improve the conditions of detention in all prisons.",
            "Reccomending Body": lines("UPR"),
            "Document Symbol": "A/HRC/43/14",
            "Themes": lines("Conditions of detention"),
            "Affected Persons": "",
            "Sdgs": lines("16.6 - Develop effective, accountable and transparent institutions"),
            "UPR Reccomending States": lines("Fiji", "Türkiye", "Côte d'Ivoire"),
            "UPR Position": "- Supported",
            "UPR Session": "43 Session",
            **changes,
        }
    )


def workbook(
    rows: Iterable[Mapping[str, Any]],
    *,
    headers: list[str] | None = None,
    title_rows: int = 0,
    write_only: bool = False,
) -> bytes:
    """The .xlsx bytes of `rows` under `headers` (the export's by default). `write_only`
    streams the rows out, for large generated files."""
    headers = headers or HEADERS
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    for _ in range(title_rows):
        sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
