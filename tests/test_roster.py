"""The roster: profiles, vetting, matching, deployments with the State's consent, fees paid
through the ledger with maker–checker (design.md §3.4)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.auth import services as auth
from app.core import mail
from app.core.database import clock_at, today
from app.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from app.core.mail import OutboxMessage
from app.deployments import expert_payments, proposals
from app.deployments import services as deployments
from app.deployments.models import DeploymentStatus
from app.deployments.workflow import DEPLOYMENT_WORKFLOW
from app.experts import profiles
from app.experts.models import ExpertStatus
from app.experts.workflow import EXPERT_WORKFLOW
from app.extensions import db
from app.grants import services as grants
from app.grants.models import DisbursementKind, GrantStatus
from app.ledger import postings
from app.roster import matching
from tests import builders
from tests.factories import login

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def grant(factory, staff, board, fiji):
    return builders.expert_grant(factory, staff, board, fiji)


@pytest.fixture
def kenyan(factory):
    return builders.expert(
        factory, state="KEN", name="Wanjiru Kamau", themes=("torture",), languages=("en", "sw")
    )


# -- the grant keeps a budget for experts ----------------------------------------------------------


def test_the_experts_budget_line_is_kept_out_of_the_tranches(grant):
    assert grant.amount_minor == 3_000_000
    assert grant.expert_budget_minor == 1_200_000
    assert [t.amount_minor for t in grant.tranches] == [1_080_000, 720_000]


def test_a_lower_approved_amount_scales_the_experts_part_down(factory, staff, board, fiji):
    from app.applications.models import Application

    application = db.session.get(
        Application, builders.expert_grant(factory, staff, board, fiji).application_id
    )
    assert grants.expert_share(application, 1_500_000) == 600_000
    assert grants.expert_share(application, 1) == 0  # rounded down, never above the amount


# -- profiles and vetting --------------------------------------------------------------------------


def test_an_expert_keeps_its_profile_and_starts_applied(factory):
    user = factory.user("expert", state="SEN")
    expert = profiles.own_profile(db.session(), user)
    assert expert.status_enum is ExpertStatus.APPLIED
    profiles.update_profile(
        db.session(),
        user,
        expert,
        profiles.ProfileChanges(
            languages=[("fr", "native"), "en"],
            themes=["torture"],
            mechanisms=["CAT", "UPR"],
            years_experience=8,
            daily_rate="450.00",
            currency="EUR",
            availability=[(today(), today() + timedelta(days=90))],
        ),
    )
    assert {(lang.code, lang.level) for lang in expert.languages} == {
        ("fr", "native"),
        ("en", "working"),
    }
    assert expert.daily_rate.format() == "€450.00"
    assert profiles.own_profile(db.session(), user) is expert


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"availability": [("2030-03-10", "2030-03-01")]}, "availability", "before it starts"),
        (
            {"availability": [("2030-03-01", "2030-03-20"), ("2030-03-15", "2030-04-01")]},
            "availability",
            "overlap",
        ),
        ({"availability": [("2020-01-01", "2020-02-01")]}, "availability", "already over"),
        ({"availability": [("soon", "2030-02-01")]}, "availability", "YYYY-MM-DD"),
        ({"languages": ["xx"]}, "languages", "unknown language"),
        ({"languages": [("fr", "superb")]}, "languages", "level"),
        ({"themes": ["no-such-theme"]}, "themes", "unknown theme"),
        ({"mechanisms": ["XYZ"]}, "mechanisms", "unknown mechanism"),
        ({"years_experience": "many"}, "years_experience", "whole number"),
        ({"years_experience": 99}, "years_experience", "between 0 and 70"),
        ({"daily_rate": "-5"}, "daily_rate", "daily rate"),
        ({"daily_rate": "500", "currency": "XYZ"}, "currency", "unknown currency"),
    ],
)
def test_bad_profile_input_is_refused_and_changes_nothing(factory, changes, field, message):
    user = factory.user("expert")
    expert = profiles.own_profile(db.session(), user)
    profiles.update_profile(
        db.session(), user, expert, profiles.ProfileChanges(current_position="Judge")
    )
    db.session.commit()
    with pytest.raises(ValidationError, match=message) as caught:
        profiles.update_profile(
            db.session(),
            user,
            expert,
            profiles.ProfileChanges(current_position="Changed", **changes),
        )
    assert field in caught.value.fields
    db.session.rollback()
    db.session.refresh(expert)
    assert expert.current_position == "Judge"
    assert expert.availability == [] and expert.languages == []


def test_a_cv_must_be_a_pdf_or_word_file_within_the_size_limit(factory, app):
    from werkzeug.datastructures import FileStorage

    user = factory.user("expert")
    expert = profiles.own_profile(db.session(), user)
    png = FileStorage(*builders.upload(PNG, "me.png"))
    with pytest.raises(ValidationError, match="not an accepted type"):
        profiles.attach_cv(db.session(), user, expert, png)
    app.config["MAX_UPLOAD_BYTES"], limit = 20, app.config["MAX_UPLOAD_BYTES"]
    try:
        with pytest.raises(ValidationError, match="larger than"):
            profiles.attach_cv(
                db.session(), user, expert, FileStorage(*builders.upload(builders.PDF, "cv.pdf"))
            )
    finally:
        app.config["MAX_UPLOAD_BYTES"] = limit
    assert expert.cv_file_id is None
    profiles.attach_cv(
        db.session(), user, expert, FileStorage(*builders.upload(builders.PDF, "cv.pdf"))
    )
    assert expert.cv.original_name == "cv.pdf"


def test_vetting_needs_a_complete_profile_and_a_reason_to_reject(factory, staff):
    user = factory.user("expert")
    expert = profiles.own_profile(db.session(), user)
    with pytest.raises(ValidationError, match="not complete"):
        profiles.vet(db.session(), staff, expert, "active")
    with pytest.raises(ValidationError, match="say why"):
        profiles.vet(db.session(), staff, expert, "rejected")
    with pytest.raises(ValidationError, match="active or rejected"):
        profiles.vet(db.session(), staff, expert, "maybe")
    profiles.vet(db.session(), staff, expert, "rejected", "No experience with the mechanisms.")
    assert expert.status_enum is ExpertStatus.REJECTED
    # Improving the profile asks again.
    profiles.update_profile(
        db.session(),
        user,
        expert,
        profiles.ProfileChanges(
            years_experience=10, daily_rate="300", languages=["en"], themes=["torture"]
        ),
    )
    assert expert.status_enum is ExpertStatus.APPLIED
    profiles.vet(db.session(), staff, expert, "active")
    assert expert.status_enum is ExpertStatus.ACTIVE and expert.user.vetted_at is not None
    kinds = [m.kind for m in db.session.scalars(select(OutboxMessage))]
    assert kinds.count("expert_vetted") == 2


def test_only_the_secretariat_vets_and_an_expert_sees_only_its_own_profile(factory, kenyan, staff):
    other = factory.user("expert")
    with pytest.raises(PermissionDenied):
        EXPERT_WORKFLOW.check(kenyan, "deactivate", other)
    with pytest.raises(NotFound):
        profiles.get_expert_for(db.session(), other, kenyan.id)
    for role in ("applicant", "donor", "committee"):
        with pytest.raises(PermissionDenied):
            profiles.get_expert_for(db.session(), factory.user(role), kenyan.id)
    with pytest.raises(PermissionDenied):
        profiles.update_profile(
            db.session(), other, kenyan, profiles.ProfileChanges(summary="hijack")
        )
    assert profiles.get_expert_for(db.session(), kenyan.user, kenyan.id) is kenyan
    assert profiles.get_expert_for(db.session(), staff, kenyan.id) is kenyan


def test_an_expert_without_a_nationality_cannot_be_vetted(factory, staff):
    user = factory.user("expert", state=None)
    expert = profiles.own_profile(db.session(), user)
    profiles.update_profile(
        db.session(),
        user,
        expert,
        profiles.ProfileChanges(
            years_experience=10, daily_rate="300", languages=["en"], themes=["torture"]
        ),
    )
    with pytest.raises(ValidationError, match="nationality"):
        profiles.vet(db.session(), staff, expert, "active")
    assert expert.status_enum is ExpertStatus.APPLIED
    profiles.update_profile(db.session(), user, expert, profiles.ProfileChanges(nationality="GHA"))
    profiles.vet(db.session(), staff, expert, "active")
    assert expert.status_enum is ExpertStatus.ACTIVE


def test_a_vetted_experts_nationality_is_locked(kenyan):
    with pytest.raises(ValidationError, match="nationality"):
        profiles.update_profile(
            db.session(), kenyan.user, kenyan, profiles.ProfileChanges(nationality="FJI")
        )


def test_an_administrator_can_neither_change_nor_clear_a_vetted_experts_nationality(
    client, factory, kenyan
):
    """docs/roster.md: the nationality keeps the expert out of its own State's missions."""
    admin = factory.user("admin")
    user = kenyan.user
    for state in ("FJI", None):
        with pytest.raises(ValidationError, match="nationality is locked"):
            auth.change_role(
                db.session(), admin, user, role="expert", state_iso3=state, region=None
            )
        assert user.state_iso3 == "KEN"
    # Not through another role and back either; keeping it, the role may change.
    with pytest.raises(ValidationError, match="nationality is locked"):
        auth.change_role(db.session(), admin, user, role="donor", state_iso3="FJI", region=None)
    auth.change_role(db.session(), admin, user, role="donor", state_iso3="KEN", region=None)
    with pytest.raises(ValidationError, match="nationality is locked"):
        auth.change_role(db.session(), admin, user, role="expert", state_iso3="FJI", region=None)
    auth.change_role(db.session(), admin, user, role="expert", state_iso3="KEN", region=None)
    db.session.commit()
    # The administrator's page says so on the State field and changes nothing.
    login(client, admin)
    page = client.post(f"/admin/users/{user.id}", data={"role": "expert", "state": ""})
    assert page.status_code == 200 and "nationality is locked" in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.state_iso3 == "KEN"
    # Before the roster vets the profile, a wrong nationality may still be put right.
    applied = builders.expert(factory, state="SEN", status="applied")
    auth.change_role(
        db.session(), admin, applied.user, role="expert", state_iso3="GHA", region=None
    )
    assert applied.user.state_iso3 == "GHA"


