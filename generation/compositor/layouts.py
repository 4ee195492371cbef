"""Layout templates: where the copy, the product and the brand mark go on a canvas.

Every canvas has a content box (the safe zone, with a design margin where the safe zone is
thinner than it) whose top row holds the brand mark on the left and the AI label on the right;
the templates arrange the body below it. Templates are grouped by aspect class (tall, square,
wide), three or more each, and each also works without a product image (copy alone).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from generation.backends.image.base import ImageBackendError, SafeZone
from generation.compositor.backdrops import EDGE_DEPTH, Edge, Panel
from generation.compositor.blocks import Align, Block, Marker
from generation.compositor.fonts import DEFAULT_FONT_PATHS, Face, FontPaths, Weight, load_font
from generation.compositor.geometry import Box
from generation.compositor.sources import Picture
from generation.compositor.text import measure
from generation.compositor.typeset import Content, Placed, Typesetter, extent, stack

# GB 45438-2025 (网络安全技术 人工智能生成合成内容标识方法), explicit labels of images: a text
# prompt such as "AI生成" on an edge or in a corner, its height no less than 5% of the image's
# shorter side. The standard's own text could not be read here; the figure and placement are
# as TC260's practice guide TC260-PG-20258A and published summaries of the standard give them
# (docs/decisions/0006-aigc-labelling-and-provenance.md).
LABEL_TEXT_HEIGHT_RATIO = 0.05
DEFAULT_LABEL_TEXT = "AI生成"
# Live-stream presets cover the lower part of the canvas with comments; product imagery may
# run under that overlay when the safe zone's bottom inset is this large a part of the height.
OVERLAY_BOTTOM_RATIO = 0.15


class Aspect(StrEnum):
    TALL = "tall"
    SQUARE = "square"
    WIDE = "wide"


def aspect_of(width: int, height: int) -> Aspect:
    ratio = height / width
    if ratio >= 1.2:
        return Aspect.TALL
    if ratio <= 1 / 1.2:
        return Aspect.WIDE
    return Aspect.SQUARE


@dataclass(frozen=True)
class Frame:
    """A canvas's fixed geometry, shared by all its templates."""

    width: int
    height: int
    aspect: Aspect
    safe: Box
    content: Box
    margin: int
    unit: float
    label: Box
    label_face: Face
    label_text: str
    label_text_width: int
    header: Box
    body: Box
    imagery_bottom: int  # how far down product imagery may reach

    @property
    def canvas(self) -> Box:
        return Box(0, 0, self.width, self.height)


def _label_face(paths: FontPaths, min_side: int, text: str) -> Face:
    target = LABEL_TEXT_HEIGHT_RATIO * min_side
    size = max(8, math.floor(target))
    font_file = paths.sans_regular
    while True:
        _, top, _, bottom = load_font(font_file, size).getbbox(text, anchor="ls")
        if bottom - top >= target:
            return Face(paths, "sans", Weight.REGULAR, size)
        size += 1


def frame_for(
    width: int,
    height: int,
    safe_zone: SafeZone,
    *,
    label_text: str = DEFAULT_LABEL_TEXT,
    paths: FontPaths = DEFAULT_FONT_PATHS,
) -> Frame:
    min_side = min(width, height)
    aspect = aspect_of(width, height)
    margin = round(min_side * 0.05)
    safe = Box(safe_zone.left, safe_zone.top, width - safe_zone.right, height - safe_zone.bottom)
    content = Box(
        max(safe_zone.left, margin),
        max(safe_zone.top, margin),
        width - max(safe_zone.right, margin),
        height - max(safe_zone.bottom, margin),
    )
    if content.width < width * 0.3 or content.height < height * 0.3:
        raise ImageBackendError(
            f"The safe zone leaves {content.width}×{content.height} px of a {width}×{height} "
            "canvas for copy; it needs at least 30% of each side.",
            retryable=False,
        )
    unit = min_side / 100 * (1.12 if aspect is Aspect.WIDE else 1.0)
    label_text = label_text.strip() or DEFAULT_LABEL_TEXT
    face = _label_face(paths, min_side, label_text)
    text_width = measure(face, label_text)
    pill_height = round(face.size * 1.7)
    pill_width = text_width + round(face.size * 1.5)
    label = Box(content.x1 - pill_width, content.y0, content.x1, content.y0 + pill_height)
    header = Box(content.x0, content.y0, content.x1, label.y1)
    body = content.with_(y0=header.y1 + round(unit * 2.6))
    large_overlay = safe_zone.bottom >= height * OVERLAY_BOTTOM_RATIO
    imagery_bottom = height - margin if large_overlay else content.y1
    return Frame(
        width=width,
        height=height,
        aspect=aspect,
        safe=safe,
        content=content,
        margin=margin,
        unit=unit,
        label=label,
        label_face=face,
        label_text=label_text,
        label_text_width=text_width,
        header=header,
        body=body,
        imagery_bottom=imagery_bottom,
    )


