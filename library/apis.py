"""Library endpoints: search, similar images, bulk uploads, duplicate clusters, banks."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import TenantApi, request_actor, request_api_key
from generation import storage
from generation.images import DEFAULT_MAX_BYTES, ImageRejected, image_decode
from generation.models import Asset, Product
from library import colours, describe, fingerprints, image_hashes, selectors, services, uploads
from library.models import Bank, BankEntry, UploadBatch, UploadItem
from tenants.api_keys import ApiScope
from tenants.models import Tenant
from tenants.roles import Permission

MAX_SIMILAR = 50


def asset_data(asset: Asset) -> dict[str, Any]:
    name = asset.file.name or ""
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    return {
        "id": asset.pk,
        "origin": asset.origin,
        "kind": asset.kind,
        "name": asset.name,
        "caption": asset.caption,
        "tags": asset.tags,
        "product_id": asset.product_id,
        "colours": [{"hex": s["hex"], "share": s["share"]} for s in asset.colours],
        "width": asset.width,
        "height": asset.height,
        "content_type": asset.content_type,
        "size_bytes": asset.size_bytes,
        "duplicate_of": asset.duplicate_of_id,
        "duplicate_distance": asset.duplicate_distance,
        "url": storage.download_url(
            tenant_id=asset.tenant_id, key=name, filename=f"asset-{asset.pk}.{extension}"
        )
        if name
        else None,
        "created_at": asset.created_at.isoformat(),
    }


def _field(request: Request, name: str, default: Any = None) -> Any:
    """A form or JSON field (request.data is a dict for both; a JSON list body has none)."""
    data = request.data
    return data.get(name, default) if hasattr(data, "get") else default


class AssetSearchApi(TenantApi):
    """The brand's library: `q` (words, Chinese or English, matched against names, tags,
    captions, products and poster copy), `colour` (#rrggbb), `kind`, `origin`, `tag`,
    `product_id`; paginated, best match first."""

    required_scopes = (ApiScope.ASSETS_READ,)

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Asset]:
        return Asset.objects.filter(tenant=tenant)

    @extend_schema(
        operation_id="library_assets_list",
        parameters=[
            OpenApiParameter(n, str) for n in ("q", "colour", "kind", "origin", "tag", "product_id")
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        colour = params.get("colour", "")
        if colour and colours.parse_hex(colour) is None:
            raise exceptions.ValidationError({"colour": ["Give a colour as #rrggbb."]})
        kind = params.get("kind", "")
        if kind and kind not in Asset.Kind.values:
            raise exceptions.ValidationError({"kind": [f"Use one of {', '.join(Asset.Kind)}."]})
        origin = params.get("origin", "")
        if origin and origin not in Asset.Origin.values:
            raise exceptions.ValidationError({"origin": [f"Use one of {', '.join(Asset.Origin)}."]})
        product = params.get("product_id", "")
        if product and not product.isdigit():
            raise exceptions.ValidationError({"product_id": ["Give a product id."]})
        query = selectors.LibraryQuery(
            text=params.get("q", "")[:200],
            colour=colours.parse_hex(colour) or "" if colour else "",
            kind=kind,
            origin=origin,
            tag=params.get("tag", "")[:40],
            product_id=int(product) if product else None,
        )
        assets = selectors.library_search(tenant_id=self.tenant.pk, query=query)
        page = self.paginate_queryset(assets) or []
        return self.get_paginated_response([asset_data(asset) for asset in page])


class AssetUpdateSerializer(serializers.Serializer[Any]):
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    caption = serializers.CharField(max_length=500, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Asset.Kind.choices, required=False)
    product_id = serializers.IntegerField(required=False, allow_null=True)


class AssetDetailApi(TenantApi):
    """One library asset; PATCH its `tags`, `caption`, `kind` or `product_id` (null: none)."""

    required_scopes = (ApiScope.ASSETS_READ,)
    write_permission = Permission.CREATE_CONTENT
    write_scopes = (ApiScope.ASSETS_WRITE,)
    lookup_url_kwarg = "asset_id"
    serializer_class = AssetUpdateSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Asset]:
        return Asset.objects.filter(tenant=tenant)

    @extend_schema(operation_id="library_asset_retrieve", responses={200: dict})
    def get(self, request: Request, asset_id: int) -> Response:
        asset = selectors.asset_get(tenant_id=self.tenant.pk, asset_id=asset_id)
        return Response(asset_data(asset))

    @extend_schema(
        operation_id="library_asset_update", request=AssetUpdateSerializer, responses={200: dict}
    )
    def patch(self, request: Request, asset_id: int) -> Response:
        serializer = AssetUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        product = None
        if values.get("product_id") is not None:
            product = Product.objects.filter(tenant=self.tenant, pk=values["product_id"]).first()
            if product is None:
                raise exceptions.ValidationError({"product_id": ["No such product in this brand."]})
        asset = selectors.asset_get(tenant_id=self.tenant.pk, asset_id=asset_id)
        try:
            services.asset_describe_update(
                tenant=self.tenant,
                actor=request_actor(request),
                api_key=request_api_key(request),
                asset=asset,
                tags=values.get("tags"),
                caption=values.get("caption"),
                kind=values.get("kind"),
                product=product,
                clear_product="product_id" in values and product is None,
            )
        except services.LibraryError as error:
            raise exceptions.ValidationError({"detail": [str(error)]}) from error
        return Response(asset_data(asset))


class SimilarInputSerializer(serializers.Serializer[Any]):
    image = serializers.FileField(required=False)
    asset_id = serializers.IntegerField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_SIMILAR)
    include_banks = serializers.BooleanField(required=False)


class AssetSimilarApi(TenantApi):
    """The brand's assets nearest to an image: multipart `image`, or `asset_id` of one of the
    brand's assets; `limit` (default 10, at most 50). Each result has its Hamming `distance`
    (the smallest over the compared hashes) and `duplicate` (within the duplicate threshold).
    With `include_banks`, entries of the brand's enabled do-not-reuse banks are listed too."""

    required_scopes = (ApiScope.ASSETS_READ,)
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = SimilarInputSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Asset]:
        return Asset.objects.filter(tenant=tenant)

    @extend_schema(
        operation_id="assets_similar", request=SimilarInputSerializer, responses={200: dict}
    )
    def post(self, request: Request) -> Response:
        serializer = SimilarInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        upload, asset_id = values.get("image"), values.get("asset_id")
        if (upload is None) == (asset_id is None):
            raise exceptions.ValidationError(
                {"detail": ["Send either an `image` file or an `asset_id`, not both."]}
            )
        if upload is not None:
            try:  # reads no further than the intake limit, and says so past it
                pixels, _ = image_decode(upload, purpose="verify")
            except ImageRejected as error:
                raise exceptions.ValidationError({"image": [str(error)]}) from error
            matches = fingerprints.nearest(
                tenant_id=self.tenant.pk,
                query=image_hashes.query_signature(pixels),
                limit=values.get("limit", 10),
                banks=values.get("include_banks", False),
            )
        else:
            asset = Asset.objects.filter(tenant=self.tenant, pk=asset_id).first()
            if asset is None:
                raise exceptions.NotFound("No asset with this id in this brand.")
            found = selectors.similar_to_asset(
                tenant_id=self.tenant.pk,
                asset=asset,
                limit=values.get("limit", 10),
                banks=values.get("include_banks", False),
            )
            if found is None:
                raise exceptions.ValidationError(
                    {"asset_id": ["This asset's file cannot be read, so it cannot be compared."]}
                )
            matches = found
        assets = Asset.objects.in_bulk([m.asset_id for m in matches if m.asset_id])
        results = []
        for match in matches:
            row: dict[str, Any] = {"distance": match.distance, "duplicate": match.duplicate}
            if match.asset_id is not None:
                row["asset"] = asset_data(assets[match.asset_id])
            else:
                row["bank_entry_id"] = match.bank_entry_id
            results.append(row)
        return Response({"results": results})


