"""Tell whether this installation made or labelled an image, and which marks it carries.
Prints one JSON object (the same report POST /api/v1/provenance/verify answers)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from generation.images import ImageRejected
from provenance.verification import verify


class Command(BaseCommand):
    help = "Read an image's AI labels, C2PA manifest, watermark and fingerprint match."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a PNG, JPEG or WebP image")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            report = verify(data, staff=True)
        except ImageRejected as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
