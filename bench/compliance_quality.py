"""The ad-law checker against the labelled sentences: precision, recall and F1 per rule family.

    .venv/bin/python bench/compliance_quality.py [--data tests/compliance/data/labelled.jsonl]
        [--errors]

A sentence counts as a true positive for a family when it is labelled with that family and the
checker reports at least one finding of it; a finding of a family the sentence is not labelled
with is a false positive. "overall" pools every (sentence, family) decision (micro average);
the test suite asserts it stays at or above 0.95. `--errors` lists the sentences it got wrong.
"""

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compliance.checker import check_text  # noqa: E402

DEFAULT_DATA = ROOT / "tests" / "compliance" / "data" / "labelled.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--errors", action="store_true", help="List the misjudged sentences.")
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    true_positive: Counter[str] = Counter()
    false_positive: Counter[str] = Counter()
    false_negative: Counter[str] = Counter()
    support: Counter[str] = Counter()
    clean_flagged = 0
    for row in rows:
        result = check_text(row["text"], lang=row["lang"], category=row["category"])
        found = {finding.family for finding in result.findings}
        wanted = set(row["violations"])
        support.update(wanted)
        true_positive.update(found & wanted)
        false_positive.update(found - wanted)
        false_negative.update(wanted - found)
        if not wanted and found:
            clean_flagged += 1
        if args.errors and found != wanted:
            detail = ", ".join(f"{f.rule} {f.match!r}" for f in result.findings) or "nothing"
            print(f"{row['id']} wanted {sorted(wanted)} got {sorted(found)}: {row['text']}")
            print(f"    found {detail}")

    def scores(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    families = sorted(set(support) | set(false_positive))
    print(f"{'family':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}")
    for family in families:
        precision, recall, f1 = scores(
            true_positive[family], false_positive[family], false_negative[family]
        )
        print(f"{family:<14}{precision:>10.3f}{recall:>8.3f}{f1:>7.3f}{support[family]:>9}")
    precision, recall, f1 = scores(
        sum(true_positive.values()), sum(false_positive.values()), sum(false_negative.values())
    )
    print(f"{'overall':<14}{precision:>10.3f}{recall:>8.3f}{f1:>7.3f}{sum(support.values()):>9}")
    clean = sum(1 for row in rows if not row["violations"])
    languages = Counter(row["lang"] for row in rows)
    print(
        f"{len(rows)} sentences ({languages['zh']} zh, {languages['en']} en), {clean} clean, "
        f"{clean_flagged} of them flagged"
    )


if __name__ == "__main__":
    main()
