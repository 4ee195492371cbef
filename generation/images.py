"""The one place an uploaded image is opened, checked and normalised.

Everything a brand uploads (product photos, logos, backgrounds) goes through `image_intake`
before it is stored or handed to a backend. What comes out is a fresh encoding of the pixels
only, so nothing the uploader put around them (EXIF with GPS, XMP, comments, ICC profiles,
trailing HTML in a polyglot) survives.

Decisions:

- **Formats.** PNG, JPEG and WebP, recognised by their signatures and then opened by Pillow
  restricted to that one format. The declared content type and file name are never trusted;
  when the declared type disagrees with the content we keep going with the real type, since
  the output is re-encoded from pixels anyway. Anything else (GIF, SVG, HTML, text) is refused.
  A multi-picture JPEG (MPO, as phones write for portrait mode) is a JPEG: we keep the primary
  picture.
- **Limits, in the order checked.** Bytes (`max_bytes`, 20 MiB by default) before any parsing;
  then pixels, 40 megapixels or Pillow's `Image.MAX_IMAGE_PIXELS` if someone lowered it, read
  from the header by our own parser (`probe_dimensions`) before Pillow decodes anything, so a
  30,000×30,000 PNG costs microseconds and no pixel memory; then a minimum side per purpose
  (64 px for products and backgrounds, 16 px for logos).
- **Animation is refused**, not flattened to its first frame. The first frame of an animated
  logo or sticker is often blank or mid-fade, so a silent first-frame pick would hand the
  renderer a picture the user never saw, and they would find out only from a bad result. A
  one-sentence refusal tells them what to upload instead.
- **Orientation.** The EXIF orientation is applied to the pixels, then EXIF is dropped.
- **Colour.** Everything becomes 8-bit sRGB: an embedded ICC profile (Display P3 from phones,
  a CMYK press profile) is converted to sRGB with LittleCMS; CMYK without a profile uses
  Pillow's conversion (which reads Adobe's inverted CMYK correctly); 16-bit samples are scaled
  (v × 255 / 65535), not clipped; palette, greyscale and 1-bit images become RGB or RGBA.
- **Alpha.** `has_alpha` is true only when some pixel is less than fully opaque; an alpha
  channel that is 255 everywhere is dropped.
- **Size.** The long side is brought down to 4096 px with Lanczos, which keeps rendering fast;
  large JPEGs are decoded at a reduced DCT scale first, which also saves memory.
- **Output.** PNG when there is real transparency, and always PNG for logos: logos are flat
  colour with hard edges, where JPEG ringing shows, they get composited over other pictures, and
  they are small. Otherwise JPEG at quality 92.

`ImageFile.LOAD_TRUNCATED_IMAGES` must stay False: with it on, Pillow fills a truncated file
with grey instead of failing. `image_intake` refuses to run if something switched it on.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import struct
import zlib
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps

logger = logging.getLogger(__name__)

# "label": an image made elsewhere that a brand has us label; "verify": any image checked for
# our marks (small ones too: a thumbnail may still match by fingerprint); "library": a brand's
# historical image or a do-not-reuse bank entry.
Purpose = Literal["product", "logo", "background", "label", "verify", "library"]
SourceFormat = Literal["PNG", "JPEG", "WEBP"]

MiB: Final = 1024 * 1024
DEFAULT_MAX_BYTES: Final = 20 * MiB
MAX_PIXELS: Final = 40_000_000
MAX_LONG_SIDE: Final = 4096
MIN_SIDE: Final[dict[str, int]] = {
    "product": 64, "logo": 16, "background": 64, "label": 256, "verify": 16, "library": 32,
}  # fmt: skip
JPEG_QUALITY: Final = 92

_READ_CHUNK: Final = 1024 * 1024
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
# SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but don't.
_JPEG_SOF_MARKERS: Final = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# What Pillow's plugins and decoders raise on malformed input (UnidentifiedImageError is OSError).
_DECODE_ERRORS: Final = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    TypeError,
    struct.error,
    zlib.error,
)
# What a browser or client may truthfully declare for each format; the first is canonical.
_CONTENT_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "PNG": ("image/png", "image/apng"),
    "JPEG": ("image/jpeg", "image/jpg", "image/pjpeg"),
    "WEBP": ("image/webp",),
}
_NOT_AN_IMAGE: Final = "The file is not a PNG, JPEG or WebP image."
_CORRUPT: Final = "The image file is truncated or corrupt."


class ImageRejected(ValueError):
    """An upload we won't take; the message is one sentence the user can act on."""


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class IntakeResult:
    data: bytes  # the normalised encoding; nothing of the upload's bytes survives
    content_type: Literal["image/png", "image/jpeg"]
    extension: Literal["png", "jpg"]  # without the dot
    width: int
    height: int
    has_alpha: bool  # some pixel is less than fully opaque; implies PNG
    sha256: str  # hex digest of `data`
    original_format: SourceFormat


