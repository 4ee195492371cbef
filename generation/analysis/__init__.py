"""Script analysis: keywords, selling points, tone, prices and offers of a live-stream script.

    analysis = analyse_script(text, product_attributes=("玻尿酸", "30ml"))

Works on Chinese and English (and a mix of both), never raises on odd input, and needs no
network or downloads. Call `warm_up()` once at process start: jieba builds its dictionaries on
first use, which takes a second or two.
"""

from collections.abc import Sequence

from generation.analysis import lexicon
from generation.analysis.keywords import clean_attributes, keywords_en, keywords_zh
from generation.analysis.prices import extract_offers, extract_prices
from generation.analysis.segment import cut_zh, idf_zh, zh_tokenizer
from generation.analysis.selling_points import extract_selling_points
from generation.analysis.text import (
    detect_language,
    has_words,
    is_mixed,
    normalise,
    split_sentences,
    strip_emoji,
)
from generation.analysis.tone import classify_tone
from generation.analysis.types import PriceKind, PriceMention, ScriptAnalysis, Tone

__all__ = [
    "MAX_ANALYSED_CHARACTERS",
    "PriceKind",
    "PriceMention",
    "ScriptAnalysis",
    "Tone",
    "analyse_script",
    "warm_up",
]

# The API caps scripts well below this; anything longer is analysed from its beginning, so
# that a pasted novel costs a bounded time.
MAX_ANALYSED_CHARACTERS = 50_000
SHORT_SCRIPT_CHARACTERS = 30

_WARM_UP_TEXTS = (
    "家人们，这款玻尿酸精华液补水保湿，温和不刺激，到手价只要199元，原价399元，8折，买一送一，"
    "前100名送面膜，全国包邮！",
    "This hyaluronic acid serum is hydrating and gentle. Only $19.99 today, was $39, 30% off, "
    "buy one get one free and free shipping!",
)


def warm_up() -> None:
    """Load jieba, its IDF table and our dictionaries now, once per process (~2 s)."""
    lexicon.load_all()
    zh_tokenizer()
    idf_zh()
    for text in _WARM_UP_TEXTS:
        analyse_script(text)


def analyse_script(text: str, *, product_attributes: Sequence[str] = ()) -> ScriptAnalysis:
    """What a script is about and how it sells, for the preview and for copywriting.

    `product_attributes` (ingredients, materials, specs of the products it is for) lift the
    keywords and selling points that mention them.
    """
    original_length = len(text.strip())
    text = normalise(text)
    truncated = len(text) > MAX_ANALYSED_CHARACTERS
    text = text[:MAX_ANALYSED_CHARACTERS]
    attributes = clean_attributes(normalise(attribute) for attribute in product_attributes)
    readable = strip_emoji(text)
    language = detect_language(readable)

    if not has_words(readable):
        return ScriptAnalysis(
            language=language,
            keywords=(),
            selling_points=(),
            tone=classify_tone(text, language),
            character_count=original_length,
            notes=(
                ("Script is empty: copy will be written from the product details.",)
                if not text.strip()
                else ("Script has no words to analyse: copy will lean on the product details.",)
            ),
        )

    if language == "zh":
        sentences = [cut_zh(sentence) for sentence in split_sentences(readable)]
        keywords = keywords_zh(sentences, readable, attributes)
    else:
        keywords = keywords_en(readable, attributes)
    selling_points = extract_selling_points(readable, language, attributes)
    prices = extract_prices(text)
    offers = extract_offers(text)
    tone = classify_tone(text, language)
    notes = _notes(
        readable,
        language=language,
        prices=prices,
        selling_points=selling_points,
        truncated=truncated,
    )
    return ScriptAnalysis(
        language=language,
        keywords=keywords,
        selling_points=selling_points,
        tone=tone,
        prices=prices,
        offers=offers,
        character_count=original_length,
        notes=notes,
    )


def _notes(
    text: str,
    *,
    language: str,
    prices: Sequence[PriceMention],
    selling_points: Sequence[str],
    truncated: bool,
) -> tuple[str, ...]:
    notes = []
    if truncated:
        notes.append(
            f"Script is very long: only the first {MAX_ANALYSED_CHARACTERS:,} characters "
            "were analysed."
        )
    if len("".join(text.split())) < SHORT_SCRIPT_CHARACTERS:
        notes.append("Script is very short: a few sentences about the product give better copy.")
    if is_mixed(text):
        notes.append(
            "Script mixes Chinese and English; analysed as "
            f"{'Chinese' if language == 'zh' else 'English'}."
        )
    kinds = {price.kind for price in prices}
    if not prices:
        notes.append("No price mentioned: copy will not quote one unless the product has a price.")
    elif PriceKind.PRICE not in kinds and PriceKind.REFERENCE in kinds:
        notes.append("Only an original price is mentioned, not what the buyer pays now.")
    if not selling_points:
        notes.append("No clear selling points found: copy will lean on the product details.")
    return tuple(notes)
