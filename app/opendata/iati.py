"""The IATI 2.03 activity file: one `iati-activity` per published grant, streamed.

The codes used, from the IATI 2.03 codelists (docs/open-data.md explains each choice):

    OrganisationType   40 multilateral (the fund), 10 government (the State)
    OrganisationRole   1 funding, 3 extending, 4 implementing
    ActivityStatus     2 implementation, 3 finalisation, 4 closed, 5 cancelled, 6 suspended
    ActivityDateType   1 planned start, 2 actual start, 3 planned end, 4 actual end
    ActivityScope      4 national
    Sector             15160 human rights (vocabulary 1: OECD DAC CRS 5-digit)
    TagVocabulary      2 SDG goal; 99 the fund's own themes
    AidType            D02 other technical assistance;  FinanceType 110 standard grant
    BudgetType/Status  1 original / 2 committed
    TransactionType    1 incoming funds, 2 outgoing commitment, 3 disbursement, 4 expenditure
    ResultType         2 outcome;  IndicatorMeasure 1 unit, 5 qualitative
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.core.dates import add_months
from app.core.money import Money
from app.grants.models import DisbursementKind, GrantStatus
from app.ledger.models import TransactionKind
from app.opendata.records import GrantRecord, Movement
from app.opendata.results import IndicatorResult, number, results_for
from app.opendata.services import LICENCE_URL, Fund, iati_identifier, iter_published

VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

ORG_MULTILATERAL = "40"
ORG_GOVERNMENT = "10"
ROLE_FUNDING, ROLE_EXTENDING, ROLE_IMPLEMENTING = "1", "3", "4"
SECTOR_HUMAN_RIGHTS = "15160"
SECTOR_VOCABULARY_DAC5 = "1"
TAG_VOCABULARY_SDG_GOAL = "2"
TAG_VOCABULARY_OWN = "99"
AID_TYPE_OTHER_TA = "D02"
FINANCE_TYPE_GRANT = "110"
SCOPE_NATIONAL = "4"
RESULT_OUTCOME = "2"
MEASURE_UNIT, MEASURE_QUALITATIVE = "1", "5"

INCOMING_FUNDS = "1"
OUTGOING_COMMITMENT = "2"
DISBURSEMENT = "3"
EXPENDITURE = "4"
INCOMING_PLEDGE = "13"  # not used per grant: pledges are made to the fund (docs/open-data.md)

STATUS = {
    GrantStatus.ACTIVE: "2",
    GrantStatus.SUSPENDED: "6",
    GrantStatus.COMPLETED: "4",
    GrantStatus.CANCELLED: "5",
}

# Characters XML 1.0 cannot carry, whatever the escaping.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", text or "").strip()


def activity_status(grant: GrantRecord, today: date) -> str:
    """2 implementation; 3 finalisation once the work is over (past its end date, or its
    final report accepted) but the grant is not closed yet; 4 closed; 5 cancelled;
    6 suspended."""
    if grant.status is GrantStatus.ACTIVE and (
        grant.final_report_accepted_at is not None
        or (grant.end_date is not None and grant.end_date < today)
    ):
        return "3"
    return STATUS[grant.status]


def transaction_types(movement: Movement) -> list[tuple[str, int]]:
    """The IATI transactions of one ledger movement, as (type code, signed minor units).

    A commitment is funds coming into the activity from the fund's pooled resources (1) and
    the fund's commitment to the State (2); a release of unspent commitment (at cancellation
    or completion) is the same pair, negative. A tranche paid to the State is a disbursement
    (3); money the fund pays on the grant's behalf to others (experts' fees and travel) is
    expenditure (4). A reversal mirrors what it reverses, with the opposite sign.
    """
    if movement.is_commitment:
        return [
            (INCOMING_FUNDS, movement.committed_minor),
            (OUTGOING_COMMITMENT, movement.committed_minor),
        ]
    if movement.is_payment:
        code = DISBURSEMENT if movement.pays_the_state else EXPENDITURE
        return [(code, movement.disbursed_minor)]
    return []


def budget_periods(start: date, months: int, amount_minor: int) -> list[tuple[date, date, int]]:
    """The approved amount over the grant's period, in periods of at most a year (an IATI
    rule), shared in proportion to each period's months; the last takes the remainder."""
    months = max(1, months)
    periods: list[tuple[date, date, int]] = []
    given = 0
    for offset in range(0, months, 12):
        length = min(12, months - offset)
        first = add_months(start, offset)
        last = add_months(start, offset + length) - timedelta(days=1)
        share = (
            amount_minor - given if offset + length >= months else amount_minor * length // months
        )
        given += share
        periods.append((first, last, share))
    return periods


