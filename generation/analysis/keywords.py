"""Keywords: TF-IDF blended with TextRank for Chinese, frequency and position for English.

Both favour the commerce dictionary's terms (ingredients, product types, benefits) and the
product attributes the caller passes, and neither ever returns stop words: the host filler of
a live stream (宝宝, 家人们, 链接, guys, link) is the most frequent text in it.
"""

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import cache

from generation.analysis.lexicon import (
    KIND_WEIGHT,
    TermKind,
    commerce_terms_en,
    commerce_terms_zh,
    stopwords_en,
    stopwords_zh,
)
from generation.analysis.segment import idf_zh, zh_tokenizer
from generation.analysis.text import has_cjk

MAX_KEYWORDS = 12
_ATTRIBUTE_BOOST = 2.5
_UNKNOWN_WORD_WEIGHT = 0.6  # a word jieba guessed (HMM) rather than found in a dictionary
_TEXTRANK_WINDOW = 5
_TEXTRANK_ITERATIONS = 12
_TEXTRANK_DAMPING = 0.85

# Numbers, plurals of address (家人们), price labels, reduplications (哈哈), and a numeral or
# demonstrative with one more character (一层, 三滴, 整张, 这场).
_ZH_JUNK = re.compile(
    r"^[\d.%]|们$|价$|^(.)\1+$|^[一二两三四五六七八九十几每整半这那哪某各][\u4e00-\u9fff]$"
    r"|^[零〇一二两三四五六七八九十百千万点]+[元块折]?$"
)
_MAX_KEYWORD_LENGTH = 24
_LATIN_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9.+-]*$")
_NOT_KIND = (TermKind.DEAL, TermKind.FILLER)


def clean_attributes(attributes: Iterable[str]) -> list[str]:
    """Attributes worth matching: short, non-empty, not bare numbers."""
    cleaned = []
    for attribute in attributes:
        value = attribute.strip()
        if 2 <= len(value) <= 12 and not re.fullmatch(r"[\d.,%\s]+", value):
            cleaned.append(value)
    return cleaned


def _matches_attribute(word: str, attributes: Sequence[str], candidates: Iterable[str]) -> bool:
    """Whether `word` names an attribute: equals it, contains it, or is part of it (声屿 of 声屿S3)
    when the whole attribute is not a candidate itself."""
    lowered = word.lower()
    whole = {candidate.lower() for candidate in candidates}
    return any(
        a.lower() in lowered or (lowered in a.lower() and a.lower() not in whole)
        for a in attributes
    )


def _stem(word: str) -> str:
    """A crude English stem, enough to see that hydrated and hydrating are one keyword."""
    word = word.lower()
    for suffix in ("ation", "ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _dedupe_contained(
    ranked: Sequence[str], kinds: dict[str, TermKind | None], limit: int = MAX_KEYWORDS
) -> list[str]:
    """The first `limit` words, skipping one contained in (or containing) a better one of the
    same kind (精华 after 精华液) and another form of a better English word (hydrating after
    hydrated)."""
    chosen: list[tuple[str, str, str]] = []  # (word, lower case, stem)
    for word in ranked:
        lowered = word.lower()
        stem = _stem(word) if word.isascii() else ""
        if any(
            (lowered in kept or kept in lowered) and kinds.get(word) == kinds.get(original)
            for original, kept, _ in chosen
        ):
            continue
        if stem and any(stem == kept_stem for _, _, kept_stem in chosen):
            continue
        chosen.append((word, lowered, stem))
        if len(chosen) == limit:
            break
    return [word for word, _, _ in chosen]


# ---------------------------------------------------------------------------------------------
# Chinese


def _zh_candidate(word: str, stop: frozenset[str], terms: dict[str, TermKind]) -> bool:
    if not 2 <= len(word) <= _MAX_KEYWORD_LENGTH or word in stop or terms.get(word) in _NOT_KIND:
        return False
    if has_cjk(word):
        return _ZH_JUNK.search(word) is None
    return _LATIN_TOKEN.match(word) is not None and word.lower() not in stopwords_en()


def _textrank(sequences: Sequence[Sequence[str]]) -> dict[str, float]:
    """TextRank over co-occurrence within a window, the graph jieba.analyse.textrank builds."""
    edges: dict[str, Counter[str]] = defaultdict(Counter)
    for sequence in sequences:
        for i, word in enumerate(sequence):
            for other in sequence[i + 1 : i + _TEXTRANK_WINDOW]:
                if other != word:
                    edges[word][other] += 1
                    edges[other][word] += 1
    if not edges:
        return {}
    totals = {word: sum(neighbours.values()) for word, neighbours in edges.items()}
    rank = dict.fromkeys(edges, 1.0)
    for _ in range(_TEXTRANK_ITERATIONS):
        rank = {
            word: (1 - _TEXTRANK_DAMPING)
            + _TEXTRANK_DAMPING
            * sum(weight / totals[other] * rank[other] for other, weight in neighbours.items())
            for word, neighbours in edges.items()
        }
    return rank


