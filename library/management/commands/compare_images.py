"""Tell whether two images are near-duplicates by library.image_hashes, each taken once as the
query and once as the stored image. Prints one JSON object:
{"distance": int, "duplicate": bool}."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image

from generation.images import ImageRejected, image_decode
from library import image_hashes


class Command(BaseCommand):
    help = "Compare two images by their perceptual hashes (near-duplicate or not)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("first", type=Path, help="a PNG, JPEG or WebP image")
        parser.add_argument("second", type=Path, help="a PNG, JPEG or WebP image")

    def handle(self, *args: Any, **options: Any) -> None:
        first, second = _load(options["first"]), _load(options["second"])
        distance, duplicate = image_hashes.match(first, second)
        self.stdout.write(json.dumps({"distance": distance, "duplicate": duplicate}))


def _load(path: Path) -> Image.Image:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    try:
        # "library": the purpose library images are decoded for, with the same limits.
        pixels, _format = image_decode(data, purpose="library")
    except ImageRejected as error:
        raise CommandError(f"{path}: {error}") from None
    return pixels