def batch_data(batch: UploadBatch, *, items: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": batch.pk,
        "status": batch.status,
        "total": batch.total,
        "processed": batch.processed,
        "archive_name": batch.archive_name,
        "error": batch.error,
        "created_at": batch.created_at.isoformat(),
        "finished_at": batch.finished_at.isoformat() if batch.finished_at else None,
    }
    if items:
        data["items"] = [
            {
                "name": item.name,
                "status": item.status,
                "error": item.error,
                "asset_id": item.asset_id,
                "distance": item.distance,
            }
            for item in UploadItem.objects.filter(tenant_id=batch.tenant_id, batch=batch).order_by(
                "position"
            )
        ]
    return data


class UploadInputSerializer(serializers.Serializer[Any]):
    files = serializers.ListField(child=serializers.FileField(), required=False)
    archive = serializers.FileField(required=False)
    kind = serializers.ChoiceField(choices=Asset.Kind.choices, required=False)
    tags = serializers.CharField(required=False, help_text="Comma-separated.")
    product_id = serializers.IntegerField(required=False)


class UploadCollectionApi(TenantApi):
    """Bulk upload to the library (multipart): many `files`, or one `archive` (a zip); with
    `kind` (product, prop, background, model, poster, other), `tags` (comma-separated) and
    `product_id` for all of them. 202 with the batch; GET its URL for progress."""

    required_scopes = (ApiScope.ASSETS_READ,)
    write_permission = Permission.CREATE_CONTENT
    write_scopes = (ApiScope.ASSETS_WRITE,)
    parser_classes = [MultiPartParser, FormParser]

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[UploadBatch]:
        return UploadBatch.objects.filter(tenant=tenant)

    @extend_schema(operation_id="library_uploads_list", responses={200: dict})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.upload_batches(tenant_id=self.tenant.pk)) or []
        return self.get_paginated_response([batch_data(batch, items=False) for batch in page])

    @extend_schema(
        operation_id="library_uploads_create",
        request={"multipart/form-data": UploadInputSerializer},
        responses={202: dict},
    )
    def post(self, request: Request) -> Response:
        product = None
        product_id = _field(request, "product_id") or ""
        if product_id:
            product = Product.objects.filter(
                tenant=self.tenant, pk=int(product_id) if str(product_id).isdigit() else 0
            ).first()
            if product is None:
                raise exceptions.ValidationError({"product_id": ["No such product in this brand."]})
        archive = request.FILES.get("archive")
        try:
            batch = uploads.upload_batch_create(
                tenant_id=self.tenant.pk,
                user_id=getattr(request_actor(request), "pk", None),
                files=[
                    uploads.Upload(name=f.name or "image", file=f, size=f.size or 0)
                    for f in request.FILES.getlist("files")
                ],
                archive=uploads.Upload(
                    name=archive.name or "upload.zip", file=archive, size=archive.size or 0
                )
                if archive is not None
                else None,
                kind=_field(request, "kind") or Asset.Kind.OTHER,
                tags=describe.tags_from_text(str(_field(request, "tags", ""))),
                product=product,
            )
        except uploads.UploadRefused as error:
            raise exceptions.ValidationError({"detail": [str(error)]}) from error
        return Response(batch_data(batch), status=status.HTTP_202_ACCEPTED)


