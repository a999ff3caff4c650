"""Importing the Universal Human Rights Index's export (design.md §8.1): every quirk of the
format, the bad inputs of issue 13, idempotency and bounded memory."""

from __future__ import annotations

import io
import re
import tracemalloc
import uuid
import zipfile
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.core.audit import AuditEvent
from app.core.errors import PermissionDenied, ValidationError
from app.extensions import db
from app.recommendations import importer
from app.recommendations.importer import NotAnExport, import_workbook
from app.recommendations.models import StateRecommendation
from app.recommendations.uhri import excel_date
from tests.uhri_export import HEADERS, lines, serial, treaty_row, upr_row, workbook


def run(data: bytes, actor=None, state=None):
    return import_workbook(db.session(), actor, io.BytesIO(data), state=state)


def registered(iso3: str | None = None) -> list[StateRecommendation]:
    stmt = select(StateRecommendation).order_by(StateRecommendation.id)
    if iso3:
        stmt = stmt.where(StateRecommendation.state_iso3 == iso3)
    return list(db.session.execute(stmt).scalars())


def count() -> int:
    return db.session.execute(select(func.count()).select_from(StateRecommendation)).scalar_one()


# -- the format ------------------------------------------------------------------------------------


def test_a_treaty_body_concern_is_registered_with_every_field():
    row = treaty_row()
    result = run(workbook([row]))
    assert (result.imported, result.updated, result.skipped) == (1, 0, 0)
    [entry] = registered("IRQ")
    assert entry.annotation_id == row["OHCHR Annotation Id"]
    assert entry.source == "uhri" and entry.kind == "concern_observation"
    assert (entry.mechanism_code, entry.mandate_code, entry.body) == ("CEDAW", None, "CEDAW")
    assert entry.symbol == "CEDAW/C/IRQ/CO/8"
    assert entry.text.startswith("The Committee recommends")
    assert entry.published_on == date(2026, 2, 25)  # serial 46078
    assert [t.code for t in entry.themes] == [
        "equality-non-discrimination",
        "gender-based-violence",
    ]
    assert [t.code for t in entry.affected_persons] == ["women-girls"]
    assert [t.target for t in entry.sdg_targets] == ["16.3", "5.2"]
    assert (entry.upr_session, entry.upr_position, entry.recommending_states) == (None, None, [])
    assert entry.status == "not_started"


def test_a_upr_recommendation_keeps_its_session_position_and_recommending_states():
    run(workbook([upr_row()]))
    [entry] = registered("IRQ")
    assert (entry.mechanism_code, entry.kind) == ("UPR", "recommendation")
    assert (entry.upr_session, entry.upr_position) == (43, "supported")
    assert sorted(s.iso3 for s in entry.recommending_states) == ["CIV", "FJI", "TUR"]
    assert [t.code for t in entry.themes] == ["liberty-security"]


def test_columns_are_found_by_name_in_any_order_below_a_title_row():
    shuffled = list(reversed(HEADERS))
    result = run(workbook([treaty_row(), upr_row()], headers=shuffled, title_rows=1))
    assert result.imported == 2


@pytest.mark.parametrize(
    "cell",
    [
        46078,  # a number
        "46078",  # digits in a text cell
        "46078.75",  # with the time of day
        46078.75,
        datetime(2026, 2, 25, 9, 30),  # noqa: DTZ001 (a date cell, which has no time zone)
        date(2026, 2, 25),
        "- 46078",  # with the multi-value prefix
    ],
)
def test_publication_dates_in_every_form_the_export_uses(cell):
    run(workbook([treaty_row(**{"Document Publication Date": cell})]))
    assert registered("IRQ")[0].published_on == date(2026, 2, 25)


def test_excel_dates_that_are_not_dates_are_refused_not_guessed():
    assert excel_date(None) is None and excel_date("") is None
    assert excel_date(serial(date(2024, 1, 31))) == date(2024, 1, 31)
    for bad in ("25 February 2026", "0", -3, 99_999_999, True):
        with pytest.raises(ValueError, match=r"date|isoformat"):
            excel_date(bad)