# -- elements ----------------------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()})


def _narrative(parent: ET.Element, text: str) -> ET.Element:
    element = ET.SubElement(parent, "narrative")
    element.text = clean(text)
    return parent


def _value(parent: ET.Element, minor: int, day: date, currency: str) -> None:
    element = _sub(parent, "value", currency=currency, value_date=day.isoformat())
    element.text = Money(minor, currency).as_string()


def _fund_org(parent: ET.Element, tag: str, fund: Fund, **attrs: str) -> None:
    _narrative(
        _sub(parent, tag, ref=fund.organisation_id, type=ORG_MULTILATERAL, **attrs), fund.name
    )


def _implementer(grant: GrantRecord) -> str:
    if grant.implementing_entity:
        return f"{grant.implementing_entity} ({grant.government})"
    return grant.government


def _transactions(activity: ET.Element, grant: GrantRecord, fund: Fund) -> None:
    for movement in grant.movements:
        for code, minor in transaction_types(movement):
            if minor == 0:
                continue
            ref = f"{grant.reference}-T{movement.ledger_id}"
            element = _sub(
                activity, "transaction", ref=ref + ("-IF" if code == INCOMING_FUNDS else "")
            )
            _sub(element, "transaction-type", code=code)
            _sub(element, "transaction-date", iso_date=movement.day.isoformat())
            _value(element, minor, movement.day, movement.currency)
            _narrative(_sub(element, "description"), _describe(code, movement, grant))
            _fund_org(element, "provider-org", fund)
            # Incoming funds stay with the fund; experts are people, never named here.
            if code in (OUTGOING_COMMITMENT, DISBURSEMENT):
                _narrative(_sub(element, "receiver-org", type=ORG_GOVERNMENT), grant.government)


def _describe(code: str, movement: Movement, grant: GrantRecord) -> str:
    undo = "Reversal: " if movement.reversal else ""
    if code == INCOMING_FUNDS:
        return undo + (
            "Funds set aside for the grant from the fund's pooled contributions"
            if movement.kind is TransactionKind.COMMITMENT
            else "Undisbursed funds returned to the fund's pooled resources"
        )
    if code == OUTGOING_COMMITMENT:
        return undo + (
            f"Grant committed to the {grant.government}"
            if movement.kind is TransactionKind.COMMITMENT
            else "Undisbursed commitment released"
        )
    if code == DISBURSEMENT:
        return undo + f"Tranche paid to the {grant.government}"
    kind = movement.disbursement_kind
    return undo + (
        "Expert travel paid on the grant's behalf"
        if kind is DisbursementKind.TRAVEL
        else "Expert fees paid on the grant's behalf"
    )


def _indicator(result: ET.Element, item: IndicatorResult, grant: GrantRecord) -> None:
    numeric = item.numeric
    attrs = {"measure": MEASURE_UNIT if numeric else MEASURE_QUALITATIVE}
    if numeric:
        attrs["ascending"] = "1" if item.ascending else "0"
    indicator = _sub(result, "indicator", **attrs)
    _narrative(_sub(indicator, "title"), item.name)
    baseline = _sub(indicator, "baseline", year=str(item.baseline_year))
    if numeric:
        baseline.set("value", number(item.baseline) or "")
    elif item.baseline:
        _narrative(_sub(baseline, "comment"), item.baseline)
    period = _sub(indicator, "period")
    _sub(period, "period-start", iso_date=grant.starts_on.isoformat())
    _sub(period, "period-end", iso_date=_ends_on(grant).isoformat())
    target = _sub(period, "target")
    if numeric:
        target.set("value", number(item.target) or "")
    elif item.target:
        _narrative(_sub(target, "comment"), item.target)
    for actual in item.actuals:
        element = _sub(period, "actual")
        value = number(actual.value)
        if numeric and value is not None:
            element.set("value", value)
        comment = actual.comment if numeric else actual.value
        if comment:
            _narrative(_sub(element, "comment"), comment)


