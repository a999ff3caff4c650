"""Drafting, submitting, versions, withdrawal, attachments and who sees what (design.md §3.1)."""

import io
import re

import pytest
from sqlalchemy import func, select

from app.applications import services
from app.applications.models import Application, ApplicationVersion
from app.applications.specs import BudgetLineSpec
from app.core.audit import AuditEvent
from app.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from app.core.mail import OutboxMessage
from app.extensions import db
from tests import builders
from tests.factories import login


@pytest.fixture
def malawi(factory):
    return factory.user("applicant", state="MWI")


def mails(kind):
    return (
        db.session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)).scalars().all()
    )


# -- creating and editing through the pages -------------------------------------------------------


def test_new_request_gets_a_reference_and_lands_on_the_form(client, fiji):
    login(client, fiji)
    response = client.post("/applications/new", data={"title": "Strengthening the NMIRF"})
    assert response.status_code == 302
    application = db.session.execute(select(Application)).scalar_one()
    assert re.fullmatch(r"SPTF-\d{4}-\d{4}", application.reference)
    assert response.headers["Location"] == f"/applications/{application.id}/edit/overview"
    assert application.status == "draft" and application.state_iso3 == "FJI"
    assert application.currency == "USD"


def test_references_are_sequential(fiji):
    first = builders.application(fiji)
    second = builders.application(fiji)
    assert int(second.reference[-4:]) == int(first.reference[-4:]) + 1