def test_an_unreadable_date_skips_its_row_with_the_reason():
    result = run(workbook([treaty_row(**{"Document Publication Date": "last spring"})]))
    assert (result.imported, result.skipped, dict(result.reasons)) == (0, 1, {"invalid_date": 1})


def test_a_sheet_that_misstates_its_size_is_read_whole():
    source = zipfile.ZipFile(io.BytesIO(workbook([treaty_row(), upr_row()])))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
            target.writestr(item, data)
    assert run(patched.getvalue()).imported == 2


def test_empty_cells_may_be_empty_strings_or_missing():
    row = treaty_row(**{"Themes": None, "Affected Persons": "", "Sdgs": None})
    row.pop("Regions Concerned")
    run(workbook([row]))
    [entry] = registered("IRQ")
    assert entry.all_themes == [] and entry.sdg_targets == []


def test_a_special_procedure_mandate_is_its_own_body():
    row = treaty_row(
        **{
            "Type": "- Recommendations",
            "Reccomending Body": lines(
                "SR on torture and other cruel, inhuman or degrading treatment or punishment",
                "Special Procedures",
            ),
            "Document Symbol": "A/HRC/40/59/Add.1",
        }
    )
    only_family = treaty_row(
        **{
            "Type": "- Recommendations",
            "Reccomending Body": lines("Special Procedures"),
            "Document Symbol": "A/HRC/40/59/Add.2",
        }
    )
    run(workbook([row, only_family]))
    mandate, family = registered("IRQ")
    assert (mandate.mechanism_code, mandate.mandate_code, mandate.body) == (
        "SP",
        "sr-torture",
        "sr-torture",
    )
    assert (family.mechanism_code, family.mandate_code) == ("SP", None)


def test_a_mandate_is_found_under_a_former_title_and_an_unknown_one_is_named():
    def sp(body):
        return treaty_row(
            **{
                "Type": "- Recommendations",
                "Reccomending Body": lines(body, "Special Procedures"),
                "Document Symbol": "A/HRC/31/58/Add.1",
            }
        )

    rows = [
        sp("SR on the sale of children, child prostitution and child pornography"),
        sp("WG on Arbitrary Detention"),
        sp("SR on the right to food and drink"),  # not a title: never the nearest one
    ]
    result = run(workbook(rows))
    assert [e.mandate_code for e in registered()] == ["sr-sale-children", "wg-arbitrary-detention"]
    assert dict(result.reasons) == {"unknown_body": 1}
    assert dict(result.unmapped_bodies) == {"SR on the right to food and drink": 1}


@pytest.mark.parametrize(
    ("body", "symbol"),
    [
        ("CRC-OP-AC", "CRC/C/OPAC/IRQ/CO/1"),
        ("CRC-OP-SC", "CRC/C/OPSC/IRQ/CO/1"),
        ("SPT", "CAT/OP/IRQ/1"),
        ("CESCR", "E/C.12/IRQ/CO/4"),
        ("CAT", "CAT/C/IRQ/CO/2"),
    ],
)
def test_every_treaty_body_of_the_export(body, symbol):
    result = run(
        workbook([treaty_row(**{"Reccomending Body": lines(body), "Document Symbol": symbol})])
    )
    assert result.imported == 1
    assert registered("IRQ")[0].mechanism_code == body


def test_a_row_concerning_several_states_is_registered_for_each():
    row = treaty_row(**{"Countries Concerned": lines("Iraq", "Syrian Arab Republic")})
    result = run(workbook([row]))
    assert result.imported == 2
    assert registered("IRQ")[0].annotation_id == registered("SYR")[0].annotation_id


def test_with_a_state_asked_for_only_its_share_of_a_shared_row_is_imported():
    row = treaty_row(**{"Countries Concerned": lines("Iraq", "Syrian Arab Republic")})
    result = run(workbook([row, treaty_row(**{"Countries Concerned": lines("Fiji")})]), state="IRQ")
    assert (result.imported, result.skipped, dict(result.reasons)) == (1, 2, {"other_state": 2})
    assert [e.state_iso3 for e in registered()] == ["IRQ"]


