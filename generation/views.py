"""Dashboard pages of the generation pipeline: new generation, jobs, catalog and brand kit.

Every page is read by any member of the brand; anything that changes state needs
Permission.CREATE_CONTENT (editors and up). Another brand's ids answer 404.
"""

import time
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from PIL import Image

from billing.exceptions import BillingRefusal
from generation import analysis as script_analysis
from generation import brand_kits, catalog, jobs, pages_support, selectors, storage
from generation.analysis.types import PriceKind, Tone
from generation.forms import (
    BrandKitForm,
    JobFilterForm,
    JobForm,
    ProductForm,
    ProductPhotoForm,
    ScriptAnalyseForm,
    brand_kit_form_initial,
    job_form_initial,
    product_form_initial,
)
from generation.images import ImageRejected, image_intake
from generation.models import BrandKit, Job, Product
from tenants.roles import Permission, role_can
from tenants.views.base import BrandPage, current_user

TONE_LABELS = {
    Tone.ENERGETIC: gettext_lazy("Energetic"),
    Tone.WARM: gettext_lazy("Warm"),
    Tone.PREMIUM: gettext_lazy("Premium"),
    Tone.PROFESSIONAL: gettext_lazy("Professional"),
    Tone.PLAYFUL: gettext_lazy("Playful"),
}
PRICE_KIND_LABELS = {
    PriceKind.PRICE: gettext_lazy("Price"),
    PriceKind.REFERENCE: gettext_lazy("Reference price"),
    PriceKind.DISCOUNT: gettext_lazy("Discount"),
}
SHAPE_LABELS = {
    "portrait": gettext_lazy("Portrait"),
    "square": gettext_lazy("Square"),
    "landscape": gettext_lazy("Landscape"),
}
BRAND_KIT_FIELD_LABELS = {
    "palette": gettext_lazy("palette"),
    "font_family": gettext_lazy("font"),
    "logo": gettext_lazy("logo"),
    "tone_of_voice": gettext_lazy("tone of voice"),
    "banned_words": gettext_lazy("banned words"),
    "preferred_layouts": gettext_lazy("layouts"),
    "language": gettext_lazy("language"),
}


class GenerationPage(BrandPage):
    write_permission = Permission.CREATE_CONTENT


# NEW GENERATION -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductOption:
    product: Product
    thumbnail_url: str
    checked: bool


def _selected_ids(values: Any) -> set[int]:
    return {int(v) for v in values or () if str(v).isdigit()}


class JobCreateView(GenerationPage):
    template_name = "generation/job_new.html"
    nav = "generate"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial: dict[str, Any] = {}
        source_id = request.GET.get("from", "")
        if source_id.isdigit():
            initial = job_form_initial(
                pages_support.job_page_get(tenant=self.tenant, job_id=int(source_id))
            )
        reference_id = request.GET.get("reference", "")
        if reference_id.isdigit():
            initial["reference"] = int(reference_id)
        products = list(selectors.product_list(tenant=self.tenant))
        form = JobForm(initial=initial, products=products)
        return self.render_page(
            form=form, products=products, reference=self._reference(initial.get("reference"))
        )

    def _reference(self, asset_id: object) -> dict[str, Any] | None:
        """The library image the form uses as a reference, with its preview (404 when the id
        is not one of the brand's assets)."""
        if not isinstance(asset_id, int) and not (isinstance(asset_id, str) and asset_id.isdigit()):
            return None
        asset = get_object_or_404(selectors.asset_list(tenant=self.tenant), pk=int(asset_id))
        return {
            "asset": asset,
            "preview_url": pages_support.inline_url(
                tenant_id=self.tenant.pk, key=asset.file.name or "", width=160
            ),
        }

    def post(self, request: HttpRequest) -> HttpResponse:
        products = list(selectors.product_list(tenant=self.tenant))
        form = JobForm(request.POST, products=products)
        if form.is_valid():
            try:
                job = self._submit(form)
            except ValidationError as error:
                form.add_job_errors(error)
            except BillingRefusal as error:
                form.add_error(None, str(error))
            except jobs.IdempotencyConflict:
                form.add_error(
                    None,
                    _("This form was already sent with other values. Check it and send it again."),
                )
                form.renew_idempotency_key()
            else:
                return redirect("job_detail", job_id=job.pk)
        reference = request.POST.get("reference", "")
        return self.render_page(
            status=400,
            form=form,
            products=products,
            reference=self._reference(reference) if reference.isdigit() else None,
        )

    def _submit(self, form: JobForm) -> Job:
        request = form.to_request()
        key = form.cleaned_data["idempotency_key"]
        clone_of = form.cleaned_data.get("clone_of")
        if clone_of:
            changes = {
                "script": request.script,
                "product_ids": request.product_ids,
                "channels": request.channels,
                "variants": request.variants,
                "lane": request.lane,
                "output_format": request.output_format,
                "reference_asset_id": request.reference_asset_id,
                "reference_use": request.reference_use,
            }
            job, _created = jobs.job_clone(
                tenant=self.tenant,
                user=current_user(self.request),
                job_id=clone_of,
                changes=changes,
                idempotency_key=key,
            )
        else:
            job, _created = jobs.job_create(
                tenant=self.tenant,
                user=current_user(self.request),
                request=request,
                idempotency_key=key,
            )
        return job

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form: JobForm = kwargs["form"]
        selected = _selected_ids(form["products"].value())
        context["product_options"] = [
            ProductOption(p, pages_support.product_thumbnail_url(p), p.pk in selected)
            for p in kwargs["products"]
        ]
        context["max_script_chars"] = jobs.MAX_SCRIPT_CHARS
        return context