def test_an_expert_without_a_nationality_is_never_proposed(factory, grant, kenyan, staff):
    """Without one, the rule that nobody is sent to its own State could not hold."""
    kenyan.user.state_iso3 = None  # as an account from before the lock might be
    with pytest.raises(ValidationError, match="no nationality"):
        builders.deployment(grant, kenyan, staff)
    assert deployments.for_grant(db.session(), grant) == []
    # ... and it is not stuck: the missing nationality may be given, by the expert or an admin.
    profiles.update_profile(
        db.session(), kenyan.user, kenyan, profiles.ProfileChanges(nationality="KEN")
    )
    assert kenyan.user.state_iso3 == "KEN"
    kenyan.user.state_iso3 = None
    admin = factory.user("admin")
    auth.change_role(db.session(), admin, kenyan.user, role="expert", state_iso3="KEN", region=None)
    assert kenyan.user.state_iso3 == "KEN"
    builders.deployment(grant, kenyan, staff)


def test_an_expert_whose_account_is_deactivated_is_never_proposed(factory, grant, kenyan, staff):
    """Matching leaves out inactive accounts; proposing (page or API) refuses them too."""
    auth.set_active(db.session(), factory.user("admin"), kenyan.user, False)
    with pytest.raises(ValidationError, match="account is deactivated"):
        builders.deployment(grant, kenyan, staff)
    assert deployments.for_grant(db.session(), grant) == []