@pytest.mark.parametrize(
    "name",
    [
        "Bolivia (Plurinational State of)",
        "Türkiye",
        "Côte d’Ivoire",  # a typographic apostrophe
        "Democratic People's Republic of Korea",
        "State of Palestine",
        "Holy See",
        "Iran (Islamic Republic of)",
        "Venezuela (Bolivarian Republic of)",
        "United Kingdom of Great Britain and Northern Ireland",
        "Republic of Moldova",
        "Micronesia (Federated States of)",
        "Lao People's Democratic Republic",
        "Syrian Arab Republic",
        "Viet Nam",
        "The former Yugoslav Republic of Macedonia",
    ],
)
def test_uhri_country_names_map_to_iso_codes(name):
    result = run(workbook([treaty_row(**{"Countries Concerned": lines(name)})]))
    assert result.imported == 1, result.as_dict()


# -- bad input -------------------------------------------------------------------------------------


def test_rows_it_cannot_map_are_skipped_counted_and_named_the_rest_imported():
    rows = [
        treaty_row(),
        treaty_row(**{"Countries Concerned": lines("Atlantis")}),
        treaty_row(**{"Countries Concerned": lines("Bolivia")}),  # never guessed
        treaty_row(**{"Reccomending Body": lines("XYZ")}),
        treaty_row(**{"Reccomending Body": lines("SR on something nobody mandated")}),
        treaty_row(**{"Sdgs": lines("18.1 - Colonise Mars")}),
        treaty_row(**{"Reccomending Body": lines("CAT"), "Document Symbol": "A/HRC/43/14"}),
        upr_row(**{"Document Symbol": "CAT/C/IRQ/CO/2"}),
        treaty_row(**{"Reccomending Body": lines("CAT", "CERD")}),
        treaty_row(**{"Countries Concerned": ""}),
        treaty_row(**{"OHCHR Annotation Id": ""}),
        treaty_row(**{"Text": "  "}),
        treaty_row(**{"Type": "- Something else"}),
        upr_row(**{"UPR Position": "- Maybe"}),
        upr_row(**{"UPR Session": "the last one"}),
    ]
    result = run(workbook(rows))
    assert (result.imported, result.updated, result.skipped) == (1, 0, 14)
    assert dict(result.reasons) == {
        "unknown_country": 2,
        "unknown_body": 2,
        "unknown_sdg_target": 1,
        "symbol_mismatch": 2,
        "several_bodies": 1,
        "no_country": 1,
        "no_annotation_id": 1,
        "no_text": 1,
        "unknown_type": 1,
        "unknown_position": 1,
        "invalid_session": 1,
    }
    assert dict(result.unmapped_countries) == {"Atlantis": 1, "Bolivia": 1}
    assert count() == 1


def test_unknown_theme_labels_are_left_out_of_the_row_not_the_row():
    row = treaty_row(
        **{
            "Themes": lines("Sexual & gender-based violence", "Space law"),
            "Affected Persons": lines("Martians", "Women & girls"),
        }
    )
    result = run(workbook([row]))
    assert (result.imported, result.skipped) == (1, 0)
    assert dict(result.unmapped_labels) == {"Space law": 1, "Martians": 1}
    assert sorted(t.code for t in registered()[0].all_themes) == [
        "gender-based-violence",
        "women-girls",
    ]


def test_a_row_repeated_in_the_file_is_imported_once():
    row = treaty_row()
    result = run(workbook([row, dict(row, Text="A second version")]))
    assert (result.imported, dict(result.reasons)) == (1, {"duplicate": 1})
    assert registered()[0].text == row["Text"]