def analysis_context(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """ScriptAnalysis.as_json() with labels for the template."""
    if not data:
        return None
    tone = data.get("tone", "")
    prices = [
        {**price, "label": PRICE_KIND_LABELS.get(price.get("kind"), price.get("kind"))}
        for price in data.get("prices", [])
    ]
    return {**data, "tone_label": TONE_LABELS.get(tone, tone), "prices": prices}


class ScriptAnalyseView(GenerationPage):
    """The analysis preview (an htmx partial): what the pipeline will read from the script."""

    http_method_names = ["post"]
    template_name = "generation/_analysis.html"
    write_permission = Permission.VIEW_CONTENT  # reads only: nothing is stored

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ScriptAnalyseForm(request.POST)
        if not form.is_valid():
            # 200, so that htmx swaps the message in where the preview would go.
            return self.render_page(analysis_error=" ".join(str(e) for e in form.errors["script"]))
        result = script_analysis.analyse_script(form.cleaned_data["script"])
        return self.render_page(analysis=analysis_context(result.as_json()), is_preview=True)


# JOBS ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobRow:
    job: Job
    channel_labels: list[str]
    total: int
    done: int
    failed: int
    cached: int


class JobListView(GenerationPage):
    template_name = "generation/job_list.html"
    nav = "jobs"
    page_size = 25

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = JobFilterForm(self.request.GET)
        status = filters.cleaned_data["status"] if filters.is_valid() else ""
        paginator = Paginator(
            pages_support.job_page_list(tenant=self.tenant, status=status), self.page_size
        )
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page,
            rows=[
                JobRow(
                    job=job,
                    channel_labels=[pages_support.channel_label(c) for c in job.channels],
                    # Before planning a job has no renders yet: its total is what it asked for.
                    total=job.renders_total or len(job.channels) * job.variants,  # type: ignore[attr-defined]
                    done=job.renders_done,  # type: ignore[attr-defined]
                    failed=job.renders_failed,  # type: ignore[attr-defined]
                    cached=job.renders_cached,  # type: ignore[attr-defined]
                )
                for job in page.object_list
            ],
            status=status,
            statuses=Job.Status.choices,
        )
        return context


def _seconds(ms: float | None) -> str:
    return "" if ms is None else f"{ms / 1000:.1f} s"


