"""Perceptual hashes that find an image again after re-encoding, resizing and small crops,
without merging posters that share a template but differ in headline or product.

Every hash is a 256-bit PDQ (provenance.fingerprint) of a region of the image, so the database
compares them all the same way (Hamming distance on bit(256)).

Stored per image (STORED_KINDS):

- "pdq": the full image, equal to provenance.fingerprint.pdq;
- "c80": the central 80% of each side, the part of the picture that a crop of up to 10% from
  any edges still shows.

Computed for a query only (QUERY_KINDS), where the stored image's central 80% would lie in the
query under GUESSES (13) guesses of how it was cut (`_hypotheses`), each compared with "c80":

- "c80" itself: not cut (a sticker or border at the edges falls outside it);
- "c80_guess1".."c80_guess13": when the query's aspect ratio is a common one (our channel
  presets, usual photo ratios), the cut (if any) kept it: centred, or each of the four corners
  kept, after 5% and after 10% (10 guesses), then the nearest other common ratio it may have
  been cut from (3:4 is 4:5 cut 6.25% in width). Otherwise it was cut in one dimension from a
  common ratio a little wider or taller, by the difference: for each of the nearest common
  ratios (up to 4, the smallest cut first) from the left/top, from the right/bottom, or half
  from each side; what is left is filled with the ratio-keeping guesses. Trying several
  ratios matters: 3:4 cut 5% in height lands 1.3% from 4:5, 16:9 next to 1200:628, 9:16 cut
  10% near 2:3;
- "trimmed": the query with a flat-coloured border removed, against the stored full image.

Why these: PDQ alone moves 30-40 bits for a 2% crop at one edge, 60-130 for 5-10%
(bench/dedup_pairs.py), and a region hash only matches when its edges line up within about
1.5%. Posters of one template that differ only in the headline are 14-52 bits apart in any
aligned pair of kinds, so no tolerant, low-detail hash can keep them apart: the hashes must be
aligned, and the only alignment that fits in a dozen pairs is the guess from the shape.
The thresholds are the largest that keep every such sibling pair, and every one of ~1.5 million
unrelated pairs, at least 4 bits above them (bench/dedup_pairs.py): 0.91 of all positives
(crops of 5% and 10% at every edge, corner and centred: 0.77-1.00; 0.71 with three guesses
from the one nearest ratio) and no false positive. The crops still missed are lined up right
but 12-22 bits off after resampling, on low-detail posters.

Speed: the image is shrunk once (long side fingerprint.MAX_SIDE, as fingerprint.pdq does) and
the regions are cut from the shrunk pixels; signature() is ~7 ms for a 1080×1920 poster on one
core, query_signature() ~21 ms (15 PDQs; 40 ms budget).
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
# Where the stored "c80" may lie in a cut query: one kind per guess, in the order _hypotheses
# gives them (what each guess is depends on the query's shape).
GUESSES = 13
GUESS_KINDS: tuple[str, ...] = tuple(f"c80_guess{i}" for i in range(1, GUESSES + 1))
QUERY_KINDS: tuple[str, ...] = ("pdq", "c80", *GUESS_KINDS, "trimmed")
# (query kind, stored kind, threshold): a duplicate when any pair is within its threshold.
COMPARED: tuple[tuple[str, str, int], ...] = (
    ("pdq", "pdq", 14),
    ("c80", "c80", 10),
    *((kind, "c80", 10) for kind in GUESS_KINDS),
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


# Cuts that keep the ratio (fractions of the original's left, top, right, bottom): centred,
# and each corner kept, after 5% and after 10% off each cut dimension.
_KEPT_RATIO_CUTS: tuple[Box, ...] = tuple(
    cut
    for f in (0.05, 0.10)
    for cut in (
        (f / 2, f / 2, f / 2, f / 2), (0.0, 0.0, f, f), (f, f, 0.0, 0.0), (f, 0.0, 0.0, f),
        (0.0, f, f, 0.0),
    )
)  # fmt: skip


def _hypotheses(width: int, height: int) -> tuple[Box, ...]:
    """Where the stored image's CENTRE may be in a query of this size: GUESSES boxes, the
    likeliest first (CENTRE itself fills what is left)."""
    aspect = width / height
    kept_ratio = False
    cuts: list[tuple[float, str]] = []  # (fraction cut, "width" or "height") per common ratio
    for common in COMMON_ASPECTS:
        if abs(aspect / common - 1) <= _SAME_ASPECT:
            kept_ratio = True
        elif aspect < common:
            cuts.append((1 - aspect / common, "width"))
        else:
            cuts.append((1 - common / aspect, "height"))
    # The ratio is a common one: cut keeping it (or not cut: "c80"), or cut from a nearby
    # common ratio. Otherwise cut from the nearest common ratios, whose guesses come first.
    boxes = [_centre_after(cut) for cut in _KEPT_RATIO_CUTS] if kept_ratio else []
    for cut, dimension in sorted(c for c in cuts if c[0] <= _MAX_CUT):
        if len(boxes) + 3 > GUESSES:
            break
        half = cut / 2
        ways: tuple[Box, ...] = (
            ((cut, 0.0, 0.0, 0.0), (0.0, 0.0, cut, 0.0), (half, 0.0, half, 0.0))
            if dimension == "width"
            else ((0.0, cut, 0.0, 0.0), (0.0, 0.0, 0.0, cut), (0.0, half, 0.0, half))
        )
        boxes += [_centre_after(way) for way in ways]
    if not kept_ratio:
        # A cut that kept an uncommon ratio.
        boxes += [_centre_after(cut) for cut in _KEPT_RATIO_CUTS[: GUESSES - len(boxes)]]
    return tuple(boxes + [CENTRE] * (GUESSES - len(boxes)))


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
    pixels = np.asarray(fingerprint.shrink(image), dtype=np.uint8)
    full, quality = _hash(pixels, FULL)
    return ImageSignature(hashes={"pdq": full, "c80": _hash(pixels, CENTRE)[0]}, quality=quality)


def query_signature(image: Image.Image) -> ImageSignature:
    """The query kinds of `image`: its stored kinds plus the guesses of how it was cut."""
    small = fingerprint.shrink(image)
    pixels = np.asarray(small, dtype=np.uint8)
    full, quality = _hash(pixels, FULL)
    hashes = {"pdq": full, "c80": _hash(pixels, CENTRE)[0]}
    # From the full size: the shrunk one's ratio is off by up to half a pixel.
    guesses = _hypotheses(*image.size)
    for kind, box in zip(GUESS_KINDS, guesses, strict=True):
        hashes[kind] = hashes["c80"] if box == CENTRE else _hash(pixels, box)[0]
    trimmed = _trimmed(small)
    hashes["trimmed"] = full if trimmed is small else _hash(np.asarray(trimmed), FULL)[0]
    return ImageSignature(hashes=hashes, quality=quality)


def closest_pair(query: ImageSignature, stored: ImageSignature) -> tuple[int, int]:
    """(margin, distance) of the compared pair of kinds closest to its threshold: margin is
    distance - threshold (≤ 0: a duplicate), ties broken by the smaller distance. The database
    ranks stored images the same way (library.fingerprints)."""
    return min(
        (
            fingerprint.hamming(query.hashes[q], stored.hashes[s]) - t,
            fingerprint.hamming(query.hashes[q], stored.hashes[s]),
        )
        for q, s, t in COMPARED
    )


def is_duplicate(query: ImageSignature, stored: ImageSignature) -> bool:
    """Whether any COMPARED pair of kinds is within its threshold."""
    return closest_pair(query, stored)[0] <= 0


def match(a: Image.Image, b: Image.Image) -> tuple[int, bool]:
    """(distance, duplicate) for two images, each taken once as the query and once as the
    stored image: the closer of the two ways (closest_pair), a duplicate when either is one."""
    query_a, query_b = query_signature(a), query_signature(b)
    margin, found = min(
        closest_pair(query_a, stored_part(query_b)), closest_pair(query_b, stored_part(query_a))
    )
    return found, margin <= 0


def stored_part(query: ImageSignature) -> ImageSignature:
    """The stored kinds of a query signature: they are query kinds too, computed the same way,
    so an image hashed as a query needs no second pass to be stored."""
    return ImageSignature({kind: query.hashes[kind] for kind in STORED_KINDS}, query.quality)


__all__ = [
    "COMPARED",
    "QUERY_KINDS",
    "STORED_KINDS",
    "ImageSignature",
    "closest_pair",
    "is_duplicate",
    "match",
    "query_signature",
    "signature",
]
