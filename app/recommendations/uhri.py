"""Reading the Universal Human Rights Index's Excel export (`../shared/uhri/README.md`).

Only the workbook's shape is known here: its header names (OHCHR's own spellings), its
multi-value cells and its dates. What a value means (which State, which body) is decided by
the importer against the reference data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

from openpyxl import load_workbook

# The export's header names, as OHCHR spells them.
TEXT = "Text"
COUNTRIES = "Countries Concerned"
BODY = "Reccomending Body"
SYMBOL = "Document Symbol"
THEMES = "Themes"
AFFECTED_PERSONS = "Affected Persons"
SDGS = "Sdgs"
PUBLISHED = "Document Publication Date"
RECOMMENDING_STATES = "UPR Reccomending States"
POSITION = "UPR Position"
SESSION = "UPR Session"
TYPE = "Type"
ANNOTATION_ID = "OHCHR Annotation Id"
# Every column the importer reads: a workbook without one of them is not an export we know.
# (The export's region columns and its "Date of publication on UHRI" are not used.)
REQUIRED_COLUMNS = (
    TEXT,
    COUNTRIES,
    BODY,
    SYMBOL,
    THEMES,
    AFFECTED_PERSONS,
    SDGS,
    PUBLISHED,
    RECOMMENDING_STATES,
    POSITION,
    SESSION,
    TYPE,
    ANNOTATION_ID,
)
# Excel counts days from 1899-12-30 (after its 1900 leap-year bug); 2958465 is 9999-12-31.
EXCEL_EPOCH = date(1899, 12, 30)
LAST_SERIAL = 2_958_465


class NotAWorkbook(Exception):
    """The file is not an Excel workbook openpyxl can read."""


class MissingColumns(Exception):
    def __init__(self, columns: Sequence[str]) -> None:
        super().__init__(", ".join(columns))
        self.columns = list(columns)


@dataclass(frozen=True)
class UhriRow:
    """One annotation as the export has it: text values, multi-value cells split."""

    number: int  # the spreadsheet's row number, for messages
    annotation_id: str
    text: str
    symbol: str
    countries: list[str]
    bodies: list[str]
    themes: list[str]
    affected_persons: list[str]
    sdgs: list[str]
    published: Any  # a date cell, a serial (number or text) or empty: see `excel_date`
    recommending_states: list[str]
    position: str
    session: str
    type: str


def normalise(value: str) -> str:
    """For comparing names: Unicode NFC, straight apostrophes, single spaces, no case."""
    value = unicodedata.normalize("NFC", value).replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(value.split()).casefold()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def values(cell: Any) -> list[str]:
    """A multi-value cell: one value a line, each line starting with `- `."""
    result = []
    for line in cell_text(cell).splitlines():
        line = line.strip()
        if line.startswith("-"):
            line = line[1:].strip()
        if line:
            result.append(line)
    return result


def single(cell: Any) -> str:
    """A one-value cell, which the export may still write as `- Supported`."""
    found = values(cell)
    return found[0] if found else ""


def excel_date(value: Any) -> date | None:
    """A date cell, an Excel serial (a number, or digits in a text cell, with or without a
    time fraction), an ISO date, or nothing. Anything else is a ValueError: never guessed."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int | float):
        return _serial(float(value))
    text = single(value)
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _serial(float(text))
    return date.fromisoformat(text[:10])


def _serial(number: float) -> date:
    if not 1 <= number <= LAST_SERIAL:
        raise ValueError(f"not an Excel date serial: {number}")
    return EXCEL_EPOCH + timedelta(days=int(number))


def _header_index(header: Sequence[Any]) -> dict[str, int]:
    by_name = {normalise(cell_text(cell)): i for i, cell in enumerate(header) if cell_text(cell)}
    missing = [name for name in REQUIRED_COLUMNS if normalise(name) not in by_name]
    if missing:
        raise MissingColumns(missing)
    return {name: by_name[normalise(name)] for name in REQUIRED_COLUMNS}


def read_rows(stream: IO[bytes]) -> Iterator[UhriRow]:
    """The workbook's rows, one at a time (openpyxl's read-only mode streams the sheet; only
    its table of shared strings is held whole). The header is the first non-empty row, its
    columns found by name in any order. Raises NotAWorkbook or MissingColumns before the
    first row is yielded."""
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the sheet's stated size, which some writers get wrong
        # ("A1"): every row is read as long as it is instead.
        sheet.reset_dimensions()
    except Exception as error:  # openpyxl raises whatever its parsers meet in a bad file
        raise NotAWorkbook(str(error)) from None
    try:
        rows = sheet.iter_rows(values_only=True)
        columns = None
        for number, row in enumerate(rows, start=1):
            if columns is None:
                if any(cell_text(cell) for cell in row):
                    columns = _header_index(row)
                continue
            if not any(cell_text(cell) for cell in row):
                continue
            yield _row(number, row, columns)
        if columns is None:
            raise MissingColumns(REQUIRED_COLUMNS)
    finally:
        workbook.close()


def _row(number: int, row: Sequence[Any], columns: dict[str, int]) -> UhriRow:
    def cell(name: str) -> Any:
        index = columns[name]
        return row[index] if index < len(row) else None

    return UhriRow(
        number=number,
        annotation_id=single(cell(ANNOTATION_ID)),
        text=cell_text(cell(TEXT)),
        symbol=single(cell(SYMBOL)),
        countries=values(cell(COUNTRIES)),
        bodies=values(cell(BODY)),
        themes=values(cell(THEMES)),
        affected_persons=values(cell(AFFECTED_PERSONS)),
        sdgs=values(cell(SDGS)),
        published=cell(PUBLISHED),
        recommending_states=values(cell(RECOMMENDING_STATES)),
        position=single(cell(POSITION)),
        session=single(cell(SESSION)),
        type=single(cell(TYPE)),
    )
