"""The compositor's cost per poster, per channel, on one core: compose, text and encode.

    .venv/bin/python bench/compositor.py [--posters 60] [--format jpeg] [--profile live_1080x1920]

Each channel renders `--posters` posters with consecutive seeds (so every layout and backdrop
variant takes its turn), a cut-out product, a logo and a reference price, after one warm-up
pass; "cold" is the first poster after the process's caches were emptied (fonts stay loaded).
The compose/text/encode columns are the backend's own wall-clock timings; "cpu" is process CPU
time per poster, which other load on the machine does not inflate, and posters/s is derived
from it. The budget for a 1080×1920 JPEG is 60 ms (see the 20 posters/s pipeline target).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generation.backends.image.base import OutputFormat, RenderSpec  # noqa: E402
from generation.backends.image.compositor import CompositorBackend  # noqa: E402
from generation.compositor import backdrops, sources  # noqa: E402
from generation.compositor.fonts import require_fonts  # noqa: E402
from tests.generation.compositor.samples import (  # noqa: E402
    COPY_ZH,
    REFERENCE_PRICE,
    cutout_png,
    logo_png,
    spec_for,
)

CHANNELS = ["live_1080x1920", "xiaohongshu_1080x1440", "main_800x800", "banner_1200x628"]


def _specs(channel: str, count: int, output_format: str) -> list[RenderSpec]:
    base = spec_for(
        channel,
        copy=COPY_ZH,
        product=cutout_png(),
        logo=logo_png(),
        price=REFERENCE_PRICE,
        output_format=output_format,
    )
    return [replace(base, seed=seed) for seed in range(count)]


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posters", type=int, default=60)
    parser.add_argument("--format", default="jpeg", choices=[f.value for f in OutputFormat])
    parser.add_argument("--profile", metavar="CHANNEL", help="cProfile this channel's renders")
    args = parser.parse_args()
    _pin_to_one_core()
    require_fonts()
    backend = CompositorBackend()
    if args.profile:
        specs = _specs(args.profile, args.posters, args.format)
        for spec in specs:
            backend.render(spec)
        profiler = cProfile.Profile()
        profiler.enable()
        for spec in specs:
            backend.render(spec)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        return
    python = sys.version.split()[0]
    print(f"{args.posters} posters per channel, {args.format}, one core, Python {python}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    header = f"{'channel':24} {'compose':>8} {'text':>7} {'encode':>7} {'wall':>7} {'p95':>7}"
    print(f"{header} {'cpu':>7} {'posters/s':>10} {'cold ms':>8} {'KiB':>6}")
    for channel in CHANNELS:
        specs = _specs(channel, args.posters, args.format)
        sources.clear_caches()
        backdrops.clear_caches()
        started = time.perf_counter()
        backend.render(specs[0])
        cold = (time.perf_counter() - started) * 1000
        for spec in specs:
            backend.render(spec)
        parts: dict[str, list[float]] = {"compose": [], "text": [], "encode": []}
        totals: list[float] = []
        sizes: list[int] = []
        cpu = time.process_time()
        for spec in specs:
            started = time.perf_counter()
            rendered = backend.render(spec)
            encoding = time.perf_counter()
            sizes.append(len(rendered.data))  # the plain encode, as the pipeline's costs
            parts["encode"].append((time.perf_counter() - encoding) * 1000)
            totals.append((time.perf_counter() - started) * 1000)
            for key in ("compose", "text"):
                parts[key].append(rendered.timings_ms[key])
        cpu_ms = (time.process_time() - cpu) / len(specs) * 1000
        p95 = sorted(totals)[int(len(totals) * 0.95) - 1]
        print(
            f"{channel:24} {statistics.mean(parts['compose']):8.1f} "
            f"{statistics.mean(parts['text']):7.1f} {statistics.mean(parts['encode']):7.1f} "
            f"{statistics.mean(totals):7.1f} {p95:7.1f} {cpu_ms:7.1f} {1000 / cpu_ms:10.1f} "
            f"{cold:8.0f} {statistics.mean(sizes) / 1024:6.0f}"
        )


if __name__ == "__main__":
    main()