class JobDetailView(GenerationPage):
    template_name = "generation/job_detail.html"
    nav = "jobs"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = pages_support.job_page_get(tenant=self.tenant, job_id=kwargs["job_id"])
        progress = selectors.job_progress(tenant=self.tenant, job=job)
        context.update(
            job=job,
            progress=progress,
            percent=round(100 * (progress.done + progress.failed) / progress.total)
            if progress.total
            else 0,
            timings={
                "first_render": _seconds(progress.first_render_ms),
                "finished": _seconds(progress.finished_ms),
                "render_p50": _seconds(progress.render_ms_p50),
            },
            channel_labels=[pages_support.channel_label(c) for c in job.channels],
            failures=pages_support.job_failures(tenant=self.tenant, job=job),
            gallery=pages_support.job_gallery(tenant=self.tenant, job=job),
            gallery_limit=pages_support.GALLERY_LIMIT,
            analysis=analysis_context(job.analysis),
            can_cancel=not job.is_finished,
            can_retry=job.status in (Job.Status.FAILED, Job.Status.PARTIALLY_FAILED),
        )
        return context


class JobProgressView(JobDetailView):
    """The live part of the job page, polled every second until the job has finished."""

    template_name = "generation/_job_live.html"


class JobActionView(GenerationPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, job_id: int) -> HttpResponse:
        try:
            target = self.act(job_id)
        except (jobs.JobStateError, BillingRefusal) as error:
            messages.error(request, str(error))
            target = job_id
        return redirect("job_detail", job_id=target)

    def act(self, job_id: int) -> int:
        raise NotImplementedError


class JobCancelView(JobActionView):
    def act(self, job_id: int) -> int:
        jobs.job_cancel(tenant=self.tenant, user=current_user(self.request), job_id=job_id)
        messages.success(self.request, _("Job cancelled. Finished images are kept."))
        return job_id


class JobRetryView(JobActionView):
    def act(self, job_id: int) -> int:
        render_ids = jobs.job_retry_failed(
            tenant=self.tenant, user=current_user(self.request), job_id=job_id
        )
        messages.success(
            self.request,
            _("%(count)s failed images are being rendered again.") % {"count": len(render_ids)},
        )
        return job_id


class JobCloneView(JobActionView):
    """Run the same request again with a new seed: new copy and layouts, same settings."""

    def act(self, job_id: int) -> int:
        try:
            job, _created = jobs.job_clone(
                tenant=self.tenant, user=current_user(self.request), job_id=job_id, changes={}
            )
        except ValidationError as error:
            # The source's products may have been deleted since: say so instead of failing.
            messages.error(self.request, " ".join(error.messages))
            return job_id
        messages.success(self.request, _("Cloned with a new seed as job #%(id)s.") % {"id": job.pk})
        return job.pk


# CATALOG ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductRow:
    product: Product
    thumbnail_url: str
    photo_count: int


class ProductListView(GenerationPage):
    template_name = "generation/catalog.html"
    nav = "catalog"
    page_size = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        search = self.request.GET.get("q", "").strip()[:100]
        paginator = Paginator(
            selectors.product_list(tenant=self.tenant, search=search), self.page_size
        )
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page,
            search=search,
            rows=[
                ProductRow(p, pages_support.product_thumbnail_url(p), len(p.photos.all()))
                for p in page.object_list
            ],
        )
        return context