def test_the_expert_workflow_table():
    assert sorted(EXPERT_WORKFLOW.table()) == sorted(
        [
            ("applied", "approve", "active", ["secretariat"]),
            ("applied", "reject", "rejected", ["secretariat"]),
            ("active", "deactivate", "inactive", ["secretariat"]),
            ("inactive", "reactivate", "active", ["secretariat"]),
            ("rejected", "reapply", "applied", ["expert"]),
        ]
    )


# -- matching ----------------------------------------------------------------------------------------


def window(days_from_now=10, length=5):
    start = today() + timedelta(days=days_from_now)
    return start, start + timedelta(days=length - 1)


def test_a_national_of_the_beneficiary_state_never_matches(factory, grant, kenyan):
    fijian = builders.expert(factory, state="FJI", themes=("torture",), languages=("en",))
    start, end = window()
    found = matching.search(db.session(), matching.criteria_for_grant(grant, start, end))
    ids = {m.expert.id for m in found.items}
    assert kenyan.id in ids and fijian.id not in ids
    # Free browsing shows the Fijian (no beneficiary State there).
    browse = matching.search(db.session(), matching.Criteria(themes=["torture"]))
    assert fijian.id in {m.expert.id for m in browse.items}


def test_matching_for_a_grant_always_has_a_window_inside_the_grant(factory, grant, kenyan, staff):
    """Without dates, a grant's matches still leave out experts who could not be proposed."""
    start, end = matching.mission_window(grant, None, None)
    assert start >= today() + timedelta(days=30) and start <= end
    assert grant.end_date is None or end <= grant.end_date
    assert (end - start).days + 1 == min(grant.application.expertise_person_days or 10, 60)
    assert matching.mission_window(grant, start, start) == (start, start)
    # Only a start, or a window that ends before it starts: the asked-for length from the start.
    later = start + timedelta(days=3)
    assert matching.mission_window(grant, later, None) == (later, end + timedelta(days=3))
    assert matching.mission_window(grant, later, start) == (later, end + timedelta(days=3))
    criteria = matching.criteria_for_grant(grant, None, None)
    assert criteria.window == (start, end)
    busy = builders.expert(factory, state="GHA", themes=("torture",), languages=("en",))
    builders.deployment(grant, busy, staff, start=start, days=2, status="accepted")
    ids = {m.expert.id for m in matching.search(db.session(), criteria).items}
    assert kenyan.id in ids and busy.id not in ids


