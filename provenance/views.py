"""Provenance pages: label an image made elsewhere, verify any image, the brand's labelling
settings and the labelling duty; a poster without its visible label and a job's audit trail
from the job page; and the public verification page.

Members read every dashboard page and verify; labelling, accepting the duty and taking a poster
without its label need Permission.CREATE_CONTENT; the settings need Permission.MANAGE_BRAND.
Another brand's render or job id answers 404 and nothing is logged.
"""

import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from generation import brand_kits, pages_support, storage
from generation.images import ImageRejected
from generation.models import Asset, Render
from provenance import audit_export, services
from provenance.forms import DutyAcceptForm, LabelForm, ProvenanceSettingsForm, VerifyForm
from provenance.models import UnlabelledExport
from provenance.verification import verify
from provenance.visible_label import LABEL_TEXTS
from tenants.models import Tenant
from tenants.roles import Permission, role_can
from tenants.throttle_login import client_ip, count_in_window
from tenants.views.base import BrandPage, current_user

logger = logging.getLogger(__name__)

EXPORT_LOG_SIZE = 50
# The public page decodes and searches every upload: a few per minute per address is plenty
# for a person, and keeps one client from using it as a free image-analysis service.
PUBLIC_VERIFY_LIMIT = 10
PUBLIC_VERIFY_WINDOW_SECONDS = 60

MATCHED_BY = {
    "watermark": gettext_lazy("its invisible watermark"),
    "metadata": gettext_lazy("its sealed TC260 metadata"),
    "c2pa": gettext_lazy("its C2PA manifest"),
    "fingerprint": gettext_lazy("its fingerprint (a near-identical copy of one of our files)"),
}


class ProvenancePage(BrandPage):
    write_permission = Permission.CREATE_CONTENT
    nav = "provenance"
    tab = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tab"] = self.tab
        return context