class ProductCreateView(GenerationPage):
    template_name = "generation/product_form.html"
    nav = "catalog"
    required_permission = Permission.CREATE_CONTENT  # an empty form is of no use to a viewer

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(form=ProductForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ProductForm(request.POST)
        if form.is_valid():
            try:
                product = catalog.product_create(
                    tenant=self.tenant, user=current_user(request), fields=form.to_fields()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Product %(sku)s created.") % {"sku": product.sku})
                return redirect("product_detail", product_id=product.pk)
        return self.render_page(status=400, form=form)


@dataclass(frozen=True)
class PhotoTile:
    photo_id: int
    thumbnail_url: str
    full_url: str
    width: int
    height: int
    has_alpha: bool


class ProductDetailView(GenerationPage):
    """A product's facts and photos; editors change them here."""

    template_name = "generation/product_form.html"
    nav = "catalog"

    def get(self, request: HttpRequest, product_id: int) -> HttpResponse:
        product = selectors.product_get(tenant=self.tenant, product_id=product_id)
        return self.render_product(product, ProductForm(initial=product_form_initial(product)))

    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:
        product = selectors.product_get(tenant=self.tenant, product_id=product_id)
        form = ProductForm(request.POST)
        if form.is_valid():
            try:
                catalog.product_update(
                    tenant=self.tenant,
                    user=current_user(request),
                    product_id=product.pk,
                    fields=form.to_fields(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Product saved."))
                return redirect("product_detail", product_id=product.pk)
        return self.render_product(product, form, status=400)

    def render_product(
        self,
        product: Product,
        form: ProductForm,
        photo_form: ProductPhotoForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        if not self.can_edit():
            for field in form.fields.values():
                field.disabled = True
        photos = [
            PhotoTile(
                photo_id=photo.pk,
                thumbnail_url=pages_support.inline_url(
                    tenant_id=self.tenant.pk,
                    key=photo.file.name or "",
                    width=pages_support.THUMBNAIL_WIDTHS[0],
                ),
                full_url=pages_support.inline_url(
                    tenant_id=self.tenant.pk, key=photo.file.name or ""
                ),
                width=photo.width,
                height=photo.height,
                has_alpha=photo.has_alpha,
            )
            for photo in product.photos.all()
        ]
        return self.render_page(
            status=status,
            product=product,
            form=form,
            photo_form=photo_form or ProductPhotoForm(),
            photos=photos,
            max_photos=catalog.MAX_PHOTOS_PER_PRODUCT,
        )

    def can_edit(self) -> bool:
        return role_can(self.membership.role, Permission.CREATE_CONTENT)


class ProductPhotoUploadView(ProductDetailView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:
        product = selectors.product_get(tenant=self.tenant, product_id=product_id)
        photo_form = ProductPhotoForm(request.POST, request.FILES)
        if photo_form.is_valid():
            upload = photo_form.cleaned_data["image"]
            try:
                image = image_intake(
                    upload, purpose="product", declared_content_type=upload.content_type
                )
                catalog.product_photo_add(
                    tenant=self.tenant,
                    user=current_user(request),
                    product_id=product.pk,
                    image=image,
                )
            except ImageRejected as error:
                photo_form.add_error("image", str(error))
            except ValidationError as error:
                photo_form.add_error("image", error)
            else:
                messages.success(request, _("Photo added."))
                return redirect("product_detail", product_id=product.pk)
        form = ProductForm(initial=product_form_initial(product))
        return self.render_product(product, form, photo_form=photo_form, status=400)


class ProductPhotoDeleteView(GenerationPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, product_id: int, photo_id: int) -> HttpResponse:
        photo = pages_support.product_photo_get(
            tenant=self.tenant, product_id=product_id, photo_id=photo_id
        )
        catalog.product_photo_delete(
            tenant=self.tenant, user=current_user(request), photo_id=photo.pk
        )
        messages.success(request, _("Photo removed."))
        return redirect("product_detail", product_id=product_id)


class ProductDeleteView(GenerationPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, product_id: int) -> HttpResponse:
        product = selectors.product_get(tenant=self.tenant, product_id=product_id)
        catalog.product_delete(
            tenant=self.tenant, user=current_user(request), product_id=product.pk
        )
        messages.success(request, _("Product %(sku)s deleted.") % {"sku": product.sku})
        return redirect("catalog")


# BRAND KIT ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KitVersion:
    kit: BrandKit
    changed: str  # the fields this version changed, for people


class BrandKitView(GenerationPage):
    template_name = "generation/brand_kit.html"
    nav = "brand_kit"

    def get(self, request: HttpRequest) -> HttpResponse:
        kit = brand_kits.brand_kit_current(tenant=self.tenant)
        form = BrandKitForm(
            initial=brand_kit_form_initial(kit), layouts=pages_support.known_layouts()
        )
        return self.render_kit(kit, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        kit = brand_kits.brand_kit_current(tenant=self.tenant)
        form = BrandKitForm(request.POST, request.FILES, layouts=pages_support.known_layouts())
        if form.is_valid():
            try:
                changes = self._changes(form)
                if changes is None:
                    messages.info(request, _("Nothing changed, so no new version was saved."))
                    return redirect("brand_kit")
                saved = brand_kits.brand_kit_update(
                    tenant=self.tenant, user=current_user(request), changes=changes
                )
            except ImageRejected as error:
                form.add_error("logo", str(error))
            except ValidationError as error:
                form.add_service_errors(error, {"palette": f"palette_{brand_kits.PALETTE_KEYS[0]}"})
            else:
                messages.success(request, _("Saved as version %(n)s.") % {"n": saved.version})
                return redirect("brand_kit")
        return self.render_kit(kit, form, status=400)

    def _changes(self, form: BrandKitForm) -> brand_kits.BrandKitChanges | None:
        """What the form changes, or None when it changes nothing."""
        data = form.cleaned_data
        kit = brand_kits.brand_kit_current(tenant=self.tenant)
        logo = None
        if data["logo"]:
            upload = data["logo"]
            logo = image_intake(upload, purpose="logo", declared_content_type=upload.content_type)
        changes = brand_kits.BrandKitChanges(
            palette=form.palette(),
            font_family=data["font_family"],
            tone_of_voice=data["tone_of_voice"].strip(),
            banned_words=data["banned_words"],
            preferred_layouts=data["preferred_layouts"],
            language=data["language"],
            logo=logo,
            remove_logo=data["remove_logo"] and logo is None,
        )
        unchanged = (
            logo is None
            and not (changes.remove_logo and kit.logo)
            and {k.upper(): v for k, v in (changes.palette or {}).items()}
            == {k.upper(): str(v).upper() for k, v in kit.palette.items()}
            and changes.font_family == kit.font_family
            and changes.tone_of_voice == kit.tone_of_voice
            and sorted(set(changes.banned_words or [])) == sorted(kit.banned_words)
            and changes.preferred_layouts == kit.preferred_layouts
            and changes.language == kit.language
        )
        return None if unchanged else changes

    def render_kit(self, kit: BrandKit, form: BrandKitForm, status: int = 200) -> HttpResponse:
        if not role_can(self.membership.role, Permission.CREATE_CONTENT):
            for field in form.fields.values():
                field.disabled = True
        history = pages_support.brand_kit_history(tenant=self.tenant)
        versions = [
            KitVersion(
                kit=version,
                changed=", ".join(
                    str(BRAND_KIT_FIELD_LABELS[name])
                    for name in pages_support.brand_kit_changed_fields(
                        version, history[i + 1] if i + 1 < len(history) else None
                    )
                ),
            )
            for i, version in enumerate(history)
        ]
        layout_choices = []
        if form.known_layouts:
            boxes = list(form["preferred_layouts"])
            layout_choices = [
                (
                    SHAPE_LABELS.get(group.shape, group.shape),
                    [pages_support.channel_label(name) for name in group.channels],
                    [box for box in boxes if box.data["value"] in group.layouts],
                )
                for group in pages_support.layout_groups()
            ]
        logo_url = ""
        if kit.logo:
            logo_url = pages_support.inline_url(tenant_id=self.tenant.pk, key=kit.logo.name or "")
        return self.render_page(
            status=status,
            kit=kit,
            form=form,
            versions=versions,
            logo_url=logo_url,
            layout_choices=layout_choices,
        )


# FILES --------------------------------------------------------------------------------------


@require_GET
def file_inline(request: HttpRequest, token: str) -> FileResponse:
    """Stream a stored image (or its thumbnail) for <img>: inline, to whoever holds the link."""
    try:
        file = pages_support.inline_token_read(token)
    except pages_support.InlineLinkInvalid as error:
        raise Http404("This image link is invalid or has expired.") from error
    key = file.key
    try:
        if file.width:
            key = pages_support.thumbnail_ensure(file)
        handle = storage.media_storage().open(key, "rb")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise Http404("The image is gone.") from error
    response = FileResponse(handle, content_type=pages_support.inline_content_type(key))
    response["Content-Disposition"] = "inline"
    max_age = max(0, min(3600, file.expires_at - int(time.time())))
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response
