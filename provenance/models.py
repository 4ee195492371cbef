"""A brand's labelling choices, and the log of files handed out without their visible label."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import TenantOwnedModel


class ProvenanceSettings(TenantOwnedModel):
    """What a brand may choose about its labels. Whether assets are labelled is not a choice:
    every generated file carries the visible label, the metadata and the watermark."""

    class CopyLabelPosition(models.TextChoices):
        START = "start", _("At the start")
        END = "end", _("At the end")

    copy_label_position = models.CharField(
        max_length=5, choices=CopyLabelPosition.choices, default=CopyLabelPosition.END
    )
    # Whether the public verification page may name the brand of a file it recognises.
    public_disclosure = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="provenancesettings_one_per_brand")
        ]
        verbose_name_plural = "provenance settings"

    def __str__(self) -> str:
        return f"provenance settings of brand {self.tenant_id}"


class LabellingDutyAcceptance(TenantOwnedModel):
    """A member accepted the duty to label what they publish before taking files without the
    visible label (《人工智能生成合成内容标识办法》 Art. 9: only after the user agreement states
    the user's labelling duty and responsibility)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    terms_version = models.CharField(max_length=20)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "terms_version"], name="labellingduty_once_per_terms"
            )
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} accepted labelling terms {self.terms_version}"


class UnlabelledExport(TenantOwnedModel):
    """One file handed out without its visible label: who took it, when, from where, under
    which acceptance (Art. 9 asks the provider to keep this log for at least six months)."""

    asset = models.ForeignKey("generation.Asset", on_delete=models.PROTECT, related_name="+")
    acceptance = models.ForeignKey(
        LabellingDutyAcceptance, on_delete=models.PROTECT, related_name="exports"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64)  # of the file handed out
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="unlabelledexport_recent_idx"),
            models.Index(fields=["created_at"], name="unlabelledexport_age_idx"),
        ]

    def __str__(self) -> str:
        return f"unlabelled export of asset {self.asset_id} by user {self.user_id}"
