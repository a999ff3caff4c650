"""Grants: commitment at approval (or waiting for funds, oldest first), acceptance, tranches,
maker–checker releases, suspension, cancellation and completion (design.md §3.3)."""

import io
import itertools

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from app.core.roles import Role
from app.extensions import db
from app.grants import services as grants
from app.grants.models import Disbursement, DisbursementStatus, GrantStatus
from app.grants.workflow import DISBURSEMENT_WORKFLOW, GRANT_WORKFLOW
from app.ledger import postings
from app.ledger import services as ledger
from tests import builders
from tests.conftest import assert_ledger_holds as consistent
from tests.factories import bearer, login

# -- commitment ---------------------------------------------------------------------------------


def test_approval_creates_the_grant_and_commits_it_when_funds_allow(factory, staff, board, fiji):
    builders.donate(factory, staff, "100000")
    grant = builders.approved_grant(factory, staff, board, fiji)
    assert grant.status == GrantStatus.AWAITING_ACCEPTANCE
    assert grant.amount_minor == grant.application.approved_amount_minor == 2_000_050
    assert postings.commitment_outstanding(db.session(), grant.id) == 2_000_050
    assert [t.amount_minor for t in grant.tranches] == [1_200_030, 800_020]
    assert ledger.available(db.session()) == 10_000_000 - 2_000_050
    consistent()


def test_without_funds_the_grant_waits_and_is_committed_oldest_first(factory, staff, board):
    first = builders.approved_grant(factory, staff, board, factory.user("applicant", state="MWI"))
    second = builders.approved_grant(factory, staff, board, factory.user("applicant", state="NPL"))
    assert first.status == second.status == GrantStatus.AWAITING_FUNDS
    builders.donate(factory, staff, "25000")  # covers one, not both
    db.session.refresh(first)
    db.session.refresh(second)
    assert (
        first.status == GrantStatus.AWAITING_ACCEPTANCE
        and second.status == GrantStatus.AWAITING_FUNDS
    )
    builders.donate(factory, staff, "20000")
    db.session.refresh(second)
    assert second.status == GrantStatus.AWAITING_ACCEPTANCE
    consistent()


def test_the_queue_is_never_jumped(factory, staff, board):
    big = builders.approved_grant(
        factory,
        staff,
        board,
        factory.user("applicant", state="MWI"),
        budget=[builders.BudgetLineSpec("training", "x", "45000")],
    )
    small = builders.approved_grant(factory, staff, board, factory.user("applicant", state="NPL"))
    builders.donate(factory, staff, "30000")  # enough for the small one only
    db.session.refresh(big)
    db.session.refresh(small)
    assert big.status == small.status == GrantStatus.AWAITING_FUNDS
    assert grants.commit_waiting(db.session()) == 0


def test_a_new_approval_never_takes_money_an_older_waiting_grant_needs(factory, staff, board):
    big = builders.approved_grant(
        factory,
        staff,
        board,
        factory.user("applicant", state="MWI"),
        budget=[builders.BudgetLineSpec("training", "x", "45000")],
    )
    builders.donate(factory, staff, "30000")  # not enough for the older, bigger grant
    small = builders.approved_grant(factory, staff, board, factory.user("applicant", state="NPL"))
    assert big.status == small.status == GrantStatus.AWAITING_FUNDS
    assert ledger.available(db.session()) == 3_000_000
    builders.donate(factory, staff, "15000")  # now the older one is covered, and only it
    db.session.refresh(big)
    db.session.refresh(small)
    assert big.status == GrantStatus.AWAITING_ACCEPTANCE
    assert small.status == GrantStatus.AWAITING_FUNDS
    consistent()


