"""Open data (design.md §3.6): the IATI 2.03 file and the 360Giving JSON and CSV are valid
against the published schemas, publish only grants the State has accepted, carry the ledger's
money exactly, hold no personal data, and are read in a fixed number of queries."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.applications.specs import BudgetLineSpec, IndicatorSpec
from app.auth.models import User
from app.core import mail
from app.core.money import Money
from app.extensions import db
from app.grants import services as grants
from app.grants.models import Disbursement, DisbursementKind, GrantStatus
from app.ledger.models import Account, Category, Entry, LedgerTransaction, TransactionKind
from app.opendata import iati, records, services, threesixty
from app.opendata import views as opendata_views
from app.opendata.records import Movement
from app.reference.models import State
from app.reports import services as reports
from tests import builders

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "schemas"
FILES = ("/open-data/iati.xml", "/open-data/360giving.json", "/open-data/360giving.csv")
ORG = "XM-DAC-41313"


# -- schemas ------------------------------------------------------------------------------------------


@cache
def iati_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "iati-2.03" / "iati-activities-schema.xsd")))


@cache
def package_validator() -> Draft202012Validator:
    folder = SCHEMAS / "360giving"
    package = json.loads((folder / "360-giving-package-schema.json").read_text())
    grant = json.loads((folder / "360-giving-schema.json").read_text())
    # The package names the grant schema by URL; serve it from the local copy, offline. The
    # schemas' $schema URL is not the canonical one, so the draft is given explicitly.
    resource = DRAFT202012.create_resource(grant)
    registry = Registry().with_resources(
        [(package["properties"]["grants"]["items"]["$ref"], resource), (grant["$id"], resource)]
    )
    return Draft202012Validator(package, registry=registry, format_checker=FormatChecker())


def valid_iati(data: bytes) -> etree._Element:
    document = etree.fromstring(data)
    schema = iati_schema()
    assert schema.validate(document), schema.error_log.filter_from_errors()
    return document


def valid_package(data: bytes) -> dict:
    package = json.loads(data, parse_float=Decimal)
    errors = sorted(
        package_validator().iter_errors(json.loads(data)), key=lambda e: list(e.absolute_path)
    )
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    return package


# -- streaming inside the test's transaction -----------------------------------------------------------


@pytest.fixture(autouse=True)
def _stream_in_the_test_transaction(request, monkeypatch):
    """The files stream from a read-only session of their own. In production that is a new
    connection; here it must see the test's uncommitted data, so it joins the test's
    connection (in a savepoint). The live test below uses the real thing."""
    if request.node.get_closest_marker("live"):
        yield
        return

    @contextmanager
    def joined(_engine):
        with Session(bind=db.session.get_bind(), join_transaction_mode="create_savepoint") as s:
            yield s

    monkeypatch.setattr(opendata_views, "read_only_session", joined)
    yield


def fetch(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data()


# -- a fund with grants in every status --------------------------------------------------------------


SPEC = {
    "budget": [
        BudgetLineSpec("training", "Eight sessions", "18000"),
        BudgetLineSpec("experts", "Facilitators", "2000.50"),
    ],
    "indicators": [
        IndicatorSpec("Officers trained", "0", "1,300", "Officers apply the Rules"),
        IndicatorSpec("Detention conditions", "poor", "adequate", "Officers apply the Rules"),
    ],
}


def accept(grant, applicant, name):
    grants.accept(db.session(), applicant, grant, name=name, title="Minister (private)")
    db.session.commit()


def pay_tranche(grant, staff, checker, reference="BNK-PRIVATE-REF"):
    amount = Money(grants.releasable_minor(db.session(), grant), grant.currency).as_string()
    release = grants.create_disbursement(db.session(), staff, grant, amount, "Private note")
    grants.approve_disbursement(db.session(), checker, release, reference)
    db.session.commit()
    return release


class World:
    """Published: an active grant with a paid tranche and a paid expert fee; a grant
    cancelled after acceptance; a completed grant. Not published: one awaiting acceptance,
    one awaiting funds, and requests under screening and review."""

    def __init__(self, factory, staff, checker, board):
        builders.donate(factory, staff, "100000", donor=factory.user("donor", name="Rich Donor"))
        fiji = factory.user("applicant", state="FJI", name="Mere Private-Focal")
        self.active = builders.approved_grant(
            factory, staff, board, fiji, title="Prison officers' training", **SPEC
        )
        accept(self.active, fiji, "Aroha Private-Official")
        pay_tranche(self.active, staff, checker)
        fee = grants.create_disbursement(
            db.session(),
            staff,
            self.active,
            "1000",
            "Mission fee",
            kind=DisbursementKind.EXPERT_FEE,
            payee="Dr Ingrid Private-Expert",
        )
        grants.approve_disbursement(db.session(), checker, fee, "BNK-PRIVATE-FEE")
        db.session.commit()

        malawi = factory.user("applicant", state="MWI")
        self.waiting = builders.approved_grant(
            factory, staff, board, malawi, title="Unsigned agreement project", **SPEC
        )

        nepal = factory.user("applicant", state="NPL")
        self.cancelled = builders.approved_grant(
            factory, staff, board, nepal, title="Cancelled NHRI project", **SPEC
        )
        accept(self.cancelled, nepal, "Bishnu Private-Official")
        pay_tranche(self.cancelled, staff, checker)
        grants.cancel(db.session(), staff, self.cancelled, "Private reason for cancelling")
        db.session.commit()

        chile = factory.user("applicant", state="CHL")
        self.completed = builders.approved_grant(
            factory, staff, board, chile, title="Completed prisons project", **SPEC
        )
        accept(self.completed, chile, "Camila Private-Official")
        pay_tranche(self.completed, staff, checker)
        grants.final_report_accepted(db.session(), self.completed, staff)
        grants.complete(db.session(), staff, self.completed)
        db.session.commit()

        jamaica = factory.user("applicant", state="JAM")
        self.unfunded = builders.approved_grant(
            factory,
            staff,
            board,
            jamaica,
            title="Unfunded project",
            budget=[BudgetLineSpec("training", "x", "49000")],
        )
        self.in_review = builders.application(
            factory.user("applicant", state="KEN"),
            "in_review",
            secretariat=staff,
            title="Confidential request in review",
        )
        self.submitted = builders.application(
            factory.user("applicant", state="GHA"), "submitted", title="Request being screened"
        )
        assert self.active.status == GrantStatus.ACTIVE
        assert self.waiting.status == GrantStatus.AWAITING_ACCEPTANCE
        assert self.cancelled.status == GrantStatus.CANCELLED
        assert self.completed.status == GrantStatus.COMPLETED
        assert self.unfunded.status == GrantStatus.AWAITING_FUNDS

    @property
    def published(self):
        return [self.active, self.cancelled, self.completed]

    @property
    def unpublished(self):
        return [self.waiting, self.unfunded]


@pytest.fixture
def world(factory, staff, checker, board):
    return World(factory, staff, checker, board)


def dec(minor: int) -> Decimal:
    return Money(minor, "USD").to_decimal()


def ledger_disbursed(grant_id: int) -> int:
    """What the ledger paid from the grant, summed from its disbursement transactions."""
    return int(
        db.session.execute(
            select(func.coalesce(func.sum(Entry.amount_minor), 0))
            .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
            .join(Account, Account.id == Entry.account_id)
            .where(
                LedgerTransaction.grant_id == grant_id,
                LedgerTransaction.kind == TransactionKind.DISBURSEMENT,
                Account.category == Category.DISBURSEMENTS,
            )
        ).scalar_one()
    )


# -- IATI --------------------------------------------------------------------------------------------------


def activities(document) -> dict[str, etree._Element]:
    return {a.findtext("iati-identifier"): a for a in document.findall("iati-activity")}


def transactions(activity) -> list[tuple[str, Decimal]]:
    return [
        (t.find("transaction-type").get("code"), Decimal(t.findtext("value")))
        for t in activity.findall("transaction")
    ]


def test_iati_file_is_valid_and_holds_the_accepted_grants(client, world):
    document = valid_iati(fetch(client, "/open-data/iati.xml"))
    assert document.get("version") == "2.03" and document.get("generated-datetime")
    found = activities(document)
    assert sorted(found) == sorted(f"{ORG}-{g.reference}" for g in world.published)

    active = found[f"{ORG}-{world.active.reference}"]
    assert active.find("reporting-org").get("ref") == ORG
    assert active.find("reporting-org").get("type") == "40"
    assert active.findtext("title/narrative") == "Prison officers' training"
    assert [(p.get("role"), p.get("type")) for p in active.findall("participating-org")] == [
        ("1", "40"),
        ("3", "40"),
        ("4", "10"),
    ]
    assert active.find("participating-org[@role='4']/narrative").text.endswith(
        "(Government of Fiji)"
    )
    assert active.find("recipient-country").get("code") == "FJ"
    assert [(s.get("vocabulary"), s.get("code")) for s in active.findall("sector")] == [
        ("1", "15160")
    ]
    assert [t.get("code") for t in active.findall("tag[@vocabulary='2']")] == ["16"]
    assert active.find("default-aid-type").get("code") == "D02"
    assert active.find("default-finance-type").get("code") == "110"
    assert active.find("activity-status").get("code") == "2"
    dates = {d.get("type"): d.get("iso-date") for d in active.findall("activity-date")}
    assert dates["1"] == dates["2"] == world.active.start_date.isoformat()
    assert dates["3"] == world.active.end_date.isoformat() and "4" not in dates
    budget = sum(Decimal(b.findtext("value")) for b in active.findall("budget"))
    assert budget == dec(world.active.amount_minor)

    amount = dec(world.active.amount_minor)
    tranche = dec(world.active.disbursements[0].amount_minor)
    assert transactions(active) == [
        ("1", amount),
        ("2", amount),
        ("3", tranche),
        ("4", Decimal("1000.00")),  # the expert's fee: expenditure, not a disbursement
    ]
    result = active.find("result")
    assert result.get("type") == "2"
    assert result.findtext("title/narrative") == "Officers apply the Rules"
    numeric, qualitative = result.findall("indicator")
    assert numeric.get("measure") == "1" and numeric.get("ascending") == "1"
    assert numeric.find("baseline").get("value") == "0"
    assert numeric.find("period/target").get("value") == "1300"
    assert qualitative.get("measure") == "5"
    assert qualitative.findtext("baseline/comment/narrative") == "poor"
    assert qualitative.findtext("period/target/comment/narrative") == "adequate"


def test_iati_closing_a_grant_releases_its_commitment(client, world):
    found = activities(valid_iati(fetch(client, "/open-data/iati.xml")))
    for grant, status in ((world.cancelled, "5"), (world.completed, "4")):
        activity = found[f"{ORG}-{grant.reference}"]
        assert activity.find("activity-status").get("code") == status
        actual_end = activity.find("activity-date[@type='4']").get("iso-date")
        assert actual_end == grant.closed_at.date().isoformat()
        paid = dec(grant.disbursements[0].amount_minor)
        amount = dec(grant.amount_minor)
        assert transactions(activity) == [
            ("1", amount),
            ("2", amount),
            ("3", paid),
            ("1", paid - amount),  # the unspent commitment goes back to the fund's pool
            ("2", paid - amount),  # a negative commitment: the release
        ]


# -- 360Giving --------------------------------------------------------------------------------------------


def test_360giving_package_is_valid_and_its_money_is_the_ledger_s(client, world):
    package = valid_package(fetch(client, "/open-data/360giving.json"))
    assert package["version"] == "1.4"
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    by_id = {g["id"]: g for g in package["grants"]}
    assert sorted(by_id) == sorted(f"360G-SPTF-{g.reference}" for g in world.published)
    for grant in world.published:
        record = by_id[f"360G-SPTF-{grant.reference}"]
        payments = record["disbursementTransaction"]
        disbursed = dec(ledger_disbursed(grant.id))
        assert record["amountDisbursed"] == disbursed == sum(p["value"] for p in payments)
        assert record["amountAwarded"] == dec(grant.amount_minor)
        assert record["currency"] == "USD"
        assert record["awardDate"] == grant.application.decided_at.date().isoformat()

    active = by_id[f"360G-SPTF-{world.active.reference}"]
    assert active["amountAppliedFor"] == Decimal("20000.5")
    assert active["recipientOrganization"] == [
        {
            "id": "360G-SPTF-GOV-FJI",
            "name": "Government of Fiji",
            "addressCountry": "Fiji",
            "location": [{"name": "Fiji", "countryCode": "FJ"}],
            "department": "Prison Service",
        }
    ]
    assert active["fundingOrganization"] == [{"id": ORG, "name": "Small Projects Trust Fund"}]
    assert active["beneficiaryLocation"] == [{"name": "Fiji", "countryCode": "FJ"}]
    assert active["plannedDates"] == [
        {
            "startDate": world.active.start_date.isoformat(),
            "endDate": world.active.end_date.isoformat(),
            "duration": 12,
        }
    ]
    assert {(c["vocabulary"], c["code"]) for c in active["classifications"]} == {
        ("SPTF human rights themes", "persons-deprived-liberty"),
        ("SPTF human rights themes", "torture"),
        ("UN Sustainable Development Goals", "16"),
    }
    tranche, fee = active["disbursementTransaction"]
    assert tranche["recipient"] == "360G-SPTF-GOV-FJI"
    assert "recipient" not in fee and fee["value"] == 1000  # an expert: never identified


def test_360giving_csv_has_the_standard_columns_and_a_row_per_published_grant(client, world):
    rows = list(csv.DictReader(io.StringIO(fetch(client, "/open-data/360giving.csv").decode())))
    header = list(rows[0])
    for title in (
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Applied For",
        "Amount Awarded",
        "Amount Disbursed",
        "Award Date",
        "Planned Dates:Start Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Beneficiary Location:Country Code",
        "Classifications:2:Title",
    ):
        assert title in header, title
    assert "Classifications:3:Title" not in header  # as many as the most classified grant
    assert sorted(r["Identifier"] for r in rows) == sorted(
        f"360G-SPTF-{g.reference}" for g in world.published
    )
    active = next(r for r in rows if r["Identifier"].endswith(world.active.reference))
    assert Decimal(active["Amount Disbursed"]) == dec(ledger_disbursed(world.active.id))
    assert active["Recipient Org:Identifier"] == "360G-SPTF-GOV-FJI"
    assert active["Beneficiary Location:Country Code"] == "FJ"


# -- what never appears ---------------------------------------------------------------------------------


def test_nothing_unpublished_and_no_personal_data_in_any_file(client, world):
    texts = {path: fetch(client, path).decode() for path in (*FILES, "/open-data")}
    secrets = {
        "Unsigned agreement project",
        "Unfunded project",
        "Confidential request in review",
        "Request being screened",
        "Private reason for cancelling",
        "Private note",
        "BNK-PRIVATE",
        "Dr Ingrid Private-Expert",
        "Minister (private)",
        "A. Official",  # the consent given with the application
        world.waiting.reference,
        world.unfunded.reference,
        world.in_review.reference,
        world.submitted.reference,
    }
    for grant in world.published:
        secrets |= {grant.accepted_name, grant.accepted_title}
    for name, email in db.session.execute(select(User.name, User.email)):
        secrets |= {name, email}
    for path, text in texts.items():
        leaked = sorted(s for s in secrets if s and s in text)
        assert not leaked, f"{path} shows {leaked}"
        assert "@" not in text, f"{path} shows an e-mail address"


def test_no_published_grant_gives_well_formed_empty_files(client, factory, staff, board):
    builders.approved_grant(factory, staff, board, factory.user("applicant", state="FJI"))
    xml = etree.fromstring(fetch(client, "/open-data/iati.xml"))
    assert xml.tag == "iati-activities" and len(xml.findall("iati-activity")) == 0
    assert json.loads(fetch(client, "/open-data/360giving.json"))["grants"] == []
    lines = fetch(client, "/open-data/360giving.csv").decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Identifier,Title,")


# -- performance ------------------------------------------------------------------------------------------


def test_the_files_use_a_fixed_number_of_queries(client, count_queries, factory, staff, board):
    builders.donate(factory, staff, "1000000")

    def grow(n):
        for i in range(n):
            applicant = factory.user("applicant", state=["FJI", "MWI", "NPL", "JAM"][i % 4])
            grant = builders.approved_grant(factory, staff, board, applicant, **SPEC)
            accept(grant, applicant, "Someone")
            _report(grant, applicant, "interim", ["300", "better"], staff)  # actuals to load

    def counts():
        found = {}
        mail.deliver_committed(db.session())  # the setup's own mail, not the files' work
        for path in FILES:
            db.session.expire_all()
            with count_queries() as counter:
                fetch(client, path)
            found[path] = counter.count
        return found

    grow(2)
    small = counts()
    grow(5)
    assert counts() == small
    assert small == {
        "/open-data/iati.xml": 6,  # and what accepted reports measured
        "/open-data/360giving.json": 5,
        "/open-data/360giving.csv": 6,
    }


# -- mapping rules, one by one ----------------------------------------------------------------------------


def movement(kind, *, committed=0, disbursed=0, paid=None, reversal=False):
    return Movement(1, kind, reversal, date(2026, 1, 5), "USD", committed, disbursed, paid)


def test_transaction_types_follow_the_ledger():
    commitment = movement(TransactionKind.COMMITMENT, committed=500_000)
    release = movement(TransactionKind.RELEASE, committed=-200_000)
    tranche = movement(
        TransactionKind.DISBURSEMENT, disbursed=300_000, paid=DisbursementKind.TRANCHE
    )
    fee = movement(TransactionKind.DISBURSEMENT, disbursed=40_000, paid=DisbursementKind.EXPERT_FEE)
    travel = movement(TransactionKind.DISBURSEMENT, disbursed=9_000, paid=DisbursementKind.TRAVEL)
    undone = movement(
        TransactionKind.DISBURSEMENT,
        disbursed=-300_000,
        paid=DisbursementKind.TRANCHE,
        reversal=True,
    )
    assert iati.transaction_types(commitment) == [("1", 500_000), ("2", 500_000)]
    assert iati.transaction_types(release) == [("1", -200_000), ("2", -200_000)]
    assert iati.transaction_types(tranche) == [("3", 300_000)]
    assert iati.transaction_types(fee) == [("4", 40_000)]
    assert iati.transaction_types(travel) == [("4", 9_000)]
    assert iati.transaction_types(undone) == [("3", -300_000)]


def test_ledger_rows_fold_into_movements_and_reversals_mirror_their_original():
    day = date(2026, 2, 1)
    commitment, disbursements = Category.COMMITMENT, Category.DISBURSEMENTS
    rows = [
        (7, 10, "commitment", day, None, commitment, -500_000, "USD", None),
        (7, 11, "disbursement", day, None, commitment, 300_000, "USD", "tranche"),
        (7, 11, "disbursement", day, None, disbursements, 300_000, "USD", "tranche"),
        (7, 12, "disbursement", day, None, commitment, 40_000, "USD", "expert_fee"),
        (7, 12, "disbursement", day, None, disbursements, 40_000, "USD", "expert_fee"),
        (7, 13, "reversal", day, 12, commitment, -40_000, "USD", None),
        (7, 13, "reversal", day, 12, disbursements, -40_000, "USD", None),
    ]
    found = services._movements(iter(rows))
    assert [(m.ledger_id, m.kind, m.reversal) for m in found] == [
        (10, TransactionKind.COMMITMENT, False),
        (11, TransactionKind.DISBURSEMENT, False),
        (12, TransactionKind.DISBURSEMENT, False),
        (13, TransactionKind.DISBURSEMENT, True),
    ]
    assert [iati.transaction_types(m) for m in found] == [
        [("1", 500_000), ("2", 500_000)],
        [("3", 300_000)],
        [("4", 40_000)],
        [("4", -40_000)],  # the reversal of an expert fee is negative expenditure
    ]


def test_a_payment_that_is_not_a_tranche_is_expenditure_in_the_files(client, world):
    fee = db.session.execute(
        select(Disbursement).where(Disbursement.kind == DisbursementKind.EXPERT_FEE)
    ).scalar_one()
    found = activities(valid_iati(fetch(client, "/open-data/iati.xml")))
    activity = found[f"{ORG}-{world.active.reference}"]
    expenditure = activity.find(
        f"transaction[@ref='{world.active.reference}-T{fee.transaction_id}']"
    )
    assert expenditure.find("transaction-type").get("code") == "4"
    assert expenditure.find("receiver-org") is None
    narrative = expenditure.findtext("description/narrative")
    assert narrative == "Expert fees paid on the grant's behalf"


def test_budget_periods_are_at_most_a_year_and_add_up():
    periods = iati.budget_periods(date(2026, 3, 10), 30, 1_000_001)
    assert [(p[0], p[1]) for p in periods] == [
        (date(2026, 3, 10), date(2027, 3, 9)),
        (date(2027, 3, 10), date(2028, 3, 9)),
        (date(2028, 3, 10), date(2028, 9, 9)),
    ]
    assert [p[2] for p in periods] == [400_000, 400_000, 200_001]
    assert iati.budget_periods(date(2026, 1, 1), 12, 500) == [
        (date(2026, 1, 1), date(2026, 12, 31), 500)
    ]


def test_an_active_grant_past_its_end_is_in_finalisation(client, world):
    grant = world.active
    records = list(services.iter_published(db.session()))
    record = next(r for r in records if r.reference == grant.reference)
    assert iati.activity_status(record, grant.end_date) == "2"
    assert iati.activity_status(record, grant.end_date + timedelta(days=1)) == "3"
    record.status = GrantStatus.SUSPENDED
    assert iati.activity_status(record, grant.end_date) == "6"


def _report(grant, applicant, kind, values, staff=None):
    """The State reports `values` (one per indicator, in order); accepted when `staff`."""
    report = builders.report_of(grant, kind)
    content = builders.report_content(report)
    ids = [i.id for i in grant.application.indicators]
    content.indicators = {
        i: (v, "From the training register") for i, v in zip(ids, values, strict=True)
    }
    reports.submit(db.session(), applicant, report, content)
    if staff is not None:
        reports.review(db.session(), staff, report, "accepted")
    db.session.commit()
    return report


def _actuals(client, grant) -> list[tuple[str | None, str | None]]:
    found = activities(valid_iati(fetch(client, "/open-data/iati.xml")))
    indicators = found[f"{ORG}-{grant.reference}"].findall("result/indicator")
    out = []
    for indicator in indicators:
        actuals = indicator.findall("period/actual")
        assert len(actuals) <= 1  # progress to date: one value, the latest accepted
        for actual in actuals:
            out.append((actual.get("value"), actual.findtext("comment/narrative")))
    return out


def test_results_publish_what_accepted_reports_measured(client, world, factory, staff):
    fiji = factory.user("applicant", state="FJI")
    grant = world.active
    assert _actuals(client, grant) == []  # nothing reported yet
    interim = _report(grant, fiji, "interim", ["420", "improving"], staff)
    final = _report(grant, fiji, "final", ["1,250", "adequate"])  # submitted, in review

    numeric, qualitative = _actuals(client, grant)
    accepted_on = interim.accepted_at.date().isoformat()
    assert numeric == (
        "420",
        f"Interim report accepted on {accepted_on}: progress to {interim.due_date.isoformat()}",
    )
    assert qualitative == (None, "improving")  # a qualitative value is its comment
    body = fetch(client, "/open-data/iati.xml").decode()
    assert "1250" not in body and "1,250" not in body  # the report in review is not public
    for other in (world.cancelled, world.completed):
        assert _actuals(client, other) == []

    reports.review(db.session(), staff, final, "accepted")
    db.session.commit()
    assert [value for value, _comment in _actuals(client, grant)] == ["1250", None]
    assert _actuals(client, grant)[1][1] == "adequate"


def test_every_state_has_a_country_code_the_standards_accept():
    grant_schema = json.loads((SCHEMAS / "360giving" / "360-giving-schema.json").read_text())
    accepted = set(grant_schema["$defs"]["Location"]["properties"]["countryCode"]["enum"])
    states = db.session.execute(select(State.iso3)).scalars().all()
    assert len(states) == 195
    assert {iso3 for iso3 in states if records.alpha2(iso3) not in accepted} == set()
    assert records.alpha2("PSE") == "PS" and records.alpha2("VAT") == "VA"


def test_amounts_are_exact_json_numbers():
    assert threesixty.amount(2_000_050, "USD") == 20000.5
    assert threesixty.amount(1_200_000, "USD") == 12000
    assert json.dumps(threesixty.amount(-800_020, "USD")) == "-8000.2"


def test_the_published_predicate_selects_accepted_grants_only(world):
    published = db.session.execute(services.published_grants_query()).scalars().all()
    assert [g.id for g in published] == sorted(g.id for g in world.published)
    assert services.published_count(db.session()) == 3


# -- the page ----------------------------------------------------------------------------------------------


def test_the_page_explains_and_links_the_files(client, world):
    page = fetch(client, "/open-data").decode()
    for path in FILES:
        assert f'href="{path}"' in page
    assert "CC BY 4.0" in page and "creativecommons.org/licenses/by/4.0/" in page
    assert ORG in page and "Live" in page
    assert 'id="themes"' in page and "persons-deprived-liberty" in page
    assert "style=" not in page and "<script>" not in page
    home = fetch(client, "/").decode()
    assert 'href="/open-data"' in home  # in the public navigation and the footer


def test_the_files_say_what_they_are(client):
    xml = client.get("/open-data/iati.xml")
    assert xml.mimetype == "application/xml"
    assert xml.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/open-data/360giving.json").mimetype == "application/json"
    download = client.get("/open-data/360giving.csv")
    assert download.mimetype == "text/csv"
    assert download.headers["Content-Disposition"] == 'attachment; filename="sptf-360giving.csv"'


# -- the real thing: demo data, committed, streamed from the files' own sessions ---------------------


@pytest.mark.live
def test_the_demo_data_gives_valid_files(live_server):
    app = live_server.app
    assert app.test_cli_runner().invoke(args=["demo", "--quiet"]).exit_code == 0
    with app.app_context():
        expected = db.session.execute(
            select(func.count()).select_from(services.published_grants_query().subquery())
        ).scalar_one()
        people = db.session.execute(select(User.name, User.email)).all()
        db.session.remove()
    assert expected >= 3
    bodies = {}
    for path in FILES:
        with urllib.request.urlopen(live_server.url + path, timeout=30) as response:
            assert response.status == 200
            bodies[path] = response.read()
    iati_document = valid_iati(bodies[FILES[0]])
    assert len(iati_document.findall("iati-activity")) == expected
    # The demo's accepted reports give its indicators measured values.
    assert iati_document.findall("iati-activity/result/indicator/period/actual")
    assert len(valid_package(bodies[FILES[1]])["grants"]) == expected
    assert len(list(csv.DictReader(io.StringIO(bodies[FILES[2]].decode())))) == expected
    for body in bodies.values():
        text = body.decode()
        assert not [n for n, e in people if n in text or e in text]
