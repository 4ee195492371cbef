import hashlib
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from generation.backends.image.compositor import CompositorBackend
from generation.compositor import backdrops, sources
from tests.generation.compositor.samples import COPY_EMOJI, REFERENCE_PRICE, cutout_png, spec_for


def test_the_same_spec_renders_the_same_bytes_warm_and_cold():
    backend = CompositorBackend()
    spec = spec_for("live_1080x1920", product=cutout_png(), price=REFERENCE_PRICE, seed=7)

    first = backend.render(spec)
    second = backend.render(spec)
    sources.clear_caches()
    backdrops.clear_caches()
    cold = backend.render(spec)

    assert first.data == second.data == cold.data
    assert first.layout == cold.layout


def test_consecutive_seeds_pick_every_layout_of_the_aspect():
    backend = CompositorBackend()
    spec = spec_for("main_800x800", product=cutout_png())

    chosen = [backend.render(replace(spec, seed=seed)).layout for seed in range(3)]

    assert sorted(chosen) == sorted(backend.layouts(width=800, height=800))
    assert len(set(chosen)) == 3


def test_different_seeds_give_different_posters():
    backend = CompositorBackend()
    spec = spec_for("banner_1200x628", product=cutout_png())

    posters = {backend.render(replace(spec, seed=seed)).data for seed in range(6)}

    assert len(posters) == 6


def test_a_named_layout_wins_over_the_seed():
    backend = CompositorBackend()
    spec = spec_for("xiaohongshu_1080x1440", layout="tall_split", seed=0, product=cutout_png())

    assert backend.render(spec).layout == "tall_split"
    assert backend.render(replace(spec, seed=1)).layout == "tall_split"


RENDER_IN_A_FRESH_PROCESS = """
import hashlib, sys
sys.path.insert(0, ".")
from generation.backends.image.compositor import CompositorBackend
from tests.generation.compositor.samples import COPY_EMOJI, REFERENCE_PRICE, cutout_png, spec_for
spec = spec_for("xiaohongshu_1080x1440", copy=COPY_EMOJI, product=cutout_png(),
                price=REFERENCE_PRICE, seed=4)
print(hashlib.sha256(CompositorBackend().render(spec).data).hexdigest())
"""


def test_processes_with_different_hash_seeds_render_the_same_bytes():
    root = Path(__file__).resolve().parents[3]
    digests = set()
    for hash_seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", RENDER_IN_A_FRESH_PROCESS],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip())

    spec = spec_for(
        "xiaohongshu_1080x1440",
        copy=COPY_EMOJI,
        product=cutout_png(),
        price=REFERENCE_PRICE,
        seed=4,
    )
    here = hashlib.sha256(CompositorBackend().render(spec).data).hexdigest()
    assert digests == {here}