def test_checking_the_funds_of_a_younger_grant_commits_in_queue_order(
    client, factory, staff, board
):
    big = builders.approved_grant(
        factory,
        staff,
        board,
        factory.user("applicant", state="MWI"),
        budget=[builders.BudgetLineSpec("training", "x", "45000")],
    )
    small = builders.approved_grant(factory, staff, board, factory.user("applicant", state="NPL"))
    from app.ledger import postings as p

    donor = factory.user("donor")
    # Money for the younger grant only, arriving without committing anything by itself.
    contribution = builders.donate(factory, staff, "1", donor=donor)
    p.receipt(db.session(), donor_id=donor.id, donor_name="D", amount_minor=2_999_900)
    contribution.received_minor = contribution.base_amount_minor = 3_000_000
    contribution.original_amount_minor = contribution.received_original_minor = 3_000_000
    db.session.commit()
    login(client, staff)
    response = client.post(f"/grants/{small.id}/commit", follow_redirects=True)
    assert "committed oldest first" in response.get_data(as_text=True)
    db.session.refresh(small)
    db.session.refresh(big)
    assert big.status == small.status == GrantStatus.AWAITING_FUNDS
    assert postings.commitment_outstanding(db.session(), small.id) == 0
    consistent()


@pytest.mark.raw_postings  # money arrives as a bare posting, with no contribution behind it
def test_the_job_commits_waiting_grants(runner, factory, staff, board, fiji):
    grant = builders.approved_grant(factory, staff, board, fiji)
    from app.ledger import postings as p

    donor = factory.user("donor")
    # Money arrives through a path that does not itself commit (say, a pledge payment later).
    p.receipt(db.session(), donor_id=donor.id, donor_name="D", amount_minor=3_000_000)
    db.session.commit()
    result = runner.invoke(args=["jobs", "run"])
    assert "1 waiting grant(s) committed" in result.output
    db.session.refresh(grant)
    assert grant.status == GrantStatus.AWAITING_ACCEPTANCE


# -- acceptance ---------------------------------------------------------------------------------------


