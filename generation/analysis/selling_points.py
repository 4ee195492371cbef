"""Selling points: the script's short benefit phrases, cleaned of host filler, best first.

A candidate is a run of one to three clauses of a sentence. It scores for the benefit cues it
holds (the commerce dictionary's benefits, ingredients, features and audiences plus the cues
below), for product attributes and for figures with units (24小时, 2%, 30ml); prices, offers,
calls to action and questions are not selling points. The best candidates that share no clause
and say different things win.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from generation.analysis.lexicon import (
    TermKind,
    commerce_terms_en,
    commerce_terms_zh,
    leading_filler_zh,
)
from generation.analysis.text import split_clauses, split_sentences, strip_emoji

MAX_SELLING_POINTS = 8
_MIN_SCORE = 1.0
_MAX_LENGTH = {"zh": 24, "en": 90}
_MIN_LENGTH = {"zh": 4, "en": 12}
_MAX_CLAUSES = 3

_KIND_CUE_WEIGHT = {
    TermKind.BENEFIT: 2.0,
    TermKind.INGREDIENT: 1.5,
    TermKind.AUDIENCE: 1.5,
    TermKind.FEATURE: 1.2,
    TermKind.PRODUCT: 0.3,
}

# Benefit words that are not dictionary terms (they are not keywords on their own).
EXTRA_CUES_ZH = {
    "不干": 1.0, "不紧绷": 1.0, "不闷": 1.0, "不拔干": 1.0, "不粘": 1.0, "不油": 1.0, "不假白": 1.0,
    "清透": 1.0, "吸收": 1.0, "渗透": 0.8, "肤感": 0.8, "质地": 0.8, "上妆": 0.6, "配方": 0.8,
    "测试": 0.8, "实验": 0.6, "认证": 0.8, "专利": 1.0, "回购": 0.6, "好评": 0.6, "一整天": 1.0,
    "全天": 1.0, "持续": 0.6, "稳定": 0.6, "柔软": 0.8, "软糯": 0.8, "光泽": 1.0, "顺滑": 1.0,
    "舒适": 1.0, "舒服": 0.8, "贴合": 0.8, "不勒": 1.0, "不胀": 1.0, "不痛": 0.8, "清晰": 0.8,
    "有力": 0.6, "安静": 0.8, "省心": 0.8, "好吃": 1.0, "新鲜": 1.0, "健康": 0.8, "正宗": 0.8,
    "放心用": 0.8, "也能用": 0.8, "都能用": 0.8, "不浪费": 0.6, "卫生": 0.6, "可回收": 0.6,
    "温柔": 0.8, "呵护": 0.8,
}  # fmt: skip
EXTRA_CUES_EN = {
    "24-hour": 1.0, "all day": 1.0, "all-day": 1.0, "in seconds": 1.0, "no stinging": 1.0,
    "irritation": 0.8, "tested": 0.8, "clinically": 0.8, "not sticky": 1.0, "doesn't pill": 1.0,
    "layers": 0.6, "calm": 0.8, "even out": 0.8, "redness": 0.6, "support": 0.6, "deeper": 0.6,
    "skin": 0.3, "soft": 0.8, "smooth": 0.8, "comfortable": 1.0, "fresh": 0.8, "crisp": 0.8,
    "clear": 0.6, "quiet": 0.8, "stable": 0.6, "recyclable": 0.6, "formula": 0.8,
}  # fmt: skip

_FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|ml|毫升|g|克|小时|h\b|hours?|天|days?|分贝|dB|mm|毫秒|ms|重|倍|种|层"
    r"|片|次|mAh|W\b|℃|度|年|个月|months?|分钟|minutes?)",
    re.I,
)
_REJECT_ZH = re.compile(
    r"[¥￥$]|\d+\s*(?:元|块)|价|买一送一|送|赠|包邮|运费|链接|下单|拍|抢|冲|秒杀|库存|关注|福利|优惠|券"
    r"|[？?]|吗$|能不能|怎么样|可不可以|有没有|发货|客服|防伪|欢迎"
)
_REJECT_EN = re.compile(
    r"[$£€¥]|\b(?:\d+%? off|free shipping|buy one|bogo|link|order|orders|code|checkout|follow"
    r"|chat|deal|price|shipping|returns?|sell out|grab|cart|welcome)\b|\?",
    re.I,
)

# Interjections that are only filler when a comma follows them (来，… but 来自…).
_LEADING_INTERJECTION_ZH = re.compile(r"^[来好哇那亲嗯哦诶哎][，,！!、\s]+")
_INNER_FILLER_ZH = re.compile(r"我们家的|我们的|咱们的|你们的|给大家|给你们|我跟你说|真的")
_TRAILING_PARTICLES_ZH = re.compile(r"[啊呀哦呢吧啦哈嘛哟喔噢]+$")
_LEADING_FILLER_EN = re.compile(
    r"^(?:(?:okay|ok|so|and|but|plus|also|now|then|honestly|literally|basically|like|well"
    r"|alright|oh|um|uh|yes|yeah|look|see|guys|you guys|trust me|i mean|it's an?|it's|it is an?"
    r"|it|this is an?|this is|there's also|there's|there is|there are|we added|we've added|we use)"
    r"\b[,!\s]*)+",
    re.I,
)
_INNER_FILLER_EN = re.compile(
    r",?\s*\b(?:you guys|guys|i'm telling you|honestly|literally)\b,?", re.I
)
_BRACKETS = re.compile(r"[《》【】「」『』“”\"‘’〈〉〔〕\[\]()（）]|——|--")
_EDGE_PUNCTUATION = re.compile(
    r"^[\s，,。.、；;：:！!？?~～·…\-—]+|[\s，,。.、；;：:！!？?~～·…\-—]+$"
)


@dataclass(frozen=True)
class _Candidate:
    text: str
    score: float
    sentence: int
    clauses: frozenset[int]


@cache
def _cues(language: str) -> tuple[tuple[str, float], ...]:
    if language == "zh":
        cues = {
            term: _KIND_CUE_WEIGHT[kind]
            for term, kind in commerce_terms_zh().items()
            if kind in _KIND_CUE_WEIGHT
        } | EXTRA_CUES_ZH
    else:
        cues = {
            term: _KIND_CUE_WEIGHT[kind]
            for term, kind in commerce_terms_en().items()
            if kind in _KIND_CUE_WEIGHT
        } | EXTRA_CUES_EN
    # Longest first, so 温和不刺激 is one cue, not 温和 + 不刺激 + 温和不刺激.
    return tuple(sorted(cues.items(), key=lambda item: -len(item[0])))


def cue_score(text: str, language: str, attributes: Sequence[str] = ()) -> float:
    """How much a phrase sells: its benefit cues, figures with units and attribute mentions."""
    haystack = text if language == "zh" else text.lower()
    score = 0.0
    for cue, weight in _cues(language):
        if cue in haystack:
            if language == "en" and not re.search(
                rf"(?<![a-z]){re.escape(cue)}(?![a-z])", haystack
            ):
                continue
            score += weight
            haystack = haystack.replace(cue, " ")
    score += min(len(_FIGURE.findall(text)), 2) * 1.0
    lowered = text.lower()
    score += sum(1.5 for attribute in attributes if attribute.lower() in lowered)
    return score


def clean_phrase(text: str, language: str) -> str:
    """A phrase without emoji, brackets, host filler or trailing particles."""
    text = _BRACKETS.sub("", strip_emoji(text))
    text = _EDGE_PUNCTUATION.sub("", text)
    if language == "zh":
        text = _INNER_FILLER_ZH.sub("", text)
        text = _LEADING_INTERJECTION_ZH.sub("", text)
        changed = True
        while changed:
            changed = False
            for filler in leading_filler_zh():
                if text.startswith(filler) and len(text) > len(filler) + 1:
                    text = _EDGE_PUNCTUATION.sub("", text[len(filler) :])
                    changed = True
                    break
        text = _TRAILING_PARTICLES_ZH.sub("", text)
        text = re.sub(r"\s+", "", text) if not re.search(r"[A-Za-z]\s+[A-Za-z]", text) else text
    else:
        text = _INNER_FILLER_EN.sub("", text)
        text = _LEADING_FILLER_EN.sub("", text)
        text = re.sub(r"\s+", " ", text)
        text = text[:1].upper() + text[1:]
    return _EDGE_PUNCTUATION.sub("", text)


def _bigrams(text: str) -> set[str]:
    squashed = re.sub(r"[\W_]+", "", text.lower())
    return {squashed[i : i + 2] for i in range(len(squashed) - 1)} or {squashed}


def _similar(a: str, b: str) -> bool:
    first, second = _bigrams(a), _bigrams(b)
    overlap = len(first & second) / max(min(len(first), len(second)), 1)
    return overlap >= 0.6


def extract_selling_points(
    text: str, language: str, attributes: Sequence[str] = ()
) -> tuple[str, ...]:
    """At most eight short benefit phrases, best first, none repeating another."""
    reject = _REJECT_ZH if language == "zh" else _REJECT_EN
    joiner = "，" if language == "zh" else ", "
    candidates: list[_Candidate] = []
    for sentence_index, sentence in enumerate(split_sentences(text)):
        clauses = split_clauses(sentence)
        clause_scores = []
        for clause in clauses:
            rejected = reject.search(clause) is not None
            clause_scores.append(-1.0 if rejected else cue_score(clause, language, attributes))
        for start in range(len(clauses)):
            for end in range(start + 1, min(start + _MAX_CLAUSES, len(clauses)) + 1):
                scores = clause_scores[start:end]
                if min(scores) < 0:
                    break
                if scores[0] == 0 or scores[-1] == 0:
                    continue  # a run starts and ends on a benefit
                phrase = clean_phrase(joiner.join(clauses[start:end]), language)
                if not _MIN_LENGTH[language] <= len(phrase) <= _MAX_LENGTH[language]:
                    continue
                score = sum(scores) - 0.6 * scores.count(0) - 0.4 * (end - start - 1)
                if language == "zh" and phrase.startswith("我"):
                    score *= 0.5  # the host's own story, not the product's
                if score >= _MIN_SCORE:
                    candidates.append(
                        _Candidate(phrase, score, sentence_index, frozenset(range(start, end)))
                    )
    candidates.sort(key=lambda c: (-c.score, c.sentence, min(c.clauses)))

    chosen: list[_Candidate] = []
    for candidate in candidates:
        if any(
            kept.sentence == candidate.sentence and kept.clauses & candidate.clauses
            for kept in chosen
        ):
            continue
        if any(_similar(kept.text, candidate.text) for kept in chosen):
            continue
        chosen.append(candidate)
        if len(chosen) == MAX_SELLING_POINTS:
            break
    return tuple(candidate.text for candidate in chosen)
