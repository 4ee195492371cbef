"""What script analysis hands to copywriting and shows to the user before a job is sent."""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Tone(StrEnum):
    """The register a script is written in; the text backend writes copy to match."""

    ENERGETIC = "energetic"  # 直播 hype: 冲、抢、秒杀, exclamation marks
    WARM = "warm"  # caring, everyday: 宝宝、姐妹、温柔
    PREMIUM = "premium"  # restrained luxury: 质感、臻选、匠心
    PROFESSIONAL = "professional"  # facts and ingredients: 成分、实验、数据
    PLAYFUL = "playful"  # light, emoji, slang


class PriceKind(StrEnum):
    PRICE = "price"  # the price the buyer pays now (到手价、直播价、only $19)
    REFERENCE = "reference"  # a crossed-out / original price (原价、日常价、was $39)
    DISCOUNT = "discount"  # a reduction (立减50元、8折、30% off)


@dataclass(frozen=True)
class PriceMention:
    kind: PriceKind
    text: str  # the words as written in the script, e.g. "到手价199元"
    amount: Decimal | None = None  # 199; for DISCOUNT a money amount or None
    percent: Decimal | None = None  # for 8折 → 20 (percent off); None otherwise
    currency: str = "CNY"


@dataclass(frozen=True)
class ScriptAnalysis:
    language: str  # "zh" or "en"
    keywords: tuple[str, ...]  # best first, at most 12
    selling_points: tuple[str, ...]  # short benefit phrases/sentences, best first, at most 8
    tone: Tone
    prices: tuple[PriceMention, ...] = ()
    offers: tuple[str, ...] = ()  # 买一送一, 前100名送小样, free shipping …
    character_count: int = 0
    notes: tuple[str, ...] = field(default=())  # human-readable hints shown in the preview

    def as_json(self) -> dict[str, object]:
        return {
            "language": self.language,
            "keywords": list(self.keywords),
            "selling_points": list(self.selling_points),
            "tone": str(self.tone),
            "prices": [
                {
                    "kind": str(p.kind),
                    "text": p.text,
                    "amount": None if p.amount is None else str(p.amount),
                    "percent": None if p.percent is None else str(p.percent),
                    "currency": p.currency,
                }
                for p in self.prices
            ],
            "offers": list(self.offers),
            "character_count": self.character_count,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict) -> "ScriptAnalysis":
        return cls(
            language=data["language"],
            keywords=tuple(data["keywords"]),
            selling_points=tuple(data["selling_points"]),
            tone=Tone(data["tone"]),
            prices=tuple(
                PriceMention(
                    kind=PriceKind(p["kind"]),
                    text=p["text"],
                    amount=None if p["amount"] is None else Decimal(p["amount"]),
                    percent=None if p["percent"] is None else Decimal(p["percent"]),
                    currency=p["currency"],
                )
                for p in data["prices"]
            ),
            offers=tuple(data["offers"]),
            character_count=data.get("character_count", 0),
            notes=tuple(data.get("notes", ())),
        )
