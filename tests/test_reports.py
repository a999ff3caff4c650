"""Reports and success stories (design.md §3.5): the schedule, the State's report, the
secretariat's review, the second tranche and completion, reminders, and stories that are
public only with the State's consent."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.applications.models import Application
from app.applications.specs import ExpertiseSpec, RecommendationSpec
from app.core.database import clock_at, today
from app.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from app.core.mail import OutboxMessage
from app.extensions import db
from app.grants import services as grants
from app.grants.models import GrantStatus
from app.ledger import postings
from app.reports import further_needs, stories
from app.reports import services as reports
from app.reports.models import ReportStatus, StoryStatus
from app.reports.workflow import REPORT_WORKFLOW, STORY_WORKFLOW
from tests import builders
from tests.factories import bearer, login


@pytest.fixture
def grant(factory, staff, fiji):
    builders.donate(factory, staff)
    return builders.active_grant(factory, staff, builders.committee(factory, staff), fiji)


# -- the schedule -------------------------------------------------------------------------------------


def test_accepting_the_grant_schedules_its_reports(grant):
    due = [(r.kind, r.due_date) for r in reports.for_grant(db.session(), grant.id)]
    # A 12-month grant: the interim report half-way, the final one at the end.
    assert [kind for kind, _day in due] == ["interim", "final"]
    assert due[1][1] == grant.end_date
    assert 180 <= (due[0][1] - grant.start_date).days <= 185
    assert all(r.status == ReportStatus.DUE for r in reports.for_grant(db.session(), grant.id))


def test_the_secretariat_adds_and_reschedules_reports(grant, staff, fiji):
    extra = reports.add_report(db.session(), staff, grant, grant.start_date + timedelta(days=90))
    assert extra.kind == "progress"
    with pytest.raises(ValidationError, match="after the grant starts"):
        reports.add_report(db.session(), staff, grant, grant.start_date)
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        reports.reschedule(db.session(), staff, extra, "next spring")
    with pytest.raises(ValidationError, match="two years after it ends"):
        reports.reschedule(db.session(), staff, extra, grant.end_date + timedelta(days=800))
    with pytest.raises(PermissionDenied):
        reports.add_report(db.session(), fiji, grant, grant.start_date + timedelta(days=30))
    reports.reschedule(db.session(), staff, extra, grant.start_date + timedelta(days=120))
    assert extra.due_date == grant.start_date + timedelta(days=120)


# -- the transition table ---------------------------------------------------------------------------


def test_the_report_table():
    assert sorted(REPORT_WORKFLOW.table()) == sorted(
        [
            ("due", "submit", "submitted", ["applicant"]),
            ("revision_requested", "submit", "submitted", ["applicant"]),
            ("submitted", "accept", "accepted", ["secretariat"]),
            ("submitted", "request_revision", "revision_requested", ["secretariat"]),
        ]
    )


def _report_in(status, grant, fiji, staff):
    if status == "due":
        return builders.report_of(grant)
    outcome = {"submitted": "", "accepted": "accepted", "revision_requested": "revision_requested"}
    return builders.reviewed_report(grant, fiji, staff, outcome=outcome[status])


@pytest.mark.parametrize("status", [s.value for s in ReportStatus])
@pytest.mark.parametrize("action", sorted(REPORT_WORKFLOW.actions))
def test_every_status_action_and_role(factory, grant, fiji, staff, status, action):
    report = _report_in(status, grant, fiji, staff)
    assert report.status == status
    transition = REPORT_WORKFLOW.find(status, action)
    for role in ("applicant", "committee", "secretariat", "expert", "donor", "auditor", "admin"):
        user = {"applicant": fiji, "secretariat": staff}.get(role) or factory.user(role)
        allowed = transition is not None and role in {r.value for r in transition.roles}
        assert REPORT_WORKFLOW.can(report, action, user) is allowed, (status, action, role)


# -- writing ------------------------------------------------------------------------------------------


def test_a_draft_is_saved_and_bad_values_are_refused_with_nothing_saved(grant, fiji):
    report = builders.report_of(grant)
    indicator = report.grant.application.indicators[0]
    recommendation = report.grant.application.recommendations[0]
    reports.save_draft(
        db.session(),
        fiji,
        report,
        reports.ReportContent(
            achievements="First half done.",
            indicators={indicator.id: ("150", "")},
            recommendations={recommendation.id: ("in_progress", "")},
        ),
    )
    db.session.commit()
    with pytest.raises(ValidationError, match="is not one") as caught:
        reports.save_draft(
            db.session(),
            fiji,
            report,
            reports.ReportContent(achievements="Changed", indicators={indicator.id: ("many", "")}),
        )
    assert f"indicator-{indicator.id}" in caught.value.fields
    with pytest.raises(ValidationError, match="must be one of"):
        reports.save_draft(
            db.session(),
            fiji,
            report,
            reports.ReportContent(
                achievements="Changed", recommendations={recommendation.id: ("done!", "")}
            ),
        )
    with pytest.raises(ValidationError, match="not one of this grant's"):
        reports.save_draft(
            db.session(), fiji, report, reports.ReportContent(indicators={999999: ("1", "")})
        )
    db.session.rollback()
    db.session.refresh(report)
    assert report.achievements == "First half done."
    assert [(row.indicator_id, row.actual) for row in report.indicators] == [(indicator.id, "150")]


def test_another_states_focal_point_cannot_see_or_write_the_report(factory, grant):
    report = builders.report_of(grant)
    malawi = factory.user("applicant", state="MWI")
    with pytest.raises(NotFound):
        reports.get_for(db.session(), malawi, report.id)
    with pytest.raises(NotFound):
        reports.save_draft(db.session(), malawi, report, builders.report_content(report))
    with pytest.raises(NotFound):
        reports.submit(db.session(), malawi, report, builders.report_content(report))
    for role in ("donor", "expert", "committee"):
        with pytest.raises(PermissionDenied):
            reports.get_for(db.session(), factory.user(role), report.id)


def test_an_incomplete_report_cannot_be_submitted(grant, fiji):
    report = builders.report_of(grant)
    with pytest.raises(ValidationError, match="narrative of achievements"):
        reports.submit(db.session(), fiji, report, reports.ReportContent())
    assert report.status == ReportStatus.DUE


def test_a_submitted_report_is_frozen(grant, fiji, staff):
    report = builders.reviewed_report(grant, fiji, staff, outcome="")
    with pytest.raises(TransitionNotAllowed, match="no longer be changed"):
        reports.save_draft(db.session(), fiji, report, reports.ReportContent(achievements="x"))


# -- the second tranche and completion ---------------------------------------------------------------


def test_the_second_tranche_waits_for_the_interim_report(grant, fiji, staff, checker):
    first = grants.create_disbursement(db.session(), staff, grant, "12000.30")
    grants.approve_disbursement(db.session(), checker, first, "")
    with pytest.raises(ValidationError, match="waits for its condition"):
        grants.create_disbursement(db.session(), staff, grant, "1")
    report = builders.reviewed_report(grant, fiji, staff, outcome="revision_requested")
    with pytest.raises(ValidationError, match="waits for its condition"):
        grants.create_disbursement(db.session(), staff, grant, "1")
    reports.submit(db.session(), fiji, report)
    reports.review(db.session(), staff, report, "accepted")
    rest = grants.create_disbursement(db.session(), staff, grant, "8000.20")
    grants.approve_disbursement(db.session(), checker, rest, "")
    assert postings.disbursed(db.session(), grant.id) == grant.amount_minor


def test_the_final_report_lets_the_grant_be_completed(grant, fiji, staff, checker):
    with pytest.raises(Conflict, match="final report"):
        grants.complete(db.session(), staff, grant)
    builders.reviewed_report(grant, fiji, staff, kind="final")
    released = grants.complete(db.session(), staff, grant)
    assert grant.status_enum is GrantStatus.COMPLETED
    assert released == grant.amount_minor  # nothing was paid: all of it goes back


def test_review_needs_a_note_to_ask_for_a_revision(grant, fiji, staff):
    report = builders.reviewed_report(grant, fiji, staff, outcome="")
    with pytest.raises(ValidationError, match="say what"):
        reports.review(db.session(), staff, report, "revision_requested", " ")
    with pytest.raises(ValidationError, match="accepted or revision_requested"):
        reports.review(db.session(), staff, report, "ok")
    with pytest.raises(PermissionDenied):
        reports.review(db.session(), fiji, report, "accepted")


# -- reminders -------------------------------------------------------------------------------------------


def _reminders(kind):
    return [m for m in db.session.scalars(select(OutboxMessage)) if m.kind == kind]


def test_reminders_30_and_7_days_before_and_weekly_when_overdue_each_once(factory, grant, fiji):
    other_focal_point = factory.user("applicant", state="FJI")
    report = builders.report_of(grant)
    report.due_date = today() + timedelta(days=40)
    assert reports.reminders_due(db.session()) == 0
    report.due_date = today() + timedelta(days=29)
    assert reports.reminders_due(db.session()) == 2  # each focal point
    assert reports.reminders_due(db.session()) == 0
    report.due_date = today() + timedelta(days=6)
    assert reports.reminders_due(db.session()) == 2
    assert reports.reminders_due(db.session()) == 0
    report.due_date = today() - timedelta(days=3)
    assert reports.reminders_due(db.session()) == 2
    assert reports.reminders_due(db.session()) == 0
    assert len(_reminders("report_due_soon")) == 4 and len(_reminders("report_overdue")) == 2
    assert {m.to_address for m in _reminders("report_overdue")} == {
        fiji.email,
        other_focal_point.email,
    }
    assert report.is_overdue and report.days_late == 3
    assert reports.overdue_count(db.session()) == 1


def test_a_cancelled_grant_is_owed_no_more_reports(client, grant, staff, fiji):
    report = builders.report_of(grant)
    report.due_date = today() - timedelta(days=3)
    assert report.is_overdue and reports.overdue_count(db.session()) == 1
    grants.cancel(db.session(), staff, grant, "The government withdrew")
    db.session.commit()
    assert reports.reminders_due(db.session()) == 0 and not _reminders("report_overdue")
    assert not report.is_overdue and report.days_late == 0
    assert reports.overdue_count(db.session()) == 0
    assert reports.list_for(db.session(), fiji, owed_only=True).total == 0
    with pytest.raises(TransitionNotAllowed, match="no longer due"):
        reports.save_draft(db.session(), fiji, report, reports.ReportContent(achievements="x"))
    with pytest.raises(TransitionNotAllowed, match="no longer due"):
        reports.submit(db.session(), fiji, report)
    login(client, fiji)
    assert "days late" not in client.get("/dashboard").get_data(as_text=True)


def test_the_job_sends_report_reminders_and_is_safe_to_run_twice(runner, grant):
    report = builders.report_of(grant)
    report.due_date = today() + timedelta(days=5)
    db.session.commit()
    first = runner.invoke(args=["jobs", "run"])
    assert "progress report reminders: 1 reminder(s) queued" in first.output
    second_run = runner.invoke(args=["jobs", "run"])
    assert "progress report reminders: 0 reminder(s) queued" in second_run.output


def test_a_rescheduled_report_is_reminded_of_its_new_due_date(grant, staff, fiji):
    report = builders.report_of(grant)
    start = today()
    report.due_date = start + timedelta(days=6)
    assert reports.reminders_due(db.session()) == 1  # 7 days before
    reports.reschedule(db.session(), staff, report, start + timedelta(days=40))
    with clock_at(start + timedelta(days=15)):  # 25 days before the new date
        assert reports.reminders_due(db.session()) == 1
        assert reports.reminders_due(db.session()) == 0
    with clock_at(start + timedelta(days=35)):  # 5 days before: 7-days again, for the new date
        assert reports.reminders_due(db.session()) == 1
        assert reports.reminders_due(db.session()) == 0
    kinds = [m.kind for m in _reminders("report_due_soon")]
    assert len(kinds) == 3


def test_overdue_reminders_are_weekly_from_the_due_date_not_by_calendar_week(grant, fiji):
    report = builders.report_of(grant)
    saturday = date(2027, 1, 2)
    report.due_date = saturday
    sunday, monday = saturday + timedelta(days=1), saturday + timedelta(days=2)
    assert sunday.isocalendar().week != monday.isocalendar().week  # across a week boundary
    sent = []
    for day in (sunday, monday, saturday + timedelta(days=7), saturday + timedelta(days=8)):
        with clock_at(day):
            sent.append(reports.reminders_due(db.session()))
            assert reports.reminders_due(db.session()) == 0  # running the job again
    # One mail on the first day late, the next a week later, none on the days between.
    assert sent == [1, 0, 1, 0]
    assert len(_reminders("report_overdue")) == 2


# -- further needs ----------------------------------------------------------------------------------------


def test_further_needs_become_a_new_prefilled_request(factory, staff, fiji):
    builders.donate(factory, staff)
    grant = builders.active_grant(
        factory,
        staff,
        builders.committee(factory, staff),
        fiji,
        recommendations=[
            RecommendationSpec("CAT", "CAT/C/FJI/CO/1, para. 20", "Improve detention.", "CAT"),
            RecommendationSpec("UPR", "A/HRC/43/8, para. 98.1", "Train officers.", "Chile"),
        ],
        expertise=ExpertiseSpec(themes=["torture"], languages=["en", "fr"], person_days=10),
    )
    done, open_one = grant.application.recommendations
    report = builders.report_of(grant)
    content = builders.report_content(report, actual="210")
    content.recommendations = {
        done.id: ("implemented", "Decree 12"),
        open_one.id: ("in_progress", ""),
    }
    reports.submit(db.session(), fiji, report, content)
    with pytest.raises(TransitionNotAllowed, match="accepted report"):
        further_needs.follow_up_application(db.session(), fiji, report)  # still in review
    reports.review(db.session(), staff, report, "accepted")

    application = further_needs.follow_up_application(db.session(), fiji, report)
    original = grant.application
    assert application.status == "draft" and application.title == f"Follow-up: {original.title}"
    assert application.summary == report.further_needs
    assert [r.reference for r in application.recommendations] == [open_one.reference]
    assert [t.code for t in application.themes] == [t.code for t in original.themes]
    assert [s.number for s in application.sdgs] == [s.number for s in original.sdgs]
    assert application.implementing_entity == original.implementing_entity
    assert application.currency == original.currency
    assert [t.code for t in application.expertise_themes] == ["torture"]
    assert application.language_codes == ["en", "fr"]
    # The indicators start where the project left them.
    assert [(i.name, i.baseline, i.target) for i in application.indicators] == [
        (i.name, "210", i.target) for i in original.indicators
    ]
    assert db.session.get(Application, application.id).state_iso3 == "FJI"

    # Asked again, the State gets the same draft, not a second one.
    count = db.session.scalar(select(func.count(Application.id)))
    assert further_needs.follow_up_application(db.session(), fiji, report) is application
    assert db.session.scalar(select(func.count(Application.id))) == count
    with pytest.raises(NotFound):
        further_needs.follow_up_application(
            db.session(), factory.user("applicant", state="MWI"), report
        )


def test_a_follow_up_needs_further_needs(grant, fiji, staff):
    report = builders.report_of(grant)
    content = builders.report_content(report)
    content.further_needs = "  "
    reports.submit(db.session(), fiji, report, content)
    reports.review(db.session(), staff, report, "accepted")
    with pytest.raises(ValidationError, match="no further needs"):
        further_needs.follow_up_application(db.session(), fiji, report)
    assert report.follow_up is None


def test_the_follow_up_page_drafts_once_then_leads_to_the_draft(client, grant, fiji, staff):
    report = builders.reviewed_report(grant, fiji, staff)
    login(client, fiji)
    first = client.post(f"/reports/{report.id}/follow-up")
    assert first.status_code == 302
    db.session.expire_all()
    drafted = db.session.get(type(report), report.id).follow_up
    assert drafted is not None and f"/applications/{drafted.id}/" in first.location
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert drafted.reference in page and "Turn the further needs" not in page
    second = client.post(f"/reports/{report.id}/follow-up")
    assert second.location == first.location
    assert (
        db.session.scalar(
            select(func.count(Application.id)).where(Application.title == drafted.title)
        )
        == 1
    )


# -- stories -----------------------------------------------------------------------------------------------


def test_the_story_table():
    assert sorted(STORY_WORKFLOW.table()) == sorted(
        [
            ("draft", "request_consent", "awaiting_consent", ["secretariat"]),
            ("awaiting_consent", "consent", "published", ["applicant"]),
            ("awaiting_consent", "decline", "draft", ["applicant"]),
            ("draft", "withdraw", "withdrawn", ["secretariat"]),
            ("awaiting_consent", "withdraw", "withdrawn", ["secretariat"]),
            ("published", "withdraw", "withdrawn", ["applicant", "secretariat"]),
        ]
    )


def test_a_story_is_public_only_after_the_states_consent(client, grant, fiji, staff):
    report = builders.reviewed_report(grant, fiji, staff)
    story = builders.story(report, staff)
    assert client.get(f"/stories/{story.id}").status_code == 404
    stories.request_consent(db.session(), staff, story)
    db.session.commit()
    assert client.get(f"/stories/{story.id}").status_code == 404
    assert client.get(f"/stories/{story.id}/photo").status_code == 404
    assert story.title not in client.get("/stories").get_data(as_text=True)
    with pytest.raises(ValidationError, match="name and title"):
        stories.consent(db.session(), fiji, story, name="", title="")
    stories.consent(db.session(), fiji, story, name="A. Official", title="Minister")
    db.session.commit()
    page = client.get(f"/stories/{story.id}")
    assert page.status_code == 200 and story.title in page.get_data(as_text=True)
    assert "A. Official" not in page.get_data(as_text=True)  # the official is not published
    photo = client.get(f"/stories/{story.id}/photo")
    photo.close()
    assert photo.status_code == 200 and photo.mimetype == "image/png"
    stories.withdraw(db.session(), fiji, story, "The minister changed.")
    db.session.commit()
    assert client.get(f"/stories/{story.id}").status_code == 404


def test_the_database_refuses_a_published_story_without_consent(grant, fiji, staff):
    story = builders.story(builders.reviewed_report(grant, fiji, staff), staff)
    savepoint = db.session.begin_nested()
    story.status = StoryStatus.PUBLISHED
    with pytest.raises(Exception, match=r"published_needs_consent|CHECK constraint"):
        db.session.flush()
    savepoint.rollback()


def test_stories_need_an_accepted_report_and_a_described_photo(grant, fiji, staff, factory):
    from werkzeug.datastructures import FileStorage

    submitted = builders.reviewed_report(grant, fiji, staff, outcome="")
    draft = stories.StoryDraft(title="A title", text="x" * 60)
    with pytest.raises(TransitionNotAllowed, match="accepted report"):
        stories.create(db.session(), staff, submitted, draft)
    reports.review(db.session(), staff, submitted, "accepted")
    photo = FileStorage(__import__("io").BytesIO(builders.PNG_1PX), "p.png")
    with pytest.raises(ValidationError, match="credit and a description"):
        stories.create(db.session(), staff, submitted, draft, photo)
    with pytest.raises(ValidationError, match="few sentences"):
        stories.create(db.session(), staff, submitted, stories.StoryDraft(title="T", text="short"))
    with pytest.raises(PermissionDenied):
        stories.create(db.session(), fiji, submitted, draft)


def test_the_state_may_send_a_story_back(grant, fiji, staff):
    story = builders.story(builders.reviewed_report(grant, fiji, staff), staff)
    stories.request_consent(db.session(), staff, story)
    with pytest.raises(ValidationError, match="say what"):
        stories.decline(db.session(), fiji, story, "")
    stories.decline(db.session(), fiji, story, "Name the regional prisons too.")
    assert story.status_enum is StoryStatus.DRAFT
    stories.update(
        db.session(),
        staff,
        story,
        stories.StoryDraft(title=story.title, text=story.text + " In all four divisions."),
    )


# -- through the pages and the API ---------------------------------------------------------------


def test_the_state_writes_and_submits_its_report_through_the_page(client, grant, fiji, staff):
    report = builders.report_of(grant)
    indicator = grant.application.indicators[0]
    recommendation = grant.application.recommendations[0]
    login(client, fiji)
    page = client.get(f"/reports/{report.id}")
    assert "Save the draft" in page.get_data(as_text=True)
    bad = client.post(
        f"/reports/{report.id}",
        data={"action": "save", "achievements": "So far", f"actual-{indicator.id}": "lots"},
    )
    assert bad.status_code == 200 and "is not one" in bad.get_data(as_text=True)
    db.session.refresh(report)
    assert report.achievements == ""
    form = {
        "achievements": "Officers trained in every division.",
        f"actual-{indicator.id}": "210",
        f"status-{recommendation.id}": "partially_implemented",
        f"evidence-{recommendation.id}": "Standing orders",
    }
    assert client.post(f"/reports/{report.id}", data={**form, "action": "save"}).status_code == 302
    assert (
        client.post(f"/reports/{report.id}", data={**form, "action": "submit"}).status_code == 302
    )
    db.session.refresh(report)
    assert report.status == ReportStatus.SUBMITTED
    login(client, staff)
    assert (
        client.post(f"/reports/{report.id}/review", data={"outcome": "accepted"}).status_code == 302
    )
    db.session.refresh(report)
    assert report.status == ReportStatus.ACCEPTED
    assert "Draft a success story" in client.get(f"/reports/{report.id}").get_data(as_text=True)


def test_the_report_api(client, factory, grant, fiji, staff):
    report = builders.report_of(grant)
    indicator = grant.application.indicators[0]
    recommendation = grant.application.recommendations[0]
    tokens = {
        "fiji": factory.token(fiji),
        "staff": factory.token(staff),
        "malawi": factory.token(factory.user("applicant", state="MWI")),
    }
    body = {
        "narrative": "Officers trained in every division.",
        "indicators": [{"id": indicator.id, "actual": 210, "comment": ""}],
        "recommendations": [{"id": recommendation.id, "status": "implemented"}],
    }

    def post(path, token, json):
        return client.post(f"/api/v1{path}", headers=bearer(tokens[token]), json=json)

    assert post(f"/reports/{report.id}/submit", "malawi", body).status_code == 404
    wrong = post(
        f"/reports/{report.id}/submit",
        "fiji",
        {**body, "recommendations": [{"id": recommendation.id, "status": "finished"}]},
    )
    assert wrong.status_code == 422
    not_a_number = post(
        f"/reports/{report.id}/submit",
        "fiji",
        {**body, "indicators": [{"id": indicator.id, "actual": "a lot"}]},
    )
    assert not_a_number.status_code == 422
    assert report.status == ReportStatus.DUE
    assert post(f"/reports/{report.id}/submit", "fiji", body).get_json() == {"status": "submitted"}
    assert post(f"/reports/{report.id}/submit", "fiji", body).status_code == 409
    reviewed = post(f"/reports/{report.id}/review", "staff", {"outcome": "accepted"})
    assert reviewed.get_json() == {"status": "accepted"}
    grant_json = client.get(
        f"/api/v1/grants/{grant.id}", headers=bearer(tokens["staff"])
    ).get_json()
    assert {r["kind"]: r["status"] for r in grant_json["reports"]} == {
        "interim": "accepted",
        "final": "due",
    }