class Stage(StrEnum):
    """What sits under or behind the product."""

    NONE = "none"
    PODIUM = "podium"  # an ellipse the product stands on
    DISC = "disc"  # a large circle behind it


@dataclass(frozen=True)
class Arrangement:
    placed: tuple[Placed, ...]
    product: Box | None
    stage: Stage = Stage.NONE
    stage_box: Box | None = None
    panels: tuple[Panel, ...] = ()  # colour panels drawn over the backdrop


@dataclass(frozen=True)
class Context:
    frame: Frame
    paths: FontPaths
    family: str
    product: Picture | None
    variant: int

    def typesetter(self, scale: float, *, truncate: bool = False) -> Typesetter:
        return Typesetter(
            paths=self.paths,
            family=self.family,
            unit=self.frame.unit,
            scale=scale,
            truncate=truncate,
        )


Arrange = Callable[[Context, Typesetter, Content], Arrangement | None]


@dataclass(frozen=True)
class Template:
    name: str
    aspect: Aspect
    arrange: Arrange


# Product placement ------------------------------------------------------------------------


def product_box(
    context: Context,
    slot: Box,
    *,
    valign: str = "center",
    halign: str = "center",
    fill: float = 0.94,
    reserve_below: float = 0.0,
) -> Box | None:
    """The product's box, as large as fits `slot` (with its aspect ratio; a framed photo may
    be cropped up to a fifth towards the slot's shape); None when it would be too small."""
    picture = context.product
    if picture is None or slot.is_empty():
        return None
    frame = context.frame
    usable = slot.with_(y1=slot.y1 - round(slot.height * reserve_below))
    aspect = picture.aspect
    if not picture.has_alpha:
        aspect = min(max(usable.width / max(1, usable.height), aspect / 1.25), aspect * 1.25)
    width = min(usable.width * fill, usable.height * fill * aspect)
    height = width / aspect
    # Too small to sell anything: judged by area, so a slender bottle is not held to a
    # cube's standard.
    min_side = min(frame.width, frame.height)
    if width * height < (min_side * 0.2) ** 2 or max(width, height) < min_side * 0.28:
        return None
    x: float
    y: float
    if halign == "left":
        x = usable.x0
    elif halign == "right":
        x = usable.x1 - width
    else:
        x = usable.x0 + (usable.width - width) / 2
    if valign == "bottom":
        y = usable.y1 - height
    elif valign == "top":
        y = usable.y0
    else:
        y = usable.y0 + (usable.height - height) / 2
    return Box(round(x), round(y), round(x + width), round(y + height))


def _staged(box: Box | None, stage: Stage, slot: Box | None) -> tuple[Stage, Box | None]:
    """The podium or disc for a product box, kept inside the product's slot."""
    if box is None or slot is None:
        return Stage.NONE, None
    if stage is Stage.PODIUM:
        width = min(round(box.width * 1.3), slot.width)
        height = max(6, round(width * 0.12))
        x = round(box.center_x - width / 2)
        y = min(box.y1 - round(height * 0.55), slot.y1 - height)
        return stage, Box(x, y, x + width, y + height)
    if stage is Stage.DISC:
        diameter = min(round(max(box.width, box.height) * 1.02), slot.width, slot.height)
        x = round(box.center_x - diameter / 2)
        y = round(box.center_y - diameter / 2)
        x = min(max(x, slot.x0), slot.x1 - diameter)
        y = min(max(y, slot.y0), slot.y1 - diameter)
        return stage, Box(x, y, x + diameter, y + diameter)
    return Stage.NONE, None