def _ends_on(grant: GrantRecord) -> date:
    return grant.end_date or add_months(grant.starts_on, grant.duration_months)


def activity(grant: GrantRecord, fund: Fund, today: date) -> ET.Element:
    """One grant as an `iati-activity`, its elements in the schema's order."""
    element = ET.Element("iati-activity", {XML_LANG: "en", "default-currency": grant.currency})
    ET.SubElement(element, "iati-identifier").text = iati_identifier(fund, grant.reference)
    _narrative(
        _sub(element, "reporting-org", ref=fund.organisation_id, type=ORG_MULTILATERAL), fund.name
    )
    _narrative(_sub(element, "title"), grant.title)
    _narrative(_sub(element, "description", type="1"), grant.description)
    _fund_org(element, "participating-org", fund, role=ROLE_FUNDING)
    _fund_org(element, "participating-org", fund, role=ROLE_EXTENDING)
    _narrative(
        _sub(element, "participating-org", role=ROLE_IMPLEMENTING, type=ORG_GOVERNMENT),
        _implementer(grant),
    )
    _sub(element, "activity-status", code=activity_status(grant, today))
    starts, ends = grant.starts_on, _ends_on(grant)
    _sub(element, "activity-date", type="1", iso_date=starts.isoformat())
    _sub(element, "activity-date", type="2", iso_date=starts.isoformat())
    _sub(element, "activity-date", type="3", iso_date=ends.isoformat())
    if grant.closed_at is not None and grant.status in (
        GrantStatus.COMPLETED,
        GrantStatus.CANCELLED,
    ):
        _sub(element, "activity-date", type="4", iso_date=grant.closed_at.date().isoformat())
    _sub(element, "activity-scope", code=SCOPE_NATIONAL)
    _narrative(
        _sub(element, "recipient-country", code=grant.country_code, percentage="100"),
        grant.state_name,
    )
    _sub(
        element,
        "sector",
        vocabulary=SECTOR_VOCABULARY_DAC5,
        code=SECTOR_HUMAN_RIGHTS,
        percentage="100",
    )
    for goal, name in grant.sdgs:
        _narrative(_sub(element, "tag", vocabulary=TAG_VOCABULARY_SDG_GOAL, code=str(goal)), name)
    for code, name in grant.themes:
        _narrative(
            _sub(
                element,
                "tag",
                vocabulary=TAG_VOCABULARY_OWN,
                vocabulary_uri=f"{fund.page_url}#themes",
                code=code,
            ),
            name,
        )
    _sub(element, "default-finance-type", code=FINANCE_TYPE_GRANT)
    _sub(element, "default-aid-type", code=AID_TYPE_OTHER_TA, vocabulary="1")
    for first, last, minor in budget_periods(starts, grant.duration_months, grant.amount_minor):
        budget = _sub(element, "budget", type="1", status="2")
        _sub(budget, "period-start", iso_date=first.isoformat())
        _sub(budget, "period-end", iso_date=last.isoformat())
        _value(budget, minor, first, grant.currency)
    _transactions(element, grant, fund)
    for result in results_for(grant):
        item = _sub(element, "result", type=RESULT_OUTCOME)
        _narrative(_sub(item, "title"), result.title)
        for indicator in result.indicators:
            _indicator(item, indicator, grant)
    return element


def document(
    session: Session, fund: Fund, generated: datetime, *, every: int = 50
) -> Iterator[str]:
    """The whole file, in chunks of `every` activities."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    about = fund.page_url.replace("--", "%2D%2D")  # "--" may not appear in a comment
    yield (
        f"<!-- {fund.name} grants as IATI {VERSION} activities. "
        f"Licence: CC BY 4.0 ({LICENCE_URL}). About this file: {about} -->\n"
    )
    yield (
        f'<iati-activities version="{VERSION}" '
        f'generated-datetime="{generated.isoformat(timespec="seconds")}">\n'
    )
    today = generated.date()
    chunk: list[str] = []
    for grant in iter_published(session, reported=True):
        chunk.append(ET.tostring(activity(grant, fund, today), encoding="unicode") + "\n")
        if len(chunk) >= every:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "</iati-activities>\n"
