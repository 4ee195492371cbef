"""Near-duplicate image detection (library.image_hashes) on a labelled pair set built here.

    .venv/bin/python bench/dedup_pairs.py

Originals: 12 posters from the real compositor (every layout of the four channel presets, with
different palettes, copy and products) and 10 library-like photos drawn with Pillow (gradient,
soft blobs, props, grain; every other one with the bottle standing on it).

- Positives, each transform of each original: JPEG q50/70/90, resize 50%/200%, crops of 5% and
  10% (one edge each; half from two opposite edges; two adjacent edges, keeping a corner;
  centred, half from every edge), a sticker in the top-right corner, a handle in the
  bottom-left, brightness and contrast ±10%, a 1% white and a 2% black border.
- Negatives: per poster the same template with another headline, another product, another
  price, the next backdrop variant (seed 3) and the next layout; the poster cut, stickered or
  bordered like the positives but with another headline or product (what a crop hypothesis
  lines up); per photo the same props on another backdrop; and every ordered pair of images
  from different originals ("unrelated", ~1.5 million).

Price-only and backdrop-variant siblings are the same picture to the eye (PDQ 0-8 and 0-22):
they are reported but left out of the negative rate (GREY).

Prints, for PDQ ≤ 31 (provenance's threshold), PDQ alone at the chosen threshold and the chosen
scheme (library.image_hashes.COMPARED), the share called duplicate per label, then per compared
pair of kinds the distance distribution (min p50 p95 max) per label, from which the
thresholds were chosen: the largest that keep every non-grey negative and every unrelated pair
at least 4 bits above. Runs in about a minute on two cores.
"""

import dataclasses
import io
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageOps  # noqa: E402

from generation.backends.image.base import PriceTag  # noqa: E402
from generation.backends.image.compositor import CompositorBackend  # noqa: E402
from library import image_hashes  # noqa: E402
from tests.generation.compositor import samples  # noqa: E402

# channel, layout, palette, copy, product: each layout of every channel once.
POSTERS = [
    ("live_1080x1920", "tall_stage", "rose", "zh", "bottle"),
    ("live_1080x1920", "tall_split", "night", "emoji", "jar"),
    ("live_1080x1920", "tall_showcase", "forest", "zh", "photo"),
    ("xiaohongshu_1080x1440", "tall_stage", "ocean", "en", "bottle"),
    ("xiaohongshu_1080x1440", "tall_split", "rose", "long", "jar"),
    ("xiaohongshu_1080x1440", "tall_showcase", "night", "zh", "bottle"),
    ("main_800x800", "square_side", "ocean", "zh", "bottle"),
    ("main_800x800", "square_center", "rose", "en", "jar"),
    ("main_800x800", "square_band", "forest", "long", "bottle"),
    ("banner_1200x628", "wide_copy_left", "night", "zh", "jar"),
    ("banner_1200x628", "wide_product_left", "ocean", "emoji", "photo"),
    ("banner_1200x628", "wide_triptych", "rose", "zh", "bottle"),
]
COPIES = {
    "zh": samples.COPY_ZH,
    "en": samples.COPY_EN,
    "emoji": samples.COPY_EMOJI,
    "long": samples.COPY_LONG,
}
# A headline of about the same length in the same language: only the words differ.
OTHER_HEADLINE = {
    "zh": "水润保湿面霜 7天焕新柔嫩肌",
    "en": "Soft skin from dawn to dusk",
    "emoji": "新品💧保湿面霜 买一送一🎁",
    "long": "「秋冬限定」全新第二代深层保湿修护面霜，七天见证柔嫩水润好肌肤！",
}
OTHER_PRODUCT = {"bottle": "jar", "jar": "bottle", "photo": "bottle"}
OTHER_PRICE = PriceTag(Decimal("259"))
PHOTO_SEEDS = range(10)


_backend = CompositorBackend()
_products: dict[str, bytes] = {}


def product_bytes(kind: str) -> bytes:
    if kind not in _products:
        _products[kind] = {
            "bottle": samples.cutout_png,
            "jar": lambda: samples.cutout_png("jar"),
            "photo": samples.product_photo_jpeg,
        }[kind]()
    return _products[kind]


def poster(
    channel: str,
    layout: str,
    palette: str,
    copy: str,
    product: str,
    *,
    seed: int = 0,
    headline: str | None = None,
    price: PriceTag | None = samples.PLAIN_PRICE,
) -> Image.Image:
    text = COPIES[copy]
    if headline is not None:
        text = dataclasses.replace(text, headline=headline)
    spec = samples.spec_for(
        channel, layout=layout, palette=palette, copy=text, product=product_bytes(product),
        price=price, seed=seed,
    )  # fmt: skip
    if copy == "en":
        spec = dataclasses.replace(spec, language="en")
    return _backend.render(spec).image.convert("RGB")