class UploadDetailApi(TenantApi):
    """An upload batch's progress and what became of each file."""

    required_scopes = (ApiScope.ASSETS_READ,)
    lookup_url_kwarg = "batch_id"

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[UploadBatch]:
        return UploadBatch.objects.filter(tenant=tenant)

    @extend_schema(operation_id="library_upload_retrieve", responses={200: dict})
    def get(self, request: Request, batch_id: int) -> Response:
        return Response(batch_data(self.get_queryset().get(pk=batch_id)))


class ClusterListApi(TenantApi):
    """Duplicate clusters: each first asset with its near-duplicates and their distances."""

    required_scopes = (ApiScope.ASSETS_READ,)

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Asset]:
        return Asset.objects.filter(tenant=tenant)

    @extend_schema(operation_id="library_clusters_list", responses={200: dict})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.cluster_roots(tenant_id=self.tenant.pk)) or []
        return self.get_paginated_response(
            [
                {
                    "assets": [
                        asset_data(a)
                        for a in selectors.cluster_members(tenant_id=self.tenant.pk, root=root)
                    ]
                }
                for root in page
            ]
        )


class ClusterMergeSerializer(serializers.Serializer[Any]):
    keep = serializers.IntegerField()


class ClusterMergeApi(TenantApi):
    """Merge a cluster (addressed by its first asset): keep `keep`, remove the uploaded others."""

    required_permission = Permission.CREATE_CONTENT
    required_scopes = (ApiScope.ASSETS_WRITE,)
    lookup_url_kwarg = "asset_id"
    serializer_class = ClusterMergeSerializer
    parser_classes = [JSONParser, FormParser]

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Asset]:
        return Asset.objects.filter(tenant=tenant)

    @extend_schema(
        operation_id="library_cluster_merge", request=ClusterMergeSerializer, responses={200: dict}
    )
    def post(self, request: Request, asset_id: int) -> Response:
        serializer = ClusterMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        root = self.get_queryset().get(pk=asset_id)
        keep = self.get_queryset().filter(pk=serializer.validated_data["keep"]).first()
        if keep is None:
            raise exceptions.ValidationError({"keep": ["No such asset in this brand."]})
        try:
            kept, removed = services.cluster_merge(
                tenant=self.tenant,
                actor=request_actor(request),
                api_key=request_api_key(request),
                root=root,
                keep=keep,
            )
        except services.LibraryError as error:
            raise exceptions.ValidationError({"keep": [str(error)]}) from error
        return Response({"kept": asset_data(kept), "removed": removed})


