"""Drawing primitives on an RGB canvas: antialiased rounded shapes and soft shadows.

Shapes are drawn as masks at four times their size and reduced, which antialiases their edges;
masks are cached by size because the same chips and buttons recur poster after poster.
"""

from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter

from generation.compositor.colors import RGB
from generation.compositor.geometry import Box

SUPERSAMPLE = 4


@lru_cache(maxsize=256)
def rounded_mask(width: int, height: int, radius: int, opacity: int = 255) -> Image.Image:
    """An "L" mask of a rounded rectangle, antialiased; `radius` is clamped to a pill."""
    width, height = max(1, width), max(1, height)
    radius = max(0, min(radius, width // 2, height // 2))
    big = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    ImageDraw.Draw(big).rounded_rectangle(
        (0, 0, width * SUPERSAMPLE - 1, height * SUPERSAMPLE - 1),
        radius=radius * SUPERSAMPLE,
        fill=opacity,
    )
    return big.reduce(SUPERSAMPLE)


@lru_cache(maxsize=64)
def ellipse_mask(width: int, height: int, opacity: int = 255) -> Image.Image:
    width, height = max(1, width), max(1, height)
    big = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    ImageDraw.Draw(big).ellipse(
        (0, 0, width * SUPERSAMPLE - 1, height * SUPERSAMPLE - 1), fill=opacity
    )
    return big.reduce(SUPERSAMPLE)


def fill_rounded(
    canvas: Image.Image, box: Box, color: RGB, radius: int, opacity: int = 255
) -> None:
    if box.is_empty():
        return
    canvas.paste(color, box.as_tuple(), rounded_mask(box.width, box.height, radius, opacity))


def stroke_rounded(
    canvas: Image.Image, box: Box, color: RGB, radius: int, width: int, opacity: int = 255
) -> None:
    """An outline `width` pixels wide, inside `box`."""
    if box.is_empty():
        return
    outer = rounded_mask(box.width, box.height, radius, opacity).copy()
    inner_box = Box(width, width, box.width - width, box.height - width)
    if not inner_box.is_empty():
        inner = rounded_mask(inner_box.width, inner_box.height, max(0, radius - width), 255)
        outer.paste(0, inner_box.as_tuple(), inner)
    canvas.paste(color, box.as_tuple(), outer)


def soft_shadow(alpha: Image.Image, *, blur: float, opacity: float) -> tuple[Image.Image, int]:
    """A blurred copy of `alpha` (padded by the returned margin), for a drop shadow.

    The blur runs on a copy a quarter the size and is scaled back: a Gaussian of radius r at
    full size costs as much as the whole rest of a poster.
    """
    margin = max(1, round(blur * 2))
    factor = 4 if min(alpha.size) >= 64 else 1
    padded = Image.new("L", (alpha.width + 2 * margin, alpha.height + 2 * margin), 0)
    padded.paste(alpha.point(lambda value: round(value * opacity)), (margin, margin))
    small = padded.reduce(factor) if factor > 1 else padded
    small = small.filter(ImageFilter.GaussianBlur(blur / factor))
    return small.resize(padded.size, Image.Resampling.BILINEAR), margin


def paste_shadow(
    canvas: Image.Image, shadow: Image.Image, margin: int, at: tuple[int, int], color: RGB
) -> None:
    canvas.paste(color, (at[0] - margin, at[1] - margin), shadow)


def draw_line(
    canvas: Image.Image,
    start: tuple[float, float],
    end: tuple[float, float],
    color: RGB,
    width: int,
) -> None:
    ImageDraw.Draw(canvas).line([start, end], fill=color, width=max(1, width))
