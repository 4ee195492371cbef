"""A RenderSpec to a poster: plan the geometry (fit the copy, place the product), then draw.

`plan()` does no drawing, so tests and the labelling code can check where everything goes.
"""

import time
from dataclasses import dataclass, field, replace

from PIL import Image

from generation.backends.image.base import ImageBackendError, RenderSpec
from generation.compositor import backdrops
from generation.compositor.backdrops import Backdrop, Colors, PhotoTreatment
from generation.compositor.blocks import (
    SAFE_KINDS,
    Align,
    Block,
    Element,
    Kind,
    Label,
    Logo,
    Painter,
    TextBlock,
)
from generation.compositor.colors import INK, mix
from generation.compositor.drawing import ellipse_mask, fill_rounded, rounded_mask, soft_shadow
from generation.compositor.fonts import (
    DEFAULT_FONT_PATHS,
    FAMILIES,
    FontPaths,
    FontsMissing,
    Weight,
    require_fonts,
)
from generation.compositor.geometry import Box
from generation.compositor.layouts import (
    TEMPLATES,
    Arrange,
    Arrangement,
    Context,
    Frame,
    Stage,
    choose_layout,
    frame_for,
    layout_names,
)
from generation.compositor.linebreak import fit
from generation.compositor.sources import Lru, Picture, cover, decode, resized
from generation.compositor.text import measure
from generation.compositor.typeset import Content, Placed, shrinking

MIN_SIDE = 256
MAX_SIDE = 4096
MAX_BULLETS = 5
VARIANTS = 4  # backdrop variations per layout, cycled by the seed

# Content levels, most complete first, each tried at falling scales before the next: a fifth
# selling point goes before the type gets small, the subheadline's second line before that.
ATTEMPTS: tuple[tuple[int, tuple[float, ...]], ...] = (
    (0, (1.0, 0.93, 0.86, 0.8, 0.74)),
    (1, (0.86, 0.8, 0.74)),
    (2, (0.86, 0.8, 0.74, 0.68, 0.62, 0.56)),
    (3, (0.62, 0.56, 0.5)),
    (4, (0.56, 0.5, 0.45)),
    (5, (0.5, 0.45, 0.4)),
)


def _reduced(content: Content, level: int) -> Content:
    bullets = content.bullets[: (MAX_BULLETS, 4, 3, 3, 0, 0)[level]]
    subheadline = content.subheadline if level < 5 else ""
    return replace(
        content, bullets=bullets, subheadline=subheadline, subheadline_lines=2 if level < 3 else 1
    )


@dataclass(frozen=True)
class Plan:
    """Where everything goes on one poster."""

    layout: str
    frame: Frame
    content: Content  # what was actually set (bullets may have been dropped to fit)
    arrangement: Arrangement
    header: tuple[Placed, ...]
    label: Label
    variant: int
    product: Picture | None
    elements: tuple[Element, ...] = field(default=())

    @property
    def width(self) -> int:
        return self.frame.width

    @property
    def height(self) -> int:
        return self.frame.height

    def boxes(self, kind: Kind) -> list[Box]:
        return [element.box for element in self.elements if element.kind is kind]


def _check_spec(spec: RenderSpec) -> None:
    for side, value in (("width", spec.width), ("height", spec.height)):
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise ImageBackendError(
                f"The poster {side} must be {MIN_SIDE} to {MAX_SIDE} px, not {value}.",
                retryable=False,
            )
    try:
        Colors.of(spec.palette)
    except ValueError as exc:
        raise ImageBackendError(f"The palette is invalid: {exc}.", retryable=False) from exc
    if spec.font_family not in FAMILIES:
        raise ImageBackendError(
            f"Unknown font family {spec.font_family!r}; use one of {', '.join(FAMILIES)}.",
            retryable=False,
        )


def resolve_layout(spec: RenderSpec) -> str:
    names = layout_names(width=spec.width, height=spec.height)
    if not spec.layout:
        return choose_layout(width=spec.width, height=spec.height, seed=spec.seed)
    if spec.layout not in names:
        raise ImageBackendError(
            f"Layout {spec.layout!r} does not suit {spec.width}×{spec.height}; "
            f"use one of {', '.join(names)}.",
            retryable=False,
        )
    return spec.layout