def probe_dimensions(data: bytes) -> tuple[int, int]:
    """(width, height) from the header alone, without decoding.

    Raises ImageRejected when the bytes are not a PNG, JPEG or WebP with a readable header.
    """
    return _probe(data)[1]


def image_intake(
    data: bytes | Readable,
    *,
    purpose: Purpose,
    declared_content_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> IntakeResult:
    """Check an uploaded image and return it re-encoded, upright, sRGB, without metadata.

    A file-like `data` is read from its current position, and no further than `max_bytes + 1`.
    Raises ImageRejected, with a message for the user, for anything we won't take; CPU-bound,
    touches no database or storage.
    """
    pixels, source_format = image_decode(
        data, purpose=purpose, declared_content_type=declared_content_type, max_bytes=max_bytes
    )
    has_alpha = pixels.mode == "RGBA"
    as_png = has_alpha or purpose == "logo"
    encoded = _encode(pixels, as_png=as_png)
    return IntakeResult(
        data=encoded,
        content_type="image/png" if as_png else "image/jpeg",
        extension="png" if as_png else "jpg",
        width=pixels.width,
        height=pixels.height,
        has_alpha=has_alpha,
        sha256=hashlib.sha256(encoded).hexdigest(),
        original_format=source_format,
    )


def image_decode(
    data: bytes | Readable,
    *,
    purpose: Purpose,
    declared_content_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[Image.Image, SourceFormat]:
    """The checked, upright sRGB pixels (RGB, or RGBA with real transparency) of an upload,
    long side at most 4096 px, and the format it came in. Raises ImageRejected like
    image_intake; for callers that mark or inspect pixels rather than store an upload."""
    if purpose not in MIN_SIDE:
        raise ValueError(f"unknown image purpose {purpose!r}")
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError(
            "PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; truncated uploads would pass"
        )

    raw = _read_bounded(data, max_bytes)
    source_format, (width, height) = _probe(raw)
    pixel_limit = _pixel_limit()
    if width * height > pixel_limit:
        raise ImageRejected(
            f"The image is {width}×{height} pixels; "
            f"the limit is {pixel_limit / 1_000_000:g} megapixels."
        )
    _log_declared_mismatch(declared_content_type, source_format)

    try:
        image = Image.open(io.BytesIO(raw), formats=[source_format])
    except Image.DecompressionBombError:
        raise ImageRejected(
            f"The image is larger than the limit of {pixel_limit / 1_000_000:g} megapixels."
        ) from None
    except _DECODE_ERRORS:
        raise ImageRejected(_CORRUPT) from None

    # No `with`: the source is an in-memory buffer, and the normalised image may be this
    # very object, which close() would invalidate.
    width, height = image.size
    # Our probe and Pillow read the same header fields; this guards a disagreement.
    if width * height > pixel_limit:
        raise ImageRejected(
            f"The image is {width}×{height} pixels; "
            f"the limit is {pixel_limit / 1_000_000:g} megapixels."
        )
    minimum = MIN_SIDE[purpose]
    if min(width, height) < minimum:
        raise ImageRejected(
            f"The image is {width}×{height} pixels; a {purpose} image must be at least "
            f"{minimum} pixels on each side."
        )
    # MPO's extra frames are depth maps and previews, not animation.
    if image.format != "MPO" and getattr(image, "n_frames", 1) > 1:
        raise ImageRejected("The image is animated; please upload a still PNG, JPEG or WebP image.")
    target = _fit_long_side(width, height, MAX_LONG_SIDE)
    if image.format in ("JPEG", "MPO") and target != (width, height):
        # Decodes at 1/2, 1/4 or 1/8 scale when that still covers the target.
        image.draft(None, target)
    try:
        image.load()
    except Image.DecompressionBombError:
        raise ImageRejected(
            f"The image is larger than the limit of {pixel_limit / 1_000_000:g} megapixels."
        ) from None
    except _DECODE_ERRORS:
        raise ImageRejected(_CORRUPT) from None
    pixels = _normalise(image)

    if pixels.size != _fit_long_side(*pixels.size, MAX_LONG_SIDE):
        pixels = pixels.resize(
            _fit_long_side(*pixels.size, MAX_LONG_SIDE),
            Image.Resampling.LANCZOS,
            reducing_gap=3.0,
        )
    return pixels, source_format


def _read_bounded(data: bytes | Readable, max_bytes: int) -> bytes:
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
    else:
        parts: list[bytes] = []
        total = 0
        while total <= max_bytes:
            part = data.read(min(_READ_CHUNK, max_bytes + 1 - total))
            if not part:
                break
            parts.append(part)
            total += len(part)
        raw = b"".join(parts)
    if len(raw) > max_bytes:
        raise ImageRejected(f"The file is larger than the {_format_bytes(max_bytes)} limit.")
    if not raw:
        raise ImageRejected("The file is empty.")
    return raw


def _format_bytes(size: int) -> str:
    if size >= MiB:
        return f"{round(size / MiB, 1):g} MB"
    if size >= 1024:
        return f"{round(size / 1024, 1):g} KB"
    return f"{size} bytes"


def _pixel_limit() -> int:
    # Respect a deployment that lowered Pillow's own limit; then Pillow never gets to warn.
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return MAX_PIXELS if pillow_limit is None else min(MAX_PIXELS, int(pillow_limit))


def _probe(data: bytes) -> tuple[SourceFormat, tuple[int, int]]:
    if data.startswith(_PNG_SIGNATURE):
        return "PNG", _probe_png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG", _probe_jpeg(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP", _probe_webp(data)
    raise ImageRejected(_NOT_AN_IMAGE)


def _probe_png(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ImageRejected(_CORRUPT)
    width, height = struct.unpack(">II", data[16:24])
    return _positive(width, height)


def _probe_jpeg(data: bytes) -> tuple[int, int]:
    # Walk the marker segments up to the scan. Pillow keeps the last frame header it sees;
    # we keep the largest of each side, so our limit check is never the laxer one.
    width = height = 0
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise ImageRejected(_CORRUPT)
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # stand-alone markers, no length
            position += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2:
            raise ImageRejected(_CORRUPT)
        if marker in _JPEG_SOF_MARKERS:
            if position + 9 > len(data):
                raise ImageRejected(_CORRUPT)
            frame_height, frame_width = struct.unpack(">HH", data[position + 5 : position + 9])
            width, height = max(width, frame_width), max(height, frame_height)
        position += 2 + length
    return _positive(width, height)


def _probe_webp(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return _positive(width & 0x3FFF, height & 0x3FFF)
    raise ImageRejected(_CORRUPT)


def _positive(width: int, height: int) -> tuple[int, int]:
    if width <= 0 or height <= 0:
        raise ImageRejected(_CORRUPT)
    return width, height


def _log_declared_mismatch(declared: str | None, source_format: SourceFormat) -> None:
    if declared is None:
        return
    accepted = _CONTENT_TYPES[source_format]
    normalised = declared.split(";", 1)[0].strip().lower()
    if normalised not in accepted:
        sniffed = accepted[0]
        logger.info(
            "image_intake.content_type_mismatch",
            extra={"declared_content_type": normalised[:100], "sniffed_content_type": sniffed},
        )


def _fit_long_side(width: int, height: int, long_side: int) -> tuple[int, int]:
    if max(width, height) <= long_side:
        return width, height
    scale = long_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _normalise(image: Image.Image) -> Image.Image:
    """An upright 8-bit sRGB image in RGB, or RGBA when some pixel is not fully opaque."""
    icc_profile = image.info.get("icc_profile")
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        if orientation != 1:
            ImageOps.exif_transpose(image, in_place=True)
    except _DECODE_ERRORS:
        # Broken EXIF is the uploader's camera's problem, not a reason to refuse the picture;
        # without a readable orientation the stored pixels are the best guess.
        pass

    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit greyscale: Pillow's convert("L") would clip everything above 255 to white.
        image = image.point(lambda value: value * (255 / 65535) + 0.5).convert("L")
        icc_profile = None
    if image.mode == "CMYK":
        converted = _to_srgb(image, icc_profile)
        image = image.convert("RGB") if converted is None else converted
    else:
        target_mode = "RGBA" if image.has_transparency_data else "RGB"
        if image.mode != target_mode:
            image = image.convert(target_mode)
        converted = _to_srgb(image, icc_profile)
        image = image if converted is None else converted

    if image.mode == "RGBA":
        alpha_min, _ = image.getchannel("A").getextrema()
        if alpha_min == 255:
            image = image.convert("RGB")
    return image


def _to_srgb(image: Image.Image, icc_profile: object) -> Image.Image | None:
    """The image converted from its embedded profile to sRGB, or None to keep the pixels."""
    if not isinstance(icc_profile, bytes) or not icc_profile:
        return None
    expected_space = "CMYK" if image.mode == "CMYK" else "RGB "
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if source.profile.xcolor_space != expected_space:
            return None  # a profile that doesn't describe these pixels; ignore it
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, source, _srgb_profile(), outputMode=output_mode
        )
    except (ImageCms.PyCMSError, *_DECODE_ERRORS):
        # A profile LittleCMS can't use: treat the pixels as sRGB, as browsers do.
        return None
    return converted


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _encode(image: Image.Image, *, as_png: bool) -> bytes:
    # Pillow's encoders copy some of `info` (comment, ICC profile, transparency) into the
    # output by default; an empty `info` means only pixels get written.
    image.info = {}
    buffer = io.BytesIO()
    if as_png:
        image.save(buffer, format="PNG", compress_level=6)
    else:
        image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()
