"""Line breaking for Chinese and Latin copy, and fitting text to a box by shrinking it.

Chinese may break between any two characters, Latin only at spaces, so the text is cut into
units that never break inside: one ideograph (or emoji), or one run of Latin letters, digits and
ASCII punctuation ("SPF50+", "99.9%", "¥199"). Kinsoku shori (禁则) glues closing punctuation
(，。！？」）…) to the unit before it, so no line starts with it, and opening punctuation
(「（《“) to the unit after it, so no line ends with it. A last line holding a single character
(an orphan, 孤字) takes the last unit of the line above.
"""

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from generation.compositor.fonts import is_ignorable, prefers_emoji

Measure = Callable[[str], float]

# Closing punctuation may not start a line; includes the ASCII marks used inside Chinese copy.
CLOSING = frozenset("，。！？、；：」』）》〉】〕〗〙〛｝］’”…‥·・％‰℃°～ー々〜〞,.!?;:)]}%")
# Opening punctuation may not end a line.
OPENING = frozenset("「『（《〈【〔〖〘〚｛［‘“￥〝([{")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Unit:
    text: str
    space_before: bool = False  # a space separated it from the unit before


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") or prefers_emoji(ord(ch))


def units(text: str, *, split_words: bool = False, phrases: bool = False) -> list[Unit]:
    """The unbreakable units of one paragraph. `split_words` makes every character one;
    `phrases` makes every space-separated phrase one."""
    if phrases:
        return [Unit(phrase, bool(i)) for i, phrase in enumerate(text.split())]
    result: list[Unit] = []
    pending_open = ""
    pending_space = False
    space = False
    for ch in text:
        if ch.isspace():
            space = bool(result) or bool(pending_open)
            continue
        if is_ignorable(ch) and result and not pending_open:
            result[-1] = Unit(result[-1].text + ch, result[-1].space_before)
            continue
        if ch in CLOSING and result and not pending_open:
            result[-1] = Unit(result[-1].text + ch, result[-1].space_before)
            space = False
            continue
        if ch in OPENING:
            if not pending_open:
                pending_space = space
            pending_open += ch
            space = False
            continue
        glue = (
            not split_words
            and not _is_wide(ch)
            and result
            and not pending_open
            and not space
            and not _is_wide(result[-1].text[-1])
        )
        if glue:
            result[-1] = Unit(result[-1].text + ch, result[-1].space_before)
        elif pending_open:
            result.append(Unit(pending_open + ch, pending_space))
        else:
            result.append(Unit(ch, space))
        pending_open = ""
        space = False
    if pending_open:
        if result:
            result[-1] = Unit(result[-1].text + pending_open, result[-1].space_before)
        else:
            result.append(Unit(pending_open))
    return result


def join(line: Sequence[Unit]) -> str:
    return "".join(
        (" " if unit.space_before and i else "") + unit.text for i, unit in enumerate(line)
    )


def significant_length(text: str) -> int:
    """Letters, digits and emoji: what a reader counts as characters."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN" or prefers_emoji(ord(ch)))


def _greedy(paragraph: Sequence[Unit], max_width: float, measure: Measure) -> list[list[Unit]]:
    lines: list[list[Unit]] = []
    current: list[Unit] = []
    for unit in paragraph:
        if current and measure(join([*current, unit])) > max_width:
            lines.append(current)
            current = [unit]
        else:
            current.append(unit)
    if current:
        lines.append(current)
    return lines


def _balance(
    paragraph: Sequence[Unit], lines: list[list[Unit]], max_width: float, measure: Measure
) -> list[list[Unit]]:
    """The same number of lines at the narrowest width that keeps it: lines of even length."""
    count = len(lines)
    if count < 2:
        return lines
    low, high = max_width * 0.5, max_width
    best = lines
    for _ in range(10):
        middle = (low + high) / 2
        candidate = _greedy(paragraph, middle, measure)
        widest = max(measure(join(line)) for line in candidate)
        if len(candidate) == count and widest <= middle:
            best, high = candidate, middle
        else:
            low = middle
    return best


def _fix_orphan(lines: list[list[Unit]], max_width: float, measure: Measure) -> None:
    for _ in range(3):
        if len(lines) < 2 or significant_length(join(lines[-1])) > 1 or len(lines[-2]) < 2:
            return
        moved = lines[-2].pop()
        last = [Unit(moved.text, moved.space_before), *lines[-1]]
        if measure(join(last)) > max_width:
            lines[-2].append(moved)
            return
        lines[-1] = last


@dataclass(frozen=True)
class Broken:
    lines: tuple[str, ...]
    overflow: bool  # a unit was wider than the line on its own


def break_lines(
    text: str,
    *,
    max_width: float,
    measure: Measure,
    balance: bool = False,
    split_words: bool = False,
    phrases: bool = False,
) -> Broken:
    """Break `text` into lines no wider than `max_width` (a newline forces a break)."""
    result: list[str] = []
    overflow = False
    for paragraph_text in text.split("\n"):
        paragraph = units(paragraph_text, split_words=split_words, phrases=phrases)
        if not paragraph:
            continue
        overflow = overflow or any(measure(unit.text) > max_width for unit in paragraph)
        lines = _greedy(paragraph, max_width, measure)
        if balance:
            lines = _balance(paragraph, lines, max_width, measure)
        _fix_orphan(lines, max_width, measure)
        result.extend(join(line) for line in lines)
    return Broken(tuple(result), overflow)


@dataclass(frozen=True)
class Fitted:
    size: int
    lines: tuple[str, ...]
    truncated: bool = False


def fit(
    text: str,
    *,
    sizes: Sequence[int],
    max_width: float,
    max_lines: int,
    measure_at: Callable[[int], Measure],
    balance: bool = True,
    truncate: bool = False,
) -> Fitted | None:
    """The largest size (of `sizes`, largest first) at which `text` takes at most `max_lines`
    lines without splitting a word; None if none does, unless `truncate`, which then splits
    words and ends the last line with an ellipsis at the smallest size.

    Copywriters separate Chinese phrases with a space ("水光精华 28天透亮"): breaking only there
    is preferred as long as it costs at most a fifth of the size.
    """
    if any(ch.isspace() for ch in text.strip()):
        for size in sizes:
            if size < sizes[0] * 0.8:
                break
            broken = break_lines(
                text, max_width=max_width, measure=measure_at(size), balance=balance, phrases=True
            )
            if not broken.overflow and len(broken.lines) <= max_lines:
                return Fitted(size, broken.lines)
    for size in sizes:
        broken = break_lines(text, max_width=max_width, measure=measure_at(size), balance=balance)
        if not broken.overflow and len(broken.lines) <= max_lines:
            return Fitted(size, broken.lines)
    if not truncate or not sizes:
        return None
    size = sizes[-1]
    measure = measure_at(size)
    broken = break_lines(text, max_width=max_width, measure=measure, split_words=True)
    if len(broken.lines) <= max_lines:
        return Fitted(size, broken.lines)
    kept = list(broken.lines[:max_lines])
    last = kept[-1]
    while last and measure(last.rstrip() + ELLIPSIS) > max_width:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return Fitted(size, tuple(kept), truncated=True)