def plan(spec: RenderSpec, *, paths: FontPaths = DEFAULT_FONT_PATHS) -> Plan:
    """The poster's geometry; raises ImageBackendError when it cannot be made."""
    _check_spec(spec)
    try:
        require_fonts(paths)
    except FontsMissing as exc:
        raise ImageBackendError(str(exc), retryable=False) from exc
    layout = resolve_layout(spec)
    template = TEMPLATES[layout]
    frame = frame_for(
        spec.width, spec.height, spec.safe_zone, label_text=spec.ai_label_text, paths=paths
    )
    product = decode(spec.product_image, role="product") if spec.product_image else None
    names = layout_names(width=spec.width, height=spec.height)
    variant = (spec.seed // len(names)) % VARIANTS
    context = Context(frame, paths, spec.font_family, product, variant)
    content = Content(
        headline=spec.copy.headline,
        subheadline=spec.copy.subheadline,
        bullets=tuple(spec.copy.bullets)[:MAX_BULLETS],
        cta=spec.copy.cta,
        price=spec.price,
    )
    arrangement, content = _arrange(context, template.arrange, content)
    header = _header(context, spec)
    label = Label(frame.label_face, frame.label_text, frame.label, frame.label_text_width)
    elements = [
        element for placed in header for element in placed.block.elements(placed.x, placed.y)
    ]
    elements.append(Element(Kind.LABEL, label.box))
    for placed in arrangement.placed:
        elements.extend(placed.block.elements(placed.x, placed.y))
    if arrangement.product is not None:
        elements.append(Element(Kind.PRODUCT, arrangement.product))
    return Plan(
        layout=layout,
        frame=frame,
        content=content,
        arrangement=arrangement,
        header=tuple(header),
        label=label,
        variant=variant,
        product=product if arrangement.product is not None else None,
        elements=tuple(elements),
    )


def _arrange(context: Context, arrange: Arrange, content: Content) -> tuple[Arrangement, Content]:
    for level, scales in ATTEMPTS:
        reduced = _reduced(content, level)
        for scale in scales:
            arrangement = arrange(context, context.typesetter(scale), reduced)
            if arrangement is not None:
                return arrangement, reduced
    # Last resort: the smallest type, words split and an ellipsis if need be, and if even the
    # product leaves no room, copy alone.
    reduced = _reduced(content, 5)
    for candidate in (context, replace(context, product=None)):
        arrangement = arrange(candidate, candidate.typesetter(0.4, truncate=True), reduced)
        if arrangement is not None:
            return arrangement, reduced
    raise ImageBackendError(
        f"The copy does not fit a {context.frame.width}×{context.frame.height} poster.",
        retryable=False,
    )


def _header(context: Context, spec: RenderSpec) -> list[Placed]:
    """The brand mark at the left of the top row: the logo, else the name as a wordmark."""
    frame = context.frame
    slot = frame.header.with_(x1=frame.label.x0 - round(frame.unit * 3))
    if slot.is_empty():
        return []
    if spec.logo_image:
        picture = decode(spec.logo_image, role="logo")
        height = slot.height
        width = min(round(height * picture.aspect), slot.width, round(height * 4.5))
        height = min(height, max(1, round(width / picture.aspect)))
        logo = Logo(resized(picture, (width, height)))
        return [Placed(logo, slot.x0, slot.y0 + (slot.height - height) // 2)]
    name = spec.brand_name.strip()
    if not name:
        return []
    setter = context.typesetter(1.0)
    start = max(10, round(slot.height * 0.62))
    fitted = fit(
        name,
        sizes=shrinking(start, down_to=0.5),
        max_width=slot.width,
        max_lines=1,
        measure_at=lambda size: lambda text: measure(setter.face(Weight.BOLD, size), text),
        balance=False,
        truncate=True,
    )
    if fitted is None:
        return []
    block = TextBlock(
        kind=Kind.LOGO,
        face=setter.face(Weight.BOLD, fitted.size),
        lines=fitted.lines,
        align=Align.LEFT,
        line_height=1.2,
        roles=("primary", "text"),
        minimum_contrast=3.0,
    )
    return [Placed(block, slot.x0, slot.y0 + (slot.height - block.height) // 2)]


# Drawing -----------------------------------------------------------------------------------

_shadows: Lru[tuple[str, int, int], tuple[Image.Image, int]] = Lru(32)


@dataclass
class Timer:
    compose: float = 0.0
    text: float = 0.0

    def as_ms(self) -> dict[str, float]:
        return {"compose": round(self.compose * 1000, 2), "text": round(self.text * 1000, 2)}


def draw(plan: Plan, spec: RenderSpec, timer: Timer) -> Image.Image:
    started = time.perf_counter()
    colors = Colors.of(spec.palette)
    frame = plan.frame
    panels = plan.arrangement.panels
    if spec.background_image:
        picture = decode(spec.background_image, role="background")
        treatment = PhotoTreatment.BEHIND_PRODUCT if plan.product else PhotoTreatment.HERO
        canvas = backdrops.photo(picture, (frame.width, frame.height), treatment).copy()
    else:
        backdrop = Backdrop(frame.width, frame.height, spec.palette, plan.variant)
        canvas = backdrops.build(backdrop).copy()
    backdrops.paint_panels(canvas, panels, colors)
    painter = Painter(canvas, colors)
    _draw_stage(painter, plan.arrangement)
    if plan.product is not None and plan.arrangement.product is not None:
        _draw_product(painter, plan.product, plan.arrangement.product, frame)
    painter.freeze_backdrop()
    now = time.perf_counter()
    timer.compose += now - started
    blocks: list[tuple[Block, int, int]] = [(p.block, p.x, p.y) for p in plan.header]
    blocks += [(p.block, p.x, p.y) for p in plan.arrangement.placed]
    for block, x, y in blocks:
        block.draw(painter, x, y)
    if spec.ai_label_visible:
        plan.label.draw(painter)
    timer.text += time.perf_counter() - now
    return canvas


def _draw_stage(painter: Painter, arrangement: Arrangement) -> None:
    box = arrangement.stage_box
    if box is None or box.is_empty():
        return
    colors = painter.colors
    # The palette's secondary colour is its soft companion: a tint of it reads as a surface on
    # light and dark backgrounds alike, where the primary would shout or turn muddy.
    if arrangement.stage is Stage.PODIUM:
        painter.canvas.paste(
            mix(colors.background, colors.secondary, 0.85),
            box.as_tuple(),
            ellipse_mask(*box.size),
        )
        top = box.with_(y1=box.y0 + round(box.height * 0.72))
        painter.canvas.paste(
            mix(colors.background, colors.secondary, 0.45),
            top.as_tuple(),
            ellipse_mask(*top.size),
        )
    elif arrangement.stage is Stage.DISC:
        painter.canvas.paste(
            mix(colors.background, colors.secondary, 0.45),
            box.as_tuple(),
            ellipse_mask(*box.size),
        )


def _draw_product(painter: Painter, picture: Picture, box: Box, frame: Frame) -> None:
    canvas = painter.canvas
    shadow_color = mix(painter.colors.background, INK, 0.8)
    if picture.has_alpha:
        image = resized(picture, box.size)

        def make_shadow() -> tuple[Image.Image, int]:
            return soft_shadow(image.getchannel("A"), blur=box.height * 0.03, opacity=0.42)

        shadow, margin = _shadows.get_or_make((picture.digest, *box.size), make_shadow)
        offset = round(box.height * 0.02)
        canvas.paste(shadow_color, (box.x0 - margin, box.y0 + offset - margin), shadow)
        canvas.paste(image, (box.x0, box.y0), image)
        return
    border = max(2, round(min(frame.width, frame.height) * 0.012))
    radius = max(2, round(min(box.size) * 0.05))

    def make_frame_shadow() -> tuple[Image.Image, int]:
        return soft_shadow(
            rounded_mask(box.width, box.height, radius), blur=box.height * 0.025, opacity=0.35
        )

    shadow, margin = _shadows.get_or_make((picture.digest + ":frame", *box.size), make_frame_shadow)
    offset = round(box.height * 0.018)
    canvas.paste(shadow_color, (box.x0 - margin, box.y0 + offset - margin), shadow)
    fill_rounded(canvas, box, (255, 255, 255), radius)
    inner = box.inset(border)
    photo = cover(picture, inner.size)
    canvas.paste(
        photo,
        (inner.x0, inner.y0),
        rounded_mask(inner.width, inner.height, max(1, radius - border)),
    )


def compose(
    spec: RenderSpec, *, paths: FontPaths = DEFAULT_FONT_PATHS
) -> tuple[Image.Image, Plan, dict[str, float]]:
    """The poster image, its plan, and compose/text timings in milliseconds."""
    timer = Timer()
    started = time.perf_counter()
    poster_plan = plan(spec, paths=paths)
    timer.text += time.perf_counter() - started
    image = draw(poster_plan, spec, timer)
    return image, poster_plan, timer.as_ms()


__all__ = ["SAFE_KINDS", "Plan", "compose", "plan", "resolve_layout"]