def photo(seed: int, *, item: bool | None = None, backdrop_seed: int | None = None) -> Image.Image:
    """A library-like photo: a two-colour gradient, soft blurred shapes, hard props, film grain,
    and (for some seeds) the bottle standing on it. `backdrop_seed` redraws only the backdrop."""
    rng = random.Random(seed if backdrop_seed is None else 1000 + backdrop_seed)
    width, height = rng.choice([(1200, 900), (1080, 1350), (1000, 1000), (1600, 900)])
    start = [rng.randrange(256) for _ in range(3)]
    end = [rng.randrange(256) for _ in range(3)]
    ramp = Image.linear_gradient("L").resize((width, height))
    if rng.random() < 0.5:
        ramp = ramp.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    channels = [
        ramp.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
        for a, b in zip(start, end, strict=True)
    ]
    image = Image.merge("RGB", channels)
    soft = Image.new("RGB", (width, height))
    mask = Image.new("L", (width, height), 0)
    draw, mask_draw = ImageDraw.Draw(soft), ImageDraw.Draw(mask)
    for _ in range(rng.randrange(4, 9)):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randrange(width // 10, width // 3)
        box = (x - radius, y - radius, x + radius, y + radius)
        draw.ellipse(box, fill=tuple(rng.randrange(256) for _ in range(3)))
        mask_draw.ellipse(box, fill=rng.randrange(90, 200))
    image = Image.composite(soft, image, mask.filter(ImageFilter.GaussianBlur(width // 25)))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randrange(3, 8)):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 12, width // 4), rng.randrange(height // 12, height // 4)
        fill = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle((x, y, x + w, y + h), fill=fill)
        else:
            draw.polygon([(x, y + h), (x + w // 2, y), (x + w, y + h)], fill=fill)
    grain = Image.effect_noise((width, height), 12).convert("RGB")
    image = Image.blend(image, grain, 0.08)
    if item if item is not None else seed % 2 == 0:
        place = random.Random(seed)
        bottle = samples.bottle((place.randrange(256), place.randrange(256), place.randrange(256)))
        bottle = bottle.resize((bottle.width * height * 2 // 3 // bottle.height, height * 2 // 3))
        x = place.randrange(width // 10, width - bottle.width - width // 10)
        image.paste(bottle, (x, height - bottle.height - height // 12), bottle)
    return image


# --- positives ---------------------------------------------------------------------------------


def jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def crop(image: Image.Image, left: float, top: float, right: float, bottom: float) -> Image.Image:
    width, height = image.size
    return image.crop(
        (round(width * left), round(height * top), round(width * (1 - right)),
         round(height * (1 - bottom)))
    )  # fmt: skip


def crops(fraction: float) -> dict[str, Callable[[Image.Image], Image.Image]]:
    """`fraction` of each affected dimension cut away: from one edge, from two opposite edges
    (half each), from two adjacent edges (a corner kept, the dimension cut in both), centred."""
    f, h = fraction, fraction / 2
    name = f"{round(fraction * 100)}%"
    cuts = {
        "left": (f, 0, 0, 0), "right": (0, 0, f, 0), "top": (0, f, 0, 0),
        "bottom": (0, 0, 0, f), "left+right": (h, 0, h, 0), "top+bottom": (0, h, 0, h),
        "corner top-left kept": (0, 0, f, f), "corner bottom-right kept": (f, f, 0, 0),
        "centred": (h, h, h, h),
    }  # fmt: skip

    def cutter(c: tuple[float, float, float, float]) -> Callable[[Image.Image], Image.Image]:
        return lambda image: crop(image, *c)

    return {f"crop {name} {where}": cutter(c) for where, c in cuts.items()}


def sticker(image: Image.Image) -> Image.Image:
    """A "NEW" badge in the top-right corner, about 12% of the width."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    size = max(24, image.width // 8)
    x, y = image.width - size - image.width // 40, image.width // 40
    draw.ellipse((x, y, x + size, y + size), fill=(230, 30, 40))
    draw.text((x + size // 5, y + size // 3), "NEW", fill="white", font_size=size // 3)
    return out


def caption(image: Image.Image) -> Image.Image:
    """A small handle/watermark text in the bottom-left corner."""
    out = image.copy()
    ImageDraw.Draw(out).text(
        (image.width // 30, image.height - image.height // 18), "@brand_official",
        fill=(255, 255, 255), font_size=max(12, image.height // 40), stroke_width=1,
        stroke_fill=(0, 0, 0),
    )  # fmt: skip
    return out


def border(image: Image.Image, fraction: float, colour: str) -> Image.Image:
    return ImageOps.expand(image, border=max(1, round(min(image.size) * fraction)), fill=colour)


def scaled(image: Image.Image, factor: float) -> Image.Image:
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.LANCZOS)


POSITIVES: dict[str, Callable[[Image.Image], Image.Image]] = {
    "jpeg q50": lambda image: jpeg(image, 50),
    "jpeg q70": lambda image: jpeg(image, 70),
    "jpeg q90": lambda image: jpeg(image, 90),
    "resize 50%": lambda image: scaled(image, 0.5),
    "resize 200%": lambda image: scaled(image, 2.0),
    **crops(0.05),
    **crops(0.10),
    "sticker top-right": sticker,
    "text bottom-left": caption,
    "brightness +10%": lambda image: ImageEnhance.Brightness(image).enhance(1.1),
    "brightness -10%": lambda image: ImageEnhance.Brightness(image).enhance(0.9),
    "contrast +10%": lambda image: ImageEnhance.Contrast(image).enhance(1.1),
    "contrast -10%": lambda image: ImageEnhance.Contrast(image).enhance(0.9),
    "border 1% white": lambda image: border(image, 0.01, "white"),
    "border 2% black": lambda image: border(image, 0.02, "black"),
}


# --- the pair set ------------------------------------------------------------------------------


@dataclass
class PairSet:
    images: list[Image.Image]
    families: list[int]  # images derived from one original (or its siblings) share a family
    pairs: list[tuple[str, str, int, int]]  # (group, label, stored image, query image)

    def add(self, image: Image.Image, family: int) -> int:
        self.images.append(image)
        self.families.append(family)
        return len(self.images) - 1


SIBLING_TRANSFORMS = [name for name in POSITIVES if name.startswith(("crop", "sticker", "border"))]


def pair_set() -> PairSet:
    """Positives: every transform of every original. Negatives: poster siblings as such and
    cropped/stickered/bordered (a sibling cut the same way lines up with the hypotheses that
    catch crops, so it is the real test of their thresholds), photo siblings, and all pairs of
    images from different families (counted apart, as "unrelated")."""
    data = PairSet([], [], [])
    originals: list[int] = []
    for family, (channel, layout, palette, copy, product) in enumerate(POSTERS):
        base = data.add(poster(channel, layout, palette, copy, product), family)
        originals.append(base)
        other_layout = next(p[1] for p in POSTERS if p[0] == channel and p[1] != layout)
        siblings = {
            "other headline": poster(
                channel, layout, palette, copy, product, headline=OTHER_HEADLINE[copy]
            ),
            "other product": poster(channel, layout, palette, copy, OTHER_PRODUCT[product]),
            "other price": poster(channel, layout, palette, copy, product, price=OTHER_PRICE),
            # seed 3 keeps the layout and draws the next backdrop variant.
            "other backdrop variant": poster(channel, layout, palette, copy, product, seed=3),
            "other layout": poster(channel, other_layout, palette, copy, product),
        }
        for label, image in siblings.items():
            data.pairs.append(("negative", f"poster, {label}", base, data.add(image, family)))
        for label in ("other headline", "other product"):
            for name in SIBLING_TRANSFORMS:
                query = data.add(POSITIVES[name](siblings[label]), family)
                data.pairs.append(("negative", f"poster {name}, {label}", base, query))
    for seed in PHOTO_SEEDS:
        family = len(POSTERS) + seed
        base = data.add(photo(seed), family)
        originals.append(base)
        other = data.add(photo(seed, backdrop_seed=seed + 1), family)
        data.pairs.append(("negative", "photo, same props, other backdrop", base, other))
    for base in originals:
        for name, transform in POSITIVES.items():
            query = data.add(transform(data.images[base]), data.families[base])
            data.pairs.append(("positive", name, base, query))
    return data


# --- measuring ---------------------------------------------------------------------------------

# Siblings that differ only in the price digits or in soft backdrop blobs are the same picture
# to the eye (PDQ 0-8 and 0-22 apart): reported, not held to "not duplicate".
GREY = ("poster, other price", "poster, other backdrop variant")


def as_words(bits: str) -> np.ndarray:
    return np.array([int(bits[i : i + 64], 2) for i in range(0, 256, 64)], dtype=np.uint64)


def quantiles(values: list[int]) -> str:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return f"{ordered[0]:3d} {pick(0.5):3d} {pick(0.95):3d} {ordered[-1]:3d}"


def main() -> None:
    started = time.perf_counter()
    data = pair_set()
    built = time.perf_counter()
    signatures = [image_hashes.query_signature(image) for image in data.images]
    hashed = time.perf_counter()
    kinds = {kind: np.stack([as_words(s.hashes[kind]) for s in signatures])
             for kind in image_hashes.QUERY_KINDS}  # fmt: skip

    def between(query_kind: str, stored_kind: str, stored: int, query: int) -> int:
        return int(np.bitwise_count(kinds[query_kind][query] ^ kinds[stored_kind][stored]).sum())

    labels = list(dict.fromkeys(label for _, label, _, _ in data.pairs))
    # Per compared pair of kinds: (stored, query) distance for every pair; negatives both ways.
    per_pair: dict[tuple[str, str, int], list[int]] = {}
    for compared in image_hashes.COMPARED:
        q, s, _ = compared
        per_pair[compared] = [
            min(between(q, s, a, b), between(q, s, b, a)) if group == "negative"
            else between(q, s, a, b)
            for group, _, a, b in data.pairs
        ]  # fmt: skip
    # Unrelated: every ordered pair of images of different families.
    families = np.array(data.families)
    cross = families[:, None] != families[None, :]
    unrelated_min: dict[tuple[str, str, int], int] = {}
    unrelated_hits = np.zeros(cross.shape, dtype=bool)
    for compared in image_hashes.COMPARED:
        q, s, threshold = compared
        d = sum(
            np.bitwise_count(kinds[q][:, None, w] ^ kinds[s][None, :, w]).astype(np.int16)
            for w in range(4)
        )
        unrelated_min[compared] = int(d[cross].min())
        unrelated_hits |= cross & (d <= threshold)
    pdq_only = image_hashes.COMPARED[0]
    pdq_d = sum(
        np.bitwise_count(kinds["pdq"][:, None, w] ^ kinds["pdq"][None, :, w]).astype(np.int16)
        for w in range(4)
    )
    print(
        f"{len(data.images)} images, {len(data.pairs)} labelled pairs "
        f"({sum(g == 'positive' for g, *_ in data.pairs)} positive), "
        f"{int(cross.sum())} unrelated ordered pairs; built in {built - started:.0f} s, "
        f"query_signature of all in {hashed - built:.0f} s"
    )

    schemes = {
        "PDQ <= 31": lambda i: per_pair[pdq_only][i] <= 31,
        f"PDQ <= {pdq_only[2]}": lambda i: per_pair[pdq_only][i] <= pdq_only[2],
        "chosen": lambda i: any(per_pair[c][i] <= c[2] for c in image_hashes.COMPARED),
    }
    print("\nShare of pairs called duplicate, per label (positives: TPR; negatives: FPR)")
    print(f"{'label':48s} {'n':>4s} " + " ".join(f"{name:>10s}" for name in schemes))
    for label in labels:
        rows = [i for i, (_, lab, _, _) in enumerate(data.pairs) if lab == label]
        rates = [sum(decide(i) for i in rows) / len(rows) for decide in schemes.values()]
        print(f"{label:48s} {len(rows):4d} " + " ".join(f"{r:10.2f}" for r in rates))
    for group, name in (("positive", "all positives"), ("negative", "negatives (no grey)")):
        rows = [i for i, (g, lab, _, _) in enumerate(data.pairs) if g == group and lab not in GREY]
        rates = [sum(decide(i) for i in rows) / len(rows) for decide in schemes.values()]
        print(f"{name:48s} {len(rows):4d} " + " ".join(f"{r:10.2f}" for r in rates))
    n = int(cross.sum())
    print(
        f"{'unrelated (ordered pairs)':48s} {n:4d} "
        f"{(pdq_d[cross] <= 31).sum() / n:10.6f} {(pdq_d[cross] <= pdq_only[2]).sum() / n:10.6f} "
        f"{unrelated_hits.sum() / n:10.6f}"
    )

    print("\nDistance per compared pair of kinds: min p50 p95 max per label")
    for compared in image_hashes.COMPARED:
        q, s, threshold = compared
        print(f"\n{q} -> {s} (threshold {threshold}; unrelated min {unrelated_min[compared]})")
        for label in labels:
            values = [
                per_pair[compared][i] for i, (_, lab, _, _) in enumerate(data.pairs)
                if lab == label
            ]  # fmt: skip
            print(f"  {label:48s} {quantiles(values)}")
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
