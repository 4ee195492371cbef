"""Delete the log rows of unlabelled exports older than APP_UNLABELLED_EXPORT_LOG_DAYS (never
fewer than six months: the system check refuses a shorter setting)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from provenance.models import UnlabelledExport
from tenants.context import unscoped


class Command(BaseCommand):
    help = "Delete unlabelled-export log rows older than the retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - timedelta(days=settings.APP_UNLABELLED_EXPORT_LOG_DAYS)
        with unscoped(reason="retention of the unlabelled-export log across brands"):
            deleted, _ = UnlabelledExport.all_tenants.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} log rows from before {cutoff:%Y-%m-%d}.")