def _arrangement(
    placed: list[Placed] | None,
    product: Box | None,
    stage: Stage = Stage.NONE,
    slot: Box | None = None,
    panels: tuple[Panel, ...] = (),
) -> Arrangement | None:
    if placed is None:
        return None
    stage, stage_box = _staged(product, stage, slot)
    return Arrangement(tuple(placed), product, stage, stage_box, panels)


def _stage_for(context: Context, stage: Stage) -> Stage:
    """Cut-outs stand on a podium or before a disc; a framed photo needs neither."""
    return stage if context.product is not None and context.product.has_alpha else Stage.NONE


def _copy_only(
    context: Context, setter: Typesetter, content: Content, *, align: Align, marker: Marker
) -> Arrangement | None:
    """Without a product the copy takes the whole body, headline larger."""
    body = context.frame.body
    if context.frame.aspect is Aspect.WIDE and align is Align.LEFT:
        return _copy_only_wide(context, setter, content, marker=marker)
    width = body.width if align is Align.LEFT else round(body.width * 0.94)
    headline = setter.headline(content.headline, width, align=align, units=10.5, max_lines=4)
    blocks: list[Block | None] = [
        headline,
        setter.subheadline(
            content.subheadline,
            width,
            align=align,
            max_lines=content.subheadline_lines,
            headline=headline,
        ),
    ]
    if align is Align.CENTER:
        blocks.append(setter.chips(content.bullets, width, align=align, max_rows=3))
    else:
        blocks.append(setter.bullets(content.bullets, width, marker=marker))
    blocks.append(setter.action(content, width, align=align))
    return _arrangement(stack(blocks, body, align=align, anchor="center"), None)


