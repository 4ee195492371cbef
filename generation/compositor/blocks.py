"""The parts of a poster's copy, measured before they are placed: text, bullets, chips, price,
button, logo and the AI label. Each reports its box as an Element so geometry can be checked
without looking at pixels.
"""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from PIL import Image, ImageDraw, ImageStat

from generation.compositor.backdrops import Colors
from generation.compositor.colors import INK, RGB, WHITE, contrast, is_dark, mix, readable_on
from generation.compositor.drawing import ellipse_mask, fill_rounded, stroke_rounded
from generation.compositor.fonts import Face
from generation.compositor.geometry import Box
from generation.compositor.text import IDEOGRAPHIC_CENTRE, baseline_offset, draw_text, measure

THUMB_FACTOR = 8


class Kind(StrEnum):
    LOGO = "logo"
    LABEL = "label"
    HEADLINE = "headline"
    SUBHEADLINE = "subheadline"
    BULLETS = "bullets"
    PRICE = "price"
    REFERENCE_PRICE = "reference_price"
    CTA = "cta"
    PRODUCT = "product"


# Everything but the product image is copy or brand mark and stays inside the safe zone.
SAFE_KINDS = frozenset(Kind) - {Kind.PRODUCT}


@dataclass(frozen=True)
class Element:
    kind: Kind
    box: Box


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


def aligned_x(align: Align, x: float, outer_width: float, inner_width: float) -> float:
    if align is Align.CENTER:
        return x + (outer_width - inner_width) / 2
    if align is Align.RIGHT:
        return x + outer_width - inner_width
    return x


