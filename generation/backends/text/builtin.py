"""The built-in text backend: template banks filled with the script's and the product's facts.

Every fact in the copy (benefits, ingredients, prices, offers) comes from the analysis or the
product; templates only add tone. Headlines are drawn per product from every template whose slots
can be filled, best fills first, round-robin over templates so neighbouring variants differ in
shape, not just in one word. Only `random.Random(request.seed)` decides, so a seed always gives
the same copy.
"""

import itertools
import random
import re
from collections.abc import Callable, Iterator, Mapping, Sequence

from generation.analysis.lexicon import TermKind
from generation.analysis.types import ScriptAnalysis, Tone
from generation.backends.text.base import (
    BrandVoice,
    Copy,
    CopyRequest,
    ProductBrief,
    TextBackendError,
)
from generation.backends.text.copy_facts import (
    EN,
    ZH,
    Banned,
    Facts,
    Language,
    build_facts,
    capitalise,
    fields,
    fill,
    hashtag,
    kind_of,
    lower_first,
    share_script,
    unique,
)

NEUTRAL = "neutral"
MAX_VARIANTS = 1000
_MAX_FILLS_PER_TEMPLATE = 400


# What a brand kit's free-text tone of voice asks for.
_BRAND_TONE_CUES: dict[Tone, tuple[str, ...]] = {
    Tone.ENERGETIC: ("激情", "热情", "活力", "动感", "燃",
                     "energetic", "bold", "exciting", "hype"),
    Tone.WARM: ("温柔", "温暖", "亲切", "贴心", "治愈", "真诚", "自然",
                "warm", "friendly", "caring", "gentle", "kind"),
    Tone.PREMIUM: ("高端", "高级", "奢", "质感", "精致", "臻", "匠心", "优雅",
                   "premium", "luxury", "luxurious", "elegant", "refined"),
    Tone.PROFESSIONAL: ("专业", "科学", "严谨", "理性", "权威", "可靠",
                        "professional", "expert", "scientific", "clinical", "factual"),
    Tone.PLAYFUL: ("活泼", "俏皮", "可爱", "有趣", "年轻", "幽默", "潮",
                   "playful", "fun", "cheeky", "witty", "quirky"),
}  # fmt: skip
_RESTRAINED_CUES = ("不夸张", "克制", "低调", "不浮夸", "understated", "no hype", "restrained")
_COMPATIBLE: dict[Tone, tuple[Tone, ...]] = {
    Tone.ENERGETIC: (Tone.PLAYFUL, Tone.WARM),
    Tone.WARM: (Tone.PLAYFUL, Tone.PROFESSIONAL, Tone.PREMIUM),
    Tone.PREMIUM: (Tone.PROFESSIONAL, Tone.WARM),
    Tone.PROFESSIONAL: (Tone.PREMIUM, Tone.WARM),
    Tone.PLAYFUL: (Tone.WARM, Tone.ENERGETIC),
}
_LOUD = (Tone.ENERGETIC, Tone.PLAYFUL)

# ---------------------------------------------------------------------------------------------
# Templates


def _pools(facts: Facts, brand: str) -> dict[str, list[str]]:
    return {
        "p": facts.names,
        "b": facts.benefits,
        "b2": facts.benefits,
        "k": facts.ingredients,
        "k2": facts.ingredients,
        "a": facts.audiences,
        "adj": facts.adjectives,
        "adj2": facts.adjectives,
        "brand": [brand] if brand else [],
    }


def _overlaps(values: Sequence[str]) -> bool:
    """Two slots saying the same thing (玻尿酸精华液｜玻尿酸, hydrating, hydrating)."""
    lowered = [value.lower() for value in values]
    return any(a in b or b in a for i, a in enumerate(lowered) for b in lowered[i + 1 :])


def _headline_candidates(
    facts: Facts,
    tones: Sequence[str],
    brand: str,
    language: Language,
    banned: Banned,
    rng: random.Random,
) -> Iterator[tuple[str, str]]:
    """(headline, tone) pairs for one product: best fills first, one per template per round."""
    pools = _pools(facts, brand)
    queues: list[tuple[str, list[str]]] = []
    for tone in tones:
        bank = list(language.templates.HEADLINES[tone])
        rng.shuffle(bank)
        for template in bank:
            if banned.hits(re.sub(r"\{\w+\}", "", template)):
                continue
            names = fields(template)
            if any(not pools[name] for name in names):
                continue
            fills = []
            for indices in itertools.islice(
                itertools.product(*(range(len(pools[name])) for name in names)),
                _MAX_FILLS_PER_TEMPLATE,
            ):
                values = [pools[name][index] for name, index in zip(names, indices, strict=True)]
                if _overlaps(values):
                    continue
                text = template.format(**dict(zip(names, values, strict=True)))
                if language.code == "en":
                    text = capitalise(text)
                if len(text) > language.headline_max or banned.hits(text):
                    continue
                fills.append((sum(indices) + rng.random() * 2, text))
            fills.sort()
            if fills:
                queues.append((tone, [text for _, text in fills]))
    for round_index in itertools.count():
        produced = False
        for tone, texts in queues:
            if round_index < len(texts):
                produced = True
                yield texts[round_index], tone
        if not produced:
            return