def _copy_only_wide(
    context: Context, setter: Typesetter, content: Content, *, marker: Marker
) -> Arrangement | None:
    """Wide and without a product: the headline on the left, the rest in a column beside it."""
    body = context.frame.body
    gap = setter.space(6)
    left = body.with_(x1=body.x0 + round(body.width * 0.54))
    right = body.with_(x0=left.x1 + gap)
    headline = setter.headline(content.headline, left.width, align=Align.LEFT, units=10.5)
    subheadline = setter.subheadline(
        content.subheadline,
        left.width,
        align=Align.LEFT,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    bullets = setter.bullets(content.bullets, right.width, marker=marker)
    action = setter.action(content, right.width, align=Align.LEFT)
    if not _required(headline, subheadline, bullets, action, content=content):
        return None
    copy = stack([headline, subheadline], left, align=Align.LEFT, anchor="center")
    buy = stack([bullets, action], right, align=Align.LEFT, anchor="center")
    if copy is None or buy is None:
        return None
    return _arrangement(copy + buy, None)


def _required(*blocks: Block | None, content: Content) -> bool:
    """Whether every block the content calls for was set (a None means it did not fit)."""
    headline, subheadline, bullets, action = blocks
    return (
        (headline is not None or not content.headline.strip())
        and (subheadline is not None or not content.subheadline.strip())
        and (bullets is not None or not any(b.strip() for b in content.bullets))
        and (action is not None or not (content.price or content.cta.strip()))
    )


# Tall --------------------------------------------------------------------------------------


def _has_overlay_below(frame: Frame) -> bool:
    return frame.imagery_bottom > frame.content.y1 + frame.margin


def _centred_blocks(
    setter: Typesetter, content: Content, width: int
) -> tuple[Block | None, Block | None, Block | None, Block | None] | None:
    """Headline, subheadline, selling-point chips and the price with its button, centred in
    `width`; None when one the content calls for does not fit."""
    headline = setter.headline(
        content.headline, width, align=Align.CENTER, roles=("primary", "text")
    )
    subheadline = setter.subheadline(
        content.subheadline,
        width,
        align=Align.CENTER,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    chips = setter.chips(content.bullets, width, align=Align.CENTER)
    action = setter.action(content, width, align=Align.CENTER)
    if not _required(headline, subheadline, chips, action, content=content):
        return None
    return headline, subheadline, chips, action


def tall_stage(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """Centred: headline and selling-point chips on top, the product on a podium, price and
    button at the foot of the safe zone (or, over a live-stream overlay, above the product,
    which then runs down under the overlay)."""
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.CENTER, marker=Marker.DOT)
    frame = context.frame
    body = frame.body
    blocks = _centred_blocks(setter, content, body.width)
    if blocks is None:
        return None
    headline, subheadline, chips, action = blocks
    gap = setter.space(3.5)
    if _has_overlay_below(frame):
        top = stack([headline, subheadline, chips, action], body, align=Align.CENTER)
        bottom: list[Placed] | None = []
        slot_bottom = frame.imagery_bottom
    else:
        top = stack([headline, subheadline, chips], body, align=Align.CENTER)
        bottom = stack([action], body, align=Align.CENTER, anchor="bottom")
        bottom_start = extent(bottom) if bottom else None
        slot_bottom = (bottom_start.y0 if bottom_start else body.y1) - gap
    if top is None or bottom is None:
        return None
    top_end = extent(top)
    slot = Box(
        frame.margin,
        (top_end.y1 if top_end else body.y0) + gap,
        frame.width - frame.margin,
        slot_bottom,
    )
    product = product_box(context, slot, valign="bottom", reserve_below=0.06)
    if product is None:
        return None
    return _arrangement(top + bottom, product, _stage_for(context, Stage.PODIUM), slot)


def tall_split(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """The product on a colour panel across the top; the copy left-aligned below it."""
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.LEFT, marker=Marker.CHECK)
    frame = context.frame
    body = frame.body
    width = body.width
    headline = setter.headline(content.headline, width, align=Align.LEFT)
    subheadline = setter.subheadline(
        content.subheadline,
        width,
        align=Align.LEFT,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    bullets = setter.bullets(content.bullets, width, marker=Marker.CHECK)
    action = setter.action(content, width, align=Align.LEFT)
    if not _required(headline, subheadline, bullets, action, content=content):
        return None
    gap = setter.space(4)
    if _has_overlay_below(frame):
        # Over a live-stream overlay the copy takes the safe zone and the product's panel
        # runs from under it down into the overlay.
        copy = stack([headline, subheadline, bullets, action], body, align=Align.LEFT)
        copy_box = extent(copy) if copy else None
        if copy is None or copy_box is None:
            return None
        split = copy_box.y1 + gap
        panel_box = Box(0, split, frame.width, frame.height)
        solid = split + round(panel_box.height * EDGE_DEPTH)
        slot = Box(frame.margin, solid, frame.width - frame.margin, frame.imagery_bottom)
        side = "top"
    else:
        copy = stack(
            [headline, subheadline, bullets, action], body, align=Align.LEFT, anchor="bottom"
        )
        copy_box = extent(copy) if copy else None
        if copy is None or copy_box is None:
            return None
        # The panel ends above the copy, but no lower than 60% down the body: short copy
        # leaves air under the product rather than a giant product.
        split = min(copy_box.y0 - gap, body.y0 + round(body.height * 0.6))
        column = body.with_(y0=split + gap)
        top = stack([headline, subheadline, bullets], column, align=Align.LEFT)
        bottom = stack([action], column, align=Align.LEFT, anchor="bottom")
        if top is None or bottom is None:
            return None
        copy = top + bottom
        panel_box = Box(0, 0, frame.width, split)
        slot = Box(frame.margin, body.y0, frame.width - frame.margin, split - gap)
        side = "bottom"
    if slot.height < body.height * 0.34:
        return None
    product = product_box(context, slot)
    if product is None:
        return None
    edge = (Edge.ARC, Edge.SLANT, Edge.ARC, Edge.STRAIGHT)[context.variant % 4]
    panel = Panel(panel_box, edge, side, "primary", 0.88)
    return _arrangement(copy, product, panels=(panel,))


def tall_showcase(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """Editorial: a left-aligned headline across the top, selling points and price in a column
    on the left, the product large on the right on a disc, running into the lower overlay."""
    return _showcase(context, setter, content, product_left=False)


def tall_showcase_mirrored(
    context: Context, setter: Typesetter, content: Content
) -> Arrangement | None:
    """The showcase mirrored: the product on the left on its disc, the column on the right."""
    return _showcase(context, setter, content, product_left=True)


def _showcase(
    context: Context, setter: Typesetter, content: Content, *, product_left: bool
) -> Arrangement | None:
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.LEFT, marker=Marker.BAR)
    frame = context.frame
    body = frame.body
    headline = setter.headline(
        content.headline, body.width, align=Align.LEFT, roles=("primary", "text")
    )
    subheadline = setter.subheadline(
        content.subheadline,
        body.width,
        align=Align.LEFT,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    top = stack([headline, subheadline], body, align=Align.LEFT)
    if top is None or (headline is None and content.headline.strip()):
        return None
    top_end = extent(top)
    gap = setter.space(4)
    lower = body.with_(y0=(top_end.y1 if top_end else body.y0) + gap)
    column_width = round(body.width * 0.46)
    if product_left:
        column = lower.with_(x0=lower.x1 - column_width)
    else:
        column = lower.with_(x1=lower.x0 + column_width)
    bullets = setter.bullets(content.bullets, column_width, marker=Marker.BAR)
    action = setter.action(content, column_width, align=Align.LEFT, stacked=True)
    if not _required(headline, subheadline, bullets, action, content=content):
        return None
    side = stack([bullets, action], column, align=Align.LEFT, anchor="center")
    if side is None:
        return None
    if product_left:
        slot = Box(frame.margin, lower.y0, column.x0 - gap, frame.imagery_bottom)
    else:
        slot = Box(column.x1 + gap, lower.y0, frame.width - frame.margin, frame.imagery_bottom)
    product = product_box(context, slot, valign="center", fill=0.86)
    if product is None:
        return None
    return _arrangement(top + side, product, _stage_for(context, Stage.DISC), slot)


def tall_spotlight(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """The product first: large on a disc at the top of the body, the headline, subheadline,
    selling-point chips, price and button centred under it at the foot of the safe zone (the
    stage turned upside down)."""
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.CENTER, marker=Marker.DOT)
    frame = context.frame
    body = frame.body
    blocks = _centred_blocks(setter, content, body.width)
    if blocks is None:
        return None
    headline, subheadline, chips, action = blocks
    copy = stack([headline, subheadline, chips, action], body, align=Align.CENTER, anchor="bottom")
    copy_box = extent(copy) if copy else None
    if copy is None or copy_box is None:
        return None
    gap = setter.space(4)
    split = copy_box.y0 - gap
    slot = Box(frame.margin, body.y0, frame.width - frame.margin, split - gap)
    if slot.height < body.height * 0.34:
        return None
    product = product_box(context, slot, valign="center", fill=0.9)
    if product is None:
        return None
    # The copy's panel runs to the foot of the canvas, under a live-stream overlay too.
    edge = (Edge.ARC, Edge.SLANT, Edge.STRAIGHT, Edge.ARC)[context.variant % 4]
    # The palette's soft companion, as under a podium: the copy's ink adapts to it.
    panel = Panel(Box(0, split, frame.width, frame.height), edge, "top", "secondary", 0.6)
    return _arrangement(copy, product, _stage_for(context, Stage.DISC), slot, panels=(panel,))


# Square ------------------------------------------------------------------------------------


def square_side(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """Copy in a column on the left, the product on a colour panel on the right."""
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.LEFT, marker=Marker.DOT)
    frame = context.frame
    body = frame.body
    column = body.with_(x1=frame.content.x0 + round(frame.content.width * 0.56))
    width = column.width
    headline = setter.headline(content.headline, width, align=Align.LEFT)
    subheadline = setter.subheadline(
        content.subheadline,
        width,
        align=Align.LEFT,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    bullets = setter.bullets(content.bullets, width, marker=Marker.DOT)
    action = setter.action(content, width, align=Align.LEFT, stacked=True)
    if not _required(headline, subheadline, bullets, action, content=content):
        return None
    top = stack([headline, subheadline, bullets], column, align=Align.LEFT)
    if top is None:
        return None
    top_end = extent(top)
    rest = column.with_(y0=(top_end.y1 if top_end else column.y0))
    bottom = stack([action], rest, align=Align.LEFT, anchor="bottom")
    if bottom is None:
        return None
    panel_x = column.x1 + round(frame.unit * 2.5)
    depth = round((frame.width - panel_x) * EDGE_DEPTH)
    slot = Box(panel_x + depth, body.y0, frame.width - round(frame.margin * 0.6), body.y1)
    product = product_box(context, slot, fill=0.96)
    if product is None:
        return None
    edge = (Edge.ARC, Edge.SLANT, Edge.STRAIGHT)[context.variant % 3]
    panel = Panel(Box(panel_x, 0, frame.width, frame.height), edge, "left", "primary", 0.85)
    return _arrangement(top + bottom, product, panels=(panel,))


def square_center(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """Centred: headline on top, the product on a podium, chips and the price row below."""
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.CENTER, marker=Marker.DOT)
    frame = context.frame
    body = frame.body
    width = body.width
    headline = setter.headline(
        content.headline, width, align=Align.CENTER, roles=("primary", "text"), max_lines=2
    )
    subheadline = setter.subheadline(
        content.subheadline,
        width,
        align=Align.CENTER,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    chips = setter.chips(content.bullets, width, align=Align.CENTER, max_rows=2, units=3.2)
    action = setter.action(content, width, align=Align.CENTER)
    if not _required(headline, subheadline, chips, action, content=content):
        return None
    top = stack([headline, subheadline], body, align=Align.CENTER)
    bottom = stack([chips, action], body, align=Align.CENTER, anchor="bottom")
    if top is None or bottom is None:
        return None
    gap = setter.space(2.5)
    top_end, bottom_start = extent(top), extent(bottom)
    slot = Box(
        body.x0,
        (top_end.y1 if top_end else body.y0) + gap,
        body.x1,
        (bottom_start.y0 if bottom_start else body.y1) - gap,
    )
    product = product_box(context, slot, valign="bottom", reserve_below=0.08, fill=0.98)
    if product is None:
        return None
    return _arrangement(top + bottom, product, _stage_for(context, Stage.PODIUM), slot)


def square_band(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """A colour band across the foot carries the headline, price and button; above it the
    selling points on the left and the product on the right."""
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.CENTER, marker=Marker.DOT)
    frame = context.frame
    body = frame.body
    gap = setter.space(3)
    left_width = round(body.width * 0.58)
    right_width = body.width - left_width - gap
    headline = setter.headline(
        content.headline, left_width, align=Align.LEFT, max_lines=3, units=7.4
    )
    subheadline = setter.subheadline(
        content.subheadline,
        left_width,
        align=Align.LEFT,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    action = setter.action(content, right_width, align=Align.RIGHT, stacked=True)
    bullets = setter.bullets(content.bullets, round(body.width * 0.5), marker=Marker.CHECK)
    if not _required(headline, subheadline, bullets, action, content=content):
        return None
    copy = stack(
        [headline, subheadline],
        body.with_(x1=body.x0 + left_width),
        align=Align.LEFT,
        anchor="bottom",
    )
    buy = stack([action], body.with_(x0=body.x1 - right_width), align=Align.RIGHT, anchor="bottom")
    if copy is None or buy is None:
        return None
    tops = [box.y0 for box in (extent(copy), extent(buy)) if box is not None]
    band_text_top = min(tops) if tops else body.y1 - setter.space(8)
    # The panel's shaped top edge cuts EDGE_DEPTH of its height: start it high enough that
    # the solid colour begins above the text.
    solid_top = band_text_top - gap
    band_top = round((solid_top - EDGE_DEPTH * frame.height) / (1 - EDGE_DEPTH))
    if band_top - body.y0 < body.height * 0.45:
        return None
    above = body.with_(y1=band_top - gap)
    points = stack(
        [bullets],
        above.with_(x1=above.x0 + round(body.width * 0.5)),
        align=Align.LEFT,
        anchor="center",
    )
    if points is None:
        return None
    slot = above.with_(x0=above.x0 + round(body.width * 0.5) + gap, x1=frame.width - frame.margin)
    product = product_box(context, slot, valign="bottom", fill=0.98)
    if product is None:
        return None
    edge = (Edge.STRAIGHT, Edge.SLANT, Edge.ARC)[context.variant % 3]
    panel = Panel(Box(0, band_top, frame.width, frame.height), edge, "top", "primary", 0.92)
    return _arrangement(copy + buy + points, product, panels=(panel,))


# Wide --------------------------------------------------------------------------------------


def wide_copy_left(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """Copy on the left, the product on the right on a disc."""
    return _wide_disc(context, setter, content, product_left=False)


def wide_copy_right(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """The copy-left banner mirrored: the product on the left on a disc, the copy on the right."""
    return _wide_disc(context, setter, content, product_left=True)


def _wide_disc(
    context: Context, setter: Typesetter, content: Content, *, product_left: bool
) -> Arrangement | None:
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.LEFT, marker=Marker.CHECK)
    frame = context.frame
    body = frame.body
    column_width = round(body.width * 0.56)
    if product_left:
        column = body.with_(x0=body.x1 - column_width)
    else:
        column = body.with_(x1=body.x0 + column_width)
    width = column.width
    headline = setter.headline(content.headline, width, align=Align.LEFT, roles=("primary", "text"))
    subheadline = setter.subheadline(
        content.subheadline,
        width,
        align=Align.LEFT,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    bullets = setter.bullets(content.bullets, width, marker=Marker.CHECK)
    action = setter.action(content, width, align=Align.LEFT)
    if not _required(headline, subheadline, bullets, action, content=content):
        return None
    placed = stack(
        [headline, subheadline, bullets, action], column, align=Align.LEFT, anchor="center"
    )
    if placed is None:
        return None
    gap = setter.space(4)
    if product_left:
        slot = Box(frame.margin, body.y0, column.x0 - gap, frame.height - frame.margin)
    else:
        slot = Box(
            column.x1 + gap, body.y0, frame.width - frame.margin, frame.height - frame.margin
        )
    product = product_box(context, slot, fill=0.84)
    if product is None:
        return None
    return _arrangement(placed, product, _stage_for(context, Stage.DISC), slot)


def wide_product_left(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """The product on a colour panel on the left, the copy on the right."""
    return _wide_panel(context, setter, content, product_left=True)


def wide_product_right(
    context: Context, setter: Typesetter, content: Content
) -> Arrangement | None:
    """The product on a colour panel on the right, the copy on the left."""
    return _wide_panel(context, setter, content, product_left=False)


def _wide_panel(
    context: Context, setter: Typesetter, content: Content, *, product_left: bool
) -> Arrangement | None:
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.LEFT, marker=Marker.DOT)
    frame = context.frame
    body = frame.body
    panel_width = round(frame.width * 0.42)
    gap = setter.space(4)
    if product_left:
        column = body.with_(x0=panel_width + gap)
    else:
        column = body.with_(x1=frame.width - panel_width - gap)
    width = column.width
    headline = setter.headline(content.headline, width, align=Align.LEFT)
    subheadline = setter.subheadline(
        content.subheadline,
        width,
        align=Align.LEFT,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    bullets = setter.bullets(content.bullets, width, marker=Marker.DOT)
    action = setter.action(content, width, align=Align.LEFT)
    if not _required(headline, subheadline, bullets, action, content=content):
        return None
    placed = stack(
        [headline, subheadline, bullets, action], column, align=Align.LEFT, anchor="center"
    )
    if placed is None:
        return None
    depth = round(panel_width * EDGE_DEPTH)
    bottom = frame.height - frame.margin
    edge = (Edge.ARC, Edge.SLANT)[context.variant % 2]
    if product_left:
        slot = Box(frame.margin, body.y0, panel_width - depth, bottom)
        panel = Panel(Box(0, 0, panel_width, frame.height), edge, "right", "primary", 0.88)
    else:
        edge_x = frame.width - panel_width
        slot = Box(edge_x + depth, body.y0, frame.width - frame.margin, bottom)
        panel = Panel(Box(edge_x, 0, frame.width, frame.height), edge, "left", "primary", 0.88)
    product = product_box(context, slot, fill=0.92)
    if product is None:
        return None
    return _arrangement(placed, product, panels=(panel,))


def wide_triptych(context: Context, setter: Typesetter, content: Content) -> Arrangement | None:
    """Three columns: headline left, the product centred on a podium, selling points and the
    price on the right."""
    if context.product is None:
        return _copy_only(context, setter, content, align=Align.CENTER, marker=Marker.DOT)
    frame = context.frame
    body = frame.body
    gap = setter.space(4)
    left = body.with_(x1=body.x0 + round(body.width * 0.34))
    right = body.with_(x0=body.x1 - round(body.width * 0.32))
    headline = setter.headline(
        content.headline, left.width, align=Align.LEFT, roles=("primary", "text"), units=8.4
    )
    subheadline = setter.subheadline(
        content.subheadline,
        left.width,
        align=Align.LEFT,
        max_lines=content.subheadline_lines,
        headline=headline,
    )
    bullets = setter.bullets(content.bullets, right.width, marker=Marker.DOT, units=3.4)
    action = setter.action(content, right.width, align=Align.LEFT, stacked=True)
    if not _required(headline, subheadline, bullets, action, content=content):
        return None
    copy = stack([headline, subheadline], left, align=Align.LEFT, anchor="center")
    buy = stack([bullets, action], right, align=Align.LEFT, anchor="center")
    if copy is None or buy is None:
        return None
    slot = Box(left.x1 + gap, body.y0, right.x0 - gap, frame.height - frame.margin)
    product = product_box(context, slot, valign="bottom", reserve_below=0.1, fill=0.96)
    if product is None:
        return None
    return _arrangement(copy + buy, product, _stage_for(context, Stage.PODIUM), slot)


TEMPLATES: dict[str, Template] = {
    template.name: template
    for template in (
        Template("tall_stage", Aspect.TALL, tall_stage),
        Template("tall_split", Aspect.TALL, tall_split),
        Template("tall_showcase", Aspect.TALL, tall_showcase),
        Template("tall_spotlight", Aspect.TALL, tall_spotlight),
        Template("tall_showcase_mirrored", Aspect.TALL, tall_showcase_mirrored),
        Template("square_side", Aspect.SQUARE, square_side),
        Template("square_center", Aspect.SQUARE, square_center),
        Template("square_band", Aspect.SQUARE, square_band),
        Template("wide_copy_left", Aspect.WIDE, wide_copy_left),
        Template("wide_product_left", Aspect.WIDE, wide_product_left),
        Template("wide_triptych", Aspect.WIDE, wide_triptych),
        Template("wide_copy_right", Aspect.WIDE, wide_copy_right),
        Template("wide_product_right", Aspect.WIDE, wide_product_right),
    )
}


def layout_names(*, width: int, height: int) -> list[str]:
    """The templates for this canvas's aspect class, in a stable order."""
    aspect = aspect_of(width, height)
    return [name for name, template in TEMPLATES.items() if template.aspect is aspect]


def choose_layout(*, width: int, height: int, seed: int) -> str:
    """The template for `seed`: consecutive seeds cycle through all of them."""
    names = layout_names(width=width, height=height)
    return names[seed % len(names)]


def label_slot(
    layout: str,
    *,
    width: int,
    height: int,
    safe_zone: SafeZone,
    text: str = DEFAULT_LABEL_TEXT,
    paths: FontPaths = DEFAULT_FONT_PATHS,
) -> Box:
    """The box reserved for the visible AI label in `layout` at this size: the top-right corner
    of the safe zone (inside the design margin). No other element of the layout overlaps it."""
    if layout not in TEMPLATES:
        raise KeyError(layout)
    return frame_for(width, height, safe_zone, label_text=text, paths=paths).label
