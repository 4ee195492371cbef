"""PDQ perceptual fingerprints: the same picture after re-encoding or resizing hashes close.

PDQ (Meta, ThreatExchange) turns an image into 256 bits via luminance, a 64×64 Jarosz
downsample, a 16×16 DCT and a median threshold, plus a 0-100 quality (near 0: featureless,
a hash not to trust). Two images are "the same picture" when the Hamming distance of their
hashes is at most DUPLICATE_DISTANCE.

Speed: PDQ's own cost is the luminance pass (numpy, in pdqhash) and the downsample, both
linear in the pixels, so we first shrink images whose long side exceeds MAX_SIDE (Pillow's
reduce + bilinear, aspect kept). Every image goes through the same step, so distances stay
comparable; against a hash of the full-size image the result differs by about 10 bits on our
posters, so hashes from other PDQ tools that hash at full size match ours loosely (well
within DUPLICATE_DISTANCE) rather than exactly. Measured on one core (taskset, Python 3.12,
Pillow 13, pdqhash 0.2.8, median of 20 runs) on a composed 1080×1920 poster: 6 ms with the
shrink, 65-80 ms without; the same poster scaled to 4000×4000: 27 ms with, 650-790 ms
without.
"""

from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image

# Meta's reference threshold for a match ("distance ≤ 31" in ThreatExchange's PDQ docs and
# matchers): re-encodes and resizes land well under it (typically < 10), while unrelated
# images average around 128 of 256 bits.
DUPLICATE_DISTANCE = 31

# Below this PDQ's own docs suggest not trusting a hash (flat or near-empty images).
MIN_QUALITY = 50

# PDQ downsamples to 64×64 anyway; 512 px keeps the Jarosz filter well fed while cutting
# the full-resolution luminance pass that dominates on large images.
MAX_SIDE = 512


@dataclass(frozen=True)
class Fingerprint:
    bits: str  # 256 '0'/'1', most significant first: the text form of a pgvector bit(256)
    quality: int  # PDQ quality, 0-100

    @property
    def hex(self) -> str:
        """64 hex characters, ThreatExchange's format (bit 255 first)."""
        return f"{int(self.bits, 2):064x}"


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if "A" in image.getbands() or "transparency" in image.info:
        # Transparent areas have arbitrary colour underneath; white is what a viewer shows.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def shrink(image: Image.Image, side: int = MAX_SIDE) -> Image.Image:
    """RGB pixels (transparency over white), long side at most `side`, aspect kept.

    reducing_gap=1: a box reduce by the whole factor first, then a small bilinear step (3 ms
    instead of 7 ms for a 1080×1920 poster; PDQ averages to 64×64 after it). Every hash of
    an image goes through this same step, so their distances stay comparable.
    """
    rgb = _rgb(image)
    if max(rgb.size) > side:
        scale = side / max(rgb.size)
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=1.0)
    return rgb


def pdq(image: Image.Image) -> Fingerprint:
    """The PDQ fingerprint of `image` (any mode; transparency is composed over white)."""
    vector, quality = pdqhash.compute(np.asarray(shrink(image), dtype=np.uint8))
    # pdqhash returns the bits most significant first (it reverses Hash256's words).
    bits = "".join("1" if bit else "0" for bit in vector)
    return Fingerprint(bits=bits, quality=int(quality))


def _as_int(value: str) -> int:
    if len(value) == 256 and set(value) <= {"0", "1"}:
        return int(value, 2)
    if len(value) == 64:
        try:
            return int(value, 16)
        except ValueError:
            pass
    raise ValueError("A PDQ hash is 256 binary digits or 64 hex digits.")


def hamming(a: str, b: str) -> int:
    """The number of differing bits between two PDQ hashes, each as bits or hex."""
    return (_as_int(a) ^ _as_int(b)).bit_count()


__all__ = ["DUPLICATE_DISTANCE", "MIN_QUALITY", "Fingerprint", "hamming", "pdq", "shrink"]