def test_sections_save_as_drafts(client, fiji):
    application = builders.application(fiji, budget=[], recommendations=[])
    login(client, fiji)
    url = f"/applications/{application.id}/edit"
    assert client.get(f"{url}/overview").status_code == 200
    response = client.post(
        f"{url}/recommendations",
        data={
            "op": "add",
            "new-mechanism": "UPR",
            "new-reference": "A/HRC/43/8, para. 98.12",
            "new-text": "Establish a national mechanism.",
            "new-recommending_body": "Paraguay",
            "new-cycle": "2019",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"{url}/budget",
        data={
            "op": "add",
            "new-category": "training",
            "new-description": "Workshops",
            "new-amount": "12,500.50",
        },
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert [r.reference for r in application.recommendations] == ["A/HRC/43/8, para. 98.12"]
    assert application.requested_amount_minor == 1250050
    line = application.budget_lines[0]
    client.post(
        f"{url}/budget",
        data={
            "op": "update",
            "row_id": line.id,
            f"r{line.id}-category": "training",
            f"r{line.id}-description": "Workshops",
            f"r{line.id}-amount": "10000",
        },
    )
    db.session.refresh(application)
    assert application.requested_amount_minor == 1000000
    client.post(f"{url}/budget", data={"op": "remove", "row_id": line.id})
    db.session.refresh(application)
    assert application.budget_lines == [] and application.requested_amount_minor == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "greater than zero"),
        ("0", "greater than zero"),
        ("ten", "not an amount"),
        ("12.345", "at most 2 decimal places"),
        ("99999999999999", "too large"),
        ("60000", "above the grant ceiling"),
    ],
)
def test_bad_budget_amounts_are_refused_with_a_message(client, fiji, amount, message):
    application = builders.application(fiji)
    before = application.requested_amount_minor
    login(client, fiji)
    response = client.post(
        f"/applications/{application.id}/edit/budget",
        data={
            "op": "add",
            "new-category": "training",
            "new-description": "More",
            "new-amount": amount,
        },
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.requested_amount_minor == before and len(application.budget_lines) == 2


def test_missing_required_fields_are_named(client, fiji):
    application = builders.application(fiji)
    login(client, fiji)
    response = client.post(f"/applications/{application.id}/edit/overview", data={"title": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "This field is required." in page
    db.session.refresh(application)
    assert application.title == "Training of prison officers"


def test_unknown_theme_or_sdg_is_refused(fiji):
    application = builders.application(fiji)
    overview = builders.spec().overview
    overview.themes = ["astrology"]
    with pytest.raises(ValidationError, match="unknown theme code 'astrology'"):
        services.update_overview(db.session(), fiji, application, overview)
    overview.themes = ["torture"]
    overview.sdgs = [18]
    with pytest.raises(ValidationError, match="no SDG 18"):
        services.update_overview(db.session(), fiji, application, overview)


def test_only_the_fund_currency_is_accepted(fiji):
    with pytest.raises(ValidationError, match="fund's currency"):
        services.create_application(db.session(), fiji, builders.spec(currency="EUR"))


def test_expertise_languages_must_be_iso_639_1(client, fiji):
    application = builders.application(fiji)
    login(client, fiji)
    response = client.post(
        f"/applications/{application.id}/edit/expertise",
        data={
            "person_days": "10",
            "languages": ["en"],
            "other_languages": "xx",
            "themes": ["torture"],
        },
    )
    assert "unknown language code" in response.get_data(as_text=True)
    response = client.post(
        f"/applications/{application.id}/edit/expertise",
        data={
            "person_days": "10",
            "languages": ["en", "fr"],
            "other_languages": "sw",
            "themes": ["torture"],
        },
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert (
        application.language_codes == ["en", "fr", "sw"] and application.expertise_person_days == 10
    )


def test_consent_must_be_confirmed(client, fiji):
    application = builders.application(fiji, consent=None)
    login(client, fiji)
    response = client.post(
        f"/applications/{application.id}/edit/consent",
        data={"official_name": "A", "official_title": "B"},
    )
    assert "The consent must be confirmed." in response.get_data(as_text=True)
    response = client.post(
        f"/applications/{application.id}/edit/consent",
        data={
            "official_name": "Jone Usamate",
            "official_title": "Permanent Secretary",
            "confirm": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.has_consent and application.consent_user_id == fiji.id


# -- submission and versions ---------------------------------------------------------------------


def test_submit_freezes_a_version_and_tells_the_secretariat(client, fiji, staff):
    application = builders.application(fiji)
    login(client, fiji)
    assert client.post(f"/applications/{application.id}/submit").status_code == 302
    db.session.refresh(application)
    assert application.status == "submitted" and application.version == 1
    version = db.session.execute(select(ApplicationVersion)).scalar_one()
    assert '"title": "Training of prison officers"' in version.snapshot
    (message,) = mails("application_submitted")
    assert message.to_address == staff.email and application.reference in message.subject


def test_submitted_application_cannot_be_edited(client, fiji, staff):
    application = builders.application(fiji, "submitted")
    login(client, fiji)
    response = client.post(
        f"/applications/{application.id}/edit/overview", data={"title": "Changed"}
    )
    assert response.status_code == 302
    db.session.refresh(application)
    assert application.title == "Training of prison officers"
    with pytest.raises(TransitionNotAllowed, match="status is submitted"):
        services.update_cofinancing(db.session(), fiji, application, "10", "")


def test_incomplete_application_is_not_submitted(client, fiji):
    application = builders.application(fiji, consent=None)
    login(client, fiji)
    client.post(f"/applications/{application.id}/submit")
    db.session.refresh(application)
    assert application.status == "draft"
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "record the government" in page


def test_returned_application_is_resubmitted_as_a_new_version_and_changes_show(client, fiji, staff):
    application = builders.application(fiji, "returned", secretariat=staff)
    (returned,) = mails("application_returned")
    assert returned.to_address == fiji.email and "Add a second indicator." in returned.body
    login(client, fiji)
    client.post(
        f"/applications/{application.id}/edit/results",
        data={
            "op": "add",
            "new-name": "Complaints handled",
            "new-baseline": "0",
            "new-target": "50",
        },
    )
    client.post(
        f"/applications/{application.id}/edit/overview",
        data={
            "title": "Training of prison officers",
            "summary": "Practical training on the Mandela Rules and complaints.",
            "objectives": "Officers apply the Rules.",
            "activities": "Eight training sessions.",
            "duration_months": "12",
            "implementing_entity": "Prison Service",
            "themes": ["torture"],
            "sdgs": ["16"],
        },
    )
    client.post(f"/applications/{application.id}/submit")
    db.session.refresh(application)
    assert application.status == "submitted" and application.version == 2
    staff_client = client.application.test_client()
    login(staff_client, staff)
    page = staff_client.get(f"/applications/{application.id}/changes").get_data(as_text=True)
    assert "Complaints handled" in page
    assert "<ins>Mandela Rules and complaints.</ins>" in page or "<ins>" in page


@pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
def test_withdraw_from_draft_submitted_or_returned(fiji, staff, status):
    application = builders.application(fiji, status, secretariat=staff)
    services.withdraw(db.session(), fiji, application, "No longer needed")
    assert application.status == "withdrawn"


@pytest.mark.parametrize("status", ["in_review", "ineligible"])
def test_no_withdrawal_once_screened(factory, fiji, staff, status):
    builders.committee(factory, staff)
    application = builders.application(fiji, status, secretariat=staff)
    with pytest.raises(TransitionNotAllowed, match=f"status is {status}"):
        services.withdraw(db.session(), fiji, application)


# -- who sees what -------------------------------------------------------------------------------------


def test_another_states_applicant_gets_404_everywhere(client, fiji, malawi, staff):
    application = builders.application(fiji, "submitted", secretariat=staff)
    stored = services.add_attachment  # attachments only on drafts: make one before submitting
    draft = builders.application(fiji)
    from werkzeug.datastructures import FileStorage

    file = stored(db.session(), fiji, draft, FileStorage(io.BytesIO(builders.PDF), "note.pdf"))
    db.session.commit()
    login(client, malawi)
    for url in (
        f"/applications/{application.id}",
        f"/applications/{application.id}/changes",
        f"/applications/{draft.id}/edit/overview",
        f"/applications/{draft.id}/attachments/{file.id}",
        f"/applications/{application.id}/decision.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/applications/{draft.id}/submit").status_code == 404
    with pytest.raises(NotFound):
        services.get_application_for(db.session(), malawi, application.id)
    listed = client.get("/applications").get_data(as_text=True)
    assert application.reference not in listed


def test_secretariat_never_sees_drafts_and_committee_sees_only_reviewed(factory, fiji, staff):
    member = factory.user("committee")
    draft = builders.application(fiji)
    submitted = builders.application(fiji, "submitted")
    with pytest.raises(NotFound):
        services.get_application_for(db.session(), staff, draft.id)
    assert services.get_application_for(db.session(), staff, submitted.id) is submitted
    for application in (draft, submitted):
        with pytest.raises(NotFound):
            services.get_application_for(db.session(), member, application.id)
    auditor = factory.user("auditor")
    assert services.get_application_for(db.session(), auditor, draft.id) is draft
    for role in ("donor", "expert", "admin"):
        with pytest.raises(PermissionDenied):
            services.list_for(db.session(), factory.user(role))


# -- attachments ----------------------------------------------------------------------------------------


def _attach(client, application, data, name):
    return client.post(
        f"/applications/{application.id}/edit/attachments",
        data={"op": "upload", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_pdf_attachment_is_stored_outside_static_and_served_as_download(client, fiji, app):
    application = builders.application(fiji)
    login(client, fiji)
    assert _attach(client, application, builders.PDF, "concept-note.pdf").status_code == 302
    db.session.refresh(application)
    (stored,) = application.attachments
    assert stored.kind == "pdf" and stored.original_name == "concept-note.pdf"
    assert stored.stored_name != "concept-note.pdf" and len(stored.stored_name) == 48
    assert "static" not in app.config["UPLOAD_FOLDER"]
    response = client.get(f"/applications/{application.id}/attachments/{stored.id}")
    try:
        assert response.status_code == 200 and response.data == builders.PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        response.close()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100,
            "invoice.pdf",
            "not an accepted type",
        ),
        (b"#!/bin/sh\nrm -rf /\n", "script.docx", "not an accepted type"),
        (builders.PDF, "../../etc/passwd.pdf", "file name is not acceptable"),
        (builders.PDF, "..\\..\\win.pdf", "file name is not acceptable"),
        (builders.PDF, "note.png", "does not match its content"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_kept(client, fiji, app, data, name, message):
    import os

    application = builders.application(fiji)
    before = set(os.listdir(app.config["UPLOAD_FOLDER"]))
    login(client, fiji)
    response = _attach(client, application, data, name)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.attachments == []
    assert set(os.listdir(app.config["UPLOAD_FOLDER"])) == before


def test_oversized_upload_is_refused(client, fiji, app, monkeypatch):
    # A small limit keeps the test client's request body in memory; the rule is the same.
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 100 * 1024)
    application = builders.application(fiji)
    login(client, fiji)
    big = builders.PDF + b"0" * (100 * 1024)
    response = _attach(client, application, big, "big.pdf")
    assert "larger than 100 KB" in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.attachments == []


def test_the_default_limit_is_10_mb(app):
    from app.core.uploads import human_size

    assert human_size(app.config["MAX_UPLOAD_BYTES"]) == "10 MB"


def test_office_documents_are_recognised_from_content():
    import zipfile

    from app.core.uploads import detect_kind

    def office(part):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr(f"{part}/document.xml", "<x/>")
        return buffer.getvalue()

    assert detect_kind(office("word")) == "docx"
    assert detect_kind(office("xl")) == "xlsx"
    assert detect_kind(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30) == "png"
    assert detect_kind(b"\xff\xd8\xff\xe0" + b"\x00" * 30) == "jpeg"
    assert detect_kind(b"PK\x03\x04junk") is None


def test_every_edit_is_audited(fiji):
    application = builders.application(fiji)
    services.add_budget_line(
        db.session(), fiji, application, BudgetLineSpec("travel", "Flights", "500")
    )
    actions = (
        db.session.execute(
            select(AuditEvent.action)
            .where(
                AuditEvent.object_type == "application", AuditEvent.object_id == str(application.id)
            )
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )
    assert actions[:2] == ["application.create", "application.edit"]
    assert db.session.execute(select(func.count(ApplicationVersion.id))).scalar_one() == 0


def test_changes_between_versions_read_as_a_person_would():
    from app.applications.versions import changes

    before = {"themes": ["children", "health"], "sdgs": [5, 16], "budget": [{"a": 1}, {"a": 2}]}
    reordered = {"themes": ["health", "children"], "sdgs": [16, 5], "budget": [{"a": 2}, {"a": 1}]}
    names = {"children": "Children", "health": "Right to health", "women": "Women"}
    diff = changes(before, reordered, names)
    # The same themes and SDGs in another order are no change; reordered budget lines are.
    assert [c.field for c in diff] == ["budget"]
    assert diff[0].listed and not diff[0].added and not diff[0].removed
    (themes,) = changes(before, {**before, "themes": ["children", "women"]}, names)
    assert themes.added == ("Women",) and themes.removed == ("Right to health",)
