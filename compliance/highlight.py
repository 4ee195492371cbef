"""The checked text cut into segments for the pages: plain runs and the runs that findings (or
citations of accepted evidence) cover, so a template can wrap the latter in <mark>.

Segments are plain strings; the template escapes them like any other value, so pasted HTML stays
text. Nothing here builds markup.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from .types import Citation, Finding

# The strongest mark wins where spans overlap.
_RANK = {"cited": 1, "review": 2, "block": 3}


@dataclass(frozen=True)
class Segment:
    text: str
    # "" for plain text, else "block", "review" or "cited" (the strongest span covering it)
    mark: str = ""
    # 1-based numbers of the findings covering it, as the findings list numbers them
    numbers: tuple[int, ...] = ()
    # findings whose first segment this is: the list links to them (#match-N)
    anchors: tuple[int, ...] = ()
    label: str = ""  # for the title attribute: rule and legal reference

    @property
    def numbers_text(self) -> str:
        return " ".join(str(n) for n in self.numbers)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    mark: str
    number: int  # 0 for a citation
    label: str


def _get(item: Finding | Citation | Mapping[str, Any], name: str, default: Any = "") -> Any:
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def _valid(text: str, start: Any, end: Any, match: Any) -> bool:
    """Whether the span fits the text (a stored result may be older than an edited copy)."""
    if not isinstance(start, int) or not isinstance(end, int):
        return False
    if not 0 <= start < end <= len(text):
        return False
    return not match or text[start:end] == match


def spans_of(
    text: str,
    findings: Iterable[Finding | Mapping[str, Any]],
    citations: Iterable[Citation | Mapping[str, Any]] = (),
    *,
    first_number: int = 1,
) -> list[_Span]:
    spans = []
    for number, finding in enumerate(findings, start=first_number):
        start, end = _get(finding, "start", None), _get(finding, "end", None)
        if not _valid(text, start, end, _get(finding, "match")):
            continue
        severity = str(_get(finding, "severity", "review"))
        label = " · ".join(
            part for part in (str(_get(finding, "rule")), str(_get(finding, "reference"))) if part
        )
        spans.append(_Span(start, end, severity if severity in _RANK else "review", number, label))
    for citation in citations:
        start, end = _get(citation, "start", None), _get(citation, "end", None)
        if not _valid(text, start, end, _get(citation, "match")):
            continue
        label = " · ".join(
            part
            for part in (str(_get(citation, "evidence_title")), str(_get(citation, "issuer")))
            if part
        )
        spans.append(_Span(start, end, "cited", 0, label))
    return spans


def highlight(
    text: str,
    findings: Sequence[Finding | Mapping[str, Any]],
    citations: Sequence[Citation | Mapping[str, Any]] = (),
    *,
    first_number: int = 1,
) -> list[Segment]:
    """`text` as consecutive segments (their texts join back to `text`).

    Findings are numbered from `first_number` in the order given. Spans that do not fit the
    text (out of range, or a `match` that differs from the text there) are left out rather than
    misplaced.
    """
    spans = spans_of(text, findings, citations, first_number=first_number)
    if not spans:
        return [Segment(text)] if text else []
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    starts: dict[int, list[_Span]] = {}
    for span in spans:
        starts.setdefault(span.start, []).append(span)
    active: list[_Span] = []
    anchored: set[int] = set()
    segments: list[Segment] = []
    for left, right in pairwise(cuts):
        active = [s for s in active if s.end > left] + starts.get(left, [])
        piece = text[left:right]
        if not active:
            segments.append(Segment(piece))
            continue
        strongest = max(active, key=lambda s: _RANK[s.mark])
        numbers = tuple(sorted({s.number for s in active if s.number}))
        anchors = tuple(n for n in numbers if n not in anchored)
        anchored.update(anchors)
        segments.append(
            Segment(
                piece,
                mark=strongest.mark,
                numbers=numbers,
                anchors=anchors,
                label=" / ".join(dict.fromkeys(s.label for s in active if s.label)),
            )
        )
    return segments
