"""Word segmentation: jieba with the commerce dictionary for Chinese, a regex for English.

jieba takes a second or two to build its prefix dictionary and half a second to read its IDF
table, so both happen once per process, on first use or in `warm_up()`. We use our own
`jieba.Tokenizer` rather than the module-level one, so that other code's `jieba.add_word` calls
cannot change how scripts are segmented (and ours cannot change theirs).
"""

import logging
import math
import re
import statistics
import threading
from dataclasses import dataclass
from pathlib import Path

import jieba

from generation.analysis.lexicon import commerce_terms_zh

# A dictionary word needs at least this frequency to win over the pieces jieba's own dictionary
# has for it (玻 + 尿酸), also at the edges of the words around it.
_MIN_TERM_FREQUENCY = 2000

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_idf: "IdfTable | None" = None


@dataclass(frozen=True)
class IdfTable:
    weights: dict[str, float]
    median: float  # what an unknown word weighs

    def get(self, word: str) -> float:
        return self.weights.get(word, self.median)


def zh_tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word, kind in commerce_terms_zh().items():
                    frequency = max(tokenizer.suggest_freq(word, tune=False), _MIN_TERM_FREQUENCY)
                    tokenizer.add_word(word, freq=frequency, tag=str(kind))
                _tokenizer = tokenizer
    return _tokenizer


def idf_zh() -> IdfTable:
    """jieba's IDF table (its corpus statistics), the same one `jieba.analyse` uses."""
    global _idf
    if _idf is None:
        with _lock:
            if _idf is None:
                path = Path(jieba.__file__).resolve().parent / "analyse" / "idf.txt"
                weights: dict[str, float] = {}
                with path.open(encoding="utf-8") as lines:
                    for line in lines:
                        word, _, weight = line.rstrip().rpartition(" ")
                        if word:
                            weights[word] = float(weight)
                median = statistics.median(weights.values()) if weights else math.log(1e5)
                _idf = IdfTable(weights=weights, median=median)
    return _idf


def cut_zh(text: str) -> list[str]:
    """jieba's words for `text`, whitespace dropped."""
    return [word for word in zh_tokenizer().cut(text, HMM=True) if word.strip()]


_EN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’-][A-Za-z0-9]+)*|\d+(?:\.\d+)?%?")


def cut_en(text: str) -> list[str]:
    """English words as written (case kept), numbers and percentages as words of their own."""
    return _EN_WORD.findall(text)
