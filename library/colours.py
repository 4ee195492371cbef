"""Dominant colours of an image, colour distance for "find images in this colour", and a
palette made from an image for posters that take it as a style reference.

Colours are compared in CIE L*a*b* (D65), where a Euclidean distance roughly matches what people
see as different, unlike RGB. We use CIE76 (that Euclidean distance) rather than CIEDE2000: a
search tolerance is ~10–20 units, where the two agree well enough to rank results, and CIE76 is
what SQL and a pgvector `vector(3)` L2 index can compute over stored `lab` values.
"""

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PIL import Image

from generation.compositor.colors import INK, RGB, WHITE, contrast, mix, readable_on

LAB = tuple[float, float, float]

# Swatches come from a sample of the image's pixels on a grid that fits this square: 5,000–9,000
# pixels are plenty for shares rounded to a percent, and quantizing them takes about a
# millisecond.
SAMPLE_SIZE = 96
# Swatches closer than this are one colour to the eye (a JND is ~2.3; 8 merges the shades
# JPEG, anti-aliasing and soft light spread a flat colour into).
MERGE_DELTA_E = 8.0
# Pillow's median cut returns a flat poster's fills exactly (#fff7ed, #c2410c, #0f766e…);
# fast octree is a little faster but shifts them by one (#fef6ec, #c1410c). On photos the two
# give similar swatches. Both take 1–2 ms here.
QUANTIZE_METHOD = Image.Quantize.MEDIANCUT
QUANTIZE_COLOURS = 16  # before merging; more than `count` so that merging has shades to merge

# A swatch this light or dark, and this large, can be a poster background.
LIGHT_L = 80.0
DARK_L = 25.0
BACKGROUND_SHARE = 0.15
MIN_SHARE = 0.02  # smaller swatches are edges and noise, not colours a viewer remembers
GREY_CHROMA = 12.0  # below this C*ab a colour reads as grey, not as a brand colour
DISTINCT_DELTA_E = 25.0  # an accent must differ this much from the primary to be worth having
ACCENT_HUE_APART = 60.0  # degrees of hue: an accent this far from the primary is a new hue
TEXT_CONTRAST = 4.5  # WCAG AA for body text, the minimum the compositor asks of text colours
LARGE_TEXT_CONTRAST = 3.0  # WCAG AA for large text: headlines

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@dataclass(frozen=True)
class Swatch:
    hex: str  # "#rrggbb"
    share: float  # of the image's pixels, 0–1
    lab: LAB

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> "Swatch":
        """A swatch from its stored form on Asset.colours ({"hex", "share", "lab"})."""
        lab = data["lab"]
        assert isinstance(lab, Sequence) and len(lab) == 3
        return cls(hex=str(data["hex"]), share=float(str(data["share"])), lab=_lab_tuple(lab))


def _lab_tuple(values: Sequence[object]) -> LAB:
    return (float(str(values[0])), float(str(values[1])), float(str(values[2])))


def parse_hex(text: str) -> str | None:
    """ "#abc", "abc", "#AABBCC" or "aabbcc" as "#aabbcc"; None for anything else."""
    match = _HEX.fullmatch(text.strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits}"


def _rgb(hex_colour: str) -> RGB:
    normalised = parse_hex(hex_colour)
    if normalised is None:
        raise ValueError(f"{hex_colour!r} is not a #rrggbb colour.")
    return (int(normalised[1:3], 16), int(normalised[3:5], 16), int(normalised[5:7], 16))


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _f(t: float) -> float:
    return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29


def rgb_to_lab(rgb: RGB) -> LAB:
    """sRGB to CIE L*a*b* with the D65 white point."""
    r, g, b = (_linear(c) for c in rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
    fx, fy, fz = _f(x), _f(y), _f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def hex_to_lab(hex_colour: str) -> LAB:
    return rgb_to_lab(_rgb(hex_colour))


def delta_e(lab1: Sequence[float], lab2: Sequence[float]) -> float:
    """CIE76 ΔE*ab: the Euclidean distance in L*a*b* (see the module docstring for why)."""
    return math.dist(lab1, lab2)


def chroma(lab: Sequence[float]) -> float:
    return math.hypot(lab[1], lab[2])


def _hue_apart(lab1: Sequence[float], lab2: Sequence[float]) -> float:
    """The angle between two colours' hues in degrees, 0–180."""
    angle = abs(math.degrees(math.atan2(lab1[2], lab1[1]) - math.atan2(lab2[2], lab2[1])))
    return min(angle, 360 - angle)


def _sample(image: Image.Image) -> Image.Image:
    """The image shrunk to fit SAMPLE_SIZE, transparency composited over white, as RGB."""
    if image.mode == "P":
        # A palette image may carry transparency in its palette; RGBA makes it an alpha band.
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    scale = SAMPLE_SIZE / max(image.size)
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        # NEAREST samples pixels rather than averaging them: averaging turns thin text and
        # hairlines into a grey that is on no poster (#1f2937 text on #fff7ed became #b3afab),
        # while a sample keeps the real colours at their real share. It also reads only the
        # sampled pixels, so a 1080×1920 image costs the same as a small one.
        image = image.resize(size, Image.Resampling.NEAREST)
    if "A" in image.getbands():
        # Transparent pixels count as the white they are shown on, not as their hidden colour.
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (*WHITE, 255)), rgba)
    return image.convert("RGB")