def test_a_row_repeated_beyond_a_batch_is_imported_once(monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    first = treaty_row()
    rows = [first, treaty_row(), treaty_row(), dict(first, Text="A second version")]
    result = run(workbook(rows))
    assert (result.imported, dict(result.reasons)) == (3, {"duplicate": 1})
    assert registered()[0].text == first["Text"]


def test_a_workbook_that_is_not_an_export_names_the_missing_columns_and_imports_nothing():
    headers = [h for h in HEADERS if h not in ("Reccomending Body", "OHCHR Annotation Id")]
    with pytest.raises(NotAnExport) as refused:
        run(workbook([treaty_row()], headers=headers))
    assert refused.value.columns == ["Reccomending Body", "OHCHR Annotation Id"]
    assert "Reccomending Body" in refused.value.message
    assert count() == 0


def test_an_empty_workbook_is_not_an_export():
    with pytest.raises(NotAnExport):
        run(workbook([], headers=[""]))


@pytest.mark.parametrize(
    "data", [b"%PDF-1.7 not a workbook", b"PK\x03\x04 truncated zip", b"plain text\n" * 10]
)
def test_a_file_that_is_not_a_workbook_is_refused(data):
    with pytest.raises(ValidationError, match="not"):
        run(data)
    assert count() == 0


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError, match="not an Excel workbook"):
        run(buffer.getvalue())


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(app, monkeypatch):
    data = workbook([treaty_row()])
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", len(data) - 1)
    with pytest.raises(ValidationError, match="larger than"):
        run(data)
    assert count() == 0


def test_a_zip_bomb_disguised_as_a_workbook_is_refused_unread(app):
    # 300 MB of zeros in a sheet deflates to a few hundred kilobytes: under the upload
    # limit, far over what a workbook of that size unpacks to.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(chunk)
    data = bomb.getvalue()
    assert len(data) < app.config["MAX_UPLOAD_BYTES"]
    with pytest.raises(ValidationError, match="unpack to more than"):
        run(data)
    assert count() == 0


# -- who imports what ------------------------------------------------------------------------------


def test_a_focal_point_imports_its_own_states_rows_only(factory):
    fiji = factory.user("applicant", state="FJI")
    rows = [
        treaty_row(**{"Countries Concerned": lines("Fiji"), "Document Symbol": "CEDAW/C/FJI/CO/5"}),
        treaty_row(),  # Iraq's
        treaty_row(**{"Countries Concerned": lines("Fiji", "Iraq")}),
    ]
    result = run(workbook(rows), actor=fiji)
    assert (result.imported, dict(result.reasons)) == (2, {"other_state": 2})
    assert {e.state_iso3 for e in registered()} == {"FJI"}
    with pytest.raises(PermissionDenied):
        run(workbook(rows), actor=fiji, state="IRQ")


@pytest.mark.parametrize("role", ["committee", "auditor", "donor", "expert", "admin"])
def test_only_the_secretariat_and_focal_points_import(factory, role):
    with pytest.raises(PermissionDenied):
        run(workbook([treaty_row()]), actor=factory.user(role))
    assert count() == 0


def test_the_secretariat_imports_for_any_state_and_one_audit_event_sums_it_up(factory):
    staff = factory.user("secretariat")
    before = db.session.execute(select(func.max(AuditEvent.id))).scalar_one()
    rows = [treaty_row(), upr_row(), treaty_row(**{"Countries Concerned": lines("Atlantis")})]
    run(workbook(rows), actor=staff)
    events = db.session.execute(select(AuditEvent).where(AuditEvent.id > before)).scalars().all()
    assert [e.action for e in events] == ["recommendations.import"]
    assert events[0].actor_id == staff.id
    assert events[0].data_dict["imported"] == 2 and events[0].data_dict["skipped"] == 1
    assert events[0].data_dict["unmapped_countries"] == {"Atlantis": 1}


# -- idempotency -----------------------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing_not_even_a_timestamp():
    data = workbook(
        [
            treaty_row(),
            upr_row(),
            treaty_row(**{"Reccomending Body": lines("CAT"), "Document Symbol": "CAT/C/IRQ/CO/2"}),
        ]
    )
    first = run(data)
    assert first.imported == 3
    before = [(e.id, e.updated_at, e.created_at) for e in registered()]
    db.session.expire_all()
    again = run(data)
    assert (again.imported, again.updated, again.skipped, again.unchanged) == (0, 0, 0, 3)
    db.session.expire_all()
    assert [(e.id, e.updated_at, e.created_at) for e in registered()] == before


