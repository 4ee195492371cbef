"""The text backend interface: one analysis and a brand voice in, N distinct copies out."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Protocol

from generation.analysis.types import ScriptAnalysis


@dataclass(frozen=True)
class ProductBrief:
    """The facts of one catalog product that copy may use (never invent others)."""

    title: str
    category: str = ""
    description: str = ""
    attributes: tuple[tuple[str, str], ...] = ()  # (name, value), e.g. ("容量", "30ml")
    price: Decimal | None = None
    currency: str = "CNY"


@dataclass(frozen=True)
class BrandVoice:
    brand_name: str
    tone: str = ""  # the brand kit's tone of voice, free text ("温柔、专业、不夸张")
    banned_words: tuple[str, ...] = ()  # must never appear in any field of the copy
    language: str = "zh"  # "zh" or "en": the language to write in


@dataclass(frozen=True)
class CopyRequest:
    analysis: ScriptAnalysis
    voice: BrandVoice
    products: Sequence[ProductBrief] = ()  # variant i is about products[i % len(products)]
    seed: int = 0


@dataclass(frozen=True)
class Copy:
    headline: str  # ≤ 16 CJK characters or ≤ 40 Latin characters
    subheadline: str
    bullets: tuple[str, ...]  # 3 to 5 selling points, each ≤ 14 CJK / 32 Latin characters
    cta: str
    host_line: str  # what the live-stream host says
    social_post: str  # a Xiaohongshu / social caption with hashtags

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["bullets"] = list(self.bullets)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Copy":
        return cls(**{**data, "bullets": tuple(data["bullets"])})


class TextBackendError(Exception):
    """A backend could not write copy; `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class TextBackend(Protocol):
    name: str
    version: str

    def write(self, request: CopyRequest, *, variants: int) -> list[Copy]:
        """Return `variants` copies, deterministic for `request.seed`, no two sharing a headline."""
        ...
