"""Demo money: donors giving by transfer, pledge (in euros) and card, a refund, and grants in
each status with paid and pending tranches — all through the services and the ledger."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.auth.models import User
from app.contributions import services as contributions
from app.contributions.models import Contribution
from app.core.money import Money
from app.demo.applications import approve
from app.grants import services as grants
from app.grants.models import Grant, GrantStatus
from app.ledger.models import TransactionKind


def contribution_exists(session: Session, **where: object) -> bool:
    stmt = select(Contribution.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Contribution, key) == value)
    return session.execute(stmt.limit(1)).first() is not None


def ensure_contributions(session: Session, people: dict[str, User]) -> None:
    staff = people["secretariat"]
    if not contribution_exists(session, reference="NOR-2026-0412"):
        contributions.record_bank(
            session, staff, people["donor"], "120000", "USD", reference="NOR-2026-0412"
        )
    if not contribution_exists(session, reference="ORF-PLEDGE-2026"):
        pledge = contributions.record_pledge(
            session,
            staff,
            people["donor_foundation"],
            "40000",
            "EUR",
            rate="1.08",
            reference="ORF-PLEDGE-2026",
        )
        contributions.record_pledge_payment(
            session, staff, pledge, "20000", reference="ORF-TR-0001"
        )
    for n, (key, amount, fee) in enumerate(
        (("donor_person", "500", 1480), ("donor_person", "250", 755)), start=1
    ):
        intent = f"pi_demo_{n}"
        if contribution_exists(session, payment_intent_id=intent):
            continue
        gift = contributions.start_card_gift(session, people[key], amount)
        contributions.attach_payment_intent(session, gift, intent)
        contributions.card_paid(
            session, gift, amount_minor=gift.original_amount_minor, currency="USD", fee_minor=fee
        )
        if n == 2:
            contributions.money_returned(
                session,
                gift,
                kind=TransactionKind.REFUND,
                external_id="stripe:re_demo_1",
                amount_minor=10000,
                memo="Card refund re_demo_1 (donor's request)",
            )


def _grant(session: Session, application: Application) -> Grant:
    grant = grants.grant_for_application(session, application)
    assert grant is not None
    return grant


def _accept(session: Session, people: dict[str, User], key: str, grant: Grant) -> None:
    if grant.status_enum is GrantStatus.AWAITING_ACCEPTANCE:
        applicant = people[key]
        grants.accept(session, applicant, grant, name=applicant.name, title="Permanent Secretary")


def _release(session: Session, people: dict[str, User], grant: Grant, *, approve_it: bool) -> None:
    if grant.disbursements or grant.status_enum is not GrantStatus.ACTIVE:
        return
    first = grant.tranches[0]
    amount = Money(first.amount_minor, grant.currency).as_string()
    release = grants.create_disbursement(
        session, people["secretariat"], grant, amount, "First tranche"
    )
    if approve_it:
        grants.approve_disbursement(session, people["secretariat2"], release, "BNK-2026-7781")


def ensure_grants(session: Session, people: dict[str, User]) -> None:
    """Active with a paid tranche, active with a pending one, suspended, cancelled,
    awaiting acceptance and awaiting funds."""
    fiji = _grant(
        session,
        session.execute(
            select(Application).where(Application.title == "Disability-inclusive disaster response")
        ).scalar_one(),
    )
    grants.commit_waiting(session)
    _accept(session, people, "applicant_fji", fiji)
    _release(session, people, fiji, approve_it=True)

    malawi = _grant(session, approve(session, people, "malawi_juvenile"))
    _accept(session, people, "applicant_mwi", malawi)
    _release(session, people, malawi, approve_it=False)

    nepal = _grant(session, approve(session, people, "nepal_nhri"))
    _accept(session, people, "applicant_npl", nepal)
    _release(session, people, nepal, approve_it=True)
    if nepal.status_enum is GrantStatus.ACTIVE:
        grants.suspend(
            session,
            people["secretariat"],
            nepal,
            "The implementing entity's procurement is under review.",
        )

    ecuador = _grant(session, approve(session, people, "ecuador_prisons"))
    if ecuador.status_enum is GrantStatus.AWAITING_ACCEPTANCE:
        grants.cancel(
            session,
            people["secretariat"],
            ecuador,
            "The government asked to withdraw after elections.",
        )

    approve(session, people, "jamaica_elderly")  # awaiting the State's acceptance
    approve(session, people, "fiji_birth")  # awaiting funds
