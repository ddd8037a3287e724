"""Charts as server-made SVG: no JavaScript, they print, and the PDF embeds the same markup.

Each chart is an <svg role="img"> with a <title> and a <desc> that say in words what the
bars show, so a screen reader gets the figures too. Sizes are in a viewBox: the chart
scales with the page. Colours keep 3:1 contrast with white (WCAG 1.4.11).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from disclosures import money
from disclosures.models import TableKey
from disclosures.money import format_amount

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
COLOURS = ("#9b1c1c", "#1f5f8b", "#8a5a00", "#2f6b3a")
INK = "#1a1a1a"
MUTED = "#555"
SIZE = 13  # font size in chart units
WIDTH = 640  # every chart's viewBox width, so that all scale alike


@dataclass(frozen=True)
class Chart:
    """A figure: its visible caption and the SVG (whose <title> repeats the caption)."""

    title: str
    svg: SafeString


@dataclass(frozen=True)
class Bar:
    label: str
    amount: Decimal


def _text_width(text: str) -> float:
    """Roughly: a CJK character is one em, anything else half."""
    return sum(SIZE if ord(ch) > 0x2E80 else SIZE * 0.6 for ch in text)


def _svg(
    chart_id: str, width: float, height: float, title: str, desc: str, body: str
) -> SafeString:
    return mark_safe(  # noqa: S308 - every text that reaches the markup is escaped
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT}" font-size="{SIZE}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def _describe(bars: Sequence[Bar], unit: str) -> str:
    return "；".join(f"{bar.label} {format_amount(bar.amount)}{unit}" for bar in bars)


def horizontal_bars(
    chart_id: str, title: str, bars: Sequence[Bar], *, unit: str = "万元"
) -> SafeString:
    """One bar per item, largest first, amounts printed at the end of each bar."""
    bars = sorted(bars, key=lambda bar: bar.amount, reverse=True)
    label_width = max((_text_width(bar.label) for bar in bars), default=0) + 12
    row, top = 26, 8
    value_width = _text_width("0000000.00") + 8
    width = WIDTH
    plot = width - label_width - value_width
    height = top + row * len(bars) + 8
    largest = max((bar.amount for bar in bars), default=Decimal(0)) or Decimal(1)
    parts = []
    for i, bar in enumerate(bars):
        y = top + i * row
        length = float(bar.amount / largest) * plot
        parts.append(
            f'<text x="{label_width - 8:.0f}" y="{y + 17}" text-anchor="end" fill="{INK}">'
            f"{escape(bar.label)}</text>"
            f'<rect x="{label_width:.0f}" y="{y + 4}" width="{max(length, 1):.1f}" height="{row - 8}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 17}" fill="{INK}">'
            f"{format_amount(bar.amount)}</text>"
        )
    desc = f"单位：{unit}。{_describe(bars, unit)}"
    return _svg(chart_id, width, height, title, desc, "".join(parts))


def shares(chart_id: str, title: str, bars: Sequence[Bar], *, unit: str = "万元") -> SafeString:
    """One bar split into parts, with a legend giving each part's amount and share."""
    total = sum((bar.amount for bar in bars), Decimal(0))
    width, bar_height, top = WIDTH, 36, 8
    parts, x = [], 0.0
    legend_lines = []
    for i, bar in enumerate(bars):
        share = money.percent(bar.amount, total) or Decimal(0)
        length = float(share) / 100 * width
        colour = COLOURS[i % len(COLOURS)]
        parts.append(
            f'<rect x="{x:.1f}" y="{top}" width="{length:.1f}" height="{bar_height}" fill="{colour}"/>'
        )
        x += length
        legend = f"{bar.label} {format_amount(bar.amount)}{unit}（{share:.2f}%）"
        legend_lines.append(legend)
        y = top + bar_height + 22 + i * 22
        parts.append(
            f'<rect x="0" y="{y - 11}" width="12" height="12" fill="{colour}"/>'
            f'<text x="18" y="{y}" fill="{INK}">{escape(legend)}</text>'
        )
    height = top + bar_height + 22 * len(bars) + 14
    return _svg(chart_id, width, height, title, "；".join(legend_lines), "".join(parts))


