"""What the built-in text backend knows about one product: its facts as template slot values.

Everything here comes from the script analysis or the catalog product, never from templates:
short names, benefit phrases, ingredients, selling points, bullet candidates, the price line
and the offers, all already free of the brand's banned words.
"""

import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import ModuleType

from generation.analysis.lexicon import (
    TermKind,
    commerce_terms_en,
    commerce_terms_zh,
    stopwords_en,
    stopwords_zh,
)
from generation.analysis.segment import cut_zh
from generation.analysis.selling_points import (
    EXTRA_CUES_EN,
    EXTRA_CUES_ZH,
    clean_phrase,
    cue_score,
    extract_selling_points,
)
from generation.analysis.text import has_cjk, split_clauses
from generation.analysis.types import PriceKind, PriceMention, ScriptAnalysis
from generation.backends.text import templates_en, templates_zh
from generation.backends.text.base import BrandVoice, ProductBrief


@dataclass(frozen=True)
class Language:
    code: str
    templates: ModuleType
    headline_max: int
    bullet_max: int
    benefit_max: int  # a benefit phrase that fits in a headline slot
    name_max: int  # a product name that fits in a headline slot
    point_max: int
    spoken_point_max: int  # a selling point short enough to say in one breath


ZH = Language(
    "zh",
    templates_zh,
    headline_max=16,
    bullet_max=14,
    benefit_max=7,
    name_max=10,
    point_max=24,
    spoken_point_max=24,
)
EN = Language(
    "en",
    templates_en,
    headline_max=40,
    bullet_max=32,
    benefit_max=24,
    name_max=28,
    point_max=90,
    spoken_point_max=64,
)


_SPEC = re.compile(
    r"\d+(?:\.\d+)?\s*(?:ml|mL|ML|g|G|kg|克|毫升|片|支|瓶|盒|件|粒|袋|包|只|双|套|cm|mm|寸|英寸|L|升|斤"
    r"|mAh|W|oz|fl\.? ?oz)(?![A-Za-z])|[xX×*]\s*\d+",
)
_BRACKETED = re.compile(r"【[^】]*】|\[[^\]]*\]|（[^）]*）|\([^)]*\)")
_GENERIC_OFFERS = re.compile(
    r"包邮|运费险|无理由|质保|退换|free (?:shipping|delivery|returns)|returns|warranty", re.I
)
_INGREDIENT_ATTRIBUTES = re.compile(
    r"成分|材质|面料|材料|技术|ingredient|material|fabric|tech", re.I
)
_BENEFIT_ATTRIBUTES = re.compile(r"功效|卖点|特点|功能|benefit|feature|effect|claim", re.I)
_AUDIENCE_ATTRIBUTES = re.compile(r"适用|人群|肤质|suitable|skin type|for whom", re.I)
_PRICE_ATTRIBUTES = re.compile(r"价|price|cost", re.I)
_LIST_SEPARATORS = re.compile(r"[、,，/;；|+＋]|\s+and\s+")
_CURRENCY_SIGNS = {
    "USD": "$",
    "CNY": "¥",
    "RMB": "¥",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "HKD": "HK$",
}
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n～~])")


# ---------------------------------------------------------------------------------------------
# Banned words


class Banned:
    def __init__(self, words: Sequence[str]) -> None:
        self.words = tuple(word.strip().lower() for word in words if word.strip())

    def hits(self, text: str) -> bool:
        lowered = text.lower()
        return any(word in lowered for word in self.words)

    def keep(self, values: Sequence[str]) -> list[str]:
        return [value for value in values if value and not self.hits(value)]

    def scrub(self, text: str) -> str:
        """The text without any banned word: drop the sentences or clauses that hold one, and as
        a last resort the word itself."""
        if not self.hits(text):
            return text
        pieces = [piece for piece in _SENTENCE_END.split(text) if not self.hits(piece)]
        text = "".join(pieces).strip()
        while self.hits(text):
            for word in self.words:
                text = re.sub(re.escape(word), "", text, flags=re.I)
        return re.sub(r"[ \t]{2,}", " ", text).strip()


# ---------------------------------------------------------------------------------------------
# Facts of one product, as slot values


