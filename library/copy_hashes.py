"""A 64-bit SimHash of marketing copy, to find near-duplicate copy within a brand.

Copy is short (a headline is ≤ 16 CJK or ≤ 40 Latin characters; a whole copy a few hundred),
and Chinese has no spaces, so the features are character shingles of a normalised text rather
than words. Bigrams, not trigrams: most Chinese words are two characters, and one edited
character touches two shingles instead of three, which on 20-character lines is the
difference between a one-character edit landing at a median of 8 bits or 11
(bench/copy_pairs.py; bigrams separated edits from other copy better in English too).

The hash is stored as pgvector `bit(64)` (library.models.CopyHash) and searched by Hamming
distance with an HNSW `bit_hamming_ops` index, which is why this is SimHash and not MinHash:
MinHash estimates Jaccard from 128+ integers and needs LSH bands to search, which pgvector
cannot index; SimHash's distance is a Hamming distance on 64 bits. bench/copy_pairs.py
measures the labelled pairs behind DUPLICATE_DISTANCE.
"""

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Mapping

BITS = 64
SHINGLE = 2

# The largest Hamming distance between two near-duplicates. bench/copy_pairs.py, 519 edited
# pairs (punctuation, emoji, one character, one word, reordered selling points) and 217
# different ones (other headlines of the same product, same-template offers, other products):
# ≤ 12 finds 92% of the edits (93% Chinese, 89% English) and no different pair; the closest
# different pair (same template, another offer) is 14. Unrelated copy sits ~30 bits apart.
DUPLICATE_DISTANCE = 12

# The fields a reader sees, in the order they read them (generation.backends.text.base.Copy).
COPY_FIELDS = ("headline", "subheadline", "bullets", "cta", "host_line", "social_post")


def normalise(text: str) -> str:
    """The characters that carry the copy's meaning: NFKC, casefolded, letters and digits only.

    NFKC folds full-width Latin and digits (ＳＰＦ５０) into ASCII; dropping punctuation
    (Unicode category P*, which covers ，。！？、“”《》【】…), symbols (S*: emoji, ¥, ★) and
    whitespace makes "限时抢购！" and "限时抢购 🔥" the same text. Repeated characters are
    kept: runs are rare in copy once punctuation is gone, and collapsing them would make
    "100ml" and "10ml" equal.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def shingles(text: str) -> Counter[str]:
    """Character bigrams of the normalised text with their counts (a shorter text is one)."""
    chars = normalise(text)
    if len(chars) <= SHINGLE:
        return Counter([chars] if chars else [])
    return Counter(chars[i : i + SHINGLE] for i in range(len(chars) - SHINGLE + 1))


def _feature_hash(feature: str) -> int:
    # blake2b rather than hash(): Python salts str hashes per process, and these are stored.
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")


def simhash(text: str) -> str:
    """The 64-bit SimHash as '0'/'1' characters, most significant first (pgvector's bit text).

    Text with no letters or digits hashes to 64 zeros.
    """
    weights = [0] * BITS
    for feature, count in shingles(text).items():
        value = _feature_hash(feature)
        for bit in range(BITS):
            weights[bit] += count if value >> (BITS - 1 - bit) & 1 else -count
    return "".join("1" if weight > 0 else "0" for weight in weights)


def hamming(a: str, b: str) -> int:
    """The number of differing bits between two hashes in simhash()'s text form."""
    if len(a) != len(b):
        raise ValueError(f"Hashes of {len(a)} and {len(b)} bits cannot be compared.")
    return (int(a, 2) ^ int(b, 2)).bit_count()


def copy_text(copy: Mapping[str, object]) -> str:
    """The readable fields of a Copy.as_json() dict, one per line in COPY_FIELDS order.

    Missing fields are skipped, so older copies without a field still hash.
    """
    lines: list[str] = []
    for field in COPY_FIELDS:
        value = copy.get(field)
        if isinstance(value, list | tuple):
            lines.extend(str(item) for item in value if item)
        elif value:
            lines.append(str(value))
    return "\n".join(lines)


def headline_text(copy: Mapping[str, object]) -> str:
    """The headline of a Copy.as_json() dict: the line a poster is read as (library.dedup)."""
    return str(copy.get("headline") or "")