def test_hard_filters(factory, grant, kenyan, staff, fiji):
    start, end = window()
    no_theme = builders.expert(factory, themes=("children",), languages=("en",))
    no_language = builders.expert(factory, themes=("torture",), languages=("ru",))
    busy_then = builders.expert(factory, themes=("torture",), languages=("fr",))
    not_free = builders.expert(
        factory, available=(end + timedelta(days=1), end + timedelta(days=60))
    )
    applied = builders.expert(factory, status="applied")
    inactive = builders.expert(factory, status="inactive")
    builders.deployment(grant, busy_then, staff, start=start, days=2)
    found = matching.search(db.session(), matching.criteria_for_grant(grant, start, end))
    ids = {m.expert.id for m in found.items}
    assert ids == {kenyan.id}
    for excluded in (no_theme, no_language, busy_then, not_free, applied, inactive):
        assert excluded.id not in ids


def test_the_score_is_explained_and_ranks_as_it_says(factory, grant, staff, fiji):
    start, end = window()
    strong = builders.expert(
        factory,
        state="SEN",
        themes=("torture", "persons-deprived-liberty"),
        languages=("en", "fr"),
        years=25,
    )
    weak = builders.expert(factory, state="DEU", themes=("torture",), languages=("en",), years=3)
    page = matching.search(db.session(), matching.criteria_for_grant(grant, start, end))
    assert [m.expert.id for m in page.items] == [strong.id, weak.id]
    best = page.items[0]
    parts = {p.label: p.points for p in best.parts}
    assert parts["Themes"] == 40 and parts["Languages"] == 20 and parts["Experience"] == 10
    assert parts["Region"] == 10  # Senegal → Fiji: South–South, not the same group
    assert best.score == sum(parts.values())
    worse = {p.label: p.points for p in page.items[1].parts}
    assert worse["Themes"] == 20 and worse["Languages"] == 10 and worse["Region"] == 0


