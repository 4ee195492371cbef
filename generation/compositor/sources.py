"""Input images (product, logo, background): decoded once per process, resized once per size.

The bytes were validated on upload (generation/images.py), but they are opened defensively
anyway: a corrupt file is an ImageBackendError that retrying will not fix.
"""

import hashlib
import io
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from PIL import Image, ImageOps

from generation.backends.image.base import ImageBackendError

# Larger sources are scaled down on decode: nothing we draw needs more, and it bounds memory.
MAX_SOURCE_SIDE = 4096
ALPHA_THRESHOLD = 8  # pixels fainter than this are treated as transparent when cropping


class Lru[Key, Value]:
    """A small thread-safe least-recently-used cache (functools' cannot key on a digest while
    taking the bytes as an argument)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Key, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Key, make: Callable[[], Value]) -> Value:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass(frozen=True)
class Picture:
    """A decoded source: RGB, or RGBA cropped to its visible pixels when it has transparency."""

    digest: str
    image: Image.Image
    has_alpha: bool

    @property
    def aspect(self) -> float:
        return self.image.width / self.image.height


_decoded: Lru[str, Picture] = Lru(32)
_resized: Lru[tuple[str, int, int], Image.Image] = Lru(48)


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(data: bytes, *, role: str) -> Picture:
    """The picture in `data`; ImageBackendError(retryable=False) when it cannot be read."""
    digest = digest_of(data)
    return _decoded.get_or_make(digest, lambda: _decode(data, digest=digest, role=role))


def _decode(data: bytes, *, digest: str, role: str) -> Picture:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            opened.draft("RGB", (MAX_SOURCE_SIDE, MAX_SOURCE_SIDE))
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except (
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ImageBackendError(
            f"The {role} image cannot be decoded: {exc}", retryable=False
        ) from exc
    if image.width < 1 or image.height < 1:
        raise ImageBackendError(f"The {role} image is empty.", retryable=False)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    image = image.convert("RGBA" if has_alpha else "RGB")
    if max(image.size) > MAX_SOURCE_SIDE:
        image.thumbnail((MAX_SOURCE_SIDE, MAX_SOURCE_SIDE), Image.Resampling.LANCZOS)
    if has_alpha:
        alpha = image.getchannel("A")
        low = cast(tuple[int, int], alpha.getextrema())[0]
        if low >= 255 - ALPHA_THRESHOLD:
            # An alpha channel that hides nothing: a photo, not a cut-out.
            return Picture(digest, image.convert("RGB"), has_alpha=False)
        visible = alpha.point(lambda value: 255 if value > ALPHA_THRESHOLD else 0).getbbox()
        if visible is None:
            raise ImageBackendError(f"The {role} image is fully transparent.", retryable=False)
        image = image.crop(visible)
    image.load()
    return Picture(digest, image, has_alpha=has_alpha)


def resized(picture: Picture, size: tuple[int, int]) -> Image.Image:
    """`picture` scaled to exactly `size` (cached)."""
    width, height = max(1, size[0]), max(1, size[1])

    def make() -> Image.Image:
        if picture.image.size == (width, height):
            return picture.image
        return picture.image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)

    return _resized.get_or_make((picture.digest, width, height), make)


def cover(picture: Picture, size: tuple[int, int]) -> Image.Image:
    """`picture` scaled and centre-cropped to fill `size` (cached)."""
    width, height = size
    target = width / height
    if picture.aspect > target:
        crop_width = picture.image.height * target
        left = (picture.image.width - crop_width) / 2
        box = (left, 0.0, left + crop_width, float(picture.image.height))
    else:
        crop_height = picture.image.width / target
        top = (picture.image.height - crop_height) / 2
        box = (0.0, top, float(picture.image.width), top + crop_height)

    def make() -> Image.Image:
        return picture.image.convert("RGB").resize(
            (width, height), Image.Resampling.BILINEAR, box=box, reducing_gap=2.0
        )

    return _resized.get_or_make((picture.digest + ":cover", width, height), make)


def clear_caches() -> None:
    _decoded.clear()
    _resized.clear()
