"""What accepted reports measured, for the public side: open data and the project pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.reports.models import IndicatorProgress, Report, ReportStatus


def accepted_values_query(
    grant_ids: Iterable[int] | Select[Any],
) -> Select[*tuple[Any, ...]]:
    """What accepted reports measured, for the public side (open data, project pages):
    (grant id, indicator id, actual, report kind, due date, accepted at) for each value,
    ordered by grant and then in the order the reports were accepted. Drafts, reports in
    review and reports sent back never appear. `grant_ids` is a list or a select of ids."""
    ids = grant_ids if isinstance(grant_ids, Select) else list(grant_ids)
    return (
        select(
            Report.grant_id,
            IndicatorProgress.indicator_id,
            IndicatorProgress.actual,
            Report.kind,
            Report.due_date,
            Report.accepted_at,
        )
        .join(Report, Report.id == IndicatorProgress.report_id)
        .where(
            Report.grant_id.in_(ids),
            Report.status == ReportStatus.ACCEPTED,
            IndicatorProgress.actual != "",
        )
        .order_by(Report.grant_id, Report.accepted_at, Report.id, IndicatorProgress.indicator_id)
    )


def indicator_actuals(session: Session, grant_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """The latest accepted value of each indicator, per grant (for open data and public
    pages): {grant id: {indicator id: actual}}."""
    ids = list(grant_ids)
    if not ids:
        return {}
    out: dict[int, dict[int, str]] = {}
    for grant_id, indicator_id, actual, *_when in session.execute(accepted_values_query(ids)):
        out.setdefault(grant_id, {})[indicator_id] = actual  # later reports win
    return out