def _ip_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR as the export log stores it (None when it is not an address)."""
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def _user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:300]


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# PAGE READS ---------------------------------------------------------------------------------


def unlabelled_export_list(*, tenant: Tenant) -> QuerySet[UnlabelledExport]:
    return (
        UnlabelledExport.objects.filter(tenant=tenant)
        .select_related("user", "acceptance")
        .order_by("-created_at", "-id")
    )


# LABEL --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledResult:
    asset: Asset
    created: bool
    preview_url: str
    full_url: str
    download_url: str
    visible_label: str
    tc260: dict[str, str]
    watermark: dict[str, Any]
    c2pa: bool


def labelled_result(asset: Asset, *, created: bool) -> LabelledResult:
    key = asset.file.name or ""
    extension = key.rsplit(".", 1)[-1]
    marks = asset.marks or {}
    return LabelledResult(
        asset=asset,
        created=created,
        preview_url=pages_support.inline_url(
            tenant_id=asset.tenant_id, key=key, width=pages_support.THUMBNAIL_WIDTHS[-1]
        ),
        full_url=pages_support.inline_url(tenant_id=asset.tenant_id, key=key),
        download_url=storage.download_url(
            tenant_id=asset.tenant_id, key=key, filename=f"labelled-{asset.pk}.{extension}"
        ),
        visible_label=str(marks.get("visible_label", "")),
        tc260=dict(marks.get("aigc") or {}),
        watermark=dict(marks.get("watermark") or {}),
        c2pa=bool(marks.get("c2pa")),
    )


class LabelView(ProvenancePage):
    template_name = "provenance/label.html"
    tab = "label"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(form=LabelForm(initial={"language": self._language()}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LabelForm(request.POST, request.FILES)
        if form.is_valid():
            data, filename = form.image_bytes()
            try:
                asset, created = services.label_upload(
                    tenant=self.tenant,
                    data=data,
                    filename=filename,
                    actor=current_user(request),
                    language=form.cleaned_data["language"],
                )
            except ImageRejected as error:
                form.add_error("image", str(error))
            else:
                # No redirect: the result is this response; sending the form again returns
                # the same asset (label_upload is idempotent per file).
                return self.render_page(
                    form=LabelForm(initial={"language": form.cleaned_data["language"]}),
                    result=labelled_result(asset, created=created),
                )
        return self.render_page(status=400, form=form)

    def _language(self) -> str:
        language = brand_kits.brand_kit_current(tenant=self.tenant).language
        return language if language in LABEL_TEXTS else "zh"


# VERIFY -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportView:
    """A verification report, shaped for people."""

    verdict: str  # "generated", "labelled" or "unknown"
    created_at: datetime | None
    matched_by: str
    brand: str
    asset_id: int | None
    visible: bool | None
    metadata: dict[str, Any] | None
    c2pa_state: str  # "none", "trusted", "valid", "invalid" or "unreadable"
    c2pa_errors: list[str]
    watermark: dict[str, Any]
    fingerprint: dict[str, Any] | None


def report_view(report: dict[str, Any]) -> ReportView:
    asset = report.get("asset") or {}
    verdict = (
        "generated"
        if report["generated_by_us"]
        else "labelled"
        if report["labelled_by_us"]
        else "unknown"
    )
    manifest = report.get("c2pa")
    errors: list[str] = []
    if manifest is None:
        c2pa_state = "none"
    elif "error" in manifest:
        c2pa_state = "unreadable"
    else:
        validation = manifest.get("validation") or {}
        c2pa_state = str(validation.get("state") or "invalid")
        errors = [str(e) for e in validation.get("errors") or []]
    created = asset.get("created_at")
    return ReportView(
        verdict=verdict,
        created_at=datetime.fromisoformat(created) if created else None,
        matched_by=str(MATCHED_BY.get(asset.get("matched_by", ""), "")),
        brand=str(asset.get("brand", "")),
        asset_id=asset.get("asset_id"),
        visible=report["ai_label"]["visible"],
        metadata=report["ai_label"]["metadata"],
        c2pa_state=c2pa_state,
        c2pa_errors=errors,
        watermark=report["watermark"],
        fingerprint=report.get("fingerprint_match"),
    )


class VerifyView(ProvenancePage):
    template_name = "provenance/verify.html"
    tab = "verify"
    write_permission = Permission.VIEW_CONTENT  # reads only: nothing is stored

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(form=VerifyForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            data, filename = form.image_bytes()
            try:
                report = verify(data, viewer_tenant_id=self.tenant.pk)
            except ImageRejected as error:
                form.add_error("image", str(error))
            else:
                return self.render_page(
                    form=VerifyForm(), report=report_view(report), filename=filename
                )
        return self.render_page(status=400, form=form)


# SETTINGS -----------------------------------------------------------------------------------


class SettingsView(ProvenancePage):
    template_name = "provenance/settings.html"
    tab = "settings"
    write_permission = Permission.MANAGE_BRAND

    def get(self, request: HttpRequest) -> HttpResponse:
        current = services.provenance_settings(tenant=self.tenant)
        form = ProvenanceSettingsForm(
            initial={
                "copy_label_position": current.copy_label_position,
                "public_disclosure": current.public_disclosure,
            }
        )
        return self.render_settings(form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProvenanceSettingsForm(request.POST)
        if form.is_valid():
            services.provenance_settings_update(
                tenant=self.tenant,
                actor=current_user(request),
                copy_label_position=form.cleaned_data["copy_label_position"],
                public_disclosure=form.cleaned_data["public_disclosure"],
            )
            messages.success(request, _("Labelling settings saved."))
            return redirect("provenance_settings")
        return self.render_settings(form, status=400)

    def render_settings(self, form: ProvenanceSettingsForm, status: int = 200) -> HttpResponse:
        if not role_can(self.membership.role, Permission.MANAGE_BRAND):
            for field in form.fields.values():
                field.disabled = True
        current = services.provenance_settings(tenant=self.tenant)
        return self.render_page(status=status, form=form, current=current)


# LABELLING DUTY -----------------------------------------------------------------------------


class DutyView(ProvenancePage):
    template_name = "provenance/duty.html"
    tab = "duty"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_duty(DutyAcceptForm(initial={"terms_version": services.TERMS_VERSION}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DutyAcceptForm(request.POST)
        if not form.is_valid():
            return self.render_duty(form, status=400)
        services.labelling_duty_accept(
            tenant=self.tenant,
            user=current_user(request),
            ip_address=_ip_address(request),
            user_agent=_user_agent(request),
        )
        messages.success(
            request,
            _(
                "Accepted. You can take posters without their visible label from the job "
                "pages now; label them wherever you publish them."
            ),
        )
        job = self._job_id()
        if job is not None:
            return redirect("job_detail", job_id=job)
        return redirect("provenance_duty")

    def _job_id(self) -> int | None:
        """The job page the member came from (they are sent back there after accepting)."""
        value = self.request.POST.get("job") or self.request.GET.get("job") or ""
        return int(value) if value.isdigit() and len(value) < 12 else None

    def render_duty(self, form: DutyAcceptForm, status: int = 200) -> HttpResponse:
        acceptance = services.labelling_duty_current(
            tenant=self.tenant, user=current_user(self.request)
        )
        exports = list(unlabelled_export_list(tenant=self.tenant)[:EXPORT_LOG_SIZE])
        return self.render_page(
            status=status,
            form=form,
            acceptance=acceptance,
            exports=exports,
            terms_version=services.TERMS_VERSION,
            job_id=self._job_id(),
        )


# FROM THE JOB PAGE --------------------------------------------------------------------------


def _job_of(tenant: Tenant, render_id: int) -> int:
    """The job a refused export goes back to (the service found the render in this brand)."""
    return Render.objects.values_list("job_id", flat=True).get(tenant=tenant, pk=render_id)


class UnlabelledExportView(ProvenancePage):
    """A released poster without its visible label, as an attachment, logged (办法 Art. 9)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, render_id: int) -> HttpResponse:
        try:  # another brand's render id: DoesNotExist, which BrandPage answers with 404
            exported = services.unlabelled_export(
                tenant=self.tenant,
                user=current_user(request),
                render_id=render_id,
                ip_address=_ip_address(request),
                user_agent=_user_agent(request),
            )
        except services.LabellingDutyNotAccepted:
            messages.warning(
                request,
                _(
                    "Accept the labelling duty first: you must label the poster wherever you "
                    "publish it."
                ),
            )
            job_id = _job_of(self.tenant, render_id)
            return redirect(f"{reverse('provenance_duty')}?job={job_id}#duty-terms")
        except services.NotExportable as refusal:
            messages.error(
                request,
                _("This poster cannot be taken without its label: %(reason)s")
                % {"reason": str(refusal)},
            )
            return redirect("job_detail", job_id=_job_of(self.tenant, render_id))
        return _attachment(exported.data, exported.content_type, exported.filename)