def _numbered_headline(facts: Facts, brand: str, language: Language, banned: Banned,
                       used: set[str]) -> str:  # fmt: skip
    """When every template is spent: a numbered series of the product's shortest name."""
    bases = [*sorted(facts.names, key=len), brand]
    for base in bases:
        if not base or banned.hits(base):
            continue
        while True:
            facts.numbered += 1
            text = language.templates.NUMBERED_HEADLINE.format(p=base, n=facts.numbered)
            if len(text) > language.headline_max:
                cut = language.headline_max - (len(text) - len(base))
                if cut < 2:
                    break
                text = language.templates.NUMBERED_HEADLINE.format(
                    p=base[:cut].strip(), n=facts.numbered
                )
            if banned.hits(text):
                break
            if text not in used:
                return text
    raise TextBackendError("Cannot write a headline without a banned word.", retryable=False)


# ---------------------------------------------------------------------------------------------
# Tone


def _tones(voice: BrandVoice, analysis: ScriptAnalysis) -> tuple[Tone, list[str]]:
    """The variant tones in order of preference: the brand's, then what suits it."""
    text = voice.tone.lower()
    restrained = any(cue in text for cue in _RESTRAINED_CUES)
    positions: dict[Tone, int] = {}
    for tone, cues in _BRAND_TONE_CUES.items():
        hits = [
            match.start()
            for cue in cues
            # "fun" is not in "functional"; Chinese cues have no word boundaries to respect.
            if (match := re.search(rf"\b{cue}\b" if cue.isascii() else cue, text))
        ]
        # 不夸张 contains 夸 but asks for less; it never counts as a cue for a loud tone.
        if hits and not (restrained and tone in _LOUD):
            positions[tone] = min(hits)
    primary = min(positions, key=lambda tone: positions[tone]) if positions else analysis.tone
    if restrained and primary in _LOUD:
        primary = Tone.WARM
    order = [primary]
    if analysis.tone in _COMPATIBLE[primary]:
        order.append(analysis.tone)
    order += [tone for tone in _COMPATIBLE[primary] if tone not in order]
    if restrained:
        order = [tone for tone in order if tone not in _LOUD] or [Tone.WARM]
    return primary, [str(order[0]), NEUTRAL, *(str(tone) for tone in order[1:])]


# ---------------------------------------------------------------------------------------------
# The other fields


def _pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[rng.randrange(len(options))] if options else ""


def _usable(templates: Sequence[str], slots: Mapping[str, str], banned: Banned) -> list[str]:
    return [
        template
        for template in templates
        if all(slots.get(name) for name in fields(template))
        and not banned.hits(re.sub(r"\{\w+\}", "", template))
    ]


def _choose(
    rng: random.Random,
    options: Sequence[str],
    slots: Mapping[str, str],
    banned: Banned,
    finish: Callable[[str], str] = str,
) -> str:
    """One of the templates that can be filled and comes out free of banned words, or ""."""
    filled = [finish(fill(option, slots)) for option in options]
    return _pick(rng, [text for text in filled if text and not banned.hits(text)])


def _first_clean(banned: Banned, *candidates: str) -> str:
    return next((text for text in candidates if text and not banned.hits(text)), "")


