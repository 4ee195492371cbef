"""Sizing the copy at a given scale: each block at its nominal size, shrunk to fit its width.

Sizes are in units of a hundredth of the canvas's shorter side, so one template reads the same
at 800×800 and 4096×4096; `scale` shrinks everything together when the copy is long.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from generation.backends.image.base import PriceTag
from generation.compositor.blocks import (
    Align,
    Block,
    BulletList,
    Button,
    Chips,
    Column,
    Kind,
    Marker,
    PriceBlock,
    Row,
    TextBlock,
)
from generation.compositor.fonts import Face, FontPaths, Weight
from generation.compositor.geometry import Box
from generation.compositor.linebreak import break_lines, fit
from generation.compositor.text import measure

MIN_TEXT_PX = 10
CURRENCY_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def shrinking(size: int, *, down_to: float = 0.6, step: float = 0.93) -> list[int]:
    """Sizes from `size` down to `down_to` of it, largest first, never below MIN_TEXT_PX."""
    sizes: list[int] = []
    current = float(size)
    while current >= size * down_to - 0.5:
        value = max(MIN_TEXT_PX, round(current))
        if not sizes or value < sizes[-1]:
            sizes.append(value)
        current *= step
    return sizes or [max(MIN_TEXT_PX, size)]


def money(amount: Decimal) -> tuple[str, str]:
    """Whole part and cents ("199", "" or "199", ".90"); thousands are not grouped (Chinese
    price tags don't)."""
    quantized = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, _, cents = f"{quantized:f}".partition(".")
    return whole, ("" if cents in ("", "00") else f".{cents}")


def currency_symbol(code: str) -> str:
    return CURRENCY_SYMBOLS.get(code.upper(), f"{code.upper()} ")


@dataclass(frozen=True)
class Content:
    """The copy a poster shows; reduced step by step when it does not fit."""

    headline: str
    subheadline: str
    bullets: tuple[str, ...]
    cta: str
    price: PriceTag | None
    subheadline_lines: int = 2


class Typesetter:
    def __init__(
        self,
        *,
        paths: FontPaths,
        family: str,
        unit: float,
        scale: float,
        truncate: bool = False,
    ) -> None:
        self.paths = paths
        self.family = family
        self.unit = unit
        self.scale = scale
        self.truncate = truncate

    def px(self, units: float) -> int:
        return max(MIN_TEXT_PX, round(units * self.unit * self.scale))

    def space(self, units: float) -> int:
        return max(1, round(units * self.unit * self.scale))

    def face(self, weight: Weight, size: int, family: str | None = None) -> Face:
        return Face(self.paths, family or self.family, weight, size)

    def _measure_at(self, weight: Weight, size: int) -> "partial[int]":
        return partial(measure, self.face(weight, size))

    def text(
        self,
        kind: Kind,
        text: str,
        width: int,
        *,
        units: float,
        weight: Weight,
        align: Align,
        max_lines: int,
        line_height: float,
        roles: tuple[str, ...],
        minimum_contrast: float = 4.5,
        down_to: float = 0.6,
        lead: int = 0,
        muted: bool = False,
    ) -> TextBlock | None:
        text = text.strip()
        if not text or width <= 0:
            return None
        fitted = fit(
            text,
            sizes=shrinking(self.px(units), down_to=down_to),
            max_width=width,
            max_lines=max_lines,
            measure_at=lambda size: self._measure_at(weight, size),
            truncate=self.truncate,
        )
        if fitted is None:
            return None
        return TextBlock(
            kind=kind,
            face=self.face(weight, fitted.size),
            lines=fitted.lines,
            align=align,
            line_height=line_height,
            roles=roles,
            minimum_contrast=minimum_contrast,
            lead=lead,
            muted=muted,
        )

    def headline(
        self,
        text: str,
        width: int,
        *,
        align: Align,
        roles: tuple[str, ...] = ("text",),
        units: float = 8.6,
        max_lines: int = 3,
    ) -> TextBlock | None:
        return self.text(
            Kind.HEADLINE,
            text,
            width,
            units=units,
            weight=Weight.BOLD,
            align=align,
            max_lines=max_lines,
            line_height=1.18,
            roles=roles,
            minimum_contrast=3.0 if roles[0] != "text" else 4.5,
        )

    def subheadline(
        self, text: str, width: int, *, align: Align, max_lines: int = 2, headline: Block | None
    ) -> TextBlock | None:
        lead = round(headline.height * 0.12 + self.space(1.2)) if headline else 0
        return self.text(
            Kind.SUBHEADLINE,
            text,
            width,
            units=4.3,
            weight=Weight.REGULAR,
            align=align,
            max_lines=max_lines,
            line_height=1.38,
            roles=("text",),
            down_to=0.75,
            lead=lead,
            muted=True,
        )

    def bullets(
        self, items: Sequence[str], width: int, *, marker: Marker, units: float = 3.7
    ) -> BulletList | None:
        items = [item.strip() for item in items if item.strip()]
        if not items:
            return None
        # One line each if a slightly smaller size allows it, else up to two lines each.
        for max_lines, down_to in ((1, 0.86), (2, 0.75)):
            for size in shrinking(self.px(units), down_to=down_to):
                face = self.face(Weight.REGULAR, size)
                room = width - BulletList.indent_for(size)
                broken = [
                    break_lines(item, max_width=room, measure=partial(measure, face), balance=True)
                    for item in items
                ]
                if all(not b.overflow and len(b.lines) <= max_lines for b in broken):
                    lines = tuple(b.lines for b in broken)
                    return BulletList(face, lines, marker, lead=self.space(3.4))
        return None

    def chips(
        self,
        items: Sequence[str],
        width: int,
        *,
        align: Align,
        max_rows: int = 2,
        units: float = 3.4,
        filled: bool = True,
    ) -> Chips | None:
        items = [item.strip() for item in items if item.strip()]
        if not items:
            return None
        for size in shrinking(self.px(units), down_to=0.75):
            face = self.face(Weight.REGULAR, size)
            gap = Chips.gap(size)
            rows: list[list[str]] = []
            row_width = 0
            fits = True
            for item in items:
                chip = Chips.chip_width(face, item)
                if chip > width:
                    fits = False
                    break
                if rows and row_width + gap + chip <= width:
                    rows[-1].append(item)
                    row_width += gap + chip
                else:
                    rows.append([item])
                    row_width = chip
            if fits and len(rows) <= max_rows:
                return Chips(
                    face,
                    tuple(tuple(row) for row in rows),
                    align,
                    width,
                    lead=self.space(3.0),
                    filled=filled,
                )
        return None

    def price(
        self, tag: PriceTag, width: int, *, align: Align, units: float = 9.6
    ) -> PriceBlock | None:
        whole, cents = money(tag.price)
        symbol = currency_symbol(tag.currency)
        reference = money(tag.reference_price) if tag.reference_price is not None else None
        for size in shrinking(self.px(units), down_to=0.55):
            reference_face = None
            if reference is not None:
                reference_face = self.face(Weight.REGULAR, max(MIN_TEXT_PX, round(size * 0.34)))
            block = PriceBlock(
                currency_face=self.face(Weight.BOLD, max(MIN_TEXT_PX, round(size * 0.46)), "sans"),
                amount_face=self.face(Weight.BOLD, size, "sans"),
                cents_face=self.face(Weight.BOLD, max(MIN_TEXT_PX, round(size * 0.5)), "sans"),
                currency=symbol,
                amount=whole,
                cents=cents,
                reference_face=reference_face,
                reference_basis=tag.reference_basis.strip(),
                reference_amount=f"{symbol}{''.join(reference)}" if reference else "",
                align=align,
                lead=self.space(3.6),
            )
            if block.width <= width:
                return block
        return None

    def button(self, text: str, width: int, *, units: float = 4.1) -> Button | None:
        text = text.strip()
        if not text:
            return None
        for size in shrinking(self.px(units), down_to=0.7):
            button = Button(self.face(Weight.BOLD, size), text, lead=self.space(3.0))
            if button.width <= width:
                return button
        return None

    def action(
        self, content: Content, width: int, *, align: Align, stacked: bool = False
    ) -> Block | None:
        """The price and the button: side by side when they fit, else stacked."""
        price = self.price(content.price, width, align=align) if content.price else None
        button = self.button(content.cta, width)
        if (content.price and price is None) or (content.cta.strip() and button is None):
            return None
        parts: list[Block] = [part for part in (price, button) if part is not None]
        if not parts:
            return None
        if len(parts) == 1:
            parts[0].lead = self.space(3.6)
            return parts[0]
        gap = self.space(5)
        if not stacked and sum(part.width for part in parts) + gap <= width:
            return Row(tuple(parts), gap, lead=self.space(3.6))
        column = Column(tuple(parts), align, lead=self.space(3.6))
        return column if column.width <= width else None


@dataclass(frozen=True)
class Placed:
    block: Block
    x: int
    y: int


def stack(
    blocks: Sequence[Block | None], box: Box, *, align: Align, anchor: str = "top"
) -> list[Placed] | None:
    """Blocks one under another in `box`; None when they do not fit."""
    present = [block for block in blocks if block is not None]
    if not present:
        return []
    height = sum(block.height for block in present) + sum(block.lead for block in present[1:])
    if height > box.height or any(block.width > box.width for block in present):
        return None
    if anchor == "center":
        y = box.y0 + (box.height - height) // 2
    elif anchor == "bottom":
        y = box.y1 - height
    else:
        y = box.y0
    placed = []
    for index, block in enumerate(present):
        if index:
            y += block.lead
        if align is Align.CENTER:
            x = box.x0 + (box.width - block.width) // 2
        elif align is Align.RIGHT:
            x = box.x1 - block.width
        else:
            x = box.x0
        placed.append(Placed(block, x, y))
        y += block.height
    return placed


def extent(placed: Sequence[Placed]) -> Box | None:
    boxes = [Box(p.x, p.y, p.x + p.block.width, p.y + p.block.height) for p in placed]
    if not boxes:
        return None
    result = boxes[0]
    for box in boxes[1:]:
        result = result.union(box)
    return result
