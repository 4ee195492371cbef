"""The image backend interface: one fully-specified render in, the image's pixels out.

Backends do not deliver files: the pipeline marks the pixels (invisible watermark) and encodes
them with the AI-generated metadata and C2PA manifest (provenance.labelling), so no asset
leaves without its labels whichever backend drew it.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Protocol

from PIL import Image

from generation.backends.text.base import Copy


class OutputFormat(StrEnum):
    JPEG = "jpeg"
    WEBP = "webp"
    PNG = "png"


@dataclass(frozen=True)
class Palette:
    primary: str  # "#RRGGBB"
    secondary: str
    accent: str
    background: str
    text: str


@dataclass(frozen=True)
class PriceTag:
    price: Decimal
    currency: str = "CNY"
    reference_price: Decimal | None = None  # shown crossed out, only when the product records one
    reference_basis: str = ""  # e.g. "前30日最低价" / "List price": printed next to it


@dataclass(frozen=True)
class SafeZone:
    """Insets in pixels that text and logo stay out of (live-stream UI overlays)."""

    top: int = 0
    right: int = 0
    bottom: int = 0
    left: int = 0


@dataclass(frozen=True)
class RenderSpec:
    width: int
    height: int
    channel: str  # "live_1080x1920", …, or "custom"
    layout: str  # a layout template name the backend knows; "" lets the backend choose by seed
    copy: Copy
    palette: Palette
    brand_name: str
    seed: int
    font_family: str = "sans"  # "sans" or "serif"
    language: str = "zh"
    safe_zone: SafeZone = field(default_factory=SafeZone)
    product_image: bytes | None = None  # the stored photo, already validated (see images.py)
    logo_image: bytes | None = None
    background_image: bytes | None = None
    price: PriceTag | None = None
    output_format: OutputFormat = OutputFormat.JPEG
    ai_label_text: str = "AI生成"  # drawn in the reserved label slot
    # False only for an unlabelled export (办法 Art. 9); the slot stays reserved and empty.
    ai_label_visible: bool = True


JPEG_QUALITY = 90
WEBP_QUALITY = 88
PNG_COMPRESS_LEVEL = 4
CONTENT_TYPES = {
    OutputFormat.JPEG: "image/jpeg",
    OutputFormat.WEBP: "image/webp",
    OutputFormat.PNG: "image/png",
}


def encode_plain(image: Image.Image, output_format: OutputFormat) -> bytes:
    """The pixels as a file with no metadata: previews, tests and benchmarks of the drawing.

    Delivered assets are encoded by provenance.metadata.encode with these same settings.
    """
    buffer = io.BytesIO()
    if output_format is OutputFormat.JPEG:
        # Baseline, not progressive or optimized: each costs a third more time for a poster
        # that is mostly flat colour, where Huffman optimisation saves little.
        image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    elif output_format is OutputFormat.WEBP:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    else:
        image.save(buffer, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


@dataclass(frozen=True)
class RenderedImage:
    image: Image.Image  # RGB pixels, not yet marked or encoded
    output_format: OutputFormat
    layout: str  # the layout actually used (resolved when spec.layout was "")
    timings_ms: dict[str, float] = field(default_factory=dict)  # e.g. compose, text

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.output_format]

    @cached_property
    def data(self) -> bytes:
        """The pixels encoded without any marks (see encode_plain)."""
        return encode_plain(self.image, self.output_format)


class ImageBackendError(Exception):
    """A backend could not render; `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class ImageBackend(Protocol):
    name: str
    version: str
    # A hosted API or GPU model: billed at the hosted price (billing.pricing).
    is_hosted: bool

    def layouts(self, *, width: int, height: int) -> list[str]:
        """The layout templates that suit this size, in a stable order."""
        ...

    def render(self, spec: RenderSpec) -> RenderedImage:
        """Render deterministically: the same spec gives the same bytes."""
        ...