def stacked_columns(
    chart_id: str,
    title: str,
    columns: Sequence[tuple[str, Sequence[Bar]]],
    *,
    unit: str = "万元",
) -> SafeString:
    """One column per period (a year), its parts stacked, the total printed on top."""
    names = [bar.label for bar in columns[0][1]] if columns else []
    totals = [sum((bar.amount for bar in bars), Decimal(0)) for _, bars in columns]
    largest = max(totals, default=Decimal(0)) or Decimal(1)
    plot_height, top, left = 180, 24, 16
    width = WIDTH
    slot = min(140.0, (width - left) / max(len(columns), 1))
    left = (width - slot * len(columns)) / 2 + slot * 0.225  # centre the columns
    column_width, gap = slot * 0.55, slot * 0.45
    base = top + plot_height
    parts = [f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="{MUTED}"/>']
    for i, ((label, bars), total) in enumerate(zip(columns, totals, strict=True)):
        x = left + i * (column_width + gap)
        y = float(base)
        for j, bar in enumerate(bars):
            height = float(bar.amount / largest) * plot_height
            y -= height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{column_width:.1f}" height="{height:.1f}" '
                f'fill="{COLOURS[j % len(COLOURS)]}"/>'
            )
        parts.append(
            f'<text x="{x + column_width / 2:.1f}" y="{y - 6:.1f}" text-anchor="middle" fill="{INK}">'
            f"{format_amount(total)}</text>"
            f'<text x="{x + column_width / 2:.1f}" y="{base + 18}" text-anchor="middle" fill="{INK}">'
            f"{escape(label)}</text>"
        )
    legend_y = base + 44
    x = 0.0
    for j, name in enumerate(names):
        parts.append(
            f'<rect x="{x:.0f}" y="{legend_y - 11}" width="12" height="12" fill="{COLOURS[j % len(COLOURS)]}"/>'
            f'<text x="{x + 18:.0f}" y="{legend_y}" fill="{INK}">{escape(name)}</text>'
        )
        x += 18 + _text_width(name) + 20
    width = max(width, x)
    desc = "。".join(
        f"{label}：合计 {format_amount(total)}{unit}，{_describe(bars, unit)}"
        for (label, bars), total in zip(columns, totals, strict=True)
    )
    return _svg(chart_id, width, legend_y + 10, title, desc, "".join(parts))


def disclosure_charts(facts, three_public) -> list[Chart]:
    """The charts of a disclosure that publishes the tables: spending by function 类 (表三),
    basic against project, and 三公 over the years (`three_public`: public.three_public_years)."""
    year = facts.disclosure.fiscal_year
    charts = []
    classes = [
        Bar(row.name, row.total)
        for row in facts.subjects(TableKey.DEPARTMENT_EXPENSE)
        if len(row.code) == 3 and row.total
    ]
    if classes:
        title = f"{year}年支出按功能分类（类）"
        charts.append(Chart(title, horizontal_bars("chart-functions", title, classes)))
    basic = facts.total(TableKey.DEPARTMENT_EXPENSE, "basic")
    project = facts.total(TableKey.DEPARTMENT_EXPENSE, "project")
    if basic or project:
        title = f"{year}年基本支出与项目支出"
        parts = [Bar("基本支出", basic), Bar("项目支出", project)]
        charts.append(Chart(title, shares("chart-basic-project", title, parts)))
    if three_public:
        title = "“三公”经费历年预算"
        columns = [
            (
                f"{item.year}年",
                [
                    Bar("因公出国（境）费", item.abroad),
                    Bar("公务接待费", item.reception),
                    Bar("公务用车购置及运行维护费", item.vehicles),
                ],
            )
            for item in three_public
        ]
        charts.append(Chart(title, stacked_columns("chart-three-public", title, columns)))
    return charts
