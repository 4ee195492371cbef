import json
from collections import Counter
from pathlib import Path

import pytest

from compliance.checker import check_text, rewrite

DATA = Path(__file__).parent / "data" / "labelled.jsonl"
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]


def f1(true_positive: int, false_positive: int, false_negative: int) -> float:
    precision = true_positive / (true_positive + false_positive) if true_positive else 0.0
    recall = true_positive / (true_positive + false_negative) if true_positive else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def test_the_labelled_set_is_big_varied_and_well_formed():
    assert len(ROWS) >= 300
    assert len({row["id"] for row in ROWS}) == len({row["text"] for row in ROWS}) == len(ROWS)
    languages = Counter(row["lang"] for row in ROWS)
    assert 0.55 <= languages["zh"] / len(ROWS) <= 0.7
    assert sum(1 for row in ROWS if not row["violations"]) >= 80
    families = Counter(family for row in ROWS for family in row["violations"])
    assert set(families) >= {
        "superlative",
        "endorsement",
        "superstition",
        "medical",
        "health_food",
        "guarantee",
        "claim",
        "urgency",
        "price",
    }


def test_violation_f1_is_at_least_095_overall_and_090_per_family():
    true_positive: Counter[str] = Counter()
    false_positive: Counter[str] = Counter()
    false_negative: Counter[str] = Counter()
    for row in ROWS:
        result = check_text(row["text"], lang=row["lang"], category=row["category"])
        found = {finding.family for finding in result.findings}
        wanted = set(row["violations"])
        true_positive.update(found & wanted)
        false_positive.update(found - wanted)
        false_negative.update(wanted - found)
    overall = f1(
        sum(true_positive.values()), sum(false_positive.values()), sum(false_negative.values())
    )
    assert overall >= 0.95
    for family in set(true_positive) | set(false_negative):
        assert f1(true_positive[family], false_positive[family], false_negative[family]) >= 0.9, (
            family
        )


@pytest.mark.parametrize("row", [row for row in ROWS if row["violations"]], ids=lambda r: r["id"])
def test_rewriting_a_flagged_sentence_leaves_nothing_to_flag(row):
    result = check_text(row["text"], lang=row["lang"], category=row["category"])
    rewritten = rewrite(row["text"], result)
    if rewritten:  # "" when the whole sentence was the violation
        again = check_text(rewritten, lang=row["lang"], category=row["category"])
        assert again.findings == (), (rewritten, again.findings)