def _write_one(
    facts: Facts,
    headline: str,
    tone: str,
    voice: BrandVoice,
    language: Language,
    banned: Banned,
    rng: random.Random,
) -> Copy:
    templates = language.templates
    english = language.code == "en"
    finish: Callable[[str], str] = capitalise if english else str
    space = " " if english else ""
    brand = voice.brand_name.strip() if not banned.hits(voice.brand_name) else ""
    points = facts.points[:6]
    # The sub-headline and the host say one selling point; the shorter ones read better there.
    short_points = [p for p in points[:4] if len(p) <= language.spoken_point_max]
    point = _pick(rng, short_points or points[:1])
    second = _pick(rng, [p for p in points if p != point])
    name = facts.title or (facts.names[0] if facts.names else "")
    slots = {
        "p": name,
        "brand": brand,
        "b": _pick(rng, facts.benefits[:4]),
        "k": _pick(rng, facts.ingredients[:3]),
        "point": point,
        "point_mid": lower_first(point) if english else point,
        "deal": facts.deal,
        "deal_amount": facts.deal_amount,
        "ref": facts.reference,
        "ref_amount": facts.reference_amount,
        "offer": _pick(rng, facts.offers[:3]),
    }
    voice_tone = tone if tone != NEUTRAL else "warm"

    subheadline = _first_clean(
        banned,
        _choose(rng, templates.SUBHEADLINES[tone], slots, banned, finish),
        _choose(rng, templates.SUBHEADLINES[NEUTRAL], slots, banned, finish),
        finish(facts.title),
        finish(name),
        brand,
    )

    count = min(rng.choice((3, 4, 5)), len(facts.bullets))
    window = min(len(facts.bullets), count + 3)
    bullets = tuple(facts.bullets[i] for i in sorted(rng.sample(range(window), count)))
    if len(bullets) < 3:
        raise TextBackendError(
            "Not enough product facts for three bullets without a banned word.", retryable=False
        )

    if facts.deal:
        cta_bank = templates.CTAS_WITH_DEAL[voice_tone]
    elif slots["offer"]:
        cta_bank = templates.CTAS_WITH_OFFER
    else:
        cta_bank = templates.CTAS[voice_tone]
    every_cta = [cta for bank in templates.CTAS.values() for cta in bank]
    cta = _first_clean(
        banned,
        _choose(rng, cta_bank, slots, banned, finish),
        _choose(rng, every_cta, slots, banned, finish),
        finish(name),
    )

    host = [
        _choose(rng, templates.HOST_OPENERS[voice_tone], slots, banned),
        _choose(rng, templates.HOST_INTROS, slots, banned),
        _choose(rng, [templates.HOST_POINT[voice_tone], *templates.HOST_POINT.values()], slots,
                banned),
    ]  # fmt: skip
    if facts.deal:
        deal_bank = templates.HOST_DEAL_WITH_REFERENCE if facts.reference else templates.HOST_DEAL
        host.append(_choose(rng, deal_bank, slots, banned))
    if slots["offer"]:
        host.append(_choose(rng, templates.HOST_OFFER, slots, banned))
    host.append(_choose(rng, templates.HOST_CLOSERS[voice_tone], slots, banned))
    host_line = _first_clean(banned, finish("".join(host).strip()), finish(point), finish(name))

    body = fill(templates.SOCIAL_BODY, slots) if point else name
    if second:
        body += space + fill(templates.SOCIAL_MORE, {"point": capitalise(second)})
    deal_line = []
    if facts.deal:
        deal_line.append(finish(fill(templates.SOCIAL_DEAL, slots)))
    if slots["offer"]:
        deal_line.append(finish(fill(templates.SOCIAL_OFFER, slots)))
    social = [
        _choose(rng, templates.SOCIAL_OPENERS[voice_tone], slots, banned),
        banned.scrub(finish(body)),
        banned.scrub(space.join(deal_line)),
        _choose(rng, templates.SOCIAL_CLOSERS[voice_tone], slots, banned),
    ]
    tags = [*facts.tags, hashtag(templates.SOCIAL_TAGS[voice_tone], language)]
    hashtags = " ".join(f"#{tag}" for tag in banned.keep(unique(tags)))
    social_post = "\n".join(part for part in social if part)
    if hashtags:
        social_post = f"{social_post}\n\n{hashtags}" if social_post else hashtags

    return Copy(
        headline=headline,
        subheadline=banned.scrub(subheadline),
        bullets=bullets,
        cta=banned.scrub(cta),
        host_line=banned.scrub(host_line),
        social_post=banned.scrub(social_post),
    )


# ---------------------------------------------------------------------------------------------
# The backend


class BuiltinTextBackend:
    """Template copy in Chinese or English; no network, no model, deterministic per seed."""

    name = "builtin"
    version = "1.0.0"

    def write(self, request: CopyRequest, *, variants: int) -> list[Copy]:
        if variants < 0 or variants > MAX_VARIANTS:
            raise TextBackendError(
                f"variants must be between 0 and {MAX_VARIANTS}, not {variants}.",
                retryable=False,
            )
        if variants == 0:
            return []
        voice = request.voice
        language = EN if voice.language.lower().startswith("en") else ZH
        banned = Banned(voice.banned_words)
        # Variety, not secrecy: a seeded generator is what makes the copy reproducible.
        rng = random.Random(request.seed)  # noqa: S311
        brand = voice.brand_name.strip() if not banned.hits(voice.brand_name) else ""
        products = list(request.products) or [self._product_from_analysis(request.analysis)]
        _, tones = _tones(voice, request.analysis)

        if len(products) == 1:
            analyses = [request.analysis]
        else:
            analyses = share_script(request.analysis, products)
        facts = [
            build_facts(product, analysis, voice, language, banned, script_deals=len(products) == 1)
            for product, analysis in zip(products, analyses, strict=True)
        ]
        for item in facts:
            item.headlines = _headline_candidates(item, tones, brand, language, banned, rng)

        used: set[str] = set()
        copies = []
        for index in range(variants):
            item = facts[index % len(facts)]
            headline, tone = self._next_headline(item, used)
            if not headline:
                headline, tone = _numbered_headline(item, brand, language, banned, used), tones[0]
            used.add(headline)
            tone = tones[0] if tone == NEUTRAL else tone
            copies.append(_write_one(item, headline, tone, voice, language, banned, rng))
        return copies

    @staticmethod
    def _next_headline(facts: Facts, used: set[str]) -> tuple[str, str]:
        for headline, tone in facts.headlines:
            if headline not in used:
                return headline, tone
        return "", ""

    @staticmethod
    def _product_from_analysis(analysis: ScriptAnalysis) -> ProductBrief:
        """No catalog product: the script's own product words stand in for a title."""
        language = ZH if analysis.language == "zh" else EN
        product_words = [k for k in analysis.keywords if kind_of(k, language) is TermKind.PRODUCT]
        title = product_words[0] if product_words else ""
        return ProductBrief(title=title)
