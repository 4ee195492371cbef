"""Script analysis latency after warm-up: p50, p95 and max milliseconds per script.

    .venv/bin/python bench/analysis.py [--runs 200] [--script tests/.../skincare_zh.txt ...]

Warms up once (jieba's dictionaries, our lexicons, compiled patterns), as the web and worker
processes do at start, then analyses each script `--runs` times in this process. The default
scripts are the fixtures the tests use: a ~2,000-character Chinese skincare live script, a
~2,400-character English one and a short Chinese electronics one. The target is < 200 ms for
2,000 characters. Wall-clock figures include waiting for a CPU on a busy machine; the CPU time
per run does not.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generation.analysis import analyse_script, warm_up  # noqa: E402

FIXTURES = ROOT / "tests" / "generation" / "fixtures" / "scripts"
DEFAULT_SCRIPTS = [
    FIXTURES / name for name in ("skincare_zh.txt", "serum_en.txt", "earbuds_zh.txt")
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--script", type=Path, action="append", dest="scripts")
    args = parser.parse_args()

    started = time.perf_counter()
    warm_up()
    print(f"warm_up: {(time.perf_counter() - started) * 1000:.0f} ms")

    for path in args.scripts or DEFAULT_SCRIPTS:
        text = path.read_text(encoding="utf-8")
        timings = []
        cpu_started = time.process_time()
        for _ in range(args.runs):
            started = time.perf_counter()
            analyse_script(text)
            timings.append((time.perf_counter() - started) * 1000)
        cpu_ms = (time.process_time() - cpu_started) * 1000 / args.runs
        print(
            f"{path.name}: {len(text)} chars, {args.runs} runs: "
            f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
            f"max {max(timings):.1f} ms (CPU {cpu_ms:.1f} ms per run)"
        )


if __name__ == "__main__":
    main()
