"""Fonts: the CJK families, a per-character fallback chain, and the checks that they exist.

Every character is set in the first font of its chain whose cmap has it: the brand family
(Noto Sans/Serif CJK SC, which also covers Latin), then DejaVu Sans (symbols, extended Latin),
then Noto Color Emoji. Characters with emoji presentation (✨, 🎉) try the emoji font first so
they come out in colour rather than as DejaVu's outline glyphs. A character no font covers is
dropped: a poster never shows a tofu box.

Files come from Debian packages (fonts-noto-cjk, fonts-dejavu-core, fonts-noto-color-emoji;
`make fonts` installs them). `check_fonts()` lists what is missing as sentences for a system
check; rendering with a missing font raises `FontsMissing`.
"""

import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError
from PIL import Image, ImageDraw, ImageFont

NOTO_CJK_DIR = Path("/usr/share/fonts/opentype/noto")
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
NOTO_EMOJI_DIR = Path("/usr/share/fonts/truetype/noto")
# In the Noto CJK collections face 0 is Japanese, 1 Korean, 2 Simplified Chinese.
CJK_SC_INDEX = 2
# Noto Color Emoji is a CBDT bitmap font: FreeType loads it only at its strike size, so glyphs
# are drawn at 109 px and scaled.
EMOJI_STRIKE_SIZE = 109
INSTALL_HINT = "run `make fonts` (Debian: fonts-noto-cjk fonts-dejavu-core fonts-noto-color-emoji)"


class Weight(StrEnum):
    REGULAR = "regular"
    BOLD = "bold"


class FontsMissing(Exception):
    """A font file the compositor needs is absent or unreadable."""


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0  # the face inside a .ttc collection
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Fonts key every text cache, so their hashes are computed once, not on each lookup.
        object.__setattr__(self, "_hash", hash((str(self.path), self.index)))

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        return f"{self.path}#{self.index}" if self.index else str(self.path)


@dataclass(frozen=True)
class FontPaths:
    """Where each font of the chain lives; replace fields to point elsewhere."""

    sans_regular: FontFile = FontFile(NOTO_CJK_DIR / "NotoSansCJK-Regular.ttc", CJK_SC_INDEX)
    sans_bold: FontFile = FontFile(NOTO_CJK_DIR / "NotoSansCJK-Bold.ttc", CJK_SC_INDEX)
    serif_regular: FontFile = FontFile(NOTO_CJK_DIR / "NotoSerifCJK-Regular.ttc", CJK_SC_INDEX)
    serif_bold: FontFile = FontFile(NOTO_CJK_DIR / "NotoSerifCJK-Bold.ttc", CJK_SC_INDEX)
    fallback_regular: FontFile = FontFile(DEJAVU_DIR / "DejaVuSans.ttf")
    fallback_bold: FontFile = FontFile(DEJAVU_DIR / "DejaVuSans-Bold.ttf")
    emoji: FontFile = FontFile(NOTO_EMOJI_DIR / "NotoColorEmoji.ttf")
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(tuple(f for _, f in self.items())))

    def __hash__(self) -> int:
        return self._hash

    def items(self) -> Iterator[tuple[str, FontFile]]:
        for each in fields(self):
            if each.init:
                yield each.name.replace("_", " "), getattr(self, each.name)

    def family(self, family: str, weight: Weight) -> FontFile:
        if family == "serif":
            return self.serif_bold if weight is Weight.BOLD else self.serif_regular
        return self.sans_bold if weight is Weight.BOLD else self.sans_regular

    def fallback(self, weight: Weight) -> FontFile:
        return self.fallback_bold if weight is Weight.BOLD else self.fallback_regular


DEFAULT_FONT_PATHS = FontPaths()
FAMILIES = ("sans", "serif")


def check_fonts(paths: FontPaths = DEFAULT_FONT_PATHS) -> list[str]:
    """Problems with the font files, one sentence each; empty when all of them load."""
    problems = []
    for role, font_file in paths.items():
        if not font_file.path.is_file():
            problems.append(
                f"The {role} font {font_file.path} is missing: {INSTALL_HINT}, or point "
                "FontPaths at another copy."
            )
            continue
        try:
            coverage(font_file)
            load_font(font_file, EMOJI_STRIKE_SIZE if font_file == paths.emoji else 24)
        except (OSError, ValueError) as exc:
            problems.append(f"The {role} font {font_file} cannot be loaded: {exc}.")
    return problems


def require_fonts(paths: FontPaths = DEFAULT_FONT_PATHS) -> None:
    """Raise FontsMissing naming every absent font. The first call also reads each font's
    coverage (a worker's warm-up); later calls only look at the files, cheap enough for each
    render."""
    missing = sorted({str(f.path) for _, f in paths.items() if not f.path.is_file()})
    if missing:
        raise FontsMissing(f"Fonts missing: {', '.join(missing)}; {INSTALL_HINT}.")
    for role, font_file in paths.items():
        try:
            coverage(font_file)
        except (OSError, ValueError) as exc:
            raise FontsMissing(f"The {role} font {font_file} cannot be loaded: {exc}.") from exc