def test_south_south_bonus_and_ratings_and_load(factory, grant, staff, fiji):
    start, end = window(60)
    indian = builders.expert(factory, state="IND", themes=("torture",), languages=("en",))
    german = builders.expert(factory, state="DEU", themes=("torture",), languages=("en",))
    page = matching.search(db.session(), matching.criteria_for_grant(grant, start, end))
    by_id = {m.expert.id: {p.label: p.points for p in m.parts} for m in page.items}
    # India and Fiji: both Asia-Pacific: South–South (10) and the same group (5).
    assert by_id[indian.id]["Region"] == 15 and by_id[german.id]["Region"] == 0
    assert by_id[german.id]["Past ratings"] == 9 and by_id[german.id]["Current load"] == 10
    done = builders.deployment(grant, german, staff, status="completed", applicant=fiji)
    deployments.rate(db.session(), fiji, done, 5, "Excellent")
    builders.deployment(grant, german, staff, start=today() + timedelta(days=20), days=2)
    page = matching.search(db.session(), matching.criteria_for_grant(grant, start, end))
    german_parts = {
        p.label: p.points for m in page.items if m.expert.id == german.id for p in m.parts
    }
    assert german_parts["Past ratings"] == 15 and german_parts["Current load"] == 5


def test_search_uses_a_fixed_number_of_queries(factory, grant, count_queries):
    start, end = window()
    for _ in range(3):
        builders.expert(factory, themes=("torture",), languages=("en",))
    db.session.expire_all()
    with count_queries() as small:
        matching.search(db.session(), matching.criteria_for_grant(grant, start, end))
    for _ in range(6):
        builders.expert(factory, themes=("torture",), languages=("fr", "en"))
    db.session.expire_all()
    with count_queries() as large:
        matching.search(db.session(), matching.criteria_for_grant(grant, start, end))
    assert small.count == large.count <= 9


# -- deployments ---------------------------------------------------------------------------------


def test_the_deployment_table():
    rows = sorted(DEPLOYMENT_WORKFLOW.table())
    expected = [
        ("proposed", "accept", "accepted", ["expert"]),
        ("proposed", "decline", "declined", ["expert"]),
        ("accepted", "consent", "scheduled", ["applicant"]),
        ("accepted", "refuse", "cancelled", ["applicant"]),
        ("scheduled", "report", "reported", ["expert"]),
        ("revision_requested", "report", "reported", ["expert"]),
        ("reported", "complete", "completed", ["secretariat"]),
        ("reported", "request_revision", "revision_requested", ["secretariat"]),
        *[
            (s, "cancel", "cancelled", ["secretariat"])
            for s in ("proposed", "accepted", "scheduled", "reported", "revision_requested")
        ],
    ]
    assert rows == sorted(expected)


ALL_ROLES = ("applicant", "committee", "secretariat", "expert", "donor", "auditor", "admin")


@pytest.mark.parametrize("status", [s.value for s in DeploymentStatus])
@pytest.mark.parametrize("action", sorted(DEPLOYMENT_WORKFLOW.actions))
def test_every_status_action_and_role(factory, grant, kenyan, staff, fiji, status, action):
    """Only the table's row for (status, action) lets only its roles through."""
    d = builders.deployment(
        grant,
        kenyan,
        staff,
        status=status,
        applicant=fiji,
        start=today(),
    )
    transition = DEPLOYMENT_WORKFLOW.find(status, action)
    actors = {
        "applicant": fiji,
        "committee": factory.user("committee"),
        "secretariat": staff,
        "expert": kenyan.user,
        "donor": factory.user("donor"),
        "auditor": factory.user("auditor"),
        "admin": factory.user("admin"),
    }
    for role, user in actors.items():
        allowed = transition is not None and role in {r.value for r in transition.roles}
        assert DEPLOYMENT_WORKFLOW.can(d, action, user) is allowed, (status, action, role)


