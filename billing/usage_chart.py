"""Geometry of the billing page's usage chart: bars and axes computed here, drawn as inline SVG.

Server-side so the page needs no chart script (our CSP runs no inline script, and no CDN).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class ChartBar:
    day: date
    credits: Decimal
    x: float
    y: float
    width: float
    height: float
    label_x: float
    show_label: bool  # every few days, and always the last one, get a date under the axis


@dataclass(frozen=True)
class ChartTick:
    value: Decimal
    y: float


@dataclass(frozen=True)
class UsageChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[ChartBar]
    ticks: list[ChartTick]
    total: Decimal
    peak: Decimal
    first: date | None
    last: date | None

    @property
    def tick_label_x(self) -> float:
        return self.right + 10

    @property
    def day_label_y(self) -> float:
        return self.bottom + 18

    @property
    def is_empty(self) -> bool:
        return not any(bar.credits > 0 for bar in self.bars)

    @property
    def busy_days(self) -> list[ChartBar]:
        return [bar for bar in self.bars if bar.credits]


def nice_step(peak: Decimal, *, steps: int = 4) -> Decimal:
    """A 1, 2 or 5 × 10ⁿ step that divides 0…peak into at most `steps` gridlines."""
    rough = float(peak) / steps
    exponent = math.floor(math.log10(rough))
    fraction = rough / 10**exponent
    nice = next(n for n in (1, 2, 5, 10) if fraction <= n)
    return Decimal(nice) * Decimal(10) ** exponent


def usage_chart(
    days: Sequence[tuple[date, Decimal]],
    *,
    width: int = 760,
    height: int = 240,
    label_every: int = 5,
) -> UsageChart:
    """Bars for credits charged per day, oldest first; a day with a net refund draws no bar."""
    # The scale is on the right: a phone scrolls the chart to its latest days, and sees it there.
    left, right, top, bottom = 8.0, width - 48.0, 16.0, height - 30.0
    peak = max((credits for _day, credits in days), default=ZERO)
    if peak > 0:
        step = nice_step(peak)
        ceiling = step * math.ceil(peak / step)
        ticks_count = int(ceiling / step)
        values = [step * n for n in range(ticks_count + 1)]
    else:
        ceiling = Decimal(1)
        values = [ZERO]
    plot = bottom - top

    def y_of(value: Decimal) -> float:
        return round(bottom - float(value / ceiling) * plot, 2)

    slot = (right - left) / max(len(days), 1)
    bar_width = round(slot * 0.68, 2)
    bars = []
    for index, (day, credits) in enumerate(days):
        x = left + slot * index + (slot - bar_width) / 2
        drawn = max(credits, ZERO)
        bar_height = round(bottom - y_of(drawn), 2)
        if drawn and bar_height < 1.5:
            bar_height = 1.5  # a tiny day stays visible next to a busy one
        bars.append(
            ChartBar(
                day=day,
                credits=credits,
                x=round(x, 2),
                y=round(bottom - bar_height, 2),
                width=bar_width,
                height=bar_height,
                label_x=round(left + slot * index + slot / 2, 2),
                show_label=(len(days) - 1 - index) % label_every == 0,
            )
        )
    return UsageChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bars=bars,
        ticks=[ChartTick(value=value, y=y_of(value)) for value in values],
        total=sum((credits for _day, credits in days), ZERO),
        peak=peak,
        first=days[0][0] if days else None,
        last=days[-1][0] if days else None,
    )