class JobAuditExportView(ProvenancePage):
    """The job's audit trail for a regulator: a zip with JSON and CSV."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, job_id: int) -> HttpResponse:
        job = pages_support.job_page_get(tenant=self.tenant, job_id=job_id)
        data, filename = audit_export.job_audit_export(tenant=self.tenant, job=job)
        return _attachment(data, "application/zip", filename)


# PUBLIC VERIFICATION ------------------------------------------------------------------------


def _public_verify_allowed(request: HttpRequest) -> bool:
    """A fixed window per client address, counted in the cache (Redis)."""
    key = f"public-verify:ip:{client_ip(request)}"
    try:
        count = count_in_window(key, PUBLIC_VERIFY_WINDOW_SECONDS)
    except redis.RedisError:
        # The limit protects capacity; it must not take the page down with Redis.
        logger.warning("provenance.public_verify_rate_limit_unavailable", exc_info=True)
        return True
    return count <= PUBLIC_VERIFY_LIMIT


class PublicVerifyView(View):
    """Anyone may ask whether this installation made (or labelled) an image, and when. The
    brand is named only when it allowed it (ProvenanceSettings.public_disclosure)."""

    http_method_names = ["get", "post", "head"]
    template_name = "provenance/public_verify.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": VerifyForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        if not _public_verify_allowed(request):
            refusal = _("Too many checks from your address. Try again in a minute.")
            context = {"form": VerifyForm(), "refusal": refusal}
            return render(request, self.template_name, context, status=429)
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            data, filename = form.image_bytes()
            try:
                report = verify(data)
            except ImageRejected as error:
                form.add_error("image", str(error))
            else:
                context = {
                    "form": VerifyForm(),
                    "report": report_view(report),
                    "filename": filename,
                }
                return render(request, self.template_name, context)
        return render(request, self.template_name, {"form": form}, status=400)
