"""The recommendations register (design.md §8.1): who reads it, searching it, typed entries and
the rule that a symbol fits its body, and the dated history of implementation status."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from app.core.append_only import AppendOnlyViolation
from app.core.audit import AuditEvent
from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.extensions import db
from app.recommendations import services
from app.recommendations.importer import import_workbook
from app.recommendations.models import StateRecommendation, StatusUpdate
from app.recommendations.services import ManualSpec, RegisterFilters
from app.recommendations.symbols import check_symbol, symbol_fits_body
from tests import builders
from tests.uhri_export import lines, treaty_row, upr_row, workbook


@pytest.fixture
def fiji(factory):
    return factory.user("applicant", state="FJI")


@pytest.fixture
def staff(factory):
    return factory.user("secretariat")


def fiji_row(**changes):
    return treaty_row(
        **{"Countries Concerned": lines("Fiji"), "Document Symbol": "CEDAW/C/FJI/CO/5", **changes}
    )


@pytest.fixture
def register():
    """Fiji's register: a CEDAW concern, a UPR recommendation, a CAT recommendation and a
    special rapporteur's; and one of Iraq's."""
    rows = [
        fiji_row(),
        upr_row(
            **{
                "Countries Concerned": lines("Fiji"),
                "UPR Reccomending States": lines("Iraq"),
                "Document Symbol": "A/HRC/43/8",
                "Document Publication Date": 44000,
            }
        ),
        fiji_row(
            **{
                "Type": "- Recommendations",
                "Reccomending Body": lines("CAT"),
                "Document Symbol": "CAT/C/FJI/CO/1",
                "Text": "Ensure that 100% of places of detention are visited by an independent body.",
                "Themes": lines(
                    "Prohibition of torture & ill-treatment (including cruel, inhuman or degrading treatment)"
                ),
                "Affected Persons": lines("Persons deprived of their liberty"),
                "Sdgs": lines("16.3 - Promote the rule of law"),
                "Document Publication Date": 45000,
            }
        ),
        fiji_row(
            **{
                "Type": "- Recommendations",
                "Reccomending Body": lines("SR on the right to food", "Special Procedures"),
                "Text": "Adopt a framework law on the right to food.",
                "Themes": lines("Right to food"),
                "Document Symbol": "A/HRC/52/40/Add.1",
                "Sdgs": lines("2.1 - Universal access to safe and nutritious food"),
                "Document Publication Date": None,
            }
        ),
        treaty_row(),
    ]
    import_workbook(db.session(), None, io.BytesIO(workbook(rows)))
    return {
        e.mechanism_code if e.mandate_code is None else e.mandate_code: e
        for e in db.session.execute(
            select(StateRecommendation).where(StateRecommendation.state_iso3 == "FJI")
        ).scalars()
    }


def found(user, iso3="FJI", **filters):
    page = services.list_register(db.session(), user, iso3, RegisterFilters(**filters))
    return [e.body for e in page.items]


# -- the symbol fits the body ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "symbol", "fits"),
    [
        ("UPR", "A/HRC/43/14", True),
        ("UPR", "CAT/C/IRQ/CO/2", False),
        ("CAT", "CAT/C/IRQ/CO/2", True),
        ("CAT", "A/HRC/43/14", False),
        ("CAT", "CCPR/C/IRQ/CO/6", False),
        ("CESCR", "E/C.12/IRQ/CO/4", True),
        ("CESCR", "CESCR/C/IRQ/CO/4", False),
        ("SPT", "CAT/OP/IRQ/1", True),
        ("CRC", "CRC/C/IRQ/CO/5-6", True),
        ("CRC-OP-AC", "CRC/C/OPAC/IRQ/CO/1", True),
        ("CRC-OP-AC", "CRC/C/IRQ/CO/5-6", False),
        ("CRC-OP-SC", "CRC/C/OPSC/IRQ/CO/1", True),
        ("SP", "A/HRC/40/59/Add.1", True),
        ("SP", "E/CN.4/2006/6/Add.2", True),
        ("SP", "CAT/C/IRQ/CO/2", False),
        ("CEDAW", " cedaw/c/irq/co/8 ", True),
        ("CEDAW", "", False),
    ],
)
def test_a_symbol_must_fit_its_body(body, symbol, fits):
    assert symbol_fits_body(body, symbol) is fits


def test_the_named_rule_says_what_the_body_issues():
    assert check_symbol("CAT", "  CAT/C/IRQ/CO/2 ") == "CAT/C/IRQ/CO/2"
    with pytest.raises(ValidationError, match="begin with CAT/C/") as refused:
        check_symbol("CAT", "A/HRC/43/14")
    assert refused.value.fields == {"symbol": "does not fit the body"}
    with pytest.raises(ValidationError, match="required"):
        check_symbol("UPR", " ")


# -- reading and searching -----------------------------------------------------------------------


def test_the_register_lists_newest_publications_first(fiji, register):
    assert found(fiji) == ["CEDAW", "CAT", "UPR", "sr-food"]  # undated last


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"q": "DOMESTIC violence"}, ["CEDAW"]),  # text, any case
        ({"q": "cat/c/fji"}, ["CAT"]),  # symbol
        ({"q": "100%"}, ["CAT"]),  # a percent sign is a character, not a wildcard
        ({"q": "nowhere"}, []),
        ({"body": "cat"}, ["CAT"]),
        ({"body": "SP"}, ["sr-food"]),  # the family finds its mandates
        ({"body": "sr-food"}, ["sr-food"]),
        ({"theme": "persons-deprived-liberty"}, ["CAT"]),  # an affected-person code
        ({"theme": "gender-based-violence"}, ["CEDAW"]),
        ({"sdg": "16.3"}, ["CEDAW", "CAT"]),
        ({"sdg": "2"}, ["sr-food"]),  # a whole goal
        ({"sdg": "2²"}, []),
        ({"sdg": "99999999999999999999999"}, []),
        ({"status": "not_started"}, ["CEDAW", "CAT", "UPR", "sr-food"]),
        ({"status": "implemented"}, []),
        ({"q": "law", "body": "CEDAW", "sdg": "5.2"}, ["CEDAW"]),
    ],
)
def test_searching_the_register(fiji, register, filters, expected):
    assert found(fiji, **filters) == expected


def test_an_unknown_status_filter_is_a_clear_error(fiji, register):
    with pytest.raises(ValidationError, match="unknown status"):
        found(fiji, status="done")


def test_the_list_costs_the_same_queries_whatever_its_length(fiji, register, count_queries):
    def shown(per_page):
        with count_queries() as counter:
            page = services.list_register(db.session(), fiji, "FJI", per_page=per_page)
            [(e.themes, e.sdg_targets, e.recommending_states) for e in page.items]
        db.session.expire_all()
        return counter

    short, full = shown(1), shown(50)
    # the acting user (expired above), the State, the count, the page, and its themes, SDG
    # targets and recommending States: one query each
    assert full.count == short.count == 7, full.statements


def test_a_page_carries_everything_an_item_shows(fiji, register):
    page = services.list_register(db.session(), fiji, "FJI", RegisterFilters(body="UPR"))
    [upr] = page.items
    assert (upr.kind, upr.upr_position, upr.upr_session) == ("recommendation", "supported", 43)
    assert [s.iso3 for s in upr.recommending_states] == ["IRQ"]
    assert page.total == 1


@pytest.mark.parametrize("role", ["secretariat", "auditor", "committee"])
def test_the_secretariat_auditor_and_committee_read_every_register(factory, register, role):
    reader = factory.user(role)
    assert len(found(reader)) == 4
    assert found(reader, "IRQ") == ["CEDAW"]
    assert services.get_for(db.session(), reader, register["CAT"].id).symbol == "CAT/C/FJI/CO/1"


def test_a_focal_point_reads_its_own_register_only(factory, fiji, register):
    iraq = factory.user("applicant", state="IRQ")
    with pytest.raises(PermissionDenied):
        found(iraq, "FJI")
    with pytest.raises(NotFound):
        services.get_for(db.session(), iraq, register["CAT"].id)
    assert services.get_for(db.session(), fiji, register["CAT"].id).body == "CAT"


@pytest.mark.parametrize("role", ["donor", "expert", "admin"])
def test_other_roles_read_no_register(factory, register, role):
    with pytest.raises(PermissionDenied):
        found(factory.user(role))


def test_an_unknown_state_is_not_found(fiji):
    with pytest.raises(NotFound):
        found(fiji, "XXX")


# -- typed entries -------------------------------------------------------------------------------


def manual(**changes):
    values = {
        "body": "CRPD",
        "symbol": "CRPD/C/FJI/CO/1",
        "text": "Adopt an inclusive education policy.",
        "themes": ["education", "persons-disabilities"],
        "sdg_targets": ["4.5", "4.A"],
        "published_on": "2024-09-30",
    }
    values.update(changes)
    return ManualSpec(**values)


def test_a_focal_point_types_a_recommendation_the_index_lacks(fiji):
    entry = services.add_manual(db.session(), fiji, "FJI", manual())
    assert (entry.source, entry.annotation_id, entry.state_iso3) == ("manual", None, "FJI")
    assert (entry.body, entry.kind, entry.published_on) == (
        "CRPD",
        "recommendation",
        date(2024, 9, 30),
    )
    assert [t.code for t in entry.themes] == ["education"]
    assert [t.code for t in entry.affected_persons] == ["persons-disabilities"]
    assert [t.target for t in entry.sdg_targets] == ["4.5", "4.a"]
    assert entry.created_by_id == fiji.id
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "recommendation.add")
    ).scalar_one()
    assert event.object_id == str(entry.id) and event.data_dict["symbol"] == "CRPD/C/FJI/CO/1"


def test_a_typed_entry_names_a_mandate_or_the_old_family(staff):
    mandate = services.add_manual(
        db.session(), staff, "FJI", manual(body="sr-food", symbol="A/HRC/52/40/Add.1")
    )
    assert (mandate.mechanism_code, mandate.mandate_code) == ("SP", "sr-food")
    family = services.add_manual(db.session(), staff, "FJI", manual(body="SP", symbol="A/77/123"))
    assert (family.mechanism_code, family.mandate_code) == ("SP", None)


def test_a_typed_upr_recommendation(fiji):
    entry = services.add_manual(
        db.session(),
        fiji,
        "FJI",
        manual(
            body="UPR",
            symbol="A/HRC/43/8",
            upr_session="43",
            upr_position="noted",
            recommending_states=["irq", "CHE"],
        ),
    )
    assert (entry.upr_session, entry.upr_position) == (43, "noted")
    assert [s.iso3 for s in entry.recommending_states] == ["IRQ", "CHE"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body": "CAT", "symbol": "A/HRC/43/14"}, "symbol"),  # a UPR symbol on CAT
        ({"body": "UPR", "symbol": "CAT/C/FJI/CO/1"}, "symbol"),
        ({"symbol": ""}, "symbol"),
        ({"body": "XYZ"}, "body"),
        ({"text": " "}, "text"),
        ({"kind": "opinion"}, "kind"),
        ({"upr_session": "43"}, "upr_session"),  # not a UPR recommendation
        ({"body": "UPR", "symbol": "A/HRC/43/8", "upr_session": "4000"}, "upr_session"),
        ({"body": "UPR", "symbol": "A/HRC/43/8", "upr_position": "accepted"}, "upr_position"),
        ({"themes": ["space-law"]}, "themes"),
        ({"sdg_targets": ["18.1"]}, "sdg_targets"),
        ({"recommending_states": ["XXX"]}, "recommending_states"),
        ({"published_on": "30/09/2024"}, "published_on"),
    ],
)
def test_a_typed_entry_is_checked(fiji, changes, field):
    with pytest.raises(ValidationError) as refused:
        services.add_manual(db.session(), fiji, "FJI", manual(**changes))
    assert field in refused.value.fields


@pytest.mark.parametrize("role", ["auditor", "committee", "donor"])
def test_only_the_state_and_the_secretariat_type_entries(factory, role):
    with pytest.raises(PermissionDenied):
        services.add_manual(db.session(), factory.user(role), "FJI", manual())


def test_a_focal_point_types_into_its_own_register_only(fiji):
    with pytest.raises(PermissionDenied):
        services.add_manual(db.session(), fiji, "IRQ", manual(symbol="CRPD/C/IRQ/CO/1"))


# -- implementation status -----------------------------------------------------------------------


def test_the_state_posts_status_updates_with_a_dated_attributed_history(fiji, register):
    cat = register["CAT"]
    services.post_status(db.session(), fiji, cat.id, "in_progress", "Inspections began.")
    services.post_status(db.session(), fiji, cat.id, "partially_implemented")
    entry, history = services.get_with_history(db.session(), fiji, cat.id)
    assert entry.status == "partially_implemented" and entry.status_changed_at is not None
    assert [(h.status, h.origin, h.note, h.created_by_id) for h in history] == [
        ("in_progress", "voluntary", "Inspections began.", fiji.id),
        ("partially_implemented", "voluntary", "", fiji.id),
    ]
    assert history[0].created_at <= history[1].created_at
    actions = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.object_id == str(cat.id))
    ).scalars()
    assert list(actions) == ["recommendation.status", "recommendation.status"]


def test_status_history_is_append_only(fiji, register):
    services.post_status(db.session(), fiji, register["CAT"].id, "implemented", "Done.")
    db.session.flush()
    update = db.session.execute(select(StatusUpdate)).scalar_one()
    update.note = "Rewritten"
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()


def test_only_the_states_focal_point_posts_a_voluntary_update(factory, register):
    cat = register["CAT"].id
    with pytest.raises(NotFound):
        services.post_status(
            db.session(), factory.user("applicant", state="IRQ"), cat, "implemented"
        )
    for role in ("secretariat", "auditor", "committee"):
        with pytest.raises(PermissionDenied):
            services.post_status(db.session(), factory.user(role), cat, "implemented")
    assert register["CAT"].history == []


@pytest.mark.parametrize(("status", "note"), [("done", ""), ("implemented", "x" * 5001)])
def test_a_status_update_is_checked(fiji, register, status, note):
    with pytest.raises(ValidationError):
        services.post_status(db.session(), fiji, register["CAT"].id, status, note)


def test_a_progress_report_records_status_naming_the_report(factory, fiji, staff, register):
    builders.donate(factory, staff)
    grant = builders.active_grant(factory, staff, builders.committee(factory, staff), fiji)
    report = builders.report_of(grant)
    update = services.record_report_status(
        db.session(), fiji, register["UPR"], "in_progress", "Bill drafted.", report_id=report.id
    )
    db.session.flush()
    assert (update.origin, update.report_id, register["UPR"].status) == (
        "report",
        report.id,
        "in_progress",
    )