class NotDuplicateApi(TenantApi):
    """Take an asset out of its duplicate cluster (it is not a duplicate after all)."""

    required_permission = Permission.CREATE_CONTENT
    required_scopes = (ApiScope.ASSETS_WRITE,)
    lookup_url_kwarg = "asset_id"

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Asset]:
        return Asset.objects.filter(tenant=tenant)

    @extend_schema(operation_id="library_asset_not_duplicate", request=None, responses={200: dict})
    def post(self, request: Request, asset_id: int) -> Response:
        asset = self.get_queryset().get(pk=asset_id)
        try:
            services.cluster_dismiss(
                tenant=self.tenant,
                actor=request_actor(request),
                api_key=request_api_key(request),
                asset=asset,
            )
        except services.LibraryError as error:
            raise exceptions.ValidationError({"detail": [str(error)]}) from error
        return Response(asset_data(asset))


def bank_data(bank: Bank) -> dict[str, Any]:
    return {
        "id": bank.pk,
        "name": bank.name,
        "description": bank.description,
        "enabled": bank.enabled,
        "entries": getattr(bank, "entry_count", None),
        "created_at": bank.created_at.isoformat(),
    }


def entry_data(entry: BankEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "text": entry.text,
        "note": entry.note,
        "width": entry.width,
        "height": entry.height,
        "source_asset_id": entry.source_asset_id,
        "created_at": entry.created_at.isoformat(),
    }


class BankSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


class BankCollectionApi(TenantApi):
    """The brand's do-not-reuse banks; POST `name` (and `description`) to add one."""

    required_scopes = (ApiScope.ASSETS_READ,)
    write_permission = Permission.CREATE_CONTENT
    write_scopes = (ApiScope.ASSETS_WRITE,)
    serializer_class = BankSerializer
    parser_classes = [JSONParser, FormParser]

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Bank]:
        return Bank.objects.filter(tenant=tenant)

    @extend_schema(operation_id="library_banks_list", responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(
            [bank_data(bank) for bank in selectors.banks_list(tenant_id=self.tenant.pk)]
        )

    @extend_schema(
        operation_id="library_banks_create", request=BankSerializer, responses={201: dict}
    )
    def post(self, request: Request) -> Response:
        serializer = BankSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            bank = services.bank_create(
                tenant=self.tenant,
                actor=request_actor(request),
                api_key=request_api_key(request),
                name=serializer.validated_data["name"],
                description=serializer.validated_data.get("description", ""),
            )
        except services.LibraryError as error:
            raise exceptions.ValidationError({"name": [str(error)]}) from error
        return Response(bank_data(bank), status=status.HTTP_201_CREATED)


class BankUpdateSerializer(serializers.Serializer[Any]):
    enabled = serializers.BooleanField(required=False)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)