def test_a_reimport_updates_what_changed_and_only_that():
    row, other = treaty_row(), upr_row()
    run(workbook([row, other]))
    entry, untouched = registered()
    stamp, untouched_stamp = entry.updated_at, untouched.updated_at
    changed = dict(
        row,
        Text="The Committee urges the State party to adopt the law without delay.",
        Themes=lines("Sexual & gender-based violence"),
        Sdgs=lines("5.2 - End all violence against women and girls"),
    )
    db.session.expire_all()
    result = run(workbook([changed, other]))
    assert (result.imported, result.updated, result.unchanged) == (0, 1, 1)
    db.session.expire_all()
    entry, untouched = registered()
    assert entry.text.startswith("The Committee urges")
    assert [t.code for t in entry.all_themes] == ["gender-based-violence", "women-girls"]
    assert [t.target for t in entry.sdg_targets] == ["5.2"]
    assert entry.updated_at > stamp and untouched.updated_at == untouched_stamp
    assert count() == 2


def test_a_reimport_keeps_the_status_the_state_reported(factory):
    row = treaty_row()
    run(workbook([row]))
    entry = registered()[0]
    entry.status = "in_progress"
    db.session.flush()
    run(workbook([dict(row, Text="Amended text")]))
    db.session.expire_all()
    assert registered()[0].status == "in_progress"


# -- the command line ------------------------------------------------------------------------------


def test_cli_prints_the_counts_and_the_reasons(runner, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(
        workbook(
            [treaty_row(), upr_row(), treaty_row(**{"Countries Concerned": lines("Atlantis")})]
        )
    )
    result = runner.invoke(args=["recommendations", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "imported 2, updated 0, skipped 1"
    assert "skipped, unknown country: 1" in result.output
    assert "country names not mapped: Atlantis (1)" in result.output
    again = runner.invoke(args=["recommendations", "import", str(path), "--state", "irq"])
    assert again.output.splitlines()[:2] == ["imported 0, updated 0, skipped 1", "unchanged 2"]


def test_cli_exits_2_naming_the_missing_columns(runner, tmp_path):
    path = tmp_path / "not-an-export.xlsx"
    path.write_bytes(workbook([{"Name": "x"}], headers=["Name", "Text"]))
    result = runner.invoke(args=["recommendations", "import", str(path)])
    assert result.exit_code == 2
    assert "Countries Concerned" in result.output and "OHCHR Annotation Id" in result.output
    assert count() == 0


def test_cli_refuses_an_unknown_state(runner, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook([treaty_row()]))
    result = runner.invoke(args=["recommendations", "import", str(path), "--state", "XXX"])
    assert result.exit_code == 2 and "unknown State" in result.output
    assert count() == 0


# -- bounded memory --------------------------------------------------------------------------------


def test_a_few_thousand_rows_import_in_bounded_memory():
    """Rows stream through a batch at a time, so the peak does not grow with the file: it
    stays near 2 to 3 MB (openpyxl, one batch, its SQL parameters) for 3,000 rows as for 1,000.
    Holding the 3,000 rows read from the sheet alone would add some 6 MB. (The texts repeat,
    so that the table of shared strings openpyxl holds whole stays small.)"""
    rows = 3000
    texts = [f"Recommendation text number {i} " * 8 for i in range(50)]
    data = workbook(
        (
            treaty_row(**{"OHCHR Annotation Id": str(uuid.UUID(int=i)), "Text": texts[i % 50]})
            for i in range(rows)
        ),
        write_only=True,
    )
    run(workbook([upr_row()]))  # caches filled once per process (SQL, mappings) are not rows
    tracemalloc.start()
    try:
        result = run(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.imported == rows
    assert peak < 6 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
