"""Small server-rendered SVG charts: readable without JavaScript, with the numbers in text.

Each chart is a <figure> with a title, an SVG marked up for assistive technology, and the
data as a table in <details>, so nothing depends on seeing the bars.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

_ids = itertools.count(1)

PALETTE = ("#12355b", "#c47f17", "#146c2e", "#7a3e9d", "#b42318", "#0b5cad")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]
    color: str = PALETTE[0]


def _nice_max(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        candidate = int(step * magnitude)
        if candidate >= value:
            return candidate
    return value


def _uid(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def _data() -> str:
    """The summary of each chart's table of numbers."""
    return _("Data")


def _ellipsis(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def grouped_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    formatter: Callable[[int], str] = str,
    tick_formatter: Callable[[int], str] | None = None,
    axis_labels: Sequence[str] | None = None,
    width: int = 640,
    height: int = 240,
) -> Markup:
    """Vertical bars per label, one per series, with a legend and a data table.

    `axis_labels` are shorter labels for under the bars (an empty one is left out), where
    the full labels would not fit; the data table and the tooltips keep the full ones."""
    ticks = tick_formatter or formatter
    under = list(axis_labels) if axis_labels is not None else list(labels)
    top = max([v for s in series for v in s.values] + [0])
    scale_max = _nice_max(int(top))
    left, bottom, right, top_pad = 56, 36, 10, 12
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    n = max(1, len(labels))
    group_w = plot_w / n
    bar_w = max(2.0, group_w * 0.7 / max(1, len(series)))
    title_id = _uid("chart")
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{title_id}" class="chart-svg vertical">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    for tick in range(5):
        value = scale_max * tick / 4
        y = top_pad + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{escape(ticks(int(value)))}</text>'
        )
    for i, label in enumerate(labels):
        x0 = left + i * group_w + (group_w - bar_w * len(series)) / 2
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            h = plot_h * value / scale_max if scale_max else 0
            x = x0 + j * bar_w
            y = top_pad + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{max(h, 0):.1f}" fill="{s.color}">'
                f"<title>{escape(label)} — {escape(s.name)}: {escape(formatter(int(value)))}</title></rect>"
            )
        if i < len(under) and under[i]:
            parts.append(
                f'<text x="{left + i * group_w + group_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" class="axis">{escape(under[i])}</text>'
            )
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg class="swatch" width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="{s.color}"/></svg>'
        f"{escape(s.name)}</li>"
        for s in series
    )
    head = "".join(f'<th scope="col" class="num">{escape(s.name)}</th>' for s in series)
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(
            f'<td class="num">{escape(formatter(int(s.values[i]) if i < len(s.values) else 0))}</td>'
            for s in series
        )
        + "</tr>"
        for i, label in enumerate(labels)
    )
    return Markup(  # noqa: S704 (every value above is escaped)
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>{"".join(parts)}'
        f'<ul class="legend">{legend}</ul>'
        f'<details><summary>{escape(_data())}</summary><table><thead><tr><th scope="col"></th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></details></figure>"
    )


def horizontal_bars(
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    formatter: Callable[[int], str] = str,
    width: int = 400,
) -> Markup:
    """One bar per item with its label above it, so long names (themes) stay readable
    in a half-width column; the full names are in the data table."""
    row_h, bar_h, right = 40, 14, 96
    height = row_h * max(1, len(items)) + 4
    top = _nice_max(max([v for _l, v in items] + [0]))
    bar_area = width - right
    title_id = _uid("hchart")
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{title_id}" class="chart-svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    if not items:
        nothing = _("Nothing yet")
        parts.append(f'<text x="0" y="20" class="axis">{escape(nothing)}</text>')
    for i, (label, value) in enumerate(items):
        y = 2 + i * row_h
        w = bar_area * value / top if top else 0
        parts.append(
            f'<text x="0" y="{y + 13}" class="axis">{escape(_ellipsis(label, 58))}'
            f"<title>{escape(label)}</title></text>"
        )
        parts.append(
            f'<rect x="0" y="{y + 19}" width="{max(w, 0):.1f}" height="{bar_h}" fill="{PALETTE[0]}"/>'
        )
        parts.append(
            f'<text x="{w + 6:.1f}" y="{y + 30}" class="axis">{escape(formatter(value))}</text>'
        )
    parts.append("</svg>")
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td class="num">{escape(formatter(value))}</td></tr>'
        for label, value in items
    )
    return Markup(  # noqa: S704 (every value above is escaped)
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>{"".join(parts)}'
        f"<details><summary>{escape(_data())}</summary><table><tbody>{rows}</tbody></table></details></figure>"
    )
