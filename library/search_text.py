"""Text for PostgreSQL full-text search that works for Chinese, and tags from file names.

PostgreSQL's parsers split on spaces and punctuation, which Chinese does not have, so a whole
phrase would become one lexeme. We segment with jieba first and store space-separated lexemes;
`to_tsvector('simple', document)` then keeps them as they are. The document uses
`cut_for_search` (a long word and the shorter words inside it: 防晒霜 and 防晒), the query uses
`cut` (the one best segmentation), so 防晒 and 防晒霜 both find a 防晒霜 image, and each query
term becomes a prefix match (`term:*`).

The tokenizer is generation.analysis's: one jieba dictionary per process, with our commerce
terms (玻尿酸, 精华液) kept whole.
"""

import re
import unicodedata
from collections.abc import Iterable

from generation.analysis.segment import zh_tokenizer

MAX_TAGS = 10

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A run of Chinese characters, or a run of letters and digits of any other script.
_TOKEN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
# Function words that a search must not require: a query term must be in the document (terms
# are ANDed), so both sides drop the same ones. Not lexicon's stop words: those are for
# keywords and drop words people do search for (直播, 主播).
_FUNCTION_WORDS = frozenset({
    "的", "地", "得", "了", "着", "过", "和", "与", "及",
    "或", "之", "在", "是", "把", "被", "也", "都", "就",
    "a", "an", "and", "or", "of", "for", "with", "in", "on", "at", "to", "by", "the", "is",
    "are",
})  # fmt: skip

# File name pieces that say nothing about the picture.
_CAMERA = re.compile(r"(img|dsc[nf]?|pxl|mvimg|vid|wp|gopr|p|screenshot|mmexport)\d+", re.I)
_VERSION = re.compile(r"v\d+")
_HEX_HASH = re.compile(r"(?=.*\d)(?=.*[a-f])[0-9a-f]{4,}")
_NOISE_WORDS = frozenset({
    "img", "image", "pic", "photo", "copy", "final", "new", "edit", "untitled", "screenshot",
    "图片", "照片", "副本", "拷贝", "未命名", "截图", "微信图片", "最终版",
})  # fmt: skip
# Splits a file name: separators, then camelCase humps (summerSale, HTMLPage), but not after a
# single lower-case letter, so that iPhone and eShop stay whole.
_SEPARATORS = re.compile(r"[\s_\-.+()\[\]【】（）,，、&]+")
_CAMEL = re.compile(r"(?<=[a-z][a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _tokens(text: str, *, for_search: bool) -> list[str]:
    """Lower-cased words of `text`: jieba for Chinese runs, letters and digits otherwise."""
    text = unicodedata.normalize("NFKC", text).lower()
    words: list[str] = []
    for match in _TOKEN.finditer(text):
        chinese, other = match.groups()
        if chinese:
            cut = zh_tokenizer().cut_for_search if for_search else zh_tokenizer().cut
            words.extend(word for word in cut(chinese) if word.strip())
        else:
            words.append(other)
    return [word for word in words if word not in _FUNCTION_WORDS]


def _unique(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(words))


def search_document(*parts: str) -> str:
    """The lexemes of `parts`, space-separated and de-duplicated, for to_tsvector('simple')."""
    return " ".join(_unique(word for part in parts for word in _tokens(part, for_search=True)))


def search_query_terms(query: str) -> list[str]:
    """The terms of a member's query, each to match as a prefix (`term:*`), all required.

    Empty when the query has no words (only punctuation or function words).
    """
    return _unique(_tokens(query, for_search=False))


def _is_noise(piece: str) -> bool:
    return (
        piece.isdigit()
        or piece.lower() in _NOISE_WORDS
        or bool(_CAMERA.fullmatch(piece) or _VERSION.fullmatch(piece.lower()))
        or bool(_HEX_HASH.fullmatch(piece.lower()))
    )


def tags_from_filename(name: str) -> list[str]:
    """Tags a file name gives: "夏季_防晒霜-主图_v2.jpg" → ["夏季", "防晒霜", "主图"].

    Directories and the extension go, the rest is split on separators and camelCase; camera
    names (IMG_1234, DSC0001), numbers, versions and hashes are dropped; Chinese is segmented
    and only words of two or more characters kept (主 or 图 alone says little). At most 10.
    """
    base = re.split(r"[/\\]", name)[-1]
    stem, dot, extension = base.rpartition(".")
    if dot and stem and extension.isalnum() and len(extension) <= 5:
        base = stem
    tags: list[str] = []
    for piece in _SEPARATORS.split(base):
        for part in _CAMEL.split(piece):
            if not part or _is_noise(part):
                continue
            for word in _tokens(part, for_search=False):
                if len(word) >= 2 and not word.isdigit() and word not in _NOISE_WORDS:
                    tags.append(word)
    return _unique(tags)[:MAX_TAGS]
