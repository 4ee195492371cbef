"""Setting a line of text: splitting it into font runs, measuring it, drawing it."""

from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw

from generation.compositor.colors import RGB
from generation.compositor.fonts import (
    Face,
    FontFile,
    emoji_glyph,
    font_for,
    is_ignorable,
    load_font,
)

# Ideographs sit on the em box from 0.88 em above the baseline to 0.12 em below it; lines are
# placed so that box is centred in the line, and emoji are centred on it too.
IDEOGRAPHIC_ASCENT = 0.88
IDEOGRAPHIC_CENTRE = 0.38  # above the baseline
EMOJI_HEIGHT = 1.06  # the emoji bitmaps carry a margin; this makes their ink match ideographs


@dataclass(frozen=True)
class Run:
    text: str
    font: FontFile
    is_emoji: bool


@lru_cache(maxsize=4096)
def runs(face: Face, text: str) -> tuple[Run, ...]:
    """`text` cut where the font changes; characters no font covers are left out."""
    result: list[Run] = []
    for ch in text:
        if is_ignorable(ch):
            continue
        font_file = font_for(face.paths, face.family, face.weight, ch)
        if font_file is None:
            continue
        is_emoji = font_file == face.paths.emoji
        if result and result[-1].font == font_file and not is_emoji:
            last = result[-1]
            result[-1] = Run(last.text + ch, font_file, is_emoji)
        else:
            result.append(Run(ch, font_file, is_emoji))
    return tuple(result)


@dataclass(frozen=True)
class Glyph:
    mask: Image.Image | None  # None for blank glyphs (spaces)
    left: int  # the mask's offset from the pen position on the baseline
    top: int
    advance: float


@lru_cache(maxsize=4096)
def glyph(font_file: FontFile, size: int, ch: str) -> Glyph:
    """One character rendered once: lines are set by pasting cached glyphs, which costs a
    fraction of rasterising each string (Pillow keeps no glyph cache of its own)."""
    font = load_font(font_file, size)
    advance = font.getlength(ch)
    left, top, right, bottom = (int(value) for value in font.getbbox(ch, anchor="ls"))
    if right <= left or bottom <= top:
        return Glyph(None, 0, 0, advance)
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), ch, font=font, fill=255, anchor="ls")
    return Glyph(mask, left, top, advance)


def _emoji_height(face: Face) -> int:
    return max(1, round(face.size * EMOJI_HEIGHT))


@lru_cache(maxsize=65536)
def measure(face: Face, text: str) -> int:
    """The advance width of `text` in pixels."""
    width = 0.0
    for run in runs(face, text):
        if run.is_emoji:
            width += emoji_glyph(face.paths, run.text, _emoji_height(face)).width
        else:
            width += sum(glyph(run.font, face.size, ch).advance for ch in run.text)
    return round(width)


def baseline_offset(size: int, line_height: float) -> int:
    """From the top of a line box to its baseline."""
    return round(size * (IDEOGRAPHIC_ASCENT + (line_height - 1) / 2))


def draw_text(
    image: Image.Image,
    *,
    face: Face,
    text: str,
    x: float,
    baseline: float,
    color: RGB,
) -> None:
    baseline = round(baseline)
    for run in runs(face, text):
        if run.is_emoji:
            emoji = emoji_glyph(face.paths, run.text, _emoji_height(face))
            top = round(baseline - face.size * IDEOGRAPHIC_CENTRE - emoji.height / 2)
            image.paste(emoji, (round(x), top), emoji)
            x += emoji.width
            continue
        for ch in run.text:
            shape = glyph(run.font, face.size, ch)
            if shape.mask is not None:
                image.paste(color, (round(x) + shape.left, baseline + shape.top), shape.mask)
            x += shape.advance
