"""The image backend interface: one fully-specified render in, encoded image bytes out."""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

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


@dataclass(frozen=True)
class RenderedImage:
    data: bytes
    content_type: str  # "image/jpeg", …
    width: int
    height: int
    layout: str  # the layout actually used (resolved when spec.layout was "")
    timings_ms: dict[str, float] = field(default_factory=dict)  # e.g. compose, text, encode


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
