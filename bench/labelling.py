"""Milliseconds per 1080×1920 poster to label it and to verify it, on one core.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/labelling.py [--posters 60]

Embedding is what the pipeline adds after the compositor has drawn a poster (its visible label
is drawn in the layout): the invisible watermark, the PDQ fingerprint, the JPEG encode with the
TC260 XMP and EXIF, and the C2PA manifest (signed with a development chain made on the fly).
`label_image` on a picture made elsewhere also draws the visible label: that step is timed on
its own. Verifying is the file-level work of `verify_image`: decode, metadata, C2PA, watermark
and fingerprint (the database lookups come on top: a primary-key read, and the fingerprint
scan that the dedup index serves). Targets: ≤ 60 ms to embed everything but C2PA, ≤ 60 ms to
verify. The plain encode without any mark is shown for comparison.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

CERTS = Path(tempfile.mkdtemp(prefix="bench-c2pa-"))
settings.configure(
    SECRET_KEY="bench-only-secret",  # noqa: S106
    APP_AIGC_PROVIDER_CODE="brandloom-bench",
    APP_WATERMARK_INSTALLATION_ID=1,
    APP_C2PA_CERT_CHAIN="",
    APP_C2PA_PRIVATE_KEY="",
    APP_C2PA_TRUST_ANCHORS="",
)
django.setup()

from PIL import Image  # noqa: E402

from generation.backends.image.base import OutputFormat, encode_plain  # noqa: E402
from generation.compositor.poster import compose  # noqa: E402
from provenance import c2pa_manifest, fingerprint, labelling, metadata, watermark  # noqa: E402
from provenance.management.commands.c2pa_dev_certs import build_dev_chain  # noqa: E402
from provenance.visible_label import draw_label  # noqa: E402
from tests.generation.compositor import samples  # noqa: E402


def posters(count: int) -> list[Image.Image]:
    copies = (samples.COPY_ZH, samples.COPY_EN, samples.COPY_EMOJI, samples.COPY_LONG)
    palettes = list(samples.PALETTES)
    made = []
    for index in range(count):
        spec = samples.spec_for(
            "live_1080x1920",
            copy=copies[index % len(copies)],
            palette=palettes[index % len(palettes)],
            seed=index,
        )
        made.append(compose(spec)[0])
    return made


def timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return (time.perf_counter() - started) * 1000


def row(name: str, values: list[float]) -> None:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{name:44} {statistics.median(values):8.1f} {p95:8.1f}")


def configure_c2pa() -> None:
    root, chain, key = build_dev_chain()
    for name, data in (("root.pem", root), ("chain.pem", chain), ("leaf.key", key)):
        (CERTS / name).write_bytes(data)
    settings.APP_C2PA_CERT_CHAIN = str(CERTS / "chain.pem")
    settings.APP_C2PA_PRIVATE_KEY = str(CERTS / "leaf.key")
    settings.APP_C2PA_TRUST_ANCHORS = str(CERTS / "root.pem")
    c2pa_manifest.reset_signer_cache()


def verify_file(data: bytes) -> bool:
    image = Image.open(io.BytesIO(data))
    image.load()
    metadata.read(data)
    c2pa_manifest.read(data, "image/jpeg")
    found = watermark.detect(image)
    fingerprint.pdq(image)
    return found.found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posters", type=int, default=60)
    args = parser.parse_args()
    images = posters(args.posters)
    # Warm-up: tile patterns, codecs and the signer are built once per process.
    labelling.mark(
        images[0], output_format=OutputFormat.JPEG, asset_id=1, title="", composite=False,
        visible_label="AI生成",
    )  # fmt: skip

    steps: dict[str, list[float]] = {
        name: []
        for name in (
            "plain JPEG encode (no marks)",
            "visible label (label_image only)",
            "watermark",
            "fingerprint (PDQ)",
            "encode with TC260 XMP + EXIF",
            "embed all but C2PA",
            "C2PA sign",
            "embed all with C2PA",
            "verify (decode, metadata, C2PA, watermark, PDQ)",
        )
    }
    marked_files = []
    for index, image in enumerate(images, start=1):
        steps["plain JPEG encode (no marks)"].append(
            timed(lambda image=image: encode_plain(image, OutputFormat.JPEG))
        )
        steps["visible label (label_image only)"].append(
            timed(lambda image=image: draw_label(image, "AI生成"))
        )
        started = time.perf_counter()
        marked = labelling.mark(
            image, output_format=OutputFormat.JPEG, asset_id=index, title=f"poster {index}",
            composite=False, visible_label="AI生成",
        )  # fmt: skip
        steps["embed all but C2PA"].append((time.perf_counter() - started) * 1000)
        steps["watermark"].append(marked.timings_ms["watermark"])
        steps["fingerprint (PDQ)"].append(marked.timings_ms["fingerprint"])
        steps["encode with TC260 XMP + EXIF"].append(marked.timings_ms["encode"])
    configure_c2pa()
    labelling.mark(
        images[0], output_format=OutputFormat.JPEG, asset_id=1, title="", composite=False,
        visible_label="AI生成",
    )  # fmt: skip
    for index, image in enumerate(images, start=1):
        started = time.perf_counter()
        marked = labelling.mark(
            image, output_format=OutputFormat.JPEG, asset_id=index, title=f"poster {index}",
            composite=False, visible_label="AI生成",
        )  # fmt: skip
        steps["embed all with C2PA"].append((time.perf_counter() - started) * 1000)
        steps["C2PA sign"].append(marked.timings_ms["c2pa"])
        marked_files.append(marked.data)
    found = 0
    for data in marked_files:
        started = time.perf_counter()
        found += verify_file(data)
        steps["verify (decode, metadata, C2PA, watermark, PDQ)"].append(
            (time.perf_counter() - started) * 1000
        )

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    print(f"{args.posters} live_1080x1920 posters, OPENBLAS_NUM_THREADS={threads}")
    print(f"{'step (ms per poster)':44} {'p50':>8} {'p95':>8}")
    for name, values in steps.items():
        row(name, values)
    print(f"watermark found in {found}/{len(marked_files)} signed files")


if __name__ == "__main__":
    main()
