import io
import json
import struct
import time
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from provenance import metadata
from provenance.metadata import (
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    TC260_NS,
    TRAINED_ALGORITHMIC_MEDIA,
    AigcLabel,
    MetadataError,
    embed_into,
    encode,
    make_label,
    read,
    seal_valid,
)

FORMATS = ["jpeg", "png", "webp"]
TOOL = "brandloom compositor 1.0.0"


def picture(mode: str = "RGB", size: tuple[int, int] = (320, 240)) -> Image.Image:
    """Gradients and shapes, so lossy codecs have real work and pixel comparisons mean
    something."""
    width, height = size
    x = np.linspace(0, 255, width, dtype=np.uint8)
    y = np.linspace(0, 255, height, dtype=np.uint8)
    rgb = np.stack(
        [np.tile(x, (height, 1)), np.tile(y[:, None], (1, width)), np.full((height, width), 90)],
        axis=-1,
    ).astype(np.uint8)
    image = Image.fromarray(rgb, "RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 30, 200, 190), fill=(240, 40, 90))
    draw.rectangle((180, 120, 300, 220), fill=(20, 60, 200))
    if mode == "RGBA":
        image.putalpha(Image.fromarray(np.tile(x, (height, 1)), "L"))
    return image


def plain(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    if fmt == "jpeg":
        image.save(buffer, "JPEG", quality=90, **options)
    elif fmt == "webp":
        image.save(buffer, "WEBP", **({"quality": 88, "method": 4} | options))
    else:
        image.save(buffer, "PNG", compress_level=4, **options)
    return buffer.getvalue()


def pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.mode, image.size, image.tobytes()


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks = []
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunks.append((data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return chunks


def webp_chunks(data: bytes) -> list[bytes]:
    kinds = []
    pos = 12
    while pos < len(data):
        kinds.append(data[pos : pos + 4])
        (length,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        pos += 8 + length + (length & 1)
    return kinds


def jpeg_markers(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, first bytes of payload) for each segment before the scan."""
    segments = []
    pos = 2
    while data[pos + 1] != 0xDA:
        marker = data[pos + 1]
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segments.append((marker, data[pos + 4 : pos + 4 + 34]))
        pos += 2 + length
    return segments


@pytest.fixture
def label(settings):
    settings.SECRET_KEY = "test-secret-key-for-provenance-seals-0123456789"
    settings.APP_AIGC_PROVIDER_CODE = "brandloom-test"
    return make_label(produce_id=4711)


# Encode and read --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_encode_then_read_gives_back_the_label_and_the_standard_fields(label, fmt):
    data = encode(
        picture(), fmt, label=label, creator_tool=TOOL, title="Serum poster", description="Glow"
    )

    report = read(data)

    assert report.format == fmt
    assert report.label == label
    assert report.label.as_dict() == {
        "Label": "1",
        "ContentProducer": "brandloom-test",
        "ProduceID": "4711",
        "ReservedCode1": label.reserved_code1,
        "ContentPropagator": "",
        "PropagateID": "",
        "ReservedCode2": "",
    }
    assert report.seal_valid is True
    assert report.digital_source_type == TRAINED_ALGORITHMIC_MEDIA
    assert report.creator_tool == TOOL
    assert report.exif == {
        "ImageDescription": "AI-generated image: Glow",
        "Software": TOOL,
        "Artist": "brandloom-test",
    }
    assert report.xmp_packets == 1
    assert report.reason == ""
    assert json.loads(json.dumps(report.as_json()))["label"]["ProduceID"] == "4711"


@pytest.mark.parametrize("fmt", FORMATS)
def test_pillow_sees_the_xmp_where_every_reader_looks(label, fmt):
    data = encode(picture(), fmt, label=label, creator_tool=TOOL)

    with Image.open(io.BytesIO(data)) as image:
        xmp = image.info["xmp"]

    assert TC260_NS.encode() in xmp
    assert b"<TC260:AIGC>" in xmp
    assert xmp.startswith(b"<?xpacket begin=") and xmp.endswith(b'<?xpacket end="w"?>')


@pytest.mark.parametrize("fmt", FORMATS)
def test_metadata_does_not_change_the_pixels_or_the_encoder_settings(label, fmt):
    image = picture()

    labelled = encode(image, fmt, label=label, creator_tool=TOOL)

    assert pixels(labelled) == pixels(plain(image, fmt))


def test_encoder_settings_match_the_image_backends():
    from generation.backends.image import base

    assert metadata.JPEG_QUALITY == base.JPEG_QUALITY
    assert metadata.WEBP_QUALITY == base.WEBP_QUALITY
    assert metadata.PNG_COMPRESS_LEVEL == base.PNG_COMPRESS_LEVEL


def test_a_composed_photo_is_marked_composite(label):
    data = encode(picture(), "jpeg", label=label, composite=True)

    assert read(data).digital_source_type == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA


def test_png_xmp_and_exif_chunks_come_before_the_first_idat(label):
    data = encode(picture(), "png", label=label, creator_tool=TOOL)

    kinds = [kind for kind, _ in png_chunks(data)]

    first_idat = kinds.index(b"IDAT")
    xmp_chunks = [
        i
        for i, (kind, payload) in enumerate(png_chunks(data))
        if kind == b"iTXt" and payload.startswith(b"XML:com.adobe.xmp\x00")
    ]
    assert len(xmp_chunks) == 1
    assert xmp_chunks[0] < first_idat
    assert kinds.index(b"eXIf") < first_idat


def test_jpeg_has_one_xmp_app1_segment_before_the_scan(label):
    data = encode(picture(), "jpeg", label=label)

    segments = jpeg_markers(data)

    xmp = [s for s in segments if s[0] == 0xE1 and s[1].startswith(b"http://ns.adobe.com/xap")]
    assert len(xmp) == 1
    assert segments[0][0] == 0xE0  # JFIF APP0 stays first


def test_webp_is_extended_with_exif_and_xmp_flags(label):
    data = encode(picture(), "webp", label=label)

    kinds = webp_chunks(data)

    assert kinds[0] == b"VP8X"
    assert data[20] & 0x0C == 0x0C  # EXIF and XMP flags
    assert kinds[-1] == b"XMP "
    assert b"EXIF" in kinds


def test_json_and_markup_in_values_are_escaped(label):
    tricky = replace(label, propagate_id='a"b</TC260:AIGC>&<x>')

    data = encode(
        picture(),
        "png",
        label=tricky,
        title="<b>50% & more</b> 夏日限定",
        description='He said "hi" \x07',
        creator_tool="tool & co",
    )

    report = read(data)
    assert report.label == tricky
    assert report.creator_tool == "tool & co"
    # The non-ASCII description lives in the XMP; EXIF still says what the image is.
    assert report.exif["ImageDescription"] == 'AI-generated image: He said "hi" '


# embed_into -------------------------------------------------------------------------------


def originals() -> dict[str, bytes]:
    image = picture()
    exif = Image.Exif()
    exif[0x0131] = "camera app"
    return {
        "jpeg": plain(image, "jpeg", exif=exif),
        "png": plain(image, "png"),
        "webp-lossy": plain(image, "webp"),  # simple format: a lone "VP8 " chunk
        "webp-lossless-alpha": plain(picture("RGBA"), "webp", lossless=True),  # lone "VP8L"
        "webp-extended": plain(image, "webp", exif=exif),  # VP8X, VP8, EXIF
    }


@pytest.mark.parametrize("kind", list(originals()))
def test_embed_into_labels_without_touching_the_pixels(label, kind):
    original = originals()[kind]

    labelled = embed_into(original, label, creator_tool="elsewhere 2.0")

    report = read(labelled)
    assert report.label == label
    assert report.seal_valid is True
    assert report.creator_tool == "elsewhere 2.0"
    assert report.xmp_packets == 1
    assert pixels(labelled) == pixels(original)


def test_embed_into_puts_jpeg_xmp_after_jfif_and_exif_and_keeps_the_exif(label):
    labelled = embed_into(originals()["jpeg"], label)

    segments = jpeg_markers(labelled)
    assert [marker for marker, _ in segments[:3]] == [0xE0, 0xE1, 0xE1]
    assert segments[1][1].startswith(b"Exif\x00")
    assert segments[2][1].startswith(b"http://ns.adobe.com/xap/1.0/\x00")
    assert read(labelled).exif["Software"] == "camera app"


def test_embed_into_turns_a_simple_webp_into_an_extended_one(label):
    original = originals()["webp-lossless-alpha"]
    assert webp_chunks(original) == [b"VP8L"]

    labelled = embed_into(original, label)

    assert webp_chunks(labelled) == [b"VP8X", b"VP8L", b"XMP "]
    assert labelled[20] & 0x10  # alpha flag carried over from the VP8L header
    assert struct.unpack("<I", labelled[4:8])[0] == len(labelled) - 8
    width, height = (int.from_bytes(labelled[24 + i : 27 + i], "little") + 1 for i in (0, 3))
    assert (width, height) == (320, 240)


@pytest.mark.parametrize("fmt", FORMATS)
def test_embed_into_replaces_an_existing_xmp_rather_than_adding_one(label, fmt):
    first = encode(picture(), fmt, label=label, creator_tool=TOOL, description="first")
    second_label = make_label(produce_id=4712)

    relabelled = embed_into(first, second_label)
    again = embed_into(relabelled, second_label)

    report = read(again)
    assert report.xmp_packets == 1
    assert report.label == second_label
    assert report.creator_tool is None  # the old packet went with its properties
    assert report.exif["Software"] == TOOL  # EXIF is left alone
    assert pixels(again) == pixels(first)
    assert again == relabelled


def test_embed_into_removes_extra_xmp_segments_from_a_jpeg(label):
    original = plain(picture(), "jpeg")
    extra = metadata._JPEG_XMP_HEADER + b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>"
    segment = b"\xff\xe1" + struct.pack(">H", len(extra) + 2) + extra
    doubled = original[:2] + segment + segment + original[2:]
    assert read(doubled).xmp_packets == 2

    labelled = embed_into(doubled, label)

    assert read(labelled).xmp_packets == 1
    assert pixels(labelled) == pixels(original)


def test_embed_into_rejects_data_that_is_not_an_image(label):
    with pytest.raises(MetadataError):
        embed_into(b"GIF89a" + b"\x00" * 40, label)


# Seal -------------------------------------------------------------------------------------


def test_a_forged_produce_id_breaks_the_seal(label):
    forged = replace(label, produce_id="4712")  # ReservedCode1 copied from a real file

    report = read(embed_into(plain(picture(), "png"), forged))

    assert report.label == forged
    assert report.seal_valid is False


@pytest.mark.parametrize(
    "change",
    [
        {"reserved_code1": "0123456789abcdef0123456789abcdef"},
        {"reserved_code1": ""},
        {"content_producer": "someone-else"},
        {"label": "2"},
    ],
)
def test_made_up_or_mismatched_seals_are_invalid(label, change):
    assert seal_valid(replace(label, **change)) is False


def test_propagator_fields_are_not_sealed_so_platforms_can_fill_them(label):
    reposted = replace(
        label, content_propagator="platform-x", propagate_id="p-1", reserved_code2="xyz"
    )

    assert seal_valid(reposted) is True


def test_seals_survive_secret_rotation_through_fallbacks(label, settings):
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "a-completely-new-secret-key-after-rotation-0123456789"
    assert seal_valid(label) is False

    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert seal_valid(label) is True


def test_make_label_refuses_values_outside_the_standard(label):
    with pytest.raises(ValueError, match="Label must be one of 1, 2, 3"):
        make_label(produce_id=1, label="AIGC")


# Untrusted XMP ----------------------------------------------------------------------------


def jpeg_with_xmp(xmp: bytes) -> bytes:
    buffer = io.BytesIO()
    picture().save(buffer, "JPEG", quality=90, xmp=xmp)
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lollollollollollollollollollol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF
 xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
 xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"><TC260:AIGC>&lol9;</TC260:AIGC>
</rdf:Description></rdf:RDF></x:xmpmeta>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!doctype x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<x:xmpmeta xmlns:x="adobe:ns:meta/">&secret;</x:xmpmeta>"""

# The same declaration in UTF-16 hides it from a byte search; the parser must not fall for it.
UTF16_DOCTYPE = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'


@pytest.mark.parametrize("xmp", [BILLION_LAUGHS, EXTERNAL_ENTITY, UTF16_DOCTYPE.encode("utf-16")])
def test_xmp_with_a_doctype_is_refused_without_expanding_it(xmp):
    started = time.perf_counter()

    report = read(jpeg_with_xmp(xmp))

    assert time.perf_counter() - started < 1
    assert report.label is None
    assert report.seal_valid is None
    assert "DOCTYPE" in report.reason or "UTF-8" in report.reason


def wrapped(inner: str) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="'
        + metadata.RDF_NS
        + '">'
        + inner
        + "</rdf:RDF></x:xmpmeta>"
    ).encode()


@pytest.mark.parametrize(
    ("xmp", "reason"),
    [
        (b"\x00\x01garbage<<<", "not well-formed"),
        (b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><unclosed>", "not well-formed"),
        (b"\xff\xfe\xfa not utf-8", "not UTF-8"),
        (wrapped('<rdf:Description rdf:about=""/>'), "no TC260:AIGC"),
        (
            wrapped(
                f'<rdf:Description xmlns:TC260="{TC260_NS}"><TC260:AIGC>{{nope</TC260:AIGC>'
                "</rdf:Description>"
            ),
            "not JSON",
        ),
        (
            wrapped(
                f'<rdf:Description xmlns:TC260="{TC260_NS}"><TC260:AIGC>[1,2]</TC260:AIGC>'
                "</rdf:Description>"
            ),
            "not a JSON object",
        ),
        (
            wrapped(
                f'<rdf:Description xmlns:TC260="{TC260_NS}">'
                '<TC260:AIGC>{"Label":{"a":1}}</TC260:AIGC></rdf:Description>'
            ),
            "Label is not a string",
        ),
    ],
)
def test_unreadable_xmp_gives_a_reason_not_an_exception(xmp, reason):
    report = read(jpeg_with_xmp(xmp))

    assert report.label is None
    assert reason in report.reason
    assert report.xmp_packets == 1


def test_other_writers_forms_are_read(label):
    # Attribute form (what XMP toolkits write by default) and Annex E's {"AIGC": {...}} wrapper.
    value = json.dumps({"AIGC": label.as_dict()}).replace('"', "&quot;")
    xmp = wrapped(f'<rdf:Description xmlns:TC260="{TC260_NS}" TC260:AIGC="{value}"/>')

    report = read(jpeg_with_xmp(xmp))

    assert report.label == label
    assert report.seal_valid is True


def test_compressed_png_itxt_is_read(label):
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", metadata.xmp_packet(label).decode(), zip=True)

    report = read(plain(picture(), "png", pnginfo=info))

    assert report.label == label


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_image_without_xmp_has_no_label(fmt):
    report = read(plain(picture(), fmt))

    assert report.label is None
    assert report.seal_valid is None
    assert report.xmp_packets == 0
    assert report.reason == "The file has no XMP metadata."


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, world", b"%PDF-1.7\n" + b"\x00" * 100, b"RIFF\x04\x00\x00\x00WAVE", b"GIF89a"],
)
def test_non_images_raise_metadata_error(data):
    with pytest.raises(MetadataError, match=r"not a JPEG, PNG or WebP"):
        read(data)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_files_raise_metadata_error(label, fmt, keep):
    data = encode(picture(), fmt, label=label)

    with pytest.raises(MetadataError, match="truncated"):
        read(data[: int(len(data) * keep)])


@pytest.mark.parametrize("fmt", FORMATS)
def test_headers_alone_raise_metadata_error(fmt):
    data = plain(picture(), fmt)

    with pytest.raises(MetadataError):
        read(data[:16])


def test_from_json_accepts_a_numeric_label_and_rejects_a_missing_one():
    assert AigcLabel.from_json('{"Label":1,"ContentProducer":"p","ProduceID":"9"}').label == "1"
    with pytest.raises(ValueError, match="no Label"):
        AigcLabel.from_json('{"ContentProducer":"p"}')
