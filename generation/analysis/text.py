"""Text helpers shared by the analysers: normalising, language, sentences and clauses."""

import re

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{_CJK}]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
# Emoji, pictographs, dingbats, variation selectors and joiners: nothing the analysers can read.
EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U0001fc00-\U0001ffff\u2600-\u27bf\u2b00-\u2bff\ufe0e\ufe0f\u200d\u20e3]"
)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u2060\ufeff]")
# Full-width digits and letters become ASCII so that one regex reads "１９９元" and "199元";
# full-width punctuation is kept, because the phrases we return are shown to the user.
_FULL_WIDTH = str.maketrans(
    {chr(code): chr(code - 0xFEE0) for code in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B)]}
    | {chr(code): chr(code - 0xFEE0) for code in range(0xFF41, 0xFF5B)}
    | {"\u3000": " ", "\xa0": " "}
)
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;…\n])(?![。！？!?；;…])|(?<=\.)(?=\s)")
_CLAUSE_SPLIT = re.compile(r"[，,、：:—–]+|\s+-\s+")
_SPACES = re.compile(r"[ \t\r\f\v]+")

LANGUAGES = ("zh", "en")


def normalise(text: str) -> str:
    """The text the analysers read: ASCII digits and letters, no zero-width characters."""
    text = _ZERO_WIDTH.sub("", text.translate(_FULL_WIDTH))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())


def cjk_count(text: str) -> int:
    return len(CJK_CHAR.findall(text))


def has_cjk(text: str) -> bool:
    return CJK_CHAR.search(text) is not None


def latin_count(text: str) -> int:
    return len(LATIN_LETTER.findall(text))


def detect_language(text: str) -> str:
    """ "zh" when Chinese carries the text, else "en"; Chinese is the default for no words at all.

    One Chinese character carries about as much as a short English word, so a script is Chinese
    when its Chinese characters outnumber a third of its Latin letters: 直播 scripts are full of
    brand names, SPF50 and "VC" that must not tip them to English.
    """
    cjk = cjk_count(text)
    latin = latin_count(text)
    if cjk == 0 and latin == 0:
        return "zh"
    return "zh" if cjk * 3 >= latin else "en"


def is_mixed(text: str) -> bool:
    """Both scripts carry real weight (not just a brand name or a unit in the other one)."""
    cjk = cjk_count(text)
    latin = latin_count(text)
    return cjk >= 20 and latin >= 60 and 0.2 <= cjk * 3 / (cjk * 3 + latin) <= 0.8


def split_sentences(text: str) -> list[str]:
    """Sentences, in order, without surrounding whitespace; empty ones dropped."""
    parts = _SENTENCE_END.split(text)
    return [part.strip() for part in parts if part.strip()]


def split_clauses(sentence: str) -> list[str]:
    """The comma-separated pieces of one sentence."""
    return [part.strip() for part in _CLAUSE_SPLIT.split(sentence) if part.strip()]


def strip_emoji(text: str) -> str:
    return EMOJI.sub("", text)


def has_words(text: str) -> bool:
    """Whether there is anything to analyse: a Chinese character, a letter or a digit."""
    return re.search(f"[{_CJK}A-Za-z0-9]", text) is not None