def test_the_state_accepts_and_the_first_tranche_becomes_releasable(
    client, factory, staff, board, fiji
):
    builders.donate(factory, staff)
    grant = builders.approved_grant(factory, staff, board, fiji)
    login(client, fiji)
    response = client.post(
        f"/grants/{grant.id}/accept",
        data={"name": "Jone Usamate", "title": "Permanent Secretary", "confirm": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(grant)
    assert grant.status == GrantStatus.ACTIVE and grant.accepted_name == "Jone Usamate"
    assert grant.accepted_by_id == fiji.id and grant.accepted_at is not None
    assert grant.start_date is not None and grant.end_date > grant.start_date
    assert [t.is_releasable for t in grant.tranches] == [True, False]
    assert grants.releasable_minor(db.session(), grant) == 1_200_030


def test_acceptance_needs_the_official_and_the_own_state(factory, staff, board, fiji):
    builders.donate(factory, staff)
    grant = builders.approved_grant(factory, staff, board, fiji)
    with pytest.raises(ValidationError):
        grants.accept(db.session(), fiji, grant, name="", title="")
    with pytest.raises(NotFound):
        grants.accept(
            db.session(), factory.user("applicant", state="MWI"), grant, name="X", title="Y"
        )
    with pytest.raises(PermissionDenied):
        GRANT_WORKFLOW.check(grant, "accept", staff)


def test_a_grant_waiting_for_funds_cannot_be_accepted(factory, staff, board, fiji):
    grant = builders.approved_grant(factory, staff, board, fiji)
    with pytest.raises(TransitionNotAllowed, match="awaiting_funds"):
        grants.accept(db.session(), fiji, grant, name="X", title="Y")


# -- releases ------------------------------------------------------------------------------------------


@pytest.fixture
def active(factory, staff, board, fiji):
    builders.donate(factory, staff)
    return builders.active_grant(factory, staff, board, fiji)


def test_maker_checker_release(factory, staff, checker, active):
    release = grants.create_disbursement(db.session(), staff, active, "12000.30", "First tranche")
    assert release.status == DisbursementStatus.PENDING_APPROVAL
    with pytest.raises(PermissionDenied, match="second officer"):
        grants.approve_disbursement(db.session(), staff, release, "BNK-1")
    cash_before = ledger.balance(db.session(), ledger.CASH)
    grants.approve_disbursement(db.session(), checker, release, "BNK-1")
    assert release.status == DisbursementStatus.PAID
    assert (release.created_by_id, release.approved_by_id) == (staff.id, checker.id)
    assert ledger.balance(db.session(), ledger.CASH) == cash_before - 1_200_030
    assert postings.disbursed(db.session(), active.id) == 1_200_030
    assert postings.commitment_outstanding(db.session(), active.id) == 800_020
    consistent()


def test_each_tranche_shows_where_it_stands(client, factory, staff, checker, active):
    first, second = active.tranches
    assert (first.progress, second.progress) == ("releasable", "waiting")
    release = grants.create_disbursement(db.session(), staff, active, "12000.30", "First tranche")
    db.session.refresh(active)
    assert (first.progress, first.paid_minor) == ("pending", 0)
    grants.approve_disbursement(db.session(), checker, release, "BNK-1")
    db.session.refresh(active)
    assert (first.progress, first.paid_minor, second.progress) == ("paid", 1_200_030, "waiting")
    db.session.commit()
    login(client, staff)
    page = client.get(f"/grants/{active.id}").get_data(as_text=True)
    tranches = page.split('id="tranches-h"')[1].split("</section>")[0]
    assert ">paid<" in tranches and "waiting for the interim report" in tranches
    assert "releasable" not in tranches
    api = client.get(f"/api/v1/grants/{active.id}", headers=bearer(factory.token(staff))).get_json()
    assert [(t["progress"], t["paid"]) for t in api["tranches"]] == [
        ("paid", "12000.30"),
        ("waiting", "0.00"),
    ]


def test_a_release_larger_than_a_tranche_fills_the_next_one(
    client, factory, staff, checker, active
):
    first, second = active.tranches
    grants.interim_report_accepted(db.session(), active, staff)
    release = grants.create_disbursement(db.session(), staff, active, "15000")
    db.session.refresh(active)
    assert [(t.progress, t.paid_minor, t.pending_minor) for t in (first, second)] == [
        ("pending", 0, 1_200_030),
        ("pending", 0, 299_970),
    ]
    grants.approve_disbursement(db.session(), checker, release, "BNK-1")
    db.session.refresh(active)
    assert [(t.progress, t.paid_minor, t.pending_minor) for t in (first, second)] == [
        ("paid", 1_200_030, 0),
        ("releasable", 299_970, 0),
    ]
    rest = grants.create_disbursement(db.session(), staff, active, "5000.50")
    grants.approve_disbursement(db.session(), checker, rest, "BNK-2")
    db.session.commit()
    donor = factory.user("donor")
    api = client.get(f"/api/v1/grants/{active.id}", headers=bearer(factory.token(donor)))
    assert [(t["progress"], t["paid"], t["pending"]) for t in api.get_json()["tranches"]] == [
        ("paid", "12000.30", "0.00"),
        ("paid", "8000.20", "0.00"),
    ]
    login(client, donor)
    page = client.get(f"/grants/{active.id}").get_data(as_text=True)
    tranches = page.split('id="tranches-h"')[1].split("</section>")[0]
    assert tranches.count(">paid<") == 2 and "releasable" not in tranches
    consistent()


def test_an_approved_release_cannot_be_approved_again(factory, staff, checker, active):
    release = grants.create_disbursement(db.session(), staff, active, "100")
    grants.approve_disbursement(db.session(), checker, release, "BNK-2")
    with pytest.raises(TransitionNotAllowed, match="status is paid"):
        grants.approve_disbursement(db.session(), checker, release, "BNK-2")


def test_the_database_refuses_maker_equals_checker(factory, staff, active):
    release = grants.create_disbursement(db.session(), staff, active, "100")
    db.session.commit()
    release.approved_by_id = staff.id
    with pytest.raises(Exception, match=r"maker_checker|CHECK constraint"):
        db.session.flush()
    db.session.rollback()


def test_the_second_tranche_waits_for_the_interim_report(factory, staff, checker, active):
    with pytest.raises(ValidationError, match="can be released now"):
        grants.create_disbursement(db.session(), staff, active, "15000")
    first = grants.create_disbursement(db.session(), staff, active, "12000.30")
    grants.approve_disbursement(db.session(), checker, first, "BNK-3")
    with pytest.raises(ValidationError, match="waits for its condition"):
        grants.create_disbursement(db.session(), staff, active, "1")
    grants.interim_report_accepted(db.session(), active, staff)
    second = grants.create_disbursement(db.session(), staff, active, "8000.20")
    grants.approve_disbursement(db.session(), checker, second, "BNK-4")
    assert postings.disbursed(db.session(), active.id) == active.amount_minor
    with pytest.raises(ValidationError):
        grants.create_disbursement(db.session(), staff, active, "0.01")
    consistent()


def test_pending_releases_count_against_what_is_releasable(factory, staff, active):
    grants.create_disbursement(db.session(), staff, active, "12000")
    with pytest.raises(ValidationError, match=r"only \$0\.30"):
        grants.create_disbursement(db.session(), staff, active, "1")


@pytest.mark.parametrize("amount", ["-5", "0", "1.001", "abc", "1e20", ""])
def test_bad_release_amounts_are_refused(factory, staff, active, amount):
    with pytest.raises(ValidationError):
        grants.create_disbursement(db.session(), staff, active, amount)
    assert db.session.execute(select(func.count(Disbursement.id))).scalar_one() == 0


def test_only_the_secretariat_releases(factory, active):
    for role in ("donor", "applicant", "committee", "admin", "auditor"):
        with pytest.raises(PermissionDenied):
            grants.create_disbursement(db.session(), factory.user(role), active, "100")


def test_suspension_stops_payments(factory, staff, checker, active):
    release = grants.create_disbursement(db.session(), staff, active, "100")
    with pytest.raises(Conflict, match="waiting for approval"):
        grants.suspend(db.session(), staff, active, "Audit")
    grants.approve_disbursement(db.session(), checker, release, "BNK")
    grants.suspend(db.session(), staff, active, "Audit of the implementing entity")
    with pytest.raises(TransitionNotAllowed, match="active grants"):
        grants.create_disbursement(db.session(), staff, active, "100")
    grants.resume(db.session(), staff, active)
    assert active.status == GrantStatus.ACTIVE


def test_cancelling_releases_the_undisbursed_commitment(factory, staff, checker, active):
    paid = grants.create_disbursement(db.session(), staff, active, "5000")
    grants.approve_disbursement(db.session(), checker, paid, "BNK")
    pending = grants.create_disbursement(db.session(), staff, active, "1000")
    available_before = ledger.available(db.session())
    released = grants.cancel(db.session(), staff, active, "The government withdrew")
    assert released == active.amount_minor - 500_000
    assert pending.status == DisbursementStatus.CANCELLED
    assert active.status == GrantStatus.CANCELLED
    assert ledger.available(db.session()) == available_before + released
    assert postings.commitment_outstanding(db.session(), active.id) == 0
    consistent()


def test_completion_needs_the_final_report_and_releases_the_rest(factory, staff, checker, active):
    with pytest.raises(Conflict, match="final report"):
        grants.complete(db.session(), staff, active)
    paid = grants.create_disbursement(db.session(), staff, active, "12000.30")
    grants.approve_disbursement(db.session(), checker, paid, "BNK")
    grants.final_report_accepted(db.session(), active, staff)
    released = grants.complete(db.session(), staff, active)
    assert released == 800_020 and active.status == GrantStatus.COMPLETED
    consistent()


@pytest.mark.parametrize("first_status", ["awaiting_acceptance", "active", "awaiting_funds"])
def test_cancelling_a_grant_commits_the_grants_waiting_for_its_money(
    factory, staff, board, fiji, first_status
):
    builders.donate(factory, staff, "25000")  # enough for one grant of $20,000.50, not two
    if first_status == "awaiting_funds":
        # The oldest grant is too large for the fund: the one behind it waits in line.
        first = builders.approved_grant(
            factory, staff, board, fiji, budget=[builders.BudgetLineSpec("training", "x", "45000")]
        )
    elif first_status == "active":
        first = builders.active_grant(factory, staff, board, fiji)
    else:
        first = builders.approved_grant(factory, staff, board, fiji)
    waiting = builders.approved_grant(factory, staff, board, factory.user("applicant", state="NPL"))
    assert (first.status, waiting.status) == (first_status, GrantStatus.AWAITING_FUNDS)
    grants.cancel(db.session(), staff, first, "The government withdrew")
    assert waiting.status == GrantStatus.AWAITING_ACCEPTANCE
    assert postings.commitment_outstanding(db.session(), waiting.id) == waiting.amount_minor
    consistent()


def test_completing_a_grant_commits_the_grants_waiting_for_what_it_did_not_spend(
    factory, staff, checker, board, fiji
):
    builders.donate(factory, staff, "21000.50")
    first = builders.active_grant(factory, staff, board, fiji)
    waiting = builders.approved_grant(
        factory,
        staff,
        board,
        factory.user("applicant", state="NPL"),
        budget=[builders.BudgetLineSpec("training", "x", "5000")],
    )
    assert waiting.status == GrantStatus.AWAITING_FUNDS  # $1,000 is free, $5,000 is needed
    paid = grants.create_disbursement(db.session(), staff, first, "12000.30")
    grants.approve_disbursement(db.session(), checker, paid, "BNK")
    grants.final_report_accepted(db.session(), first, staff)
    assert grants.complete(db.session(), staff, first) == 800_020
    assert waiting.status == GrantStatus.AWAITING_ACCEPTANCE
    assert ledger.available(db.session()) == 100_000 + 800_020 - 500_000
    consistent()


def test_the_expert_budget_is_the_agreements_experts_line_to_the_cent(
    client, factory, staff, board, fiji
):
    from app.grants.agreement import allocate

    builders.donate(factory, staff)
    s = builders.expert_spec()  # $18,000 training, $12,000 experts
    grant = builders.approved_grant(
        factory, staff, board, fiji, budget=s.budget, approved_amount="10000.02"
    )
    amounts = allocate(grant.amount_minor, [b.amount_minor for b in grant.application.budget_lines])
    # 600,001.2 and 400,000.8 cents: the cent left over goes to the experts' larger remainder.
    assert amounts == [600_001, 400_001]
    assert grant.expert_budget_minor == 400_001
    assert sum(t.amount_minor for t in grant.tranches) == 600_001
    db.session.commit()
    login(client, staff)
    agreement = client.get(f"/grants/{grant.id}/agreement.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(agreement.data)).pages)
    # The experts' line, the budget kept for them and the rest paid in tranches agree.
    assert "$4,000.01" in text and "$6,000.01" in text
    assert "$4,000.00" not in text and "$6,000.02" not in text
    consistent()


def test_donors_never_see_the_name_of_an_expert_the_grant_paid(
    client, factory, staff, checker, board, fiji
):
    from app.deployments import expert_payments

    grant = builders.expert_grant(factory, staff, board, fiji)
    expert = builders.expert(factory, state="KEN", name="Wanjiru Kamau")
    mission = builders.deployment(grant, expert, staff, status="completed", applicant=fiji)
    fee = expert_payments.request_payment(
        db.session(), staff, mission, "fee", "2500", "Fee for Wanjiru Kamau"
    )
    grants.approve_disbursement(db.session(), checker, fee, "BNK-FEE")
    db.session.commit()
    assert fee.status == DisbursementStatus.PAID
    donor = factory.user("donor")
    api = client.get("/api/v1/ledger", headers=bearer(factory.token(donor)))
    assert api.status_code == 200
    assert "Kamau" not in api.get_data(as_text=True)
    assert f"expert_fee for {mission.reference}" in api.get_data(as_text=True)
    login(client, donor)
    for url in ("/ledger", "/ledger.csv", f"/grants/{grant.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Kamau" not in response.get_data(as_text=True), url
    # The secretariat, the auditor and the State itself still see who was paid.
    for reader in (staff, factory.user("auditor"), fiji):
        login(client, reader)
        page = client.get(f"/grants/{grant.id}").get_data(as_text=True)
        assert "Wanjiru Kamau" in page and "Fee for Wanjiru Kamau" in page


# -- the tables ------------------------------------------------------------------------------------------


GRANT_TABLE = {
    ("awaiting_funds", "commit"): ("awaiting_acceptance", {"secretariat"}),
    ("awaiting_acceptance", "accept"): ("active", {"applicant"}),
    ("awaiting_acceptance", "return_to_queue"): ("awaiting_funds", {"secretariat"}),
    ("active", "suspend"): ("suspended", {"secretariat"}),
    ("suspended", "resume"): ("active", {"secretariat"}),
    ("active", "complete"): ("completed", {"secretariat"}),
    ("awaiting_funds", "cancel"): ("cancelled", {"secretariat"}),
    ("awaiting_acceptance", "cancel"): ("cancelled", {"secretariat"}),
    ("active", "cancel"): ("cancelled", {"secretariat"}),
    ("suspended", "cancel"): ("cancelled", {"secretariat"}),
}


def test_grant_table_is_the_design():
    assert {(s, a): (t, set(r)) for s, a, t, r in GRANT_WORKFLOW.table()} == GRANT_TABLE
    assert {(s, a): (t, set(r)) for s, a, t, r in DISBURSEMENT_WORKFLOW.table()} == {
        ("pending_approval", "approve"): ("paid", {"secretariat"}),
        ("pending_approval", "cancel"): ("cancelled", {"secretariat"}),
    }


class Actor:
    def __init__(self, role, id_=99):
        self.id, self.email, self.role_enum = id_, f"{role}@x", Role(role)


@pytest.mark.parametrize(
    ("status", "action", "role"),
    list(itertools.product(list(GrantStatus), sorted(GRANT_WORKFLOW.actions), list(Role))),
)
def test_grant_status_action_role(active, status, action, role):
    active.status = status
    active.final_report_accepted_at = active.accepted_at  # let the completion guard pass
    expected = GRANT_TABLE.get((status.value, action))
    if expected and role.value in expected[1]:
        assert GRANT_WORKFLOW.check(active, action, Actor(role.value)).target.value == expected[0]
    else:
        with pytest.raises(DomainError):
            GRANT_WORKFLOW.check(active, action, Actor(role.value))
    db.session.rollback()


@pytest.mark.parametrize(
    ("status", "role"), list(itertools.product(list(DisbursementStatus), list(Role)))
)
def test_disbursement_status_action_role(factory, staff, active, status, role):
    release = grants.create_disbursement(db.session(), staff, active, "100")
    release.status = status
    for action in ("approve", "cancel"):
        allowed = status is DisbursementStatus.PENDING_APPROVAL and role is Role.SECRETARIAT
        if allowed:
            DISBURSEMENT_WORKFLOW.check(release, action, Actor(role.value))
        else:
            with pytest.raises(DomainError):
                DISBURSEMENT_WORKFLOW.check(release, action, Actor(role.value))
    db.session.rollback()


# -- the agreement -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (2_000_050, [1_000_025, 1_000_025]),
        (100, [1, 1, 1]),
        (1_000_001, [333, 333, 334]),
        (7, [5, 5, 5, 5, 5, 5, 5, 5, 5, 5]),
        (999_999_999, [1, 2, 3, 4, 5, 6, 7]),
        (3_333_333, [10_000_000, 1]),
        (0, [4, 6]),
        (12, [0, 0]),
    ],
)
def test_budget_lines_share_the_approved_amount_to_the_cent(total, weights):
    from app.grants.agreement import allocate

    shares = allocate(total, weights)
    assert sum(shares) == total and len(shares) == len(weights)
    assert all(share >= 0 for share in shares)
    # Each share is within one minor unit of its exact proportion.
    whole = sum(weights)
    if whole:
        assert all(
            abs(share * whole - total * w) < whole for share, w in zip(shares, weights, strict=True)
        )


def test_the_agreement_pdf_budget_adds_up_when_the_committee_approved_less(
    client, factory, staff, board, fiji
):
    builders.donate(factory, staff)
    lines = [builders.BudgetLineSpec("training", f"Part {n}", "10.01") for n in range(10)]
    grant = builders.approved_grant(
        factory, staff, board, fiji, budget=lines, approved_amount="50.05"
    )
    login(client, fiji)
    data = client.get(f"/grants/{grant.id}/agreement.pdf").data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    # Half of each $10.01 line is $5.005: five lines get $5.01 and five $5.00 (not nine
    # rounded down and the whole difference piled on the last line).
    assert text.count("$5.01") == 5 and text.count("$5.00") == 5 and "$5.05" not in text


def test_the_agreement_pdf(client, factory, staff, board, fiji):
    builders.donate(factory, staff)
    grant = builders.approved_grant(factory, staff, board, fiji)
    login(client, fiji)
    response = client.get(f"/grants/{grant.id}/agreement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in (
        "Grant agreement",
        "Fiji",
        grant.reference,
        "$20,000.50",
        "$12,000.30",
        "$8,000.20",
        "Interim report",
        "Final report",
        "Not yet accepted",
        "A. Official",
    ):
        assert expected in text, expected
    login(client, factory.user("applicant", state="MWI"))
    assert client.get(f"/grants/{grant.id}/agreement.pdf").status_code == 404
    login(client, factory.user("donor"))
    assert client.get(f"/grants/{grant.id}/agreement.pdf").status_code == 403


def test_the_state_accepts_through_the_api_with_the_body_design_gives(
    client, factory, staff, board, fiji
):
    """design.md §5.2 gives acceptance no body: the signed-in focal point's name and role are kept."""
    builders.donate(factory, staff)
    grant = builders.approved_grant(factory, staff, board, fiji)
    response = client.post(f"/api/v1/grants/{grant.id}/accept", headers=bearer(factory.token(fiji)))
    assert response.get_json() == {"status": "active"}
    db.session.refresh(grant)
    assert grant.accepted_by_id == fiji.id and grant.accepted_name == fiji.name
    assert grant.accepted_title == "Focal point, Fiji"


# -- ledger verify's checks of grants ------------------------------------------------------------------


@pytest.mark.breaks_ledger
def test_verify_names_a_grant_whose_status_does_not_match_its_commitment(
    runner, factory, staff, board, fiji
):
    from sqlalchemy import text

    builders.donate(factory, staff)
    grant = builders.approved_grant(factory, staff, board, fiji)
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
    db.session.execute(
        text("UPDATE grants SET status = 'awaiting_funds' WHERE id = :id"), {"id": grant.id}
    )
    db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert f"grant {grant.reference} waits for funds but holds 2000050" in result.output


@pytest.mark.breaks_ledger
def test_verify_names_a_disbursement_with_no_release_behind_it(runner, factory, staff, active):
    transaction = postings.disbursement(
        db.session(),
        grant_id=active.id,
        reference=active.reference,
        amount_minor=100,
        actor=staff,
        memo="paid without a second officer",
    )
    db.session.commit()
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 1
    assert f"disbursement transaction {transaction.id} has no paid release" in result.output
