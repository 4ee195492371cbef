"""The dictionaries under data/: commerce terms, their kinds, and stop words.

Each loader reads its file once per process; `generation.analysis.warm_up()` calls them all.
"""

from enum import StrEnum
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


class TermKind(StrEnum):
    INGREDIENT = "ing"  # 玻尿酸, 纯棉, hyaluronic acid
    PRODUCT = "prd"  # 精华液, 蓝牙耳机, serum
    BENEFIT = "ben"  # 保湿, 显瘦, hydrating
    FEATURE = "fea"  # 无香精, 大容量, fragrance-free
    AUDIENCE = "aud"  # 敏感肌, 学生党, sensitive skin
    DEAL = "deal"  # 到手价, 买一送一: segmented whole, never a keyword
    FILLER = "fill"  # 家人们, 直播间: segmented whole, never a keyword


# What a term of each kind adds to a keyword's or a selling point's score.
KIND_WEIGHT: dict[TermKind, float] = {
    TermKind.INGREDIENT: 1.6,
    TermKind.PRODUCT: 1.5,
    TermKind.BENEFIT: 1.4,
    TermKind.FEATURE: 1.2,
    TermKind.AUDIENCE: 1.2,
    TermKind.DEAL: 0.0,
    TermKind.FILLER: 0.0,
}


def _lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def commerce_terms_zh() -> dict[str, TermKind]:
    """Chinese commerce terms and their kinds, in file order (the first kind given wins)."""
    terms: dict[str, TermKind] = {}
    for line in _lines("commerce_zh.txt"):
        word, kind = line.split()
        terms.setdefault(word, TermKind(kind))
    return terms


@cache
def commerce_terms_en() -> dict[str, TermKind]:
    """English commerce terms (lower case, possibly several words) and their kinds."""
    terms: dict[str, TermKind] = {}
    for line in _lines("terms_en.txt"):
        term, kind = (part.strip() for part in line.split("|"))
        terms.setdefault(term.lower(), TermKind(kind))
    return terms


@cache
def stopwords_zh() -> frozenset[str]:
    return frozenset(word for line in _lines("stopwords_zh.txt") for word in line.split())


@cache
def stopwords_en() -> frozenset[str]:
    return frozenset(word for line in _lines("stopwords_en.txt") for word in line.split())


@cache
def leading_filler_zh() -> tuple[str, ...]:
    """Host filler that opens a phrase, longest first."""
    words = {word for line in _lines("filler_zh.txt") for word in line.split()}
    return tuple(sorted(words, key=lambda word: (-len(word), word)))


def term_kind(term: str) -> TermKind | None:
    """The kind of a dictionary term in either language, or None for other words."""
    return commerce_terms_zh().get(term) or commerce_terms_en().get(term.lower())


def load_all() -> None:
    commerce_terms_zh()
    commerce_terms_en()
    stopwords_zh()
    stopwords_en()
    leading_filler_zh()