@dataclass
class Facts:
    title: str
    names: list[str]
    benefits: list[str]
    adjectives: list[str]
    ingredients: list[str]
    audiences: list[str]
    points: list[str]
    bullets: list[str]
    offers: list[str]
    tags: list[str]
    category: str
    deal: str = ""
    deal_amount: str = ""
    reference: str = ""
    reference_amount: str = ""
    headlines: Iterator[tuple[str, str]] = field(default_factory=lambda: iter(()))
    numbered: int = 0


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" ,，、·|｜-–—:：")


def unique(values: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for value in values:
        key = value.lower()
        if value and key not in seen:
            seen.add(key)
            result.append(value)
    return result


def _similar(a: str, b: str) -> bool:
    def grams(text: str) -> set[str]:
        squashed = re.sub(r"[\W_]+", "", text.lower())
        return {squashed[i : i + 2] for i in range(len(squashed) - 1)} or {squashed}

    first, second = grams(a), grams(b)
    return len(first & second) / max(min(len(first), len(second)), 1) >= 0.6


def _fits_language(text: str, language: Language) -> bool:
    """English copy takes no Chinese phrases; Chinese copy takes no mostly-English sentences."""
    if language.code == "en":
        return not has_cjk(text)
    letters = len(re.findall(r"[A-Za-z]", text))
    return has_cjk(text) or letters <= 12


def _terms(language: Language) -> dict[str, TermKind]:
    return commerce_terms_zh() if language.code == "zh" else commerce_terms_en()


def kind_of(word: str, language: Language) -> TermKind | None:
    terms = _terms(language)
    return terms.get(word) or terms.get(word.lower())


def _product_names(product: ProductBrief, voice: BrandVoice, language: Language) -> list[str]:
    title = _squash(_SPEC.sub("", _BRACKETED.sub("", product.title)))
    brand = voice.brand_name.strip()
    candidates = []
    if brand and title.lower().startswith(brand.lower()) and len(title) > len(brand) + 1:
        candidates.append(_squash(title[len(brand) :]))
    candidates.append(title)
    names = [name for name in unique(candidates) if 2 <= len(name) <= language.name_max]
    # The product type (精华液) as a short name: in Chinese it reads naturally on its own and
    # fits more headlines; in English ("Meet Serum") only when nothing else fits.
    if language.code == "zh" or not names:
        found = [
            term
            for term, kind in _terms(language).items()
            if kind is TermKind.PRODUCT and term.lower() in title.lower()
        ]
        types = [max(found, key=len)] if found else []
        types += [product.category.strip()] if product.category.strip() else []
        names += [t for t in unique(types) if 2 <= len(t) <= language.name_max and t not in names]
    if not names and title:
        names = [title[: language.name_max].strip()]
    return names


_EN_SUBJECT = re.compile(r"^(?:you|we|i|it|they|this|that|there|so|which|who|your|our)\b", re.I)


def _clauses(text: str, language: Language) -> list[str]:
    """The pieces of a selling point that can stand alone as a benefit or a bullet."""
    if language.code == "zh":
        return [clean_phrase(piece, "zh") for piece in split_clauses(text) if piece.strip()]
    # A comma before one or two words continues a list (plump, bouncy skin): keep it together.
    pieces: list[str] = []
    for piece in re.split(r",\s+|;\s*|\s+-\s+|:\s+", text):
        if pieces and len(piece.split()) <= 2 and not _is_adjective(piece.strip()):
            pieces[-1] = f"{pieces[-1]}, {piece}"
        else:
            pieces.append(piece)
    split_and = [part for piece in pieces for part in re.split(r"\s+and\s+", piece)]
    candidates = [*pieces, *split_and]
    result = []
    for candidate in candidates:
        phrase = clean_phrase(candidate, "en")
        if not phrase or _EN_SUBJECT.match(phrase):
            continue
        words = phrase.split()
        if len(words) == 1 and not _is_adjective(phrase):
            continue  # "Ceramides" alone says nothing
        result.append(phrase)
    return unique(result)


def lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _attribute_values(product: ProductBrief, pattern: re.Pattern[str]) -> list[str]:
    values: list[str] = []
    for name, value in product.attributes:
        if pattern.search(name):
            values.extend(_squash(part) for part in _LIST_SEPARATORS.split(value) if part.strip())
    return values


def _is_adjective(word: str) -> bool:
    lowered = word.lower()
    if lowered in templates_en.ADJECTIVES:
        return True
    return " " not in lowered and lowered.endswith(templates_en.ADJECTIVE_SUFFIXES)


def _money(amount: Decimal, currency: str, language: Language) -> str:
    number = f"{amount:,}" if amount >= 10000 else str(amount)
    if language.code == "zh" and currency in ("CNY", "RMB"):
        return f"{number}元"
    sign = _CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{number}" if sign else f"{number} {currency}"


def _label(mention: PriceMention, labels: Sequence[str], default: str) -> str:
    return next((label for label in labels if mention.text.startswith(label)), default)


def _discount_text(mention: PriceMention, language: Language) -> str:
    if mention.percent is not None:
        if language.code == "zh":
            paid = ((Decimal(100) - mention.percent) / 10).normalize()
            return f"享{paid}折"
        return f"{mention.percent.normalize()}% off"
    if mention.amount is not None:
        money = _money(mention.amount, mention.currency, language)
        return f"立减{money}" if language.code == "zh" else f"{money} off"
    return ""


def _deal(
    facts: Facts,
    product: ProductBrief,
    analysis: ScriptAnalysis,
    language: Language,
    *,
    script_deals: bool,
) -> None:
    """The price line: the script's price for its product, else the catalog price, else a
    discount the script names. Nothing is ever computed or rounded into a new price."""
    templates = language.templates
    prices = [p for p in analysis.prices if p.kind is PriceKind.PRICE and p.amount]
    if script_deals and prices:
        price = prices[0]
        assert price.amount is not None
        facts.deal_amount = _money(price.amount, price.currency, language)
        if language.code == "zh":
            facts.deal = _label(price, templates.PRICE_LABELS, templates.PRICE_LABEL)
            facts.deal += facts.deal_amount
        else:
            facts.deal = f"{templates.PRICE_LABEL} {facts.deal_amount}"
        references = [
            p
            for p in analysis.prices
            if p.kind is PriceKind.REFERENCE and p.amount and p.amount > price.amount
        ]
        if references:
            reference = references[0]
            assert reference.amount is not None
            facts.reference_amount = _money(reference.amount, reference.currency, language)
            if language.code == "zh":
                label = _label(reference, templates.REFERENCE_LABELS, templates.REFERENCE_LABEL)
                facts.reference = label + facts.reference_amount
            else:
                facts.reference = f"{templates.REFERENCE_LABEL} {facts.reference_amount}"
        return
    if product.price is not None:
        facts.deal_amount = _money(product.price.normalize(), product.currency, language)
        separator = "" if language.code == "zh" else " "
        facts.deal = f"{templates.CATALOG_PRICE_LABEL}{separator}{facts.deal_amount}".strip()
        return
    discounts = [p for p in analysis.prices if p.kind is PriceKind.DISCOUNT]
    if script_deals and discounts:
        facts.deal = _discount_text(discounts[0], language)


def build_facts(
    product: ProductBrief,
    analysis: ScriptAnalysis,
    voice: BrandVoice,
    language: Language,
    banned: Banned,
    *,
    script_deals: bool,
) -> Facts:
    templates = language.templates
    keywords = banned.keep([k for k in analysis.keywords if _fits_language(k, language)])
    script_points = [p for p in analysis.selling_points if _fits_language(p, language)]
    description_points = list(extract_selling_points(product.description, language.code))
    attribute_values = [value for _, value in product.attributes]
    points = banned.keep(
        [
            point
            for point in unique([*script_points, *description_points])
            if len(point) <= language.point_max
        ]
    )

    # Benefits: short clauses of the selling points that carry a benefit, then the product's
    # stated benefits, then benefit keywords.
    benefits: list[str] = []
    for point in points:
        for clause in _clauses(point, language):
            if 2 <= len(clause) <= language.benefit_max and _has_benefit(clause, language):
                benefits.append(lower_first(clause) if language.code == "en" else clause)
    benefits += _attribute_values(product, _BENEFIT_ATTRIBUTES)
    benefits += [
        k for k in keywords if kind_of(k, language) in (TermKind.BENEFIT, TermKind.FEATURE)
    ]
    benefits = [b for b in unique(banned.keep(benefits)) if len(b) <= language.benefit_max]
    benefits = benefits[:8]

    ingredients = [k for k in keywords if kind_of(k, language) is TermKind.INGREDIENT]
    ingredients += _attribute_values(product, _INGREDIENT_ATTRIBUTES)
    ingredients += [
        term
        for term, kind in _terms(language).items()
        if kind is TermKind.INGREDIENT and term in f"{product.title} {product.description}"
    ]
    ingredients = [i for i in unique(banned.keep(ingredients)) if len(i) <= language.benefit_max]
    audiences = [k for k in keywords if kind_of(k, language) is TermKind.AUDIENCE]
    audiences += _attribute_values(product, _AUDIENCE_ATTRIBUTES)
    audiences = [a for a in unique(banned.keep(audiences)) if len(a) <= language.benefit_max]

    adjectives: list[str] = []
    if language.code == "en":
        words = [*benefits, *keywords, *(w for p in points for w in re.findall(r"[\w-]+", p))]
        adjectives = unique(
            [w.lower() for w in words if _is_adjective(w) and kind_of(w, language) is not None]
        )
        adjectives = banned.keep(adjectives)[:6]

    names = banned.keep(_product_names(product, voice, language))
    # The name the host says: the whole title without specs or a leading brand name.
    title = _squash(_SPEC.sub("", _BRACKETED.sub("", product.title)))
    brand = voice.brand_name.strip()
    if brand and title.lower().startswith(brand.lower()) and len(title) > len(brand) + 1:
        title = _squash(title[len(brand) :])
    if len(title) > language.name_max * 2:
        title = names[0] if names else ""
    if banned.hits(title):
        title = names[0] if names else ""
    if not names and title:
        names = [title]
    if not names and not banned.hits(templates.GENERIC_NAME):
        names = [templates.GENERIC_NAME]
    title = title or (names[0] if names else "")

    offers = []
    for offer in analysis.offers:
        if not script_deals and not _GENERIC_OFFERS.search(offer):
            continue  # with several products, a script's gift belongs to one we can't tell
        if not _fits_language(offer, language):
            offer = templates.OFFER_TRANSLATIONS.get(offer.lower(), "")
        if offer and len(offer) <= language.point_max:
            offers.append(lower_first(offer) if language.code == "en" else offer)
    offers = banned.keep(unique(offers))

    facts = Facts(
        title=title,
        names=names,
        benefits=benefits,
        adjectives=adjectives,
        ingredients=ingredients[:6],
        audiences=audiences[:3],
        points=points,
        bullets=[],
        offers=offers,
        tags=[],
        category=product.category.strip() if not banned.hits(product.category) else "",
    )
    _deal(facts, product, analysis, language, script_deals=script_deals)
    if banned.hits(f"{facts.deal} {facts.reference}"):
        facts.reference = facts.reference_amount = ""
        if banned.hits(facts.deal):
            facts.deal = facts.deal_amount = ""
    facts.bullets = _bullets(facts, product, voice, language, banned, attribute_values)
    facts.tags = _hashtags(facts, keywords, voice, language, banned)
    return facts


def _has_benefit(text: str, language: Language) -> bool:
    """Whether a phrase says what the product does for you (not only what is in it)."""
    haystack = text if language.code == "zh" else text.lower()
    kinds = (TermKind.BENEFIT, TermKind.FEATURE, TermKind.AUDIENCE)
    if any(kind in kinds and term in haystack for term, kind in _terms(language).items()):
        return True
    return any(
        cue in haystack for cue in (EXTRA_CUES_ZH if language.code == "zh" else EXTRA_CUES_EN)
    )


def _bullets(
    facts: Facts,
    product: ProductBrief,
    voice: BrandVoice,
    language: Language,
    banned: Banned,
    attribute_values: Sequence[str],
) -> list[str]:
    """Bullet candidates, best first: selling points that fit, their clauses that sell, then
    the product's attributes, then plain facts (brand, category) so there are always three."""
    limit = language.bullet_max
    joiner = "，" if language.code == "zh" else ", "
    candidates: list[str] = []
    for point in facts.points:
        if len(point) <= limit:
            candidates.append(point)
            continue
        clauses = [c for c in _clauses(point, language) if c]
        prefix = ""
        for clause in clauses:
            joined = f"{prefix}{joiner}{clause}" if prefix else clause
            if len(joined) > limit:
                break
            prefix = joined
        if prefix and prefix != clauses[0]:
            candidates.append(prefix)
        for clause in clauses:
            minimum = 4 if language.code == "zh" else 8
            if minimum <= len(clause) <= limit and cue_score(clause, language.code) > 0:
                candidates.append(clause)
    templates = language.templates
    for name, value in product.attributes:
        if name.strip() and value.strip() and not _PRICE_ATTRIBUTES.search(name):
            candidates.append(templates.ATTRIBUTE_BULLET.format(name=name.strip(), value=value))
    if len(facts.ingredients) >= 2:
        candidates.append(("+" if language.code == "zh" else " + ").join(facts.ingredients[:2]))
    candidates += [facts.deal, *facts.offers]
    chosen: list[str] = []
    for candidate in candidates:
        candidate = capitalise(candidate) if language.code == "en" else candidate
        if not candidate or len(candidate) > limit or banned.hits(candidate):
            continue
        if any(_similar(candidate, kept) for kept in chosen):
            continue
        chosen.append(candidate)
    if len(chosen) < 3:
        slots = {
            "brand": voice.brand_name.strip(),
            "category": facts.category,
            "p": facts.names[0] if facts.names else "",
        }
        for template in templates.FALLBACK_BULLETS:
            text = fill(template, slots)
            if text and len(text) <= limit and not banned.hits(text) and text not in chosen:
                chosen.append(text)
        chosen += [
            b for b in unique([*facts.benefits, *facts.ingredients, *attribute_values])
            if len(b) <= limit and not banned.hits(b) and b not in chosen
        ]  # fmt: skip
    return chosen


def hashtag(text: str, language: Language) -> str:
    if language.code == "en" and not has_cjk(text):
        words = re.findall(r"[A-Za-z0-9]+", text.replace("&", " and "))
        return "".join(word[:1].upper() + word[1:] for word in words)
    return re.sub(r"[\W_]+", "", text)


def _hashtags(
    facts: Facts,
    keywords: Sequence[str],
    voice: BrandVoice,
    language: Language,
    banned: Banned,
) -> list[str]:
    sources = [
        facts.names[0] if facts.names else "",
        *facts.ingredients[:2],
        *[k for k in keywords if kind_of(k, language) is TermKind.PRODUCT][:1],
        voice.brand_name,
        facts.category,
    ]
    tags = [hashtag(source, language) for source in sources]
    return banned.keep(unique([tag for tag in tags if 2 <= len(tag) <= 30]))[:5]


def _anchors(product: ProductBrief) -> list[str]:
    """Words that tie a phrase to this product: its dictionary terms, title words, attributes."""
    values = [value.strip() for _, value in product.attributes if len(value.strip()) >= 2]
    text = " ".join([product.title, product.category, product.description, *values])
    lowered = text.lower()
    terms = [
        term
        for dictionary in (commerce_terms_zh(), commerce_terms_en())
        for term, kind in dictionary.items()
        if kind not in (TermKind.DEAL, TermKind.FILLER) and term.lower() in lowered
    ]
    words = [w for w in cut_zh(text) if len(w) >= 2 and has_cjk(w) and w not in stopwords_zh()]
    words += [
        w.lower()
        for w in re.findall(r"[A-Za-z][A-Za-z0-9-]{2,}", text)
        if w.lower() not in stopwords_en()
    ]
    return unique([*terms, *words, *values])


def _affinity(phrase: str, anchors: Sequence[str]) -> int:
    lowered = phrase.lower()
    return sum(1 for anchor in anchors if anchor.lower() in lowered)


def share_script(
    analysis: ScriptAnalysis, products: Sequence[ProductBrief]
) -> list[ScriptAnalysis]:
    """One script, several products: each keyword and selling point goes to the product it
    names (玻尿酸 to the serum, 降噪 to the earbuds); one that names none goes to the product the
    script is most about. Prices and gifts stay out: we can't tell whose they are."""
    anchors = [_anchors(product) for product in products]
    phrases = [*analysis.keywords, *analysis.selling_points]
    totals = [sum(_affinity(phrase, own) for phrase in phrases) for own in anchors]
    main = max(range(len(products)), key=lambda index: (totals[index], -index))

    def owners(phrase: str) -> list[int]:
        scores = [_affinity(phrase, own) for own in anchors]
        best = max(scores)
        return [i for i, score in enumerate(scores) if score == best and score > 0] or [main]

    return [
        replace(
            analysis,
            keywords=tuple(k for k in analysis.keywords if index in owners(k)),
            selling_points=tuple(p for p in analysis.selling_points if index in owners(p)),
            prices=(),
            offers=tuple(offer for offer in analysis.offers if _GENERIC_OFFERS.search(offer)),
        )
        for index in range(len(products))
    ]


def fields(template: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def fill(template: str, slots: Mapping[str, str]) -> str:
    if any(not slots.get(name) for name in fields(template)):
        return ""
    return template.format(**{name: slots[name] for name in fields(template)})
