"""Builders for the odd and hostile images the intake tests feed in, made in memory.

Nothing binary is committed: every sample is generated here, either with Pillow or, where
Pillow won't write what an attacker or an old camera would (a header that lies about its size,
16-bit colour, a hand-made ICC profile), byte by byte.
"""

import io
import random
import struct
import zlib
from collections.abc import Iterable
from functools import cache
from typing import Any

from PIL import Image, ImageDraw

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode(image: Image.Image, image_format: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **params)
    return buffer.getvalue()


def noise(mode: str, size: tuple[int, int], *, seed: int = 1) -> Image.Image:
    """Random pixels, so a cut-off file is missing real data rather than a run of zeros."""
    bands = len(Image.new(mode, (1, 1)).getbands())
    data = random.Random(seed).randbytes(size[0] * size[1] * bands)  # noqa: S311 - test pixels
    return Image.frombytes(mode, size, data)


def solid(mode: str, size: tuple[int, int], colour: Any) -> Image.Image:
    return Image.new(mode, size, colour)


# PNG by hand -------------------------------------------------------------------------------


def png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(chunk_type + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + chunk_type + body + struct.pack(">I", crc)


def png_ihdr(width: int, height: int, *, bit_depth: int, colour_type: int) -> bytes:
    return png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    )


def raw_png(
    width: int, height: int, *, bit_depth: int, colour_type: int, rows: Iterable[bytes]
) -> bytes:
    """A PNG whose scanlines are given unfiltered, for depths and types Pillow can't write."""
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(b"\x00" + row) for row in rows) + compressor.flush()
    return (
        PNG_SIGNATURE
        + png_ihdr(width, height, bit_depth=bit_depth, colour_type=colour_type)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


@cache
def png_bomb(side: int = 30_000) -> bytes:
    """A complete, valid 1-bit black PNG of side×side: ~110 KB that decodes to 900 MP."""
    row = b"\x00" + bytes((side + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(side)]
    idat = b"".join(parts) + compressor.flush()
    return (
        PNG_SIGNATURE
        + png_ihdr(side, side, bit_depth=1, colour_type=0)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def sixteen_bit_gradient_png(width: int, height: int, *, colour_type: int) -> bytes:
    """A left-to-right 16-bit gradient, 0 to 65535; colour type 0 (grey), 2 (RGB) or 4 (grey+A)."""
    samples = {0: 1, 2: 3, 4: 2}[colour_type]
    row = bytearray()
    for x in range(width):
        value = round(x * 65535 / (width - 1))
        pixel = [value] * samples
        if colour_type == 4:
            pixel[-1] = 65535  # opaque
        row += struct.pack(f">{samples}H", *pixel)
    return raw_png(width, height, bit_depth=16, colour_type=colour_type, rows=[bytes(row)] * height)


# Headers that lie about their size ---------------------------------------------------------


def jpeg_claiming(width: int, height: int) -> bytes:
    """A JPEG start: SOI, a baseline frame header with the given size, then nothing."""
    sof = struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + b"\xff\xc0" + sof + b"\xff\xd9"


def webp_claiming(width: int, height: int) -> bytes:
    """A WebP whose extended header (VP8X) claims a width×height canvas."""
    vp8x = (
        b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    )
    body = b"WEBP" + b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    return b"RIFF" + struct.pack("<I", len(body)) + body


# Samples Pillow can make -------------------------------------------------------------------


def exif_rotated_jpeg(*, orientation: int = 6) -> bytes:
    """A 240×120 grey JPEG with a red block in its stored top-left corner, GPS and orientation."""
    image = solid("RGB", (240, 120), (128, 128, 128))
    ImageDraw.Draw(image).rectangle((0, 0, 39, 39), fill=(255, 0, 0))
    exif = image.getexif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "BrandloomCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (52.0, 22.0, 12.0)  # GPSLatitude
    return encode(image, "JPEG", quality=95, exif=exif.tobytes())


def animated(image_format: str) -> bytes:
    frames = [solid("RGB", (100, 100), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    return encode(frames[0], image_format, save_all=True, append_images=frames[1:], duration=100)


def mpo() -> bytes:
    """A two-picture MPO, as phones write for portrait mode: a primary and a depth map."""
    primary = solid("RGB", (120, 80), (0, 128, 0))
    depth = solid("RGB", (60, 40), (200, 200, 200))
    return encode(primary, "MPO", save_all=True, append_images=[depth])


def cut_out_png() -> Image.Image:
    """A red disc on a fully transparent 200×200 canvas."""
    image = solid("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse((50, 50, 149, 149), fill=(255, 0, 0, 255))
    return image


# A hand-made ICC profile ----------------------------------------------------------------------


def _s15f16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + bytes(4) + _s15f16(x) + _s15f16(y) + _s15f16(z)


def _desc_tag(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\x00"
    return (
        b"desc"
        + bytes(4)
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + bytes(4 + 4 + 2 + 1 + 67)
    )


def icc_red_green_swapped() -> bytes:
    """An ICC v2 RGB display profile whose red and green primaries are sRGB's, swapped.

    A pixel stored as (255, 0, 0) under this profile *is* sRGB green, so converting to sRGB
    visibly moves it; keeping the numbers and dropping the profile would leave it red.
    """
    # sRGB's primaries adapted to D50, as in sRGB IEC61966-2.1 profiles.
    red = (0.436066, 0.222488, 0.013916)
    green = (0.385147, 0.716873, 0.097076)
    blue = (0.143066, 0.060608, 0.714096)
    gamma = b"curv" + bytes(4) + struct.pack(">IH", 1, 0x0233) + bytes(2)  # 2.2
    tags = [
        (b"desc", _desc_tag("red-green swapped test profile")),
        (b"wtpt", _xyz_tag(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz_tag(*green)),
        (b"gXYZ", _xyz_tag(*red)),
        (b"bXYZ", _xyz_tag(*blue)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    table = struct.pack(">I", len(tags))
    body = b""
    for signature, data in tags:
        padded = data + bytes(-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += padded
    size = 128 + table_size + len(body)
    header = (
        struct.pack(">I", size)
        + bytes(4)
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + bytes(4 + 4 + 4 + 4 + 8 + 4)
        + _s15f16(0.9642)
        + _s15f16(1.0)
        + _s15f16(0.8249)
        + bytes(4 + 16 + 28)
    )
    assert len(header) == 128
    return header + table + body


# Things that are not images we take -----------------------------------------------------------

NOT_IMAGES: dict[str, bytes] = {
    "text": b"name,price\nlipstick,19.99\n",
    "html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "svg": (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
        b'<rect width="100" height="100" fill="red"/><script>alert(1)</script></svg>'
    ),
    "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
}


def gif() -> bytes:
    return encode(solid("RGB", (100, 100), (255, 0, 0)), "GIF")


def bmp() -> bytes:
    return encode(solid("RGB", (100, 100), (255, 0, 0)), "BMP")


def tiff() -> bytes:
    return encode(solid("RGB", (100, 100), (255, 0, 0)), "TIFF")
