"""Tone: which register a script is in, from cue words, exclamation marks and emoji.

Every cue found adds its weight to one tone; the totals are compared per 100 characters so a
long script does not out-shout a short one. The forms of address every live stream uses (宝宝,
家人们) count for little: they are in hype scripts and gentle ones alike.
"""

import re

from generation.analysis.lexicon import TermKind, commerce_terms_en, commerce_terms_zh
from generation.analysis.text import EMOJI
from generation.analysis.types import Tone

_CUES_ZH: dict[Tone, dict[str, float]] = {
    Tone.ENERGETIC: {
        "冲": 1.5, "抢": 1.5, "秒杀": 2.0, "手慢无": 2.0, "赶紧": 1.2, "快快": 1.0, "上车": 1.2,
        "库存": 0.8, "限时": 1.2, "限量": 1.0, "错过": 1.2, "疯抢": 2.0, "王炸": 2.0, "炸裂": 1.5,
        "三二一": 1.5, "3、2、1": 1.5, "上链接": 1.5, "抓紧": 1.2, "倒计时": 1.5, "爆款": 1.0,
        "最后": 0.5, "没了": 1.0, "来来来": 1.2, "所有人": 1.0, "冲冲冲": 2.0, "拼手速": 2.0,
    },
    Tone.WARM: {
        "温柔": 1.5, "呵护": 1.5, "贴心": 1.2, "安心": 1.2, "舒服": 1.0, "陪伴": 1.5, "暖": 1.0,
        "妈妈": 1.0, "宝妈": 1.0, "家人": 0.3, "宝宝": 0.3, "姐妹": 0.3, "心意": 1.2, "礼物": 0.8,
        "放心": 0.8, "照顾": 1.2, "体贴": 1.2, "治愈": 1.2, "慢慢": 0.6, "舒适": 1.0, "日常": 0.5,
    },
    Tone.PREMIUM: {
        "质感": 1.5, "臻选": 2.0, "匠心": 2.0, "奢华": 2.0, "高级": 1.2, "精致": 1.0, "甄选": 2.0,
        "典藏": 2.0, "工艺": 1.2, "大牌": 1.0, "贵妇": 1.5, "限定": 1.0, "尊享": 2.0, "格调": 1.5,
        "优雅": 1.5, "品味": 1.5, "高端": 1.5, "珍稀": 1.5, "手工": 1.2, "传承": 1.5, "定制": 1.0,
    },
    Tone.PROFESSIONAL: {
        "成分": 1.2, "配方": 1.0, "实验": 1.2, "实验室": 1.2, "数据": 1.2, "临床": 1.5, "测试": 1.0,
        "检测": 1.0, "浓度": 1.2, "专利": 1.5, "研发": 1.2, "科研": 1.5, "原理": 1.2, "机制": 1.2,
        "分子": 0.8, "含量": 1.0, "认证": 1.0, "报告": 1.0, "参数": 1.2, "芯片": 1.0, "分贝": 0.8,
        "毫秒": 0.8,
    },
    Tone.PLAYFUL: {
        "哈哈": 1.5, "绝绝子": 2.0, "yyds": 2.0, "冲鸭": 2.0, "种草": 1.2, "拔草": 1.2, "嘿嘿": 1.5,
        "萌": 1.2, "可爱": 1.2, "宝藏": 1.2, "啦": 0.5, "呀": 0.5, "~": 0.8, "～": 0.8, "谁懂": 1.5,
        "救命": 1.2, "小仙女": 1.5, "上头": 1.2, "嘻嘻": 1.5, "好家伙": 1.5, "馋哭": 1.5,
    },
}  # fmt: skip
_CUES_EN: dict[Tone, dict[str, float]] = {
    Tone.ENERGETIC: {
        "go go go": 2.0, "hurry": 1.5, "grab": 1.2, "sell out": 1.5, "sells out": 1.5,
        "selling out": 1.5, "don't wait": 1.5, "limited": 1.0, "right now": 1.0, "last chance": 1.5,
        "only tonight": 1.5, "flash": 1.2, "insane": 1.5, "huge": 1.0, "crazy": 1.2, "run": 0.8,
        "countdown": 1.5, "don't miss": 1.5, "fast": 0.6,
    },
    Tone.WARM: {
        "gentle": 0.8, "care": 1.2, "caring": 1.2, "cozy": 1.5, "comfort": 1.0, "love": 0.5,
        "family": 0.8, "mom": 1.0, "gift": 0.8, "treat yourself": 1.5, "soothing": 0.8,
        "self-care": 1.5, "warm": 1.0, "every day": 0.6, "peace of mind": 1.2,
    },
    Tone.PREMIUM: {
        "luxury": 2.0, "luxurious": 2.0, "crafted": 1.5, "exquisite": 2.0, "premium": 1.5,
        "elegant": 1.5, "refined": 1.5, "iconic": 1.2, "exclusive": 1.2, "timeless": 1.5,
        "artisan": 1.5, "heritage": 1.5, "signature": 1.0, "couture": 2.0,
    },
    Tone.PROFESSIONAL: {
        "ingredient": 1.0, "ingredients": 1.0, "formula": 1.0, "clinical": 1.5, "clinically": 1.5,
        "tested": 1.0, "study": 1.2, "data": 1.2, "lab": 1.2, "dermatologist": 1.2,
        "concentration": 1.5, "molecular": 1.0, "patented": 1.5, "research": 1.2, "proven": 1.0,
        "spec": 1.0, "specs": 1.0,
    },
    Tone.PLAYFUL: {
        "lol": 1.5, "obsessed": 1.2, "bestie": 1.2, "vibes": 1.5, "slay": 2.0, "cute": 1.2,
        "yay": 1.5, "omg": 1.2, "haha": 1.5, "literally": 0.5, "no cap": 2.0, "iykyk": 2.0,
    },
}  # fmt: skip

