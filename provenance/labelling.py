"""Every file we hand out carries its marks: the invisible watermark, the AI-generated metadata
(TC260 XMP, EXIF) and, when a signing certificate is configured, a C2PA manifest.

The order is fixed by what each mark binds: the watermark changes pixels, so it comes first;
the metadata is written by the encoder; the C2PA manifest signs the encoded bytes, so it is
last (any later re-encode strips it). The PDQ fingerprint is taken of the marked pixels, the
ones people will see, so it finds the asset again when the other marks are gone.
"""

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from PIL import Image

from generation.backends.image.base import CONTENT_TYPES, OutputFormat
from provenance import c2pa_manifest, fingerprint, metadata, watermark

GENERATOR = "Brandloom"
GENERATOR_VERSION = "1.0"
SOURCE_TYPES = {  # IPTC digital source type, by whether a real photo was composed in
    False: metadata.TRAINED_ALGORITHMIC_MEDIA,
    True: metadata.COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
}


_METADATA_FORMATS: dict[OutputFormat, metadata.Format] = {
    OutputFormat.JPEG: "jpeg",
    OutputFormat.WEBP: "webp",
    OutputFormat.PNG: "png",
}


@dataclass(frozen=True)
class MarkedFile:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str
    marks: dict[str, Any]  # what the file carries, as Asset.marks stores it
    fingerprint: fingerprint.Fingerprint
    timings_ms: dict[str, float] = field(default_factory=dict)


def mark(
    image: Image.Image,
    *,
    output_format: OutputFormat,
    asset_id: int,
    title: str,
    composite: bool,
    visible_label: str,
    generator: str = "",
    print_: fingerprint.Fingerprint | None = None,
) -> MarkedFile:
    """Watermark, encode with metadata, and sign `image` as asset `asset_id`.

    `visible_label` is the text already drawn on the pixels ("" for an unlabelled export);
    `composite` says a real product photo was composed in (the C2PA and IPTC source type);
    `generator` names the backend that drew the pixels, for the C2PA claim; `print_` is the
    pixels' PDQ when the caller has it already (the watermark moves it by a few bits only).
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    marked = watermark.embed(
        image,
        watermark.Payload(
            installation_id=settings.APP_WATERMARK_INSTALLATION_ID, asset_id=asset_id
        ),
    )
    now = time.perf_counter()
    timings["watermark"] = (now - started) * 1000
    if print_ is None:
        print_ = fingerprint.pdq(marked)
        started, now = now, time.perf_counter()
        timings["fingerprint"] = (now - started) * 1000
    label = metadata.make_label(produce_id=asset_id)
    source_type = SOURCE_TYPES[composite]
    creator = f"{GENERATOR} {GENERATOR_VERSION}" + (f" ({generator})" if generator else "")
    data = metadata.encode(
        marked,
        _METADATA_FORMATS[output_format],
        label=label,
        composite=composite,
        creator_tool=creator,
        title=title,
    )
    started, now = now, time.perf_counter()
    timings["encode"] = (now - started) * 1000
    content_type = CONTENT_TYPES[output_format]
    signed = c2pa_manifest.signer_configured()
    if signed:
        data = c2pa_manifest.sign(
            data,
            content_type,
            title=title,
            asset_id=asset_id,
            generator=GENERATOR,
            generator_version=f"{GENERATOR_VERSION} ({generator})"
            if generator
            else GENERATOR_VERSION,
            composite=composite,
        )
        timings["c2pa"] = (time.perf_counter() - now) * 1000
    marks = {
        "visible_label": visible_label,
        "aigc": label.as_dict(),
        "digital_source_type": source_type,
        "watermark": {
            "installation_id": settings.APP_WATERMARK_INSTALLATION_ID,
            "asset_id": asset_id,
        },
        "c2pa": signed,
    }
    return MarkedFile(
        data=data,
        content_type=content_type,
        width=marked.width,
        height=marked.height,
        sha256=hashlib.sha256(data).hexdigest(),
        marks=marks,
        fingerprint=print_,
        timings_ms={name: round(ms, 2) for name, ms in timings.items()},
    )
