"""Geometry of the staff analytics chart (findings per week): computed here, drawn as inline SVG,
so the page needs no chart script (our CSP runs no inline script)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class WeekBar:
    week: date
    count: int
    x: float
    y: float
    width: float
    height: float
    label_x: float


@dataclass(frozen=True)
class WeekTick:
    value: int
    y: float


@dataclass(frozen=True)
class WeekChart:
    width: int
    height: int
    left: float
    right: float
    bottom: float
    bars: list[WeekBar]
    ticks: list[WeekTick]
    total: int
    peak: int

    @property
    def tick_label_x(self) -> float:
        return self.left - 8

    @property
    def week_label_y(self) -> float:
        return self.bottom + 18

    @property
    def count_label_dy(self) -> int:
        return -6

    @property
    def is_empty(self) -> bool:
        return self.total == 0


def nice_step(peak: int, *, steps: int = 4) -> int:
    """A 1, 2 or 5 × 10ⁿ whole step that divides 0…peak into at most `steps` gridlines."""
    rough = max(peak / steps, 1)
    exponent = math.floor(math.log10(rough))
    fraction = rough / 10**exponent
    nice = next(n for n in (1, 2, 5, 10) if fraction <= n)
    return int(nice * 10**exponent)


def week_chart(
    weeks: Sequence[tuple[date, int]], *, width: int = 720, height: int = 220
) -> WeekChart:
    """One bar per week, oldest first, with gridlines at whole, round counts."""
    left, right, top, bottom = 40.0, float(width - 8), 18.0, float(height - 28)
    peak = max((count for _week, count in weeks), default=0)
    step = nice_step(peak)
    ceiling = step * max(1, math.ceil(peak / step))
    plot = bottom - top

    def y_of(value: int) -> float:
        return round(bottom - value / ceiling * plot, 2)

    slot = (right - left) / max(len(weeks), 1)
    bar_width = round(slot * 0.6, 2)
    bars = []
    for index, (week, count) in enumerate(weeks):
        bar_height = round(bottom - y_of(count), 2)
        bars.append(
            WeekBar(
                week=week,
                count=count,
                x=round(left + slot * index + (slot - bar_width) / 2, 2),
                y=round(bottom - bar_height, 2),
                width=bar_width,
                height=bar_height,
                label_x=round(left + slot * index + slot / 2, 2),
            )
        )
    return WeekChart(
        width=width,
        height=height,
        left=left,
        right=right,
        bottom=bottom,
        bars=bars,
        ticks=[WeekTick(value, y_of(value)) for value in range(0, ceiling + 1, step)],
        total=sum(count for _week, count in weeks),
        peak=peak,
    )