_EXCLAMATION = re.compile(r"[!！]")
_SENTENCE = re.compile(r"[。！？!?.…\n]+")
# When nothing stands out, copy is written warm: friendly without promising anything.
_DEFAULT = Tone.WARM
_THRESHOLD = 0.5  # points per 100 characters a tone needs to count at all


def classify_tone(text: str, language: str) -> Tone:
    """The tone whose cues weigh most per 100 characters; warm when none stands out."""
    if not text.strip():
        return _DEFAULT
    haystack = text if language == "zh" else text.lower()
    cues = _CUES_ZH if language == "zh" else _CUES_EN
    scores = {tone: 0.0 for tone in Tone}
    for tone, weights in cues.items():
        for cue, weight in weights.items():
            if language == "en" and cue.isascii():
                count = len(re.findall(rf"\b{re.escape(cue)}\b", haystack))
            else:
                count = haystack.count(cue)
            scores[tone] += count * weight

    # Ingredients and specs are what a factual script talks about.
    terms = commerce_terms_zh() if language == "zh" else commerce_terms_en()
    scores[Tone.PROFESSIONAL] += 0.3 * sum(
        haystack.count(term) for term, kind in terms.items() if kind is TermKind.INGREDIENT
    )
    sentences = max(len(_SENTENCE.findall(text)), 1)
    exclamations = len(_EXCLAMATION.findall(text))
    scores[Tone.ENERGETIC] += 6.0 * exclamations / sentences * (len(text) / 100)
    emoji = len(EMOJI.findall(text))
    scores[Tone.PLAYFUL] += 1.5 * emoji

    per_hundred = {tone: score * 100 / max(len(text), 1) for tone, score in scores.items()}
    best = max(Tone, key=lambda tone: (per_hundred[tone], tone is _DEFAULT))
    return best if per_hundred[best] >= _THRESHOLD else _DEFAULT