@lru_cache(maxsize=512)
def load_font(font_file: FontFile, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout, not Raqm: Raqm depends on a system FriBiDi that some machines lack, which
    # would make the same spec render differently from one machine to the next.
    return ImageFont.truetype(
        str(font_file.path),
        size,
        index=font_file.index,
        layout_engine=ImageFont.Layout.BASIC,
    )


@cache
def coverage(font_file: FontFile) -> frozenset[int]:
    """The code points the face maps to a glyph; ValueError when the file is not a font."""
    try:
        if font_file.path.suffix.lower() in (".ttc", ".otc"):
            collection = TTCollection(str(font_file.path), lazy=True)
            font = collection.fonts[font_file.index]
        else:
            font = TTFont(str(font_file.path), lazy=True, fontNumber=font_file.index)
        cmap = font.getBestCmap()
    except (TTLibError, struct.error, IndexError, KeyError, AssertionError) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from exc
    if cmap is None:
        raise ValueError("it has no Unicode cmap")
    return frozenset(cmap)


# Code points with Emoji_Presentation=Yes below U+1F000 (Unicode emoji-data.txt); above it
# nearly everything a text font lacks is an emoji, so those simply try the emoji font first.
_BMP_EMOJI_PRESENTATION = frozenset(
    [
        *range(0x231A, 0x231C),
        *range(0x23E9, 0x23ED),
        0x23F0,
        0x23F3,
        0x25FD,
        0x25FE,
        0x2614,
        0x2615,
        *range(0x2648, 0x2654),
        0x267F,
        0x2693,
        0x26A1,
        0x26AA,
        0x26AB,
        0x26BD,
        0x26BE,
        0x26C4,
        0x26C5,
        0x26CE,
        0x26D4,
        0x26EA,
        0x26F2,
        0x26F3,
        0x26F5,
        0x26FA,
        0x26FD,
        0x2705,
        0x270A,
        0x270B,
        0x2728,
        0x274C,
        0x274E,
        0x2753,
        0x2754,
        0x2755,
        0x2757,
        0x2795,
        0x2796,
        0x2797,
        0x27B0,
        0x27BF,
        0x2B1B,
        0x2B1C,
        0x2B50,
        0x2B55,
    ]
)
VARIATION_EMOJI = 0xFE0F
ZERO_WIDTH_JOINER = 0x200D


def prefers_emoji(code_point: int) -> bool:
    return code_point >= 0x1F000 or code_point in _BMP_EMOJI_PRESENTATION


def is_ignorable(ch: str) -> bool:
    """Format and control characters, variation selectors and skin-tone modifiers.

    They shape a glyph rather than being one; per-character setting cannot join emoji
    sequences, so a ZWJ family comes out as its members and a skin tone as the default.
    """
    code_point = ord(ch)
    if 0x1F3FB <= code_point <= 0x1F3FF or 0xFE00 <= code_point <= 0xFE0F:
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\n"


@dataclass(frozen=True)
class Face:
    """A family, weight and pixel size: what one text block is set in."""

    paths: FontPaths
    family: str
    weight: Weight
    size: int
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.paths, self.family, self.weight, self.size)))

    def __hash__(self) -> int:
        return self._hash

    def resized(self, size: int) -> "Face":
        return Face(self.paths, self.family, self.weight, max(1, size))


@lru_cache(maxsize=8192)
def font_for(paths: FontPaths, family: str, weight: Weight, ch: str) -> FontFile | None:
    """The first font of the chain with a glyph for `ch`; None means drop it."""
    code_point = ord(ch)
    chain = [paths.family(family, weight), paths.fallback(weight)]
    if prefers_emoji(code_point):
        chain.insert(0, paths.emoji)
    else:
        chain.append(paths.emoji)
    for font_file in chain:
        if code_point in coverage(font_file):
            return font_file
    return None


@lru_cache(maxsize=512)
def emoji_glyph(paths: FontPaths, ch: str, height: int) -> Image.Image:
    """An RGBA emoji scaled to `height` pixels, its width in proportion."""
    strike = _emoji_strike(paths, ch)
    width = max(1, round(strike.width * height / strike.height))
    return strike.resize((width, max(1, height)), Image.Resampling.LANCZOS)


@lru_cache(maxsize=256)
def _emoji_strike(paths: FontPaths, ch: str) -> Image.Image:
    font = load_font(paths.emoji, EMOJI_STRIKE_SIZE)
    left, top, right, bottom = font.getbbox(ch)
    size = (max(1, int(right - left)), max(1, int(bottom - top)))
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).text((-left, -top), ch, font=font, embedded_color=True)
    return image
