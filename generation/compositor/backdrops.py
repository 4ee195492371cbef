"""Poster backgrounds from the brand palette or a background photo.

A backdrop (gradient and soft blobs) depends only on the canvas, the palette and a seeded
variant, never on the copy, so every poster of a brand at one size shares it: the LRU turns the
costliest full-canvas work into one copy. Colour panels, whose edges follow the copy, are
painted over it per poster.
"""

import random
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter

from generation.backends.image.base import Palette
from generation.compositor.colors import RGB, mix, parse_hex
from generation.compositor.drawing import SUPERSAMPLE
from generation.compositor.geometry import Box
from generation.compositor.sources import Lru, Picture, cover

EDGE_DEPTH = 0.16  # how deep a shaped edge cuts into its panel, as a part of its depth


class Edge(StrEnum):
    STRAIGHT = "straight"
    ARC = "arc"  # a convex curve on the panel's open side
    SLANT = "slant"


@dataclass(frozen=True)
class Panel:
    box: Box
    edge: Edge
    side: str  # the open side the edge shape applies to: "bottom", "top", "left", "right"
    role: str  # the palette colour: "primary", "secondary", "accent"
    strength: float = 1.0  # how far from the background towards the role colour


@dataclass(frozen=True)
class Backdrop:
    width: int
    height: int
    palette: Palette
    variant: int
    blobs: int = 2


@dataclass(frozen=True)
class Colors:
    primary: RGB
    secondary: RGB
    accent: RGB
    background: RGB
    text: RGB

    @classmethod
    def of(cls, palette: Palette) -> "Colors":
        return cls(
            parse_hex(palette.primary),
            parse_hex(palette.secondary),
            parse_hex(palette.accent),
            parse_hex(palette.background),
            parse_hex(palette.text),
        )

    def role(self, name: str) -> RGB:
        value: RGB = getattr(self, name)
        return value


def panel_color(colors: Colors, panel: Panel) -> RGB:
    return mix(colors.background, colors.role(panel.role), panel.strength)


_built: Lru[Backdrop, Image.Image] = Lru(12)


def build(backdrop: Backdrop) -> Image.Image:
    """The backdrop image; shared, so callers copy it before drawing."""
    return _built.get_or_make(backdrop, lambda: _build(backdrop))


def _build(backdrop: Backdrop) -> Image.Image:
    colors = Colors.of(backdrop.palette)
    size = (backdrop.width, backdrop.height)
    rng = random.Random(f"backdrop:{backdrop.variant}")  # noqa: S311 (decoration, not secrets)
    base = colors.background
    far = mix(base, colors.secondary, 0.22)
    canvas = Image.new("RGB", size, base)
    canvas.paste(far, (0, 0, *size), _gradient_mask(size, backdrop.variant % 3))
    corners = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.5), (0.0, 0.55)]
    rng.shuffle(corners)
    roles = ("primary", "accent", "secondary")
    for index in range(backdrop.blobs):
        cx, cy = corners[index]
        diameter = round(max(size) * rng.uniform(0.55, 0.8))
        color = mix(base, colors.role(roles[index % len(roles)]), 0.55)
        mask = _blob_mask(diameter, round(255 * rng.uniform(0.28, 0.4)))
        canvas.paste(
            color,
            (round(cx * size[0] - diameter / 2), round(cy * size[1] - diameter / 2)),
            mask,
        )
    return canvas


def paint_panels(canvas: Image.Image, panels: tuple[Panel, ...], colors: Colors) -> None:
    for panel in panels:
        _paint_panel(canvas, panel, panel_color(colors, panel))


def _gradient_mask(size: tuple[int, int], direction: int) -> Image.Image:
    vertical = Image.linear_gradient("L")
    if direction == 0:
        mask = vertical
    elif direction == 1:
        mask = ImageChops.add(vertical, vertical.transpose(Image.Transpose.ROTATE_90), 2.0)
    else:
        mask = ImageChops.add(vertical, vertical.transpose(Image.Transpose.ROTATE_270), 2.0)
    return mask.resize(size, Image.Resampling.BILINEAR)


@lru_cache(maxsize=32)
def _blob_mask(diameter: int, opacity: int) -> Image.Image:
    # radial_gradient is 0 at the centre, 181 at the middle of each edge and 255 in the
    # corners: a disc of radius 181, inverted and eased out.
    falloff = [round(opacity * (1 - min(1.0, value / 181)) ** 1.6) for value in range(256)]
    mask = Image.radial_gradient("L").point(falloff)
    return mask.resize((diameter, diameter), Image.Resampling.BILINEAR)


def _paint_panel(canvas: Image.Image, panel: Panel, color: RGB) -> None:
    box = panel.box
    if box.is_empty():
        return
    mask = panel_mask(box.width, box.height, panel.edge, panel.side)
    canvas.paste(color, box.as_tuple(), mask)


@lru_cache(maxsize=16)
def panel_mask(width: int, height: int, edge: Edge, side: str) -> Image.Image:
    """The panel's shape at full size. Only the strip holding the shaped edge is drawn
    supersampled (antialiased); the rest is a plain rectangle."""
    if edge is Edge.STRAIGHT:
        return Image.new("L", (width, height), 255)
    # Build the shape with its edge at the bottom, then turn it to face the panel's side.
    turned = side in ("left", "right")
    w, h = (height, width) if turned else (width, height)
    depth = max(1, round(h * EDGE_DEPTH))
    shape = Image.new("L", (w, h), 0)
    shape.paste(255, (0, 0, w, h - depth))
    factor = SUPERSAMPLE
    strip = Image.new("L", (w * factor, depth * factor), 0)
    draw = ImageDraw.Draw(strip)
    if edge is Edge.ARC:
        # The lower half of a wide ellipse whose top half is inside the rectangle.
        draw.ellipse(
            (-0.25 * w * factor, -depth * factor, 1.25 * w * factor, depth * factor - 1), fill=255
        )
    else:
        draw.polygon([(0, 0), (w * factor, 0), (0, depth * factor - 1)], fill=255)
    shape.paste(strip.reduce(factor), (0, h - depth))
    transpose = {
        "bottom": None,
        "top": Image.Transpose.FLIP_TOP_BOTTOM,
        "right": Image.Transpose.ROTATE_90,
        "left": Image.Transpose.ROTATE_270,
    }[side]
    return shape.transpose(transpose) if transpose is not None else shape


class PhotoTreatment(StrEnum):
    BEHIND_PRODUCT = "behind_product"  # blurred and darkened: the product is the subject
    HERO = "hero"  # the photo is the subject: only darkened, so copy reads on it


_photos: Lru[tuple[str, int, int, str], Image.Image] = Lru(8)


def photo(picture: Picture, size: tuple[int, int], treatment: PhotoTreatment) -> Image.Image:
    """A background photo cover-cropped to `size`, treated for legibility (cached, shared)."""

    def make() -> Image.Image:
        image = cover(picture, size)
        if treatment is PhotoTreatment.BEHIND_PRODUCT:
            small = image.reduce(4) if min(size) >= 64 else image
            small = small.filter(ImageFilter.GaussianBlur(max(1, min(small.size) // 90)))
            image = small.resize(size, Image.Resampling.BILINEAR)
            return ImageEnhance.Brightness(image).enhance(0.55)
        return ImageEnhance.Brightness(image).enhance(0.6)

    return _photos.get_or_make((picture.digest, size[0], size[1], treatment.value), make)


def clear_caches() -> None:
    _built.clear()
    _photos.clear()
