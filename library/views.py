"""Dashboard pages of the asset library: search and browse, bulk upload and its progress, an
image with its similar images, duplicate clusters, and do-not-reuse banks.

Every page is read by any member of the brand; anything that changes state needs
Permission.CREATE_CONTENT (editors and up), as the catalog does. Another brand's ids answer 404
(the lookups below are all within the brand, and BrandPage turns DoesNotExist into 404).
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import TooManyFilesSent
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from generation import pages_support
from generation import selectors as generation_selectors
from generation.images import ImageRejected
from generation.models import Asset, Product
from library import describe, selectors, services, uploads
from library.forms import (
    AssetEditForm,
    BankChoiceForm,
    BankForm,
    BankImageForm,
    BankTextForm,
    ClusterMergeForm,
    LibrarySearchForm,
    UploadForm,
    too_many_files_message,
)
from library.models import Bank, BankEntry, UploadBatch, UploadItem
from tenants.models import Tenant
from tenants.roles import Permission, role_can
from tenants.views.base import BrandPage, current_user

PAGE_SIZE = 24
SIMILAR_COUNT = 12
CLUSTERS_PER_PAGE = 10
RECENT_BATCHES = 10
# A zip may hold thousands of files; the page lists this many (the API lists them all).
BATCH_ITEMS_SHOWN = 500
THUMB = pages_support.THUMBNAIL_WIDTHS[-1]
SMALL_THUMB = pages_support.THUMBNAIL_WIDTHS[0]


class LibraryPage(BrandPage):
    write_permission = Permission.CREATE_CONTENT
    nav = "library"
    tab = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["tab"] = self.tab
        return context


# PAGE READS ---------------------------------------------------------------------------------


def batch_get(*, tenant: Tenant, batch_id: int) -> UploadBatch:
    return UploadBatch.objects.select_related("product").get(tenant=tenant, pk=batch_id)


def batch_items(*, tenant: Tenant, batch: UploadBatch) -> QuerySet[UploadItem]:
    return UploadItem.objects.filter(tenant=tenant, batch=batch).order_by("position")


def bank_get(*, tenant: Tenant, bank_id: int) -> Bank:
    return Bank.objects.get(tenant=tenant, pk=bank_id)


def bank_entry_get(*, tenant: Tenant, bank: Bank, entry_id: int) -> BankEntry:
    return BankEntry.objects.get(tenant=tenant, bank=bank, pk=entry_id)


def assets_by_id(*, tenant: Tenant, ids: list[int]) -> dict[int, Asset]:
    return Asset.objects.filter(tenant=tenant).in_bulk(ids)


# TILES --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetTile:
    asset: Asset
    thumbnail_url: str
    swatches: list[str]  # "#rrggbb", largest first
    distance: int | None = None
    duplicate: bool = False


def asset_tile(
    asset: Asset, *, width: int = THUMB, distance: int | None = None, duplicate: bool = False
) -> AssetTile:
    key = asset.file.name or ""
    return AssetTile(
        asset=asset,
        thumbnail_url=pages_support.inline_url(tenant_id=asset.tenant_id, key=key, width=width)
        if key
        else "",
        swatches=[str(s["hex"]) for s in asset.colours[:5] if isinstance(s, dict) and "hex" in s],
        distance=distance,
        duplicate=duplicate,
    )


def _products(tenant: Tenant) -> list[Product]:
    return list(generation_selectors.product_list(tenant=tenant))


# BROWSE -------------------------------------------------------------------------------------


class LibraryView(LibraryPage):
    template_name = "library/library.html"
    tab = "browse"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = LibrarySearchForm(self.request.GET or None)
        if form.is_bound:
            form.is_valid()  # filters() keeps the valid values and drops the rest
        filters = form.filters()
        query = selectors.LibraryQuery(
            text=filters.get("q", ""),
            colour=filters.get("colour", ""),
            kind=filters.get("kind", ""),
            origin=filters.get("origin", ""),
            tag=filters.get("tag", ""),
        )
        assets = selectors.library_search(tenant_id=self.tenant.pk, query=query)
        page = Paginator(assets, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            filters=filters,
            page_obj=page,
            tiles=[asset_tile(asset) for asset in page.object_list],
            total=page.paginator.count,
        )
        return context


# UPLOAD -------------------------------------------------------------------------------------


class UploadView(LibraryPage):
    template_name = "library/upload.html"
    tab = "upload"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_upload(UploadForm(products=_products(self.tenant)))

    def post(self, request: HttpRequest) -> HttpResponse:
        products = _products(self.tenant)
        try:
            files = request.FILES
        except TooManyFilesSent:
            # Django refuses a request with more files than DATA_UPLOAD_MAX_NUMBER_FILES before
            # the form sees it; say so on the form rather than with a bare 400 page.
            form = UploadForm(products=products)
            form.add_error(None, too_many_files_message())
            return self.render_upload(form, status=400)
        form = UploadForm(request.POST, files, products=products)
        if form.is_valid():
            images, archive = form.as_uploads()
            try:
                batch = uploads.upload_batch_create(
                    tenant_id=self.tenant.pk,
                    user_id=current_user(request).pk,
                    files=images,
                    archive=archive,
                    kind=form.cleaned_data["kind"],
                    tags=describe.tags_from_text(form.cleaned_data["tags"]),
                    product=form.product(),
                )
            except uploads.UploadRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Upload received. The images are added one by one below.")
                    if archive is None
                    else _("Zip received. Its images are added one by one below."),
                )
                return redirect("library_batch", batch_id=batch.pk)
        return self.render_upload(form, status=400)

    def render_upload(self, form: UploadForm, status: int = 200) -> HttpResponse:
        if not self.can_edit():
            for field in form.fields.values():
                field.disabled = True
        batches = list(selectors.upload_batches(tenant_id=self.tenant.pk)[:RECENT_BATCHES])
        return self.render_page(status=status, form=form, batches=batches)

    def can_edit(self) -> bool:
        return role_can(self.membership.role, Permission.CREATE_CONTENT)


@dataclass(frozen=True)
class ItemRow:
    item: UploadItem
    tile: AssetTile | None


class UploadBatchView(LibraryPage):
    template_name = "library/batch.html"
    tab = "upload"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        batch = batch_get(tenant=self.tenant, batch_id=kwargs["batch_id"])
        items = list(batch_items(tenant=self.tenant, batch=batch)[:BATCH_ITEMS_SHOWN])
        assets = assets_by_id(
            tenant=self.tenant, ids=[item.asset_id for item in items if item.asset_id]
        )
        finished = batch.status in (UploadBatch.Status.DONE, UploadBatch.Status.FAILED)
        counts = {status: 0 for status in UploadItem.Status.values}
        for item in items:
            counts[item.status] += 1
        context.update(
            batch=batch,
            kind_label=Asset.Kind(batch.kind).label if batch.kind in Asset.Kind.values else "",
            rows=[
                ItemRow(
                    item,
                    asset_tile(assets[item.asset_id], width=SMALL_THUMB)
                    if item.asset_id in assets
                    else None,
                )
                for item in items
            ],
            counts=counts,
            finished=finished,
            percent=round(100 * batch.processed / batch.total) if batch.total else 0,
            items_shown=BATCH_ITEMS_SHOWN,
        )
        return context


class UploadBatchProgressView(UploadBatchView):
    """The live part of the batch page, polled every second until the batch has finished."""

    template_name = "library/_batch_live.html"


# ONE IMAGE ----------------------------------------------------------------------------------


def asset_similar(*, tenant: Tenant, asset: Asset) -> list[AssetTile] | None:
    """The brand's nearest images to `asset` (None when its file cannot be read)."""
    matches = selectors.similar_to_asset(tenant_id=tenant.pk, asset=asset, limit=SIMILAR_COUNT)
    if matches is None:
        return None
    found = assets_by_id(tenant=tenant, ids=[m.asset_id for m in matches if m.asset_id])
    return [
        asset_tile(found[m.asset_id], width=SMALL_THUMB, distance=m.distance, duplicate=m.duplicate)
        for m in matches
        if m.asset_id in found
    ]


