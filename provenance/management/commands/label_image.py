"""Label an image made elsewhere: the visible label, the metadata, the watermark (and C2PA when
a signing certificate is configured). Prints one JSON object saying what it wrote."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.backends.image.base import OutputFormat
from generation.images import ImageRejected, image_decode
from provenance import labelling
from provenance.visible_label import LABEL_TEXTS, draw_label

MAX_BYTES = 50 * 1024 * 1024
_BY_SUFFIX = {
    ".jpg": OutputFormat.JPEG,
    ".jpeg": OutputFormat.JPEG,
    ".png": OutputFormat.PNG,
    ".webp": OutputFormat.WEBP,
}
_BY_SOURCE = {"JPEG": OutputFormat.JPEG, "PNG": OutputFormat.PNG, "WEBP": OutputFormat.WEBP}


class Command(BaseCommand):
    help = "Label IN as AI-generated (visible label, TC260 metadata, watermark) and write OUT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path, help="a PNG, JPEG or WebP image")
        parser.add_argument("output", type=Path, help="where to write (.jpg, .png or .webp)")
        parser.add_argument(
            "--asset-id", type=int, required=True, help="the id the watermark and metadata carry"
        )
        parser.add_argument("--language", choices=sorted(LABEL_TEXTS), default="zh")

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["input"]
        target: Path = options["output"]
        asset_id: int = options["asset_id"]
        if not 0 < asset_id < 2**40:
            raise CommandError("--asset-id must be between 1 and 2^40 − 1.")
        if target.suffix.lower() not in _BY_SUFFIX:
            raise CommandError(f"{target} must end in .jpg, .jpeg, .png or .webp.")
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist.")
        try:
            data = source.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {source}: {error.strerror}.") from None
        try:
            pixels, _ = image_decode(data, purpose="label", max_bytes=MAX_BYTES)
        except ImageRejected as error:
            raise CommandError(f"{source}: {error}") from None
        text = LABEL_TEXTS[options["language"]]
        marked = labelling.mark(
            draw_label(pixels, text),
            output_format=_BY_SUFFIX[target.suffix.lower()],
            asset_id=asset_id,
            title=source.name,
            composite=False,
            visible_label=text,
            generator="label_image",
        )
        try:
            target.write_bytes(marked.data)
        except OSError as error:
            raise CommandError(f"Cannot write {target}: {error.strerror}.") from None
        report = {
            "output": str(target),
            "content_type": marked.content_type,
            "size": [marked.width, marked.height],
            "bytes": len(marked.data),
            "sha256": marked.sha256,
            **marked.marks,
            "pdq": marked.fingerprint.hex,
            "timings_ms": marked.timings_ms,
        }
        self.stdout.write(json.dumps(report, ensure_ascii=False))