class Painter:
    """The canvas being drawn, with what blocks need to choose readable colours."""

    def __init__(self, canvas: Image.Image, colors: Colors) -> None:
        self.canvas = canvas
        self.draw = ImageDraw.Draw(canvas)
        self.colors = colors
        self._thumb: Image.Image | None = None

    def freeze_backdrop(self) -> None:
        """Snapshot the background (and product) for colour sampling before copy is drawn."""
        # Nearest-neighbour sampling reads 1/64 of the pixels; a box filter over the whole
        # canvas would cost more than drawing all of the copy.
        size = (
            max(1, self.canvas.width // THUMB_FACTOR),
            max(1, self.canvas.height // THUMB_FACTOR),
        )
        self._thumb = self.canvas.resize(size, Image.Resampling.NEAREST)

    def backdrop_color(self, box: Box) -> RGB:
        if self._thumb is None:
            self.freeze_backdrop()
        assert self._thumb is not None
        f = THUMB_FACTOR
        x0 = min(max(0, box.x0 // f), self._thumb.width - 1)
        y0 = min(max(0, box.y0 // f), self._thumb.height - 1)
        x1 = min(max(x0 + 1, -(-box.x1 // f)), self._thumb.width)
        y1 = min(max(y0 + 1, -(-box.y1 // f)), self._thumb.height)
        mean = self._thumb.resize((1, 1), Image.Resampling.BOX, box=(x0, y0, x1, y1))
        red, green, blue = mean.getpixel((0, 0))  # type: ignore[misc]
        return (red, green, blue)

    def ink(self, box: Box, roles: tuple[str, ...], minimum: float) -> RGB:
        return readable_on(
            self.backdrop_color(box),
            *(self.colors.role(role) for role in roles),
            minimum=minimum,
        )

    def text(self, face: Face, text: str, x: float, baseline: float, color: RGB) -> None:
        draw_text(self.canvas, face=face, text=text, x=x, baseline=baseline, color=color)


class Block(Protocol):
    width: int
    height: int
    lead: int  # space above it in a stack

    def draw(self, painter: Painter, x: int, y: int) -> None: ...

    def elements(self, x: int, y: int) -> list[Element]: ...


@dataclass
class TextBlock:
    kind: Kind
    face: Face
    lines: tuple[str, ...]
    align: Align
    line_height: float
    roles: tuple[str, ...]  # palette colours in order of preference
    minimum_contrast: float = 4.5
    lead: int = 0
    muted: bool = False
    widths: tuple[int, ...] = field(init=False)
    width: int = field(init=False)
    height: int = field(init=False)

    def __post_init__(self) -> None:
        self.widths = tuple(measure(self.face, line) for line in self.lines)
        self.width = max(self.widths, default=0)
        self.height = round(len(self.lines) * self.face.size * self.line_height)

    def box(self, x: int, y: int) -> Box:
        return Box(x, y, x + self.width, y + self.height)

    def draw(self, painter: Painter, x: int, y: int) -> None:
        color = painter.ink(self.box(x, y), self.roles, self.minimum_contrast)
        if self.muted:
            muted = mix(color, painter.backdrop_color(self.box(x, y)), 0.3)
            if contrast(muted, painter.backdrop_color(self.box(x, y))) >= 4.5:
                color = muted
        step = self.face.size * self.line_height
        offset = baseline_offset(self.face.size, self.line_height)
        for index, (line, width) in enumerate(zip(self.lines, self.widths, strict=True)):
            left = aligned_x(self.align, x, self.width, width)
            painter.text(self.face, line, left, y + index * step + offset, color)

    def elements(self, x: int, y: int) -> list[Element]:
        return [Element(self.kind, self.box(x, y))]


class Marker(StrEnum):
    DOT = "dot"
    CHECK = "check"
    BAR = "bar"


@dataclass
class BulletList:
    face: Face
    items: tuple[tuple[str, ...], ...]  # each item's lines
    marker: Marker
    lead: int = 0
    line_height: float = 1.3
    widths: tuple[tuple[int, ...], ...] = field(init=False)
    width: int = field(init=False)
    height: int = field(init=False)

    @staticmethod
    def indent_for(size: int) -> int:
        return round(size * 1.15)

    def __post_init__(self) -> None:
        self.widths = tuple(tuple(measure(self.face, line) for line in item) for item in self.items)
        indent = self.indent_for(self.face.size)
        self.width = indent + max((max(w) for w in self.widths if w), default=0)
        lines = sum(len(item) for item in self.items)
        self.height = round(
            lines * self.face.size * self.line_height + self._gap * (len(self.items) - 1)
        )

    @property
    def _gap(self) -> int:
        return round(self.face.size * 0.42)

    def draw(self, painter: Painter, x: int, y: int) -> None:
        box = Box(x, y, x + self.width, y + self.height)
        color = painter.ink(box, ("text",), 4.5)
        marker_color = painter.ink(box, ("accent", "primary"), 2.2)
        size = self.face.size
        step = size * self.line_height
        offset = baseline_offset(size, self.line_height)
        indent = self.indent_for(size)
        top = float(y)
        for item in self.items:
            centre_y = top + offset - size * IDEOGRAPHIC_CENTRE
            self._marker(painter, x, centre_y, marker_color)
            for index, line in enumerate(item):
                painter.text(self.face, line, x + indent, top + index * step + offset, color)
            top += len(item) * step + self._gap

    def _marker(self, painter: Painter, x: int, centre_y: float, color: RGB) -> None:
        size = self.face.size
        if self.marker is Marker.DOT:
            diameter = max(3, round(size * 0.36))
            left, top = round(x + size * 0.12), round(centre_y - diameter / 2)
            painter.canvas.paste(color, (left, top), ellipse_mask(diameter, diameter))
        elif self.marker is Marker.BAR:
            height = max(3, round(size * 0.62))
            width = max(2, round(size * 0.14))
            box = Box(
                x, round(centre_y - height / 2), x + width, round(centre_y - height / 2) + height
            )
            fill_rounded(painter.canvas, box, color, width // 2)
        else:
            diameter = max(6, round(size * 0.78))
            left, top = x, round(centre_y - diameter / 2)
            painter.canvas.paste(color, (left, top), ellipse_mask(diameter, diameter))
            tick = INK if not is_dark(color) else WHITE
            points = [
                (left + diameter * 0.27, top + diameter * 0.52),
                (left + diameter * 0.44, top + diameter * 0.68),
                (left + diameter * 0.74, top + diameter * 0.34),
            ]
            painter.draw.line(
                points, fill=tick, width=max(2, round(diameter * 0.13)), joint="curve"
            )

    def elements(self, x: int, y: int) -> list[Element]:
        return [Element(Kind.BULLETS, Box(x, y, x + self.width, y + self.height))]


@dataclass
class Chips:
    """Selling points as pills that wrap into rows."""

    face: Face
    rows: tuple[tuple[str, ...], ...]
    align: Align
    max_width: int
    lead: int = 0
    filled: bool = True
    row_widths: tuple[int, ...] = field(init=False)
    width: int = field(init=False)
    height: int = field(init=False)

    @staticmethod
    def chip_width(face: Face, text: str) -> int:
        return measure(face, text) + 2 * Chips.pad(face.size)

    @staticmethod
    def pad(size: int) -> int:
        return round(size * 0.75)

    @staticmethod
    def gap(size: int) -> int:
        return round(size * 0.45)

    @staticmethod
    def chip_height(size: int) -> int:
        return round(size * 1.95)

    def __post_init__(self) -> None:
        gap = self.gap(self.face.size)
        self.row_widths = tuple(
            sum(self.chip_width(self.face, text) for text in row) + gap * (len(row) - 1)
            for row in self.rows
        )
        self.width = max(self.row_widths, default=0)
        chip = self.chip_height(self.face.size)
        self.height = len(self.rows) * chip + gap * (len(self.rows) - 1)

    def draw(self, painter: Painter, x: int, y: int) -> None:
        size = self.face.size
        chip, gap, pad = self.chip_height(size), self.gap(size), self.pad(size)
        area = Box(x, y, x + self.width, y + self.height)
        behind = painter.backdrop_color(area)
        accent = painter.ink(area, ("primary", "accent"), 2.0)
        fill = mix(behind, accent, 0.14) if self.filled else behind
        color = readable_on(fill, painter.colors.text, minimum=4.5)
        for row_index, (row, row_width) in enumerate(zip(self.rows, self.row_widths, strict=True)):
            left = round(aligned_x(self.align, x, self.width, row_width))
            top = y + row_index * (chip + gap)
            for text in row:
                width = self.chip_width(self.face, text)
                box = Box(left, top, left + width, top + chip)
                if self.filled:
                    fill_rounded(painter.canvas, box, fill, chip // 2)
                stroke_rounded(painter.canvas, box, accent, chip // 2, max(1, round(size * 0.08)))
                baseline = top + chip / 2 + size * IDEOGRAPHIC_CENTRE
                painter.text(self.face, text, left + pad, baseline, color)
                left += width + gap

    def elements(self, x: int, y: int) -> list[Element]:
        return [Element(Kind.BULLETS, Box(x, y, x + self.width, y + self.height))]


@dataclass
class PriceBlock:
    """The price in large figures; below it, only when there is one, the reference price
    crossed out after its basis ("前30日最低价 ¥299")."""

    currency_face: Face
    amount_face: Face
    cents_face: Face
    currency: str
    amount: str
    cents: str  # "" or ".90"
    reference_face: Face | None
    reference_basis: str
    reference_amount: str
    align: Align
    lead: int = 0
    width: int = field(init=False)
    height: int = field(init=False)
    main_width: int = field(init=False)
    main_height: int = field(init=False)
    ascent: int = field(init=False)
    reference_width: int = field(init=False)
    reference_height: int = field(init=False)

    def __post_init__(self) -> None:
        size = self.amount_face.size
        self.main_width = (
            measure(self.currency_face, self.currency)
            + round(size * 0.04)
            + measure(self.amount_face, self.amount)
            + measure(self.cents_face, self.cents)
        )
        # Figures stand 0.73 em above the baseline in Noto Sans CJK; leave a little air.
        self.ascent = round(size * 0.8)
        self.main_height = self.ascent + round(size * 0.08)
        self.reference_width = 0
        self.reference_height = 0
        if self.reference_face is not None:
            self.reference_width = measure(self.reference_face, self._reference_text())
            self.reference_height = round(self.reference_face.size * 1.5)
        self.width = max(self.main_width, self.reference_width)
        self.height = self.main_height + self.reference_height

    def _reference_text(self) -> str:
        basis = f"{self.reference_basis} " if self.reference_basis else ""
        return basis + self.reference_amount

    def draw(self, painter: Painter, x: int, y: int) -> None:
        main = self._main_box(x, y)
        color = painter.ink(main, ("primary", "accent"), 3.0)
        left = aligned_x(self.align, x, self.width, self.main_width)
        baseline = y + self.ascent
        painter.text(self.currency_face, self.currency, left, baseline, color)
        left += measure(self.currency_face, self.currency) + round(self.amount_face.size * 0.04)
        painter.text(self.amount_face, self.amount, left, baseline, color)
        left += measure(self.amount_face, self.amount)
        if self.cents:
            painter.text(self.cents_face, self.cents, left, baseline, color)
        if self.reference_face is None:
            return
        face = self.reference_face
        reference = self._reference_box(x, y)
        behind = painter.backdrop_color(reference)
        muted = readable_on(behind, mix(painter.colors.text, behind, 0.3), painter.colors.text)
        left = aligned_x(self.align, x, self.width, self.reference_width)
        baseline = reference.y0 + baseline_offset(face.size, 1.5)
        painter.text(face, self._reference_text(), left, baseline, muted)
        struck = measure(face, self.reference_amount)
        strike_y = round(baseline - face.size * 0.33)
        right = left + self.reference_width
        painter.draw.line(
            [(right - struck, strike_y), (right, strike_y)],
            fill=muted,
            width=max(1, round(face.size * 0.08)),
        )

    def _main_box(self, x: int, y: int) -> Box:
        left = round(aligned_x(self.align, x, self.width, self.main_width))
        return Box(left, y, left + self.main_width, y + self.main_height)

    def _reference_box(self, x: int, y: int) -> Box:
        left = round(aligned_x(self.align, x, self.width, self.reference_width))
        top = y + self.main_height
        return Box(left, top, left + self.reference_width, top + self.reference_height)

    def elements(self, x: int, y: int) -> list[Element]:
        result = [Element(Kind.PRICE, self._main_box(x, y))]
        if self.reference_face is not None:
            result.append(Element(Kind.REFERENCE_PRICE, self._reference_box(x, y)))
        return result


@dataclass
class Button:
    face: Face
    text: str
    lead: int = 0
    text_width: int = field(init=False)
    width: int = field(init=False)
    height: int = field(init=False)

    def __post_init__(self) -> None:
        size = self.face.size
        self.text_width = measure(self.face, self.text)
        self.width = max(self.text_width + round(size * 2.4), round(size * 5.5))
        self.height = round(size * 2.5)

    def draw(self, painter: Painter, x: int, y: int) -> None:
        box = Box(x, y, x + self.width, y + self.height)
        behind = painter.backdrop_color(box)
        fill = painter.colors.accent
        if contrast(fill, behind) < 1.6:
            fill = painter.colors.primary
        if contrast(fill, behind) < 1.6:
            fill = INK if not is_dark(behind) else WHITE
        fill_rounded(painter.canvas, box, fill, self.height // 2)
        color = readable_on(fill, WHITE, INK, minimum=4.5)
        size = self.face.size
        baseline = y + self.height / 2 + size * IDEOGRAPHIC_CENTRE
        painter.text(self.face, self.text, x + (self.width - self.text_width) / 2, baseline, color)

    def elements(self, x: int, y: int) -> list[Element]:
        return [Element(Kind.CTA, Box(x, y, x + self.width, y + self.height))]


@dataclass
class Row:
    """Blocks side by side, centred on each other vertically."""

    children: tuple[Block, ...]
    gap: int
    lead: int = 0
    width: int = field(init=False)
    height: int = field(init=False)

    def __post_init__(self) -> None:
        self.width = sum(child.width for child in self.children) + self.gap * (
            len(self.children) - 1
        )
        self.height = max((child.height for child in self.children), default=0)

    def _positions(self, x: int, y: int) -> list[tuple[Block, int, int]]:
        result = []
        for child in self.children:
            result.append((child, x, y + (self.height - child.height) // 2))
            x += child.width + self.gap
        return result

    def draw(self, painter: Painter, x: int, y: int) -> None:
        for child, cx, cy in self._positions(x, y):
            child.draw(painter, cx, cy)

    def elements(self, x: int, y: int) -> list[Element]:
        return [e for child, cx, cy in self._positions(x, y) for e in child.elements(cx, cy)]


@dataclass
class Column:
    """Blocks stacked, each aligned within the widest, with each one's lead above it."""

    children: tuple[Block, ...]
    align: Align
    lead: int = 0
    width: int = field(init=False)
    height: int = field(init=False)

    def __post_init__(self) -> None:
        self.width = max((child.width for child in self.children), default=0)
        self.height = sum(child.height for child in self.children) + sum(
            child.lead for child in self.children[1:]
        )

    def _positions(self, x: int, y: int) -> list[tuple[Block, int, int]]:
        result = []
        for index, child in enumerate(self.children):
            if index:
                y += child.lead
            result.append((child, round(aligned_x(self.align, x, self.width, child.width)), y))
            y += child.height
        return result

    def draw(self, painter: Painter, x: int, y: int) -> None:
        for child, cx, cy in self._positions(x, y):
            child.draw(painter, cx, cy)

    def elements(self, x: int, y: int) -> list[Element]:
        return [e for child, cx, cy in self._positions(x, y) for e in child.elements(cx, cy)]


@dataclass
class Logo:
    image: Image.Image  # RGBA or RGB, already at its drawn size
    lead: int = 0
    width: int = field(init=False)
    height: int = field(init=False)

    def __post_init__(self) -> None:
        self.width, self.height = self.image.size

    def draw(self, painter: Painter, x: int, y: int) -> None:
        box = Box(x, y, x + self.width, y + self.height)
        if self.image.mode == "RGBA":
            behind = painter.backdrop_color(box)
            mean = ImageStat.Stat(self.image.convert("RGB"), self.image.getchannel("A")).mean
            ink = (round(mean[0]), round(mean[1]), round(mean[2]))
            if contrast(ink, behind) < 1.8:
                # A dark logo on a dark photo (or light on light) gets a plate to stand on.
                pad = max(2, round(self.height * 0.12))
                plate = box.inset(-pad, -pad)
                fill_rounded(painter.canvas, plate, WHITE if is_dark(ink) else INK, pad * 2, 230)
            painter.canvas.paste(self.image, (x, y), self.image)
        else:
            painter.canvas.paste(self.image, (x, y))

    def elements(self, x: int, y: int) -> list[Element]:
        return [Element(Kind.LOGO, Box(x, y, x + self.width, y + self.height))]


@dataclass
class Label:
    """The visible AI-generated label: a semi-opaque pill that reads on any background."""

    face: Face
    text: str
    box: Box
    text_width: int

    def draw(self, painter: Painter) -> None:
        behind = painter.backdrop_color(self.box)
        fill, color = (
            (WHITE, INK) if is_dark(behind) and contrast(behind, WHITE) > 7 else (INK, WHITE)
        )
        fill_rounded(painter.canvas, self.box, fill, self.box.height // 2, opacity=170)
        size = self.face.size
        baseline = self.box.y0 + self.box.height / 2 + size * IDEOGRAPHIC_CENTRE
        left = self.box.x0 + (self.box.width - self.text_width) / 2
        painter.text(self.face, self.text, left, baseline, color)