def asset_cluster(*, tenant: Tenant, asset: Asset) -> list[AssetTile]:
    """The asset's duplicate cluster, its first asset first ([] when it is in none)."""
    root = asset.duplicate_of or asset
    members = selectors.cluster_members(tenant_id=tenant.pk, root=root)
    if len(members) < 2:
        return []
    return [
        asset_tile(member, width=SMALL_THUMB, distance=member.duplicate_distance)
        for member in members
    ]


class AssetDetailView(LibraryPage):
    """One image: its description (editors change it here), its cluster, similar images, and
    the way into a do-not-reuse bank or a new job."""

    template_name = "library/asset.html"

    def get(self, request: HttpRequest, asset_id: int) -> HttpResponse:
        asset = selectors.asset_get(tenant_id=self.tenant.pk, asset_id=asset_id)
        return self.render_asset(asset)

    def post(self, request: HttpRequest, asset_id: int) -> HttpResponse:
        asset = selectors.asset_get(tenant_id=self.tenant.pk, asset_id=asset_id)
        form = AssetEditForm(request.POST, products=_products(self.tenant), asset=asset)
        if form.is_valid():
            try:
                services.asset_describe_update(
                    tenant=self.tenant,
                    actor=current_user(request),
                    asset=asset,
                    tags=form.cleaned_data["tags"],
                    caption=form.cleaned_data["caption"],
                    kind=form.cleaned_data["kind"],
                    product=form.product(),
                    clear_product=form.product() is None,
                )
            except services.LibraryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Image saved."))
                return redirect("library_asset", asset_id=asset.pk)
        # The failed save changed the instance in memory only: show the stored one.
        asset.refresh_from_db()
        return self.render_asset(asset, edit_form=form, status=400)

    def render_asset(
        self,
        asset: Asset,
        *,
        edit_form: AssetEditForm | None = None,
        bank_form: BankChoiceForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        products = _products(self.tenant)
        banks = list(selectors.banks_list(tenant_id=self.tenant.pk))
        form = edit_form or AssetEditForm(
            initial=AssetEditForm.initial_for(asset), products=products, asset=asset
        )
        key = asset.file.name or ""
        return self.render_page(
            status=status,
            asset=asset,
            form=form,
            bank_form=bank_form or BankChoiceForm(banks=banks),
            banks=banks,
            preview_url=pages_support.inline_url(tenant_id=self.tenant.pk, key=key, width=THUMB)
            if key
            else "",
            full_url=pages_support.inline_url(tenant_id=self.tenant.pk, key=key) if key else "",
            swatches=asset.colours[:6],
            cluster=asset_cluster(tenant=self.tenant, asset=asset),
            similar=asset_similar(tenant=self.tenant, asset=asset) if key else None,
            similar_count=SIMILAR_COUNT,
        )


class AssetBankAddView(AssetDetailView):
    """Put the image into one of the brand's do-not-reuse banks."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, asset_id: int) -> HttpResponse:
        asset = selectors.asset_get(tenant_id=self.tenant.pk, asset_id=asset_id)
        banks = list(selectors.banks_list(tenant_id=self.tenant.pk))
        form = BankChoiceForm(request.POST, banks=banks)
        if form.is_valid():
            bank = form.bank()
            try:
                services.bank_entry_add(
                    tenant=self.tenant,
                    actor=current_user(request),
                    bank=bank,
                    asset=asset,
                    note=form.cleaned_data["note"],
                )
            except (ImageRejected, FileNotFoundError):
                form.add_error(None, _("This image's file cannot be read, so it cannot be added."))
            except services.LibraryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Added to the bank “%(name)s”.") % {"name": bank.name})
                return redirect("library_asset", asset_id=asset.pk)
        return self.render_asset(asset, bank_form=form, status=400)


# DUPLICATES ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    root: Asset
    tiles: list[AssetTile]


class DuplicatesView(LibraryPage):
    template_name = "library/duplicates.html"
    tab = "duplicates"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.cluster_roots(tenant_id=self.tenant.pk), CLUSTERS_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page,
            clusters=[
                Cluster(
                    root,
                    [
                        asset_tile(member, distance=member.duplicate_distance)
                        for member in selectors.cluster_members(tenant_id=self.tenant.pk, root=root)
                    ],
                )
                for root in page.object_list
            ],
        )
        return context


class ClusterMergeView(LibraryPage):
    """Keep one image of a cluster (addressed by its first image) and remove the uploaded rest."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, asset_id: int) -> HttpResponse:
        root = selectors.asset_get(tenant_id=self.tenant.pk, asset_id=asset_id)
        form = ClusterMergeForm(request.POST)
        keep = None
        if form.is_valid():
            # Another brand's id is "not one of the cluster's" like any other stranger.
            keep = assets_by_id(tenant=self.tenant, ids=[form.cleaned_data["keep"]]).get(
                form.cleaned_data["keep"]
            )
        if keep is None:
            messages.error(request, _("Keep one of the cluster's own images."))
            return redirect("library_duplicates")
        try:
            kept, removed = services.cluster_merge(
                tenant=self.tenant, actor=current_user(request), root=root, keep=keep
            )
        except services.LibraryError as error:
            messages.error(request, str(error))
            return redirect("library_duplicates")
        messages.success(
            request,
            ngettext(
                "Merged: kept #%(id)s and removed %(count)s uploaded copy.",
                "Merged: kept #%(id)s and removed %(count)s uploaded copies.",
                removed,
            )
            % {"id": kept.pk, "count": removed},
        )
        return redirect("library_duplicates")


class NotDuplicateView(LibraryPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, asset_id: int) -> HttpResponse:
        asset = selectors.asset_get(tenant_id=self.tenant.pk, asset_id=asset_id)
        try:
            services.cluster_dismiss(tenant=self.tenant, actor=current_user(request), asset=asset)
        except services.LibraryError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Marked #%(id)s as not a duplicate.") % {"id": asset.pk})
        if request.POST.get("next") == "asset":
            return redirect("library_asset", asset_id=asset.pk)
        return redirect("library_duplicates")


# BANKS --------------------------------------------------------------------------------------


class BanksView(LibraryPage):
    template_name = "library/banks.html"
    tab = "banks"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_banks(BankForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BankForm(request.POST)
        if form.is_valid():
            try:
                bank = services.bank_create(
                    tenant=self.tenant,
                    actor=current_user(request),
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except services.LibraryError as error:
                form.add_error("name", str(error))
            else:
                messages.success(request, _("Bank “%(name)s” created.") % {"name": bank.name})
                return redirect("library_bank", bank_id=bank.pk)
        return self.render_banks(form, status=400)

    def render_banks(self, form: BankForm, status: int = 200) -> HttpResponse:
        return self.render_page(
            status=status, form=form, banks=list(selectors.banks_list(tenant_id=self.tenant.pk))
        )


@dataclass(frozen=True)
class EntryRow:
    entry: BankEntry
    thumbnail_url: str
    full_url: str


class BankDetailView(LibraryPage):
    template_name = "library/bank.html"
    tab = "banks"

    def get(self, request: HttpRequest, bank_id: int) -> HttpResponse:
        bank = bank_get(tenant=self.tenant, bank_id=bank_id)
        return self.render_bank(bank)

    def render_bank(
        self,
        bank: Bank,
        *,
        image_form: BankImageForm | None = None,
        text_form: BankTextForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        paginator = Paginator(selectors.bank_entries(tenant_id=self.tenant.pk, bank=bank), 48)
        page = paginator.get_page(self.request.GET.get("page"))
        rows = []
        for entry in page.object_list:
            key = entry.file.name or ""
            rows.append(
                EntryRow(
                    entry,
                    pages_support.inline_url(tenant_id=self.tenant.pk, key=key, width=SMALL_THUMB)
                    if key
                    else "",
                    pages_support.inline_url(tenant_id=self.tenant.pk, key=key) if key else "",
                )
            )
        return self.render_page(
            status=status,
            bank=bank,
            page_obj=page,
            rows=rows,
            image_form=image_form or BankImageForm(),
            text_form=text_form or BankTextForm(),
        )


class BankToggleView(LibraryPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, bank_id: int) -> HttpResponse:
        bank = bank_get(tenant=self.tenant, bank_id=bank_id)
        enabled = request.POST.get("enabled") == "1"
        services.bank_update(
            tenant=self.tenant, actor=current_user(request), bank=bank, enabled=enabled
        )
        messages.success(
            request,
            (_("“%(name)s” is on: generation keeps away from its entries.") if enabled else
             _("“%(name)s” is off: generation no longer checks its entries."))
            % {"name": bank.name},
        )  # fmt: skip
        if request.POST.get("next") == "list":
            return redirect("library_banks")
        return redirect("library_bank", bank_id=bank.pk)


class BankEntryAddView(BankDetailView):
    """Add an uploaded image or a piece of copy (the form's `add` says which)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, bank_id: int) -> HttpResponse:
        bank = bank_get(tenant=self.tenant, bank_id=bank_id)
        if request.POST.get("add") == "text":
            text_form = BankTextForm(request.POST)
            if text_form.is_valid():
                try:
                    services.bank_entry_add(
                        tenant=self.tenant,
                        actor=current_user(request),
                        bank=bank,
                        text=text_form.cleaned_data["text"],
                        note=text_form.cleaned_data["note"],
                    )
                except services.LibraryError as error:
                    text_form.add_error("text", str(error))
                else:
                    messages.success(request, _("Copy added to the bank."))
                    return redirect("library_bank", bank_id=bank.pk)
            return self.render_bank(bank, text_form=text_form, status=400)
        image_form = BankImageForm(request.POST, request.FILES)
        if image_form.is_valid():
            try:
                services.bank_entry_add(
                    tenant=self.tenant,
                    actor=current_user(request),
                    bank=bank,
                    image=image_form.image_bytes(),
                    note=image_form.cleaned_data["note"],
                )
            except ImageRejected as error:
                image_form.add_error("image", str(error))
            except services.LibraryError as error:
                image_form.add_error("image", str(error))
            else:
                messages.success(request, _("Image added to the bank."))
                return redirect("library_bank", bank_id=bank.pk)
        return self.render_bank(bank, image_form=image_form, status=400)


class BankEntryRemoveView(LibraryPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, bank_id: int, entry_id: int) -> HttpResponse:
        bank = bank_get(tenant=self.tenant, bank_id=bank_id)
        entry = bank_entry_get(tenant=self.tenant, bank=bank, entry_id=entry_id)
        services.bank_entry_remove(tenant=self.tenant, actor=current_user(request), entry=entry)
        messages.success(request, _("Removed from the bank."))
        return redirect("library_bank", bank_id=bank.pk)
