"""The 360Giving files: a JSON data package (`grants` array) and the flattened CSV with the
standard's column titles, both streamed. The CSV is the JSON flattened, row for row."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.core.money import Money
from app.grants.models import DisbursementKind, GrantStatus
from app.opendata.records import GrantRecord, Movement, Vocabulary
from app.opendata.services import (
    LICENCE_URL,
    Fund,
    government_org_id,
    iter_published,
    max_classifications,
    threesixty_grant_id,
)

STANDARD_VERSION = "1.4"


def amount(minor: int, currency: str) -> int | float:
    """A JSON number: whole amounts as integers, others as the shortest decimal that reads
    back exactly (two decimal places at most in any currency the fund takes)."""
    value = Money(minor, currency).to_decimal()
    return int(value) if value == value.to_integral_value() else float(value)


def _payment(grant: GrantRecord, movement: Movement, fund: Fund) -> dict[str, Any]:
    if movement.pays_the_state:
        what = f"Tranche paid to the {grant.government}"
    elif movement.disbursement_kind is DisbursementKind.TRAVEL:
        what = "Expert travel paid on the grant's behalf"
    else:
        what = "Expert fees paid on the grant's behalf"
    payment: dict[str, Any] = {
        "id": f"{threesixty_grant_id(grant.reference)}-T{movement.ledger_id}",
        "transactionDate": movement.day.isoformat(),
        "currency": movement.currency,
        "value": amount(movement.disbursed_minor, movement.currency),
        "description": ("Reversal: " if movement.reversal else "") + what,
        "provider": fund.organisation_id,
    }
    if movement.pays_the_state:  # experts are people: never named or identified here
        payment["recipient"] = government_org_id(grant.state_iso3)
    return payment


def grant_json(grant: GrantRecord, fund: Fund) -> dict[str, Any]:
    """One grant in the 360Giving grant schema."""
    starts = grant.starts_on
    planned: dict[str, Any] = {"startDate": starts.isoformat(), "duration": grant.duration_months}
    if grant.end_date is not None:
        planned["endDate"] = grant.end_date.isoformat()
    actual: dict[str, Any] = {"startDate": starts.isoformat()}
    if grant.closed_at is not None and grant.status in (
        GrantStatus.COMPLETED,
        GrantStatus.CANCELLED,
    ):
        actual["endDate"] = grant.closed_at.date().isoformat()
    recipient: dict[str, Any] = {
        "id": government_org_id(grant.state_iso3),
        "name": grant.government,
        "addressCountry": grant.state_name,
        "location": [{"name": grant.state_name, "countryCode": grant.country_code}],
    }
    if grant.implementing_entity:
        recipient["department"] = grant.implementing_entity
    return {
        "id": threesixty_grant_id(grant.reference),
        "title": grant.title,
        "description": grant.description,
        "currency": grant.currency,
        "amountAppliedFor": amount(grant.requested_minor, grant.currency),
        "amountAwarded": amount(grant.amount_minor, grant.currency),
        "amountDisbursed": amount(grant.disbursed_minor, grant.currency),
        "awardDate": grant.award_day.isoformat(),
        "plannedDates": [planned],
        "actualDates": [actual],
        "recipientOrganization": [recipient],
        "fundingOrganization": [{"id": fund.organisation_id, "name": fund.name}],
        "beneficiaryLocation": [{"name": grant.state_name, "countryCode": grant.country_code}],
        "fromOpenCall": "Yes",
        "classifications": [
            {"vocabulary": Vocabulary.THEMES.value, "code": code, "title": name}
            for code, name in grant.themes
        ]
        + [
            {"vocabulary": Vocabulary.SDG_GOALS.value, "code": str(goal), "title": name}
            for goal, name in grant.sdgs
        ],
        "disbursementTransaction": [_payment(grant, m, fund) for m in grant.payments],
    }


def package_metadata(fund: Fund, generated: datetime) -> dict[str, Any]:
    stamp = generated.isoformat(timespec="seconds")
    return {
        "version": STANDARD_VERSION,
        "title": f"{fund.name}: grants",
        "description": (
            f"Every grant of the {fund.name} from the moment the State accepts its agreement, "
            "with its money as recorded in the fund's ledger. Generated live."
        ),
        "identifier": f"{fund.organisation_id}-360giving",
        "issued": stamp,
        "modified": stamp,
        "publisher": {
            "identifier": fund.organisation_id,
            "name": fund.name,
            "website": fund.base_url,
        },
        "license": LICENCE_URL,
        "accessURL": fund.page_url,
        "downloadURL": f"{fund.page_url}/360giving.json",
    }


def json_document(
    session: Session, fund: Fund, generated: datetime, *, every: int = 50
) -> Iterator[str]:
    """The data package, in chunks of `every` grants."""
    head = json.dumps(package_metadata(fund, generated), ensure_ascii=False)
    yield head[:-1] + ', "grants": [\n'
    chunk: list[str] = []
    first = True
    for grant in iter_published(session):
        chunk.append(
            ("" if first else ",\n") + json.dumps(grant_json(grant, fund), ensure_ascii=False)
        )
        first = False
        if len(chunk) >= every:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "\n]}\n"


# -- the flattened CSV --------------------------------------------------------------------------------

# (column title, how to read it from the grant's JSON): rolled-up fields keep their plain
# title ("Recipient Org:Identifier"); others are numbered from 0 ("Actual Dates:0:End Date").
COLUMNS: list[tuple[str, Any]] = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Applied For", lambda g: g["amountAppliedFor"]),
    ("Amount Awarded", lambda g: g["amountAwarded"]),
    ("Amount Disbursed", lambda g: g["amountDisbursed"]),
    ("Award Date", lambda g: g["awardDate"]),
    ("Planned Dates:Start Date", lambda g: g["plannedDates"][0]["startDate"]),
    ("Planned Dates:End Date", lambda g: g["plannedDates"][0].get("endDate", "")),
    ("Planned Dates:Duration (months)", lambda g: g["plannedDates"][0]["duration"]),
    ("Actual Dates:0:Start Date", lambda g: g["actualDates"][0]["startDate"]),
    ("Actual Dates:0:End Date", lambda g: g["actualDates"][0].get("endDate", "")),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    ("Recipient Org:Country", lambda g: g["recipientOrganization"][0]["addressCountry"]),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Beneficiary Location:Name", lambda g: g["beneficiaryLocation"][0]["name"]),
    ("Beneficiary Location:Country Code", lambda g: g["beneficiaryLocation"][0]["countryCode"]),
    ("From An Open Call?", lambda g: g["fromOpenCall"]),
]
CLASSIFICATION_FIELDS = (("Vocabulary", "vocabulary"), ("Code", "code"), ("Title", "title"))


def csv_header(classifications: int) -> list[str]:
    return [title for title, _read in COLUMNS] + [
        f"Classifications:{n}:{title}"
        for n in range(classifications)
        for title, _key in CLASSIFICATION_FIELDS
    ]


def csv_row(grant: dict[str, Any], classifications: int) -> list[Any]:
    row = [read(grant) for _title, read in COLUMNS]
    for n in range(classifications):
        item = grant["classifications"][n] if n < len(grant["classifications"]) else {}
        row.extend(item.get(key, "") for _title, key in CLASSIFICATION_FIELDS)
    return row


def csv_document(session: Session, fund: Fund, *, every: int = 200) -> Iterator[str]:
    """The grants as one CSV sheet, a row per grant, in chunks of `every` rows."""
    width = max_classifications(session)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_header(width))
    for n, grant in enumerate(iter_published(session), 1):
        writer.writerow(csv_row(grant_json(grant, fund), width))
        if n % every == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
