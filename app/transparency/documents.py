"""The annual report as a PDF: its charts (the same SVG charts as the fund's pages) and
the WeasyPrint rendering."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from app.core import charts
from app.core.money import Money
from app.core.pdf import render_pdf
from app.transparency.annual import AnnualReport

# WeasyPrint draws inline SVG with the SVG's own styles only, not the page's stylesheet:
# each chart gets the print look (the web look is in sptf.css) inside its <svg>.
PRINT_STYLE = (
    "<style>.axis{font-size:12px;fill:#4a5560;"
    'font-family:"Liberation Sans","DejaVu Sans",sans-serif}'
    ".grid{stroke:#d5dbe1;stroke-width:1}</style>"
)
_CHART_SVG = re.compile(r'<svg [^>]*class="chart-svg[^"]*"[^>]*>')


def printable(chart: Markup) -> Markup:
    """The chart with its print style inside each of its SVGs."""
    return Markup(  # noqa: S704 (the chart is escaped markup; the style is a constant)
        _CHART_SVG.sub(lambda found: found.group(0) + PRINT_STYLE, str(chart))
    )


def annual_charts(report: AnnualReport) -> dict[str, Markup]:
    currency = report.finances.currency

    def fmt(minor: int) -> str:
        return Money(int(minor), currency).format()

    def tick(minor: int) -> str:
        return Money(int(minor), currency).format_compact()

    approvals, finances = report.approvals, report.finances
    months = [format_date(date(report.year, m, 1), "MMM") for m in range(1, 13)]
    made = {
        "flows": charts.grouped_bars(
            _("Money in and out by month, %(year)d", year=report.year),
            months,
            [
                charts.Series(_("Contributions received"), finances.months_in, charts.PALETTE[2]),
                charts.Series(_("Paid to grants"), finances.months_out, charts.PALETTE[0]),
            ],
            formatter=fmt,
            tick_formatter=tick,
            height=170,
        ),
        "regions": charts.horizontal_bars(
            _("Approved, by regional group"),
            [(t.label, t.amount) for t in approvals.by_region if t.count],
            formatter=fmt,
        ),
        "themes": charts.horizontal_bars(
            _("Approved, by theme"),
            [(t.label, t.amount) for t in approvals.by_theme[:8]],
            formatter=fmt,
        ),
        "recommendations": charts.horizontal_bars(
            _("By status at the end of the year"),
            [(t.label, t.count) for t in report.recommendations.by_status],
        ),
    }
    return {name: printable(chart) for name, chart in made.items()}


def annual_report_pdf(report: AnnualReport) -> bytes:
    return render_pdf("pdf/annual_report.html", report=report, charts=annual_charts(report))