def test_the_full_journey_pays_the_fee_through_the_ledger(
    factory, grant, kenyan, staff, checker, fiji
):
    d = builders.deployment(grant, kenyan, staff, status="completed", applicant=fiji, days=5)
    assert d.fee_minor == 250_000 and d.travel_budget_minor == 150_000
    fee = expert_payments.request_payment(db.session(), staff, d, "fee", "2500")
    travel = expert_payments.request_payment(db.session(), staff, d, "travel", "1200")
    with pytest.raises(PermissionDenied):
        grants.approve_disbursement(db.session(), staff, fee, "")
    before = postings.disbursed(db.session(), grant.id)
    grants.approve_disbursement(db.session(), checker, fee, "BNK-1")
    grants.approve_disbursement(db.session(), checker, travel, "BNK-2")
    assert postings.disbursed(db.session(), grant.id) - before == 370_000
    assert fee.kind == DisbursementKind.EXPERT_FEE and fee.payee == "Wanjiru Kamau"
    with pytest.raises(ValidationError, match="remains to be paid"):
        expert_payments.request_payment(db.session(), staff, d, "fee", "0.01")
    assert expert_payments.owed_minor(db.session(), d, DisbursementKind.TRAVEL) == 30_000
    deployments.rate(db.session(), fiji, d, 4, "Useful")
    with pytest.raises(Conflict, match="already rated"):
        deployments.rate(db.session(), fiji, d, 5)


def test_a_deployment_cannot_be_scheduled_without_the_states_consent(
    factory, grant, kenyan, staff, fiji
):
    d = builders.deployment(grant, kenyan, staff, status="accepted")
    other_state = factory.user("applicant", state="MWI")
    with pytest.raises(NotFound):
        deployments.consent(db.session(), other_state, d, name="X", title="Y")
    with pytest.raises(PermissionDenied):
        DEPLOYMENT_WORKFLOW.apply(db.session(), d, "consent", staff)
    with pytest.raises(NotFound):
        deployments.consent(db.session(), staff, d, name="X", title="Y")
    with pytest.raises(ValidationError, match="name and title"):
        deployments.consent(db.session(), fiji, d, name="", title="")
    assert d.status_enum is DeploymentStatus.ACCEPTED and d.consented_at is None
    # The database refuses a scheduled deployment without consent, whatever the code does.
    savepoint = db.session.begin_nested()
    d.status = DeploymentStatus.SCHEDULED
    with pytest.raises(Exception, match=r"scheduled_needs_consent|CHECK constraint"):
        db.session.flush()
    savepoint.rollback()


def test_the_state_may_refuse(grant, kenyan, staff, fiji):
    d = builders.deployment(grant, kenyan, staff, status="accepted")
    with pytest.raises(ValidationError, match="say why"):
        deployments.refuse(db.session(), fiji, d, " ")
    deployments.refuse(db.session(), fiji, d, "The dates clash with the elections.")
    assert d.status_enum is DeploymentStatus.CANCELLED
    assert "elections" in d.cancel_reason


