"""Perceptual hashes that find an image again after re-encoding, resizing and small crops,
without merging posters that share a template but differ in headline or product.

Every hash is a 256-bit PDQ (provenance.fingerprint) of a region of the image, so the database
compares them all the same way (Hamming distance on bit(256)).

Stored per image (STORED_KINDS):

- "pdq": the full image, equal to provenance.fingerprint.pdq;
- "c80": the central 80% of each side, the part of the picture that a crop of up to 10% from
  any edges still shows.

Computed for a query only (QUERY_KINDS), where the stored image's central 80% would lie in the
query under a few guesses of how it was cut (`_hypotheses`):

- "c80" itself: not cut (a sticker or border at the edges falls outside it);
- "c80_start", "c80_end", "c80_both": when the query's aspect ratio is a little narrower or
  flatter than a common one (our channel presets, usual photo ratios), it was probably cut in
  that dimension by the difference: from the left/top, from the right/bottom, or half from
  each side. When the ratio is already a common one, the cut (if any) kept the ratio: a
  centred crop of 5% and 10%, and the kept top-left corner of 5%;
- "trimmed": the query with a flat-coloured border removed, against the stored full image.

Why these: PDQ alone moves 30-40 bits for a 2% crop at one edge, 60-130 for 5-10%
(bench/dedup_pairs.py), and a region hash only matches when its edges line up within about
1.5%. Posters of one template that differ only in the headline are 14-52 bits apart in any
aligned pair of kinds, so no tolerant, low-detail hash can keep them apart: the hashes must be
aligned, and the only alignment that fits in a handful of pairs is the guess from the shape.
The thresholds are the largest that keep every such sibling pair, and every one of ~560,000
unrelated pairs, above them with a margin (BENCHMARKS.md, "Near-duplicate image pairs").

Speed: the image is shrunk once (long side fingerprint.MAX_SIDE, as fingerprint.pdq does) and
the regions are cut from the shrunk pixels; signature() is ~7 ms for a 1080×1920 poster on one
core, query_signature() ~11 ms.
"""

from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image, ImageChops

from provenance import fingerprint

# A region as fractions of the image's width and height: left, top, right, bottom.
Box = tuple[float, float, float, float]

FULL: Box = (0.0, 0.0, 1.0, 1.0)
CENTRE: Box = (0.1, 0.1, 0.9, 0.9)

STORED_KINDS: tuple[str, ...] = ("pdq", "c80")
QUERY_KINDS: tuple[str, ...] = ("pdq", "c80", "c80_start", "c80_end", "c80_both", "trimmed")
# (query kind, stored kind, threshold): a duplicate when any pair is within its threshold.
COMPARED: tuple[tuple[str, str, int], ...] = (
    ("pdq", "pdq", 14),
    ("c80", "c80", 10),
    ("c80_start", "c80", 10),
    ("c80_end", "c80", 10),
    ("c80_both", "c80", 10),
    ("trimmed", "pdq", 12),
)

# Width/height of our channel presets and of common photo formats: a query a few percent
# narrower or flatter than one of them was probably cropped from it.
COMMON_ASPECTS = (9 / 16, 2 / 3, 3 / 4, 4 / 5, 1.0, 4 / 3, 3 / 2, 16 / 9, 1200 / 628)
# A ratio within 0.8% of a common one keeps it (rounding to whole pixels moves it ~0.2%);
# cuts past 12% are beyond what the stored central 80% can absorb.
_SAME_ASPECT = 0.008
_MAX_CUT = 0.12
# A border is flat when every pixel of it is within this of its corner colour (JPEG ringing).
_FLAT = 24


@dataclass(frozen=True)
class ImageSignature:
    hashes: dict[str, str]  # kind -> 256 '0'/'1', most significant first
    quality: int  # PDQ quality of the full image, 0-100

    @property
    def pdq(self) -> str:
        return self.hashes["pdq"]


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if "A" in image.getbands() or "transparency" in image.info:
        # As fingerprint.pdq: what a viewer shows under transparency is white.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _shrunk(image: Image.Image) -> Image.Image:
    rgb = _rgb(image)
    if max(rgb.size) > fingerprint.MAX_SIDE:
        scale = fingerprint.MAX_SIDE / max(rgb.size)
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        # The same shrink as fingerprint.pdq, so "pdq" here is provenance's fingerprint.
        rgb = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=1.0)
    return rgb


def _hash(pixels: np.ndarray, box: Box) -> tuple[str, int]:
    height, width = pixels.shape[:2]
    left, top = round(box[0] * width), round(box[1] * height)
    right = max(left + 1, round(box[2] * width))
    bottom = max(top + 1, round(box[3] * height))
    vector, quality = pdqhash.compute(np.ascontiguousarray(pixels[top:bottom, left:right]))
    return "".join("1" if bit else "0" for bit in vector), int(quality)