def dominant_colours(image: Image.Image, count: int = 5) -> list[Swatch]:
    """Up to `count` colours of the image, no two within MERGE_DELTA_E, largest share first."""
    if image.width == 0 or image.height == 0:
        return []
    sample = _sample(image)
    quantized = sample.quantize(colors=QUANTIZE_COLOURS, method=QUANTIZE_METHOD)
    palette = quantized.getpalette() or []
    total = sample.width * sample.height
    counted = sorted(quantized.getcolors(QUANTIZE_COLOURS) or [], reverse=True)
    merged: list[tuple[RGB, LAB, int]] = []  # largest first: a shade joins the larger colour
    for pixels, index in counted:
        if not isinstance(index, int):
            continue
        rgb: RGB = (palette[index * 3], palette[index * 3 + 1], palette[index * 3 + 2])
        lab = rgb_to_lab(rgb)
        for position, (kept_rgb, kept_lab, kept_pixels) in enumerate(merged):
            if delta_e(lab, kept_lab) < MERGE_DELTA_E:
                merged[position] = (kept_rgb, kept_lab, kept_pixels + pixels)
                break
        else:
            merged.append((rgb, lab, pixels))
    merged.sort(key=lambda item: -item[2])
    return [
        Swatch(hex=_hex(rgb), share=pixels / total, lab=lab) for rgb, lab, pixels in merged[:count]
    ]


def _reaching(colour: RGB, background: RGB, minimum: float) -> RGB:
    """`colour` darkened (or lightened, on a dark background) just enough to reach `minimum`."""
    towards = INK if contrast(INK, background) >= contrast(WHITE, background) else WHITE
    for step in range(11):
        shade = mix(colour, towards, step / 10)
        if contrast(shade, background) >= minimum:
            return shade
    return towards


def palette_from_swatches(swatches: Sequence[Swatch]) -> dict[str, str]:
    """A brand-kit palette from an image's swatches (largest first): `Palette(**palette)`.

    - background: the largest swatch with ≥ 15% of the image that is light or dark enough to
      set text on; else the largest swatch tinted towards white, keeping the image's hue.
    - primary: the most saturated swatch with ≥ 2% of the image (smaller ones are edges and
      noise), shaded until it reaches 3:1 on the background, WCAG's minimum for large text:
      layouts set the headline in the primary and fall back to the text colour below that,
      which would lose the image's colour. Greys stand in when the image has no colour.
    - accent: a saturated swatch that differs visibly (ΔE ≥ 25) from the primary and from the
      background, preferring another hue (≥ 60° apart), else a darker shade of the primary.
    - secondary: a light tint of the primary, as in the default kit (#C2410C / #FDBA74).
    - text: the image's near-neutral with the most contrast if it reaches 4.5:1, else ink or
      white (generation.compositor.colors.readable_on).
    """
    if not swatches:
        raise ValueError("A palette needs at least one swatch.")
    colours = [(_rgb(swatch.hex), swatch) for swatch in swatches]
    base = next(
        (
            item
            for item in colours
            if item[1].share >= BACKGROUND_SHARE
            and (item[1].lab[0] >= LIGHT_L or item[1].lab[0] <= DARK_L)
        ),
        None,
    )
    background = base[0] if base else mix(colours[0][0], WHITE, 0.85)
    background_lab = rgb_to_lab(background)
    rest = [item for item in colours if item is not base and item[1].share >= MIN_SHARE]
    saturated = sorted(
        (item for item in rest if chroma(item[1].lab) >= GREY_CHROMA),
        key=lambda item: -chroma(item[1].lab),
    )
    candidates = saturated or sorted(rest, key=lambda item: -contrast(item[0], background))
    chosen = candidates[0][0] if candidates else readable_on(background)
    primary = _reaching(chosen, background, LARGE_TEXT_CONTRAST)
    chosen_lab = rgb_to_lab(chosen)
    accents = sorted(
        (
            item
            for item in saturated[1:]
            if delta_e(item[1].lab, chosen_lab) >= DISTINCT_DELTA_E
            and delta_e(item[1].lab, background_lab) >= DISTINCT_DELTA_E
        ),
        # Another hue first (teal beside orange), then a lighter or darker one of the same hue.
        key=lambda item: (
            _hue_apart(item[1].lab, chosen_lab) < ACCENT_HUE_APART,
            -chroma(item[1].lab),
        ),
    )
    accent = accents[0][0] if accents else mix(primary, INK, 0.45)
    # Text is set in a near-neutral of the image (a warm dark brown, a cool grey), never in a
    # saturated colour, which tires the eye over a paragraph.
    neutrals = sorted(
        (rgb for rgb, swatch in colours if chroma(swatch.lab) < 2 * GREY_CHROMA),
        key=lambda rgb: -contrast(rgb, background),
    )
    text = readable_on(background, *neutrals[:1], minimum=TEXT_CONTRAST)
    return {
        "primary": _hex(primary),
        "secondary": _hex(mix(primary, WHITE, 0.6)),
        "accent": _hex(accent),
        "background": _hex(background),
        "text": _hex(text),
    }
