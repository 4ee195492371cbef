"""Ad-law checks per second on one core, after warm-up, with p50/p95 microseconds per check.

    .venv/bin/python bench/compliance.py [--checks 10000] [--profile]

Checks `--checks` sentences taken from the labelled set (tests/compliance/data/labelled.jsonl),
cycled, each varied by a number and a few words, so that no two checks see quite the same text
(the checker has no cache, but the variation keeps the figure honest if one is ever added).
Half the checks carry a BrandContext (banned words, an allowed phrase, evidence and price
facts), as pipeline checks do. The target is >= 20,000 checks/s on one core. It then checks
200 live-stream scripts of about 2,000 characters (labelled sentences joined), the size the
pipeline checks at once. `--profile` runs the sentence loop under cProfile and prints the 25
most expensive functions.
"""

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compliance.checker import check_text, warm_up  # noqa: E402
from compliance.types import BrandContext, Evidence, PriceFacts  # noqa: E402

DATA = ROOT / "tests" / "compliance" / "data" / "labelled.jsonl"

CONTEXT = BrandContext(
    banned_words=("竞品", "cheap"),
    allowed_phrases=("第一名媛",),
    evidence=(
        Evidence(
            id=1,
            claim="sales_rank",
            title="天猫面霜类目2026年销量排名第一证明",
            issuer="天猫",
            valid_from=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
        ),
    ),
    prices=PriceFacts(
        currency="CNY",
        price=Decimal("199"),
        reference_price=Decimal("299"),
        lowest_7_days=Decimal("249"),
    ),
    today=date(2026, 12, 4),
)
VARIATIONS = {
    "zh": ("", "家人们，", "姐妹们看过来，", "今天直播间{n}号链接，"),
    "en": ("", "Hey everyone! ", "New in: ", "Item {n}: "),
}


def sentences(count: int) -> list[tuple[str, str, str, BrandContext | None]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    checks = []
    for index in range(count):
        row = rows[index % len(rows)]
        prefixes = VARIATIONS[row["lang"]]
        prefix = prefixes[(index // len(rows)) % len(prefixes)].format(n=index % 97)
        context = CONTEXT if index % 2 else None
        checks.append((prefix + row["text"], row["lang"], row["category"], context))
    return checks


def run(checks: list[tuple[str, str, str, BrandContext | None]]) -> list[float]:
    timings = []
    clock = time.perf_counter
    for text, lang, category, context in checks:
        started = clock()
        check_text(text, lang=lang, category=category, context=context)
        timings.append(clock() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    warm_up()
    print(f"warm_up: {(time.perf_counter() - started) * 1000:.0f} ms")
    checks = sentences(args.checks)
    run(checks[:500])  # the first calls fill the per-(lang, category) rule masks

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(checks)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return

    cpu_started = time.process_time()
    wall_started = time.perf_counter()
    timings = run(checks)
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started
    micros = sorted(t * 1e6 for t in timings)
    p95 = micros[min(len(micros) - 1, round(0.95 * (len(micros) - 1)))]
    chars = sum(len(text) for text, *_ in checks) / len(checks)
    print(
        f"{len(checks):,} checks ({chars:.0f} characters on average) in {wall:.2f} s: "
        f"{len(checks) / wall:,.0f} checks/s wall, {len(checks) / cpu:,.0f} checks/s CPU; "
        f"p50 {statistics.median(micros):.1f} µs, p95 {p95:.1f} µs, max {micros[-1]:.0f} µs"
    )

    scripts = []
    for index in range(200):
        lang = "zh" if index % 5 < 3 else "en"
        joiner = "，" if lang == "zh" else " "
        parts = [text for text, text_lang, *_ in checks[index * 7 :] if text_lang == lang]
        script = ""
        for part in parts:
            if len(script) >= 2000:
                break
            script += part + joiner
        scripts.append((script, lang, "cosmetics", CONTEXT if index % 2 else None))
    script_micros = sorted(t * 1e6 for t in run(scripts))
    script_chars = sum(len(text) for text, *_ in scripts) / len(scripts)
    print(
        f"{len(scripts)} scripts of {script_chars:,.0f} characters on average: "
        f"p50 {statistics.median(script_micros) / 1000:.2f} ms, "
        f"p95 {script_micros[round(0.95 * (len(script_micros) - 1))] / 1000:.2f} ms per check"
    )


if __name__ == "__main__":
    main()