def keywords_zh(
    sentences: Sequence[Sequence[str]], text: str, attributes: Sequence[str]
) -> tuple[str, ...]:
    """The best keywords of a Chinese script, given its words sentence by sentence."""
    stop = stopwords_zh()
    terms = commerce_terms_zh()
    known = zh_tokenizer().FREQ
    idf = idf_zh()

    candidates = [
        [word for word in sentence if _zh_candidate(word, stop, terms)] for sentence in sentences
    ]
    flat = [word for sentence in candidates for word in sentence]
    counts = Counter(flat)
    first_seen: dict[str, int] = {}
    for position, word in enumerate(flat):
        first_seen.setdefault(word, position)
    for attribute in attributes:
        if attribute not in counts and attribute in text and attribute not in stop:
            counts[attribute] = text.count(attribute)
            first_seen[attribute] = len(flat) * text.index(attribute) // max(len(text), 1)
    if not counts:
        return ()

    tfidf: dict[str, float] = {}
    kinds: dict[str, TermKind | None] = {}
    for word, count in counts.items():
        kind = terms.get(word)
        kinds[word] = kind
        weight = KIND_WEIGHT[kind] if kind else 1.0
        if kind is None and word not in known and count < 3:
            weight *= _UNKNOWN_WORD_WEIGHT
        tfidf[word] = count * idf.get(word) * weight
    rank = _textrank(candidates)
    top_tfidf = max(tfidf.values())
    top_rank = max(rank.values(), default=1.0)
    span = max(len(flat), 1)

    scores: dict[str, float] = {}
    for word in counts:
        score = 0.75 * tfidf[word] / top_tfidf + 0.25 * rank.get(word, 0.0) / top_rank
        score *= 1 + 0.2 * (1 - first_seen[word] / span)  # what the host says first matters
        if attributes and _matches_attribute(word, attributes, counts):
            score *= _ATTRIBUTE_BOOST
        scores[word] = score
    ranked = sorted(scores, key=lambda word: (-scores[word], first_seen[word]))
    return tuple(_dedupe_contained(ranked, kinds))


# ---------------------------------------------------------------------------------------------
# English


@cache
def _en_terms_pattern() -> re.Pattern[str]:
    terms = sorted(commerce_terms_en(), key=len, reverse=True)
    alternatives = "|".join(re.escape(term) for term in terms)
    # Not \b: in "含有hyaluronic acid" the Chinese character before the term is a word character.
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])", re.I)


def _display_form(surfaces: Sequence[str]) -> str:
    """Keep the writer's capitals only where they are always used (names: Hydra Glow, SPF)."""
    if surfaces and all(any(c.isupper() for c in surface) for surface in surfaces):
        return Counter(surfaces).most_common(1)[0][0]
    return surfaces[0].lower() if surfaces else ""


def keywords_en(text: str, attributes: Sequence[str]) -> tuple[str, ...]:
    """The best keywords of an English script."""
    stop = stopwords_en()
    terms = commerce_terms_en()
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    surfaces: dict[str, list[str]] = defaultdict(list)
    kinds: dict[str, TermKind | None] = {}

    def seen(key: str, surface: str, position: int) -> None:
        counts[key] += 1
        first_seen.setdefault(key, position)
        surfaces[key].append(surface)

    # Dictionary terms first; their words are then blanked so "acid" isn't counted again.
    remaining = list(text)
    for match in _en_terms_pattern().finditer(text):
        key = match.group(0).lower()
        kinds[key] = terms[key]
        seen(key, match.group(0), match.start())
        remaining[match.start() : match.end()] = " " * (match.end() - match.start())
    rest = "".join(remaining)

    clause_words: list[list[tuple[str, int]]] = []
    for clause in re.finditer(r"[^.,;:!?()\n]+", rest):
        words = []
        for match in re.finditer(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*", clause.group(0)):
            word = match.group(0)
            key = word.lower().replace("’", "'")
            position = clause.start() + match.start()
            if not 3 <= len(key) <= _MAX_KEYWORD_LENGTH or key in stop:
                words.append(("", position))
                continue
            seen(key, word, position)
            words.append((key, position))
        clause_words.append(words)

    # Two content words that keep appearing together are one keyword (glow serum, sheet mask).
    pairs: Counter[str] = Counter()
    for words in clause_words:
        for (first, position), (second, _) in itertools.pairwise(words):
            if first and second:
                pair = f"{first} {second}"
                pairs[pair] += 1
                first_seen.setdefault(pair, position)
    for pair, count in pairs.items():
        if count >= 2:
            counts[pair] = count
            first, second = pair.split(" ")
            surfaces[pair] = [
                f"{_display_form(surfaces[first])} {_display_form(surfaces[second])}"
            ] * count

    # Plurals fold into the singular when both are there.
    for key in list(counts):
        if key.endswith("s") and key[:-1] in counts and " " not in key:
            counts[key[:-1]] += counts.pop(key)

    for attribute in attributes:
        key = attribute.lower()
        if key not in counts and re.search(rf"\b{re.escape(key)}\b", text, re.I):
            counts[key] = len(re.findall(rf"\b{re.escape(key)}\b", text, re.I))
            first_seen.setdefault(key, len(text))
            surfaces[key] = [attribute]
    counts = Counter({key: count for key, count in counts.items() if count > 0})
    if not counts:
        return ()

    span = max(len(text), 1)
    scores: dict[str, float] = {}
    for key, count in counts.items():
        kind = kinds.get(key)
        weight = KIND_WEIGHT[kind] if kind else 1.0
        specificity = 1 + 0.05 * min(len(key), 14) + (0.3 if " " in key else 0)
        score = count * weight * specificity * (1 + 0.2 * (1 - first_seen.get(key, 0) / span))
        if attributes and _matches_attribute(key, attributes, counts):
            score *= _ATTRIBUTE_BOOST
        scores[key] = score
    ranked = sorted(scores, key=lambda key: (-scores[key], first_seen.get(key, 0)))
    chosen = _dedupe_contained(ranked, kinds)
    return tuple(_display_form(surfaces[key]) or key for key in chosen)