class BankDetailApi(TenantApi):
    """One bank with its entries; PATCH `enabled` or `description`."""

    required_scopes = (ApiScope.ASSETS_READ,)
    write_permission = Permission.CREATE_CONTENT
    write_scopes = (ApiScope.ASSETS_WRITE,)
    lookup_url_kwarg = "bank_id"
    serializer_class = BankUpdateSerializer
    parser_classes = [JSONParser, FormParser]

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Bank]:
        return Bank.objects.filter(tenant=tenant)

    @extend_schema(operation_id="library_bank_retrieve", responses={200: dict})
    def get(self, request: Request, bank_id: int) -> Response:
        bank = self.get_queryset().get(pk=bank_id)
        entries = selectors.bank_entries(tenant_id=self.tenant.pk, bank=bank)
        return Response({**bank_data(bank), "items": [entry_data(e) for e in entries]})

    @extend_schema(
        operation_id="library_bank_update", request=BankUpdateSerializer, responses={200: dict}
    )
    def patch(self, request: Request, bank_id: int) -> Response:
        serializer = BankUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bank = self.get_queryset().get(pk=bank_id)
        services.bank_update(
            tenant=self.tenant,
            actor=request_actor(request),
            api_key=request_api_key(request),
            bank=bank,
            enabled=serializer.validated_data.get("enabled"),
            description=serializer.validated_data.get("description"),
        )
        return Response(bank_data(bank))


class BankEntryInputSerializer(serializers.Serializer[Any]):
    image = serializers.FileField(required=False)
    asset_id = serializers.IntegerField(required=False)
    text = serializers.CharField(required=False)
    note = serializers.CharField(required=False)


class BankEntryCollectionApi(TenantApi):
    """Add to a bank (multipart or JSON): an `image` file, an `asset_id` of the brand's, or a
    piece of copy as `text`; with an optional `note` (where it came from, why it is banned)."""

    required_permission = Permission.CREATE_CONTENT
    required_scopes = (ApiScope.ASSETS_WRITE,)
    lookup_url_kwarg = "bank_id"
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Bank]:
        return Bank.objects.filter(tenant=tenant)

    @extend_schema(
        operation_id="library_bank_entries_create",
        request={
            "multipart/form-data": BankEntryInputSerializer,
            "application/json": BankEntryInputSerializer,
        },
        responses={201: dict},
    )
    def post(self, request: Request, bank_id: int) -> Response:
        bank = self.get_queryset().get(pk=bank_id)
        upload = request.FILES.get("image")
        asset = None
        asset_id = _field(request, "asset_id")
        if asset_id not in (None, ""):
            asset = Asset.objects.filter(
                tenant=self.tenant, pk=int(asset_id) if str(asset_id).isdigit() else 0
            ).first()
            if asset is None:
                raise exceptions.ValidationError({"asset_id": ["No such asset in this brand."]})
        try:
            entry = services.bank_entry_add(
                tenant=self.tenant,
                actor=request_actor(request),
                api_key=request_api_key(request),
                bank=bank,
                # One byte past the limit is enough for the intake to refuse it by size.
                image=upload.read(DEFAULT_MAX_BYTES + 1) if upload is not None else None,
                text=str(_field(request, "text", "")),
                asset=asset,
                note=str(_field(request, "note", "")),
            )
        except ImageRejected as error:
            raise exceptions.ValidationError({"image": [str(error)]}) from error
        except services.LibraryError as error:
            raise exceptions.ValidationError({"detail": [str(error)]}) from error
        return Response(entry_data(entry), status=status.HTTP_201_CREATED)


class BankEntryDetailApi(TenantApi):
    """Remove one entry from a bank."""

    required_permission = Permission.CREATE_CONTENT
    required_scopes = (ApiScope.ASSETS_WRITE,)
    lookup_url_kwarg = "entry_id"

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[BankEntry]:
        return BankEntry.objects.filter(tenant=tenant)

    @extend_schema(operation_id="library_bank_entry_delete", responses={204: None})
    def delete(self, request: Request, bank_id: int, entry_id: int) -> Response:
        entry = self.get_queryset().get(pk=entry_id, bank_id=bank_id)
        services.bank_entry_remove(
            tenant=self.tenant,
            actor=request_actor(request),
            api_key=request_api_key(request),
            entry=entry,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