def _centre_after(cut: Box) -> Box:
    """Where the original's CENTRE lies in an image cut by these fractions (left, top, right,
    bottom) of the original's sides."""
    left, top, right, bottom = cut
    width, height = 1 - left - right, 1 - top - bottom
    box = (
        (CENTRE[0] - left) / width, (CENTRE[1] - top) / height,
        (CENTRE[2] - left) / width, (CENTRE[3] - top) / height,
    )  # fmt: skip
    return (max(0.0, box[0]), max(0.0, box[1]), min(1.0, box[2]), min(1.0, box[3]))


def _hypotheses(width: int, height: int) -> tuple[Box, Box, Box]:
    """Where the stored image's CENTRE may be in a query of this size: three guesses."""
    aspect = width / height
    cuts = []
    for common in COMMON_ASPECTS:
        if abs(aspect / common - 1) <= _SAME_ASPECT:
            cuts.append((0.0, "none"))
        elif aspect < common:
            cuts.append((1 - aspect / common, "width"))
        else:
            cuts.append((1 - common / aspect, "height"))
    cut, dimension = min(cuts)
    if dimension == "none" or cut > _MAX_CUT:
        # The ratio was kept: centred crops of 5% and 10%, a corner kept after 5% off two sides.
        return (
            _centre_after((0.025, 0.025, 0.025, 0.025)),
            _centre_after((0.05, 0.05, 0.05, 0.05)),
            _centre_after((0.0, 0.0, 0.05, 0.05)),
        )
    none, half = 0.0, cut / 2
    start: Box
    end: Box
    both: Box
    if dimension == "width":
        start, end, both = (
            (cut, none, none, none),
            (none, none, cut, none),
            (half, none, half, none),
        )
    else:
        start, end, both = (
            (none, cut, none, none),
            (none, none, none, cut),
            (none, half, none, half),
        )
    return _centre_after(start), _centre_after(end), _centre_after(both)


def _trimmed(image: Image.Image) -> Image.Image:
    """The image without a flat-coloured border (the image itself when it has none)."""
    corner = image.getpixel((0, 0))
    difference = ImageChops.difference(image, Image.new(image.mode, image.size, corner))
    box = difference.convert("L").point(lambda v: 255 if v > _FLAT else 0).getbbox()
    if box is None or box == (0, 0, *image.size):
        return image
    return image.crop(box)


def signature(image: Image.Image) -> ImageSignature:
    """The stored kinds of `image` (any mode; transparency is composed over white)."""
    pixels = np.asarray(_shrunk(image), dtype=np.uint8)
    full, quality = _hash(pixels, FULL)
    return ImageSignature(hashes={"pdq": full, "c80": _hash(pixels, CENTRE)[0]}, quality=quality)


def query_signature(image: Image.Image) -> ImageSignature:
    """The query kinds of `image`: its stored kinds plus the guesses of how it was cut."""
    small = _shrunk(image)
    pixels = np.asarray(small, dtype=np.uint8)
    full, quality = _hash(pixels, FULL)
    hashes = {"pdq": full, "c80": _hash(pixels, CENTRE)[0]}
    # From the full size: the shrunk one's ratio is off by up to half a pixel.
    guesses = _hypotheses(*image.size)
    for kind, box in zip(("c80_start", "c80_end", "c80_both"), guesses, strict=True):
        hashes[kind] = _hash(pixels, box)[0]
    trimmed = _trimmed(small)
    hashes["trimmed"] = full if trimmed is small else _hash(np.asarray(trimmed), FULL)[0]
    return ImageSignature(hashes=hashes, quality=quality)


def _hamming(a: str, b: str) -> int:
    return (int(a, 2) ^ int(b, 2)).bit_count()


def distance(query: ImageSignature, stored: ImageSignature) -> int:
    """The smallest Hamming distance over the COMPARED pairs of kinds (query kinds of `query`
    against stored kinds of `stored`). Pairs have different thresholds, so a smaller distance
    is not by itself closer to a duplicate: use is_duplicate for the verdict."""
    return min(_hamming(query.hashes[q], stored.hashes[s]) for q, s, _ in COMPARED)


def is_duplicate(query: ImageSignature, stored: ImageSignature) -> bool:
    """Whether any COMPARED pair of kinds is within its threshold."""
    return any(_hamming(query.hashes[q], stored.hashes[s]) <= t for q, s, t in COMPARED)


def match(a: Image.Image, b: Image.Image) -> tuple[int, bool]:
    """(distance, duplicate) for two images, each taken once as the query and once as the
    stored image: the smaller distance, and a duplicate when either way is one."""
    query_a, query_b = query_signature(a), query_signature(b)
    stored_a, stored_b = _stored(query_a), _stored(query_b)
    return (
        min(distance(query_a, stored_b), distance(query_b, stored_a)),
        is_duplicate(query_a, stored_b) or is_duplicate(query_b, stored_a),
    )


def _stored(query: ImageSignature) -> ImageSignature:
    # The stored kinds are query kinds too, computed the same way.
    return ImageSignature({kind: query.hashes[kind] for kind in STORED_KINDS}, query.quality)


__all__ = [
    "COMPARED",
    "QUERY_KINDS",
    "STORED_KINDS",
    "ImageSignature",
    "distance",
    "is_duplicate",
    "match",
    "query_signature",
    "signature",
]
