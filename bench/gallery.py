"""Render the compositor gallery in docs/gallery: real posters from drawn sample inputs.

    .venv/bin/python bench/gallery.py [--out docs/gallery] [--sheet /tmp/contact-sheet.png]

Each entry names its channel, layout, copy, palette and inputs; README.md there lists them.
The product cut-outs, photo, logo and background are drawn with Pillow
(tests/generation/compositor/samples.py), so the gallery needs no binary inputs.
"""

import argparse
import io
import sys
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from generation.backends.image.base import PriceTag  # noqa: E402
from generation.backends.image.compositor import CompositorBackend  # noqa: E402
from tests.generation.compositor import samples  # noqa: E402


@dataclass(frozen=True)
class Entry:
    name: str
    channel: str
    layout: str
    copy: str
    palette: str
    product: str  # "bottle", "jar", "photo" or "none"
    price: str  # "reference", "plain" or "none"
    logo: bool = False
    background: bool = False
    family: str = "sans"

    def describe(self) -> str:
        product = {
            "bottle": "cut-out bottle (alpha)",
            "jar": "cut-out jar (alpha)",
            "photo": "opaque photo (framed)",
            "none": "no product (copy alone)",
        }[self.product]
        price = {
            "reference": "price with crossed-out reference price",
            "plain": "price without reference",
            "none": "no price",
        }[self.price]
        extras = [product, price, f"{self.copy} copy", f"{self.palette} palette", self.family]
        if self.logo:
            extras.append("logo image")
        else:
            extras.append("wordmark")
        if self.background:
            extras.append("background photo")
        return ", ".join(extras)


ENTRIES = [
    Entry("live-stage", "live_1080x1920", "tall_stage", "zh", "rose", "bottle", "reference"),
    Entry(
        "live-showcase-emoji",
        "live_1080x1920",
        "tall_showcase",
        "emoji",
        "night",
        "bottle",
        "plain",
    ),
    Entry(
        "xhs-split-photo",
        "xiaohongshu_1080x1440",
        "tall_split",
        "zh",
        "forest",
        "photo",
        "reference",
        logo=True,
    ),
    Entry(
        "xhs-copy-only",
        "xiaohongshu_1080x1440",
        "tall_stage",
        "emoji",
        "night",
        "none",
        "reference",
    ),
    Entry(
        "xhs-showcase-background",
        "xiaohongshu_1080x1440",
        "tall_showcase",
        "zh",
        "forest",
        "jar",
        "reference",
        background=True,
        family="serif",
    ),
    Entry("live-spotlight", "live_1080x1920", "tall_spotlight", "zh", "ocean", "jar", "reference"),
    Entry(
        "xhs-showcase-mirrored",
        "xiaohongshu_1080x1440",
        "tall_showcase_mirrored",
        "en",
        "rose",
        "bottle",
        "plain",
    ),
    Entry("main-side-english", "main_800x800", "square_side", "en", "ocean", "bottle", "plain"),
    Entry("main-center", "main_800x800", "square_center", "zh", "rose", "jar", "reference"),
    Entry(
        "main-band-long",
        "main_800x800",
        "square_band",
        "long",
        "forest",
        "bottle",
        "reference",
        family="serif",
    ),
    Entry(
        "banner-product-left",
        "banner_1200x628",
        "wide_product_left",
        "zh",
        "ocean",
        "photo",
        "reference",
        logo=True,
    ),
    Entry(
        "banner-triptych-english", "banner_1200x628", "wide_triptych", "en", "rose", "jar", "none"
    ),
    Entry(
        "banner-product-right",
        "banner_1200x628",
        "wide_product_right",
        "zh",
        "forest",
        "jar",
        "reference",
    ),
    Entry(
        "banner-copy-right", "banner_1200x628", "wide_copy_right", "en", "night", "bottle", "plain"
    ),
]


def render(entry: Entry, backend: CompositorBackend) -> bytes:
    product = {
        "bottle": samples.cutout_png(),
        "jar": samples.cutout_png("jar"),
        "photo": samples.product_photo_jpeg(),
        "none": None,
    }[entry.product]
    price = {
        "reference": samples.REFERENCE_PRICE,
        "plain": PriceTag(samples.Decimal("89.90")),
        "none": None,
    }[entry.price]
    copy = {
        "zh": samples.COPY_ZH,
        "en": samples.COPY_EN,
        "emoji": samples.COPY_EMOJI,
        "long": samples.COPY_LONG,
    }[entry.copy]
    spec = samples.spec_for(
        entry.channel,
        layout=entry.layout,
        copy=copy,
        palette=entry.palette,
        product=product,
        price=price,
        logo=samples.logo_png() if entry.logo else None,
        background=samples.background_photo_jpeg() if entry.background else None,
        family=entry.family,
    )
    if entry.copy == "en":
        spec = replace(spec, language="en")
    return backend.render(spec).data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "gallery")
    parser.add_argument("--sheet", type=Path, help="also write a contact sheet PNG here")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    backend = CompositorBackend()
    rows = []
    thumbs = []
    for entry in ENTRIES:
        data = render(entry, backend)
        filename = f"{entry.name}.jpg"
        (args.out / filename).write_bytes(data)
        image = Image.open(io.BytesIO(data))
        rows.append(
            f"| [{filename}]({filename}) | `{entry.channel}` | `{entry.layout}` | "
            f"{entry.describe()} |"
        )
        image.thumbnail((360, 360))
        thumbs.append(image.convert("RGB"))
        print(f"{filename}: {len(data) / 1024:.0f} KiB")
    readme = (args.out / "README.md").read_text() if (args.out / "README.md").exists() else ""
    marker = "| file | channel | layout | inputs |"
    head = readme.split(marker)[0] if marker in readme else "# Compositor gallery\n\n"
    table = "\n".join([marker, "| --- | --- | --- | --- |", *rows])
    (args.out / "README.md").write_text(f"{head}{table}\n")
    if args.sheet:
        width = sum(t.width for t in thumbs) + 8 * len(thumbs)
        sheet = Image.new("RGB", (width, max(t.height for t in thumbs)), "white")
        x = 0
        for thumb in thumbs:
            sheet.paste(thumb, (x, 0))
            x += thumb.width + 8
        sheet.save(args.sheet)


if __name__ == "__main__":
    main()
