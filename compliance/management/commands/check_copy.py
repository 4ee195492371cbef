import json
import sys
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from compliance import checker
from compliance.types import BrandContext


class Command(BaseCommand):
    help = (
        "Check ad copy read as JSON Lines on stdin ({'id', 'text', 'lang'?, 'category'?}) and "
        "write one JSON line per input line: {'id', 'verdict', 'findings', 'citations', "
        "'warnings', 'ruleset_version'}, or {'line': N, 'error': '...'} for a line that cannot "
        "be checked. Blank lines are skipped. Exits non-zero when any line was bad."
    )
    # call_command(..., stdin=StringIO(...)) in tests; the command line reads sys.stdin.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tenant",
            metavar="SLUG",
            help="Also apply this brand's banned words, allowed phrases and claim evidence.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        context = self._brand_context(options["tenant"]) if options["tenant"] else None
        source: IO[str] = options.get("stdin") or sys.stdin
        bad = 0
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                output = self._check_line(line, context)
            except ValueError as error:
                bad += 1
                output = {"line": number, "error": str(error)}
            self.stdout.write(json.dumps(output, ensure_ascii=False))
        if bad:
            raise CommandError(
                f"{bad} line{'s' if bad != 1 else ''} could not be checked; "
                "see the lines with an error on stdout."
            )

    def _check_line(self, line: str, context: BrandContext | None) -> dict[str, object]:
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"Not valid JSON ({error.msg} at column {error.colno}).") from None
        if not isinstance(item, dict):
            raise ValueError("A line must be a JSON object with an id and a text.")
        if "id" not in item or not isinstance(item.get("text"), str):
            raise ValueError("A line needs an id and a text (a string).")
        for key in ("lang", "category"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ValueError(f"The {key} must be a string when it is given.")
        try:
            result = checker.check_text(
                item["text"], lang=item.get("lang"), category=item.get("category"), context=context
            )
        except checker.TextRefused as error:
            raise ValueError(str(error)) from None
        return {"id": item["id"], **result.as_json()}

    def _brand_context(self, slug: str) -> BrandContext:
        # Imported here: without --tenant the command needs no database at all.
        from compliance.selectors import brand_context
        from tenants.context import tenant_scope
        from tenants.models import Tenant

        brand = Tenant.objects.filter(slug=slug).first()
        if brand is None:
            raise CommandError(f"No brand has the slug {slug!r}.")
        with tenant_scope(brand.pk):
            return brand_context(tenant=brand)