def test_fees_above_the_grants_expert_budget_are_refused(factory, grant, staff):
    pricey = builders.expert(factory, rate="2000")
    with pytest.raises(ValidationError, match="exceed what remains"):
        builders.deployment(grant, pricey, staff, days=6)  # 12,000 + 1,500 travel > 12,000
    ok = builders.deployment(grant, pricey, staff, days=5)  # 10,000 + 1,500
    assert proposals.expert_budget_free(db.session(), grant) == 50_000
    other = builders.expert(factory, rate="100")
    with pytest.raises(ValidationError, match="exceed what remains"):
        builders.deployment(grant, other, staff, days=1, start=today() + timedelta(days=30))
    deployments.cancel(db.session(), staff, ok, "Changed plans")
    assert proposals.expert_budget_free(db.session(), grant) == 1_200_000


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"person_days": 0}, "at least 1"),
        ({"person_days": -3}, "at least 1"),
        ({"person_days": "two"}, "whole number"),
        ({"person_days": 9}, "cannot exceed"),
        ({"start": "yesterday"}, "YYYY-MM-DD"),
        ({"end_offset": -6}, "ends before it starts"),
        ({"start_offset": -5}, "in the past"),
        ({"start_offset": 400}, "within the grant's period"),
        ({"terms_of_reference": "Go."}, "terms of reference"),
        ({"travel_budget": "-1"}, "travel budget"),
    ],
)
def test_bad_deployment_terms_are_refused(grant, kenyan, staff, terms, message):
    start = today() + timedelta(days=terms.pop("start_offset", 0))
    end = start + timedelta(days=4 + terms.pop("end_offset", 0))
    base = {
        "start": start,
        "end": end,
        "person_days": 5,
        "terms_of_reference": "Train the trainers of the prison service.",
        "travel_budget": "100",
    }
    base.update(terms)
    with pytest.raises((ValidationError, Conflict), match=message):
        proposals.propose(db.session(), staff, grant, kenyan, proposals.Terms(**base))
    assert deployments.for_grant(db.session(), grant) == []


def test_an_expert_is_never_sent_to_its_own_state(factory, grant, staff):
    fijian = builders.expert(factory, state="FJI")
    with pytest.raises(ValidationError, match="own State"):
        builders.deployment(grant, fijian, staff)


def test_overlapping_deployments_are_refused(factory, grant, kenyan, staff, fiji):
    start = today() + timedelta(days=5)
    builders.deployment(grant, kenyan, staff, start=start, days=5)
    with pytest.raises(Conflict, match="already engaged"):
        builders.deployment(grant, kenyan, staff, start=start + timedelta(days=4), days=3)
    # A declined or cancelled offer frees the days.
    second_offer = builders.deployment(
        grant, kenyan, staff, start=start + timedelta(days=5), days=2
    )
    deployments.decline(db.session(), kenyan.user, second_offer, "")
    builders.deployment(grant, kenyan, staff, start=start + timedelta(days=5), days=2)


def test_who_sees_which_deployments(factory, grant, kenyan, staff, fiji):
    d = builders.deployment(grant, kenyan, staff)
    other_expert = builders.expert(factory)
    other_state = factory.user("applicant", state="MWI")
    for user in (staff, factory.user("auditor"), kenyan.user, fiji):
        assert deployments.get_for(db.session(), user, d.id) is d
    for user in (other_expert.user, other_state):
        with pytest.raises(NotFound):
            deployments.get_for(db.session(), user, d.id)
        assert deployments.list_for(db.session(), user).items == []
    for role in ("donor", "committee", "admin"):
        with pytest.raises(PermissionDenied):
            deployments.get_for(db.session(), factory.user(role), d.id)


def test_the_expert_cannot_see_other_states_grants(factory, kenyan, client):
    from app.grants.services import visible_query

    with pytest.raises(PermissionDenied):
        visible_query(kenyan.user)
    login(client, kenyan.user)
    assert client.get("/grants").status_code == 403


def test_the_fee_waits_for_the_accepted_report_and_travel_for_the_schedule(
    grant, kenyan, staff, fiji
):
    d = builders.deployment(grant, kenyan, staff, status="accepted")
    with pytest.raises(TransitionNotAllowed, match="travel is paid once"):
        expert_payments.request_payment(db.session(), staff, d, "travel", "100")
    deployments.consent(db.session(), fiji, d, name="A", title="B")
    expert_payments.request_payment(db.session(), staff, d, "travel", "100")
    with pytest.raises(TransitionNotAllowed, match="fee is paid once"):
        expert_payments.request_payment(db.session(), staff, d, "fee", "100")
    with pytest.raises(ValidationError, match="fee or travel"):
        expert_payments.request_payment(db.session(), staff, d, "bonus", "100")


