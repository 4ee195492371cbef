"""Chinese word segmentation for the checker's context rules, with our own jieba tokenizer.

Only a hit whose rule lists `except_words` that could overlap it is ever segmented (最 next to
近 in 最近), and then only the clause around it, so most checks never call jieba. The tokenizer
is our own `jieba.Tokenizer`, so other code's `jieba.add_word` calls cannot change our verdicts.
"""

import logging
import threading

import jieba

_CLAUSE_BREAKS = frozenset("，。！？；：、,.!?;:\n\r\t （）()【】[]「」“”\"'")
_CLAUSE_REACH = 40  # characters either side of a hit; jieba needs a clause, not a document

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                built = jieba.Tokenizer()
                built.initialize()
                _tokenizer = built
    return _tokenizer


def word_at(text: str, start: int) -> str:
    """The word jieba cuts at character `start` of `text`, segmenting only its clause."""
    left = start
    limit = max(0, start - _CLAUSE_REACH)
    while left > limit and text[left - 1] not in _CLAUSE_BREAKS:
        left -= 1
    right = start + 1
    limit = min(len(text), start + _CLAUSE_REACH)
    while right < limit and text[right] not in _CLAUSE_BREAKS:
        right += 1
    position = left
    for word in tokenizer().cut(text[left:right], HMM=False):
        after = position + len(word)
        if position <= start < after:
            return word
        position = after
    return text[start]
