"""Small server-rendered SVG charts: readable without JavaScript, with the numbers in text.

Each chart is a <figure> with a title, an SVG marked up for assistive technology, and the
data as a table in <details>, so nothing depends on seeing the bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

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


def compact(minor: int, exponent: int = 2) -> str:
    """Axis ticks: 250000000 minor units → "2.5M"."""
    value = minor / 10**exponent
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def grouped_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    formatter: object = str,
    width: int = 640,
    height: int = 240,
) -> Markup:
    """Vertical bars per label, one per series, with a legend and a data table."""
    fmt = formatter if callable(formatter) else str
    top = max([v for s in series for v in s.values] + [0])
    scale_max = _nice_max(int(top))
    left, bottom, right, top_pad = 70, 36, 10, 12
    plot_w, plot_h = width - left - right, height - bottom - top_pad
    n = max(1, len(labels))
    group_w = plot_w / n
    bar_w = max(2.0, group_w * 0.7 / max(1, len(series)))
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title-{id(labels)}" class="chart-svg">',
        f'<title id="chart-title-{id(labels)}">{escape(title)}</title>',
    ]
    for tick in range(5):
        value = scale_max * tick / 4
        y = top_pad + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{escape(fmt(int(value)))}</text>'
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
                f"<title>{escape(label)} — {escape(s.name)}: {escape(fmt(int(value)))}</title></rect>"
            )
        parts.append(
            f'<text x="{left + i * group_w + group_w / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" class="axis">{escape(label)}</text>'
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
            f'<td class="num">{escape(fmt(int(s.values[i]) if i < len(s.values) else 0))}</td>'
            for s in series
        )
        + "</tr>"
        for i, label in enumerate(labels)
    )
    return Markup(  # noqa: S704 (every value above is escaped)
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>{"".join(parts)}'
        f'<ul class="legend">{legend}</ul>'
        f'<details><summary>Data</summary><table><thead><tr><th scope="col"></th>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></details></figure>"
    )


def horizontal_bars(
    title: str, items: Sequence[tuple[str, int]], *, formatter: object = str, width: int = 640
) -> Markup:
    fmt = formatter if callable(formatter) else str
    row_h, label_w, right = 26, 210, 110
    height = row_h * max(1, len(items)) + 8
    top = _nice_max(max([v for _l, v in items] + [0]))
    bar_area = width - label_w - right
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="hchart-{id(items)}" class="chart-svg">',
        f'<title id="hchart-{id(items)}">{escape(title)}</title>',
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row_h
        w = bar_area * value / top if top else 0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="axis">{escape(label[:34])}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 0):.1f}" height="{row_h - 9}" fill="{PALETTE[0]}"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" class="axis">{escape(fmt(value))}</text>'
        )
    parts.append("</svg>")
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th><td class="num">{escape(fmt(value))}</td></tr>'
        for label, value in items
    )
    return Markup(  # noqa: S704 (every value above is escaped)
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>{"".join(parts)}'
        f"<details><summary>Data</summary><table><tbody>{rows}</tbody></table></details></figure>"
    )