def test_the_report_waits_for_the_mission_to_start(grant, kenyan, staff, fiji):
    d = builders.deployment(
        grant, kenyan, staff, status="scheduled", applicant=fiji, start=today() + timedelta(days=3)
    )
    with pytest.raises(Conflict, match="once the mission has started"):
        deployments.report(
            db.session(), kenyan.user, d, deployments.MissionReport(summary="x" * 40)
        )


def test_cancelling_the_grant_cancels_its_open_deployments(grant, kenyan, staff, fiji):
    d = builders.deployment(grant, kenyan, staff, status="scheduled", applicant=fiji)
    payment = expert_payments.request_payment(db.session(), staff, d, "travel", "100")
    grants.cancel(db.session(), staff, grant, "The project stopped.")
    assert grant.status_enum is GrantStatus.CANCELLED
    assert d.status_enum is DeploymentStatus.CANCELLED
    assert payment.status == "cancelled"


def test_completion_waits_for_open_missions_and_unpaid_fees(grant, kenyan, staff, checker, fiji):
    d = builders.deployment(grant, kenyan, staff, status="completed", applicant=fiji)
    grant.final_report_accepted_at = grant.accepted_at
    with pytest.raises(Conflict, match=r"fee .* is not paid"):
        grants.complete(db.session(), staff, grant)
    fee = expert_payments.request_payment(db.session(), staff, d, "fee", str(d.fee.to_decimal()))
    grants.approve_disbursement(db.session(), checker, fee, "")
    grants.complete(db.session(), staff, grant)
    assert grant.status_enum is GrantStatus.COMPLETED


def test_report_reminders_are_sent_once_per_step(grant, kenyan, staff, fiji, runner):
    d = builders.deployment(grant, kenyan, staff, status="scheduled", applicant=fiji, days=1)
    d.end_date = today()
    db.session.commit()
    assert deployments.reminders_due(db.session()) == 1
    assert deployments.reminders_due(db.session()) == 0
    d.start_date = d.end_date = today() - timedelta(days=20)
    db.session.commit()
    assert deployments.reminders_due(db.session()) == 1  # overdue, this week
    assert deployments.reminders_due(db.session()) == 0
    kinds = [m.kind for m in db.session.scalars(select(OutboxMessage))]
    assert kinds.count("deployment_report_due") == 1
    assert kinds.count("deployment_report_overdue") == 1


def test_overdue_mission_report_reminders_are_weekly_from_the_end_date(grant, kenyan, staff, fiji):
    d = builders.deployment(grant, kenyan, staff, status="scheduled", applicant=fiji, days=1)
    d.start_date = d.end_date = date(2026, 12, 19)  # a Saturday
    db.session.commit()
    first, next_day = d.end_date + timedelta(days=15), d.end_date + timedelta(days=16)
    assert first.isocalendar().week != next_day.isocalendar().week  # Sunday, then Monday
    sent = []
    for day in (first, next_day, d.end_date + timedelta(days=21)):
        with clock_at(day):
            sent.append(deployments.reminders_due(db.session()))
            assert deployments.reminders_due(db.session()) == 0
    assert sent == [1, 0, 1]  # two weeks late, then a week later; not on the Monday between


def test_notifications_follow_the_steps(grant, kenyan, staff, fiji):
    mail.deliver_committed(db.session())
    builders.deployment(grant, kenyan, staff, status="completed", applicant=fiji)
    sent = [(m.kind, m.to_address) for m in db.session.scalars(select(OutboxMessage))]
    to_expert = {k for k, a in sent if a == kenyan.user.email}
    to_state = {k for k, a in sent if a == fiji.email}
    assert {
        "deployment_offered",
        "deployment_scheduled",
        "deployment_completed",
    } <= to_expert
    assert {"deployment_consent_requested", "deployment_completed"} <= to_state
