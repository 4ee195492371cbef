"""/api/v1/ endpoints of the generation pipeline: jobs, their assets, catalog, brand kit."""

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import TenantApi, request_actor, request_api_key
from generation import analysis as script_analysis
from generation import brand_kits, catalog, jobs, selectors, storage
from generation.backends import registry
from generation.channels import PRESETS
from generation.images import ImageRejected, image_intake
from generation.models import BrandKit, Job, Product, Render
from provenance.services import provenance_settings
from provenance.text_label import labelled_copy
from tenants.api_keys import ApiScope
from tenants.models import Tenant
from tenants.roles import Permission

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Same key and body → the same job; same key, other body → 409.",
)


def _idempotency_key(request: Request) -> str | None:
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200:
        raise exceptions.ValidationError({"Idempotency-Key": ["Use at most 200 characters."]})
    return key or None


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# JOBS ---------------------------------------------------------------------------------------


class JobInputSerializer(serializers.Serializer[Any]):
    script = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=None
    )
    product_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=jobs.MAX_PRODUCTS
    )
    channels = serializers.ListField(
        child=serializers.CharField(max_length=40), allow_empty=False, max_length=jobs.MAX_CHANNELS
    )
    variants = serializers.IntegerField(min_value=1, max_value=jobs.MAX_VARIANTS, default=4)
    text_backend = serializers.CharField(default="builtin")
    image_backend = serializers.CharField(default="compositor")
    seed = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=2**63 - 1
    )
    lane = serializers.ChoiceField(choices=Job.Lane.choices, default=Job.Lane.INTERACTIVE)
    output_format = serializers.ChoiceField(choices=["jpeg", "webp", "png"], default="jpeg")
    # A library asset as the posters' background, or whose colours become their palette.
    reference_asset_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    reference_use = serializers.ChoiceField(choices=list(jobs.REFERENCE_USES), required=False)

    def validate_script(self, value: str) -> str:
        if len(value) > jobs.MAX_SCRIPT_CHARS:
            raise serializers.ValidationError(
                f"The script has {len(value)} characters; the limit is {jobs.MAX_SCRIPT_CHARS}."
            )
        return value

    def to_request(self) -> jobs.JobRequest:
        data = self.validated_data
        return jobs.JobRequest(
            script=data.get("script", ""),
            product_ids=tuple(data.get("product_ids", ())),
            channels=tuple(data["channels"]),
            variants=data["variants"],
            text_backend=data["text_backend"],
            image_backend=data["image_backend"],
            seed=data.get("seed"),
            lane=data["lane"],
            output_format=data["output_format"],
            reference_asset_id=data.get("reference_asset_id"),
            reference_use=data.get("reference_use", "background")
            if data.get("reference_asset_id")
            else "",
        )


class JobSerializer(serializers.Serializer[Job]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    lane = serializers.CharField()
    channels = serializers.ListField(child=serializers.CharField())
    variants = serializers.IntegerField()
    seed = serializers.IntegerField()
    text_backend = serializers.CharField()
    image_backend = serializers.CharField()
    output_format = serializers.CharField()
    product_ids = serializers.ListField(child=serializers.IntegerField())
    brand_kit_version = serializers.IntegerField(source="brand_kit.version")
    cloned_from = serializers.IntegerField(source="cloned_from_id", allow_null=True)
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    planned_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class JobListSerializer(JobSerializer):
    renders_total = serializers.IntegerField()
    renders_done = serializers.IntegerField()
    renders_failed = serializers.IntegerField()
    renders_cached = serializers.IntegerField()


def job_detail_data(*, tenant: Tenant, job: Job) -> dict[str, Any]:
    progress = selectors.job_progress(tenant=tenant, job=job)
    failures = Render.objects.filter(tenant=tenant, job=job, status=Render.Status.FAILED)
    return {
        **JobSerializer(job).data,
        "script": job.script,
        "analysis": job.analysis,
        "progress": {
            "total": progress.total,
            "done": progress.done,
            "failed": progress.failed,
            "cancelled": progress.cancelled,
            "pending": progress.pending,
            "cache_hits": progress.cache_hits,
        },
        "queue_position": progress.queue_position,
        "timings": {
            "first_render_ms": progress.first_render_ms,
            "finished_ms": progress.finished_ms,
            "render_ms_p50": progress.render_ms_p50,
        },
        "errors": [
            {"render_id": r.pk, "channel": r.channel, "variant": r.variant, "error": r.error}
            for r in failures.order_by("channel", "variant")[:100]
        ],
        # Near-duplicates (library.dedup): draws thrown away, and renders delivered flagged.
        "duplicates": asdict(selectors.job_duplicates(tenant=tenant, job=job)),
        "reference": {"asset_id": job.reference_asset_id, "use": job.reference_use}
        if job.reference_asset_id
        else None,
        # The ad-law check of the job's copy: variants dropped (and why), renders held.
        "compliance": {
            **job.compliance_summary,
            "variants_dropped": job.variants_dropped,
            "renders": selectors.render_compliance_counts(tenant=tenant, job=job),
        },
    }


class JobCollectionApi(mixins.ListModelMixin, TenantApi):
    """GET lists the brand's jobs (filters: status, lane, channel); POST submits one."""

    required_scopes = (ApiScope.JOBS_READ,)
    write_permission = Permission.CREATE_CONTENT
    write_scopes = (ApiScope.JOBS_WRITE,)
    serializer_class = JobListSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Job]:
        params = self.request.query_params
        status_filter = params.get("status", "")
        if status_filter and status_filter not in Job.Status.values:
            raise exceptions.ValidationError(
                {"status": [f"Use one of {', '.join(Job.Status.values)}."]}
            )
        filters = selectors.JobFilters(
            status=status_filter, lane=params.get("lane", ""), channel=params.get("channel", "")
        )
        return selectors.job_list(tenant=tenant, filters=filters).select_related("brand_kit")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Job.Status.values),
            OpenApiParameter("lane", str, enum=Job.Lane.values),
            OpenApiParameter("channel", str),
        ]
    )
    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        request=JobInputSerializer, parameters=[IDEMPOTENCY_HEADER], responses={201: JobSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = JobInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            job, created = jobs.job_create(
                tenant=self.tenant,
                user=request_actor(request),
                api_key=request_api_key(request),
                request=serializer.to_request(),
                idempotency_key=_idempotency_key(request),
            )
        except jobs.IdempotencyConflict as error:
            raise Conflict(str(error)) from error
        body = job_detail_data(tenant=self.tenant, job=job)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class JobDetailApi(TenantApi):
    required_scopes = (ApiScope.JOBS_READ,)
    lookup_url_kwarg = "job_id"
    serializer_class = JobSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Job]:
        return selectors.job_list(tenant=tenant)

    def get(self, request: Request, job_id: int) -> Response:
        job = Job.objects.select_related("brand_kit").get(tenant=self.tenant, pk=job_id)
        return Response(job_detail_data(tenant=self.tenant, job=job))


class JobCancelApi(JobDetailApi):
    required_permission = Permission.CREATE_CONTENT
    required_scopes = (ApiScope.JOBS_WRITE,)

    @extend_schema(request=None)
    def post(self, request: Request, job_id: int) -> Response:
        try:
            job = jobs.job_cancel(tenant=self.tenant, user=request_actor(request), job_id=job_id)
        except jobs.JobStateError as error:
            raise Conflict(str(error)) from error
        return Response(job_detail_data(tenant=self.tenant, job=job))


class JobRetryApi(JobDetailApi):
    """Send the failed renders of a finished job round again."""

    required_permission = Permission.CREATE_CONTENT
    required_scopes = (ApiScope.JOBS_WRITE,)

    @extend_schema(request=None)
    def post(self, request: Request, job_id: int) -> Response:
        try:
            jobs.job_retry_failed(tenant=self.tenant, user=request_actor(request), job_id=job_id)
        except jobs.JobStateError as error:
            raise Conflict(str(error)) from error
        job = Job.objects.select_related("brand_kit").get(tenant=self.tenant, pk=job_id)
        return Response(
            job_detail_data(tenant=self.tenant, job=job), status=status.HTTP_202_ACCEPTED
        )


class JobCloneApi(JobDetailApi):
    """A new job from this one's request with the given fields changed (a new seed by default)."""

    required_permission = Permission.CREATE_CONTENT
    required_scopes = (ApiScope.JOBS_WRITE,)

    @extend_schema_serializer(component_name="JobCloneInput")
    class InputSerializer(JobInputSerializer):
        channels = serializers.ListField(
            child=serializers.CharField(max_length=40),
            allow_empty=False,
            max_length=jobs.MAX_CHANNELS,
            required=False,
        )
        variants = serializers.IntegerField(
            min_value=1, max_value=jobs.MAX_VARIANTS, required=False
        )
        text_backend = serializers.CharField(required=False)
        image_backend = serializers.CharField(required=False)
        lane = serializers.ChoiceField(choices=Job.Lane.choices, required=False)
        output_format = serializers.ChoiceField(choices=["jpeg", "webp", "png"], required=False)

    @extend_schema(
        request=InputSerializer, parameters=[IDEMPOTENCY_HEADER], responses={201: JobSerializer}
    )
    def post(self, request: Request, job_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        for name in ("channels", "product_ids"):
            if name in changes:
                changes[name] = tuple(changes[name])
        try:
            job, created = jobs.job_clone(
                tenant=self.tenant,
                user=request_actor(request),
                api_key=request_api_key(request),
                job_id=job_id,
                changes=changes,
                idempotency_key=_idempotency_key(request),
            )
        except jobs.IdempotencyConflict as error:
            raise Conflict(str(error)) from error
        body = job_detail_data(tenant=self.tenant, job=job)
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


WITHHELD: dict[str, str] = {
    Render.ComplianceState.HELD: "Held for ad-law review: it can be downloaded once a reviewer "
    "approves it (GET /api/v1/compliance/review-items?job_id=…).",
    Render.ComplianceState.REJECTED: "Rejected in ad-law review: it cannot be downloaded.",
}


class JobAssetListApi(TenantApi):
    """The job's renders with their assets and signed download links (valid one hour).

    A render held for ad-law review or rejected has no link: `asset.url` is null and
    `asset.withheld` says why; `compliance` has its state, verdict and findings.
    """

    required_scopes = (ApiScope.ASSETS_READ,)
    lookup_url_kwarg = "job_id"

    @extend_schema_serializer(component_name="JobAsset")
    class OutputSerializer(serializers.Serializer[Render]):
        render_id = serializers.IntegerField(source="pk")
        channel = serializers.CharField()
        variant = serializers.IntegerField()
        status = serializers.CharField()
        layout = serializers.CharField()
        error = serializers.CharField()
        is_cache_hit = serializers.BooleanField()
        copy = serializers.JSONField()
        copy_labelled = serializers.SerializerMethodField(
            help_text="The copy with the AI-generated label on each field published as text "
            "(social_post, host_line), at the start or end as the brand chose."
        )
        compliance = serializers.SerializerMethodField()
        asset = serializers.SerializerMethodField()

        def get_copy_labelled(self, render: Render) -> dict[str, Any]:
            return labelled_copy(
                render.copy,
                language=self.context["language"],
                position=self.context["copy_label_position"],
            )

        def get_compliance(self, render: Render) -> dict[str, Any]:
            record = render.compliance or {}
            return {
                "state": render.compliance_state,
                "verdict": render.compliance_verdict or None,
                "ruleset_version": render.ruleset_version or None,
                "findings": record.get("findings", []),
                "citations": record.get("citations", []),
                "rewrites": record.get("rewrites", 0),
            }

        def get_asset(self, render: Render) -> dict[str, Any] | None:
            asset = render.asset
            if asset is None:
                return None
            name = asset.file.name or ""
            extension = name.rsplit(".", 1)[-1]
            filename = f"job{render.job_id}-{render.channel}-{render.variant + 1}.{extension}"
            released = render.is_released
            return {
                "id": asset.pk,
                "url": storage.download_url(tenant_id=asset.tenant_id, key=name, filename=filename)
                if released
                else None,
                "withheld": None if released else WITHHELD[render.compliance_state],
                "content_type": asset.content_type,
                "width": asset.width,
                "height": asset.height,
                "size_bytes": asset.size_bytes,
                "sha256": asset.sha256,
                "receipt": asset.receipt,
            }

    serializer_class = OutputSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Job]:
        return selectors.job_list(tenant=tenant)

    def get(self, request: Request, job_id: int) -> Response:
        job = Job.objects.select_related("brand_kit").get(tenant=self.tenant, pk=job_id)
        page = self.paginate_queryset(selectors.render_list(tenant=self.tenant, job=job)) or []
        context = {
            **self.get_serializer_context(),
            "language": job.brand_kit.language,
            "copy_label_position": provenance_settings(tenant=self.tenant).copy_label_position,
        }
        serializer = self.get_serializer(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)


# SCRIPT ANALYSIS ----------------------------------------------------------------------------


class ScriptAnalyseApi(TenantApi):
    """What the pipeline reads from a script: shown to the user before a job is sent."""

    required_scopes = (ApiScope.JOBS_READ,)

    @extend_schema_serializer(component_name="ScriptAnalyseInput")
    class InputSerializer(serializers.Serializer[Any]):
        script = serializers.CharField(trim_whitespace=False)

        def validate_script(self, value: str) -> str:
            if not value.strip():
                raise serializers.ValidationError("The script is empty.")
            if len(value) > jobs.MAX_SCRIPT_CHARS:
                raise serializers.ValidationError(
                    f"The script has {len(value)} characters; the limit is {jobs.MAX_SCRIPT_CHARS}."
                )
            return value

    @extend_schema(request=InputSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        analysis = script_analysis.analyse_script(serializer.validated_data["script"])
        return Response(analysis.as_json())


class OptionsApi(TenantApi):
    """Channels and backends a job may name."""

    required_scopes = (ApiScope.JOBS_READ,)

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(
            {
                "channels": [
                    {"name": c.name, "label": c.label, "width": c.width, "height": c.height}
                    for c in PRESETS.values()
                ],
                "custom_channel": "custom_WxH, each side 256 to 4096 px",
                "text_backends": registry.text_backend_names(),
                "image_backends": registry.image_backend_names(),
                "max_variants": jobs.MAX_VARIANTS,
                "max_script_characters": jobs.MAX_SCRIPT_CHARS,
            }
        )


class JobEstimateApi(TenantApi):
    """What a planned job would cost in credits, and whether the brand can afford it now."""

    required_scopes = (ApiScope.BILLING_READ,)

    class QuerySerializer(serializers.Serializer[Any]):
        channels = serializers.CharField(help_text="Comma-separated channel names.")
        variants = serializers.IntegerField()
        image_backend = serializers.CharField(default="compositor")

    @extend_schema(parameters=[QuerySerializer], responses={200: dict})
    def get(self, request: Request) -> Response:
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        job_request = jobs.JobRequest(
            channels=tuple(name.strip() for name in data["channels"].split(",") if name.strip()),
            variants=data["variants"],
            image_backend=data["image_backend"],
        )
        estimate = jobs.job_estimate(tenant=self.tenant, request=job_request, validate=True)
        return Response(
            {
                "credits": str(estimate.credits),
                "available": str(estimate.available),
                "shortfall": str(estimate.shortfall),
                "affordable": not estimate.shortfall,
                "plan": estimate.plan.code,
                "lines": [
                    {
                        "channel": line.label,
                        "operation": line.operation,
                        "renders": line.count,
                        "unit_credits": str(line.unit_credits),
                        "credits": str(line.credits),
                    }
                    for line in estimate.lines
                ],
            }
        )


# CATALOG ------------------------------------------------------------------------------------


class ProductSerializer(serializers.Serializer[Product]):
    id = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    currency = serializers.CharField(max_length=3, min_length=3, default="CNY")
    reference_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    reference_price_basis = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )
    attributes = serializers.DictField(
        child=serializers.CharField(max_length=200), required=False, default=dict
    )
    photos = serializers.SerializerMethodField()

    def get_photos(self, product: Product) -> list[dict[str, Any]]:
        return [
            {
                "id": photo.pk,
                "width": photo.width,
                "height": photo.height,
                "has_alpha": photo.has_alpha,
                "url": storage.download_url(
                    tenant_id=photo.tenant_id,
                    key=photo.file.name or "",
                    filename=(photo.file.name or "").rsplit("/", 1)[-1],
                ),
            }
            for photo in product.photos.all()
        ]

    def to_fields(self) -> catalog.ProductFields:
        data = dict(self.validated_data)
        return catalog.ProductFields(**data)


class ProductCollectionApi(mixins.ListModelMixin, TenantApi):
    required_scopes = (ApiScope.ASSETS_READ,)
    write_permission = Permission.CREATE_CONTENT
    write_scopes = (ApiScope.ASSETS_WRITE,)
    serializer_class = ProductSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Product]:
        return selectors.product_list(tenant=tenant, search=self.request.query_params.get("q", ""))

    def get(self, request: Request) -> Response:
        return self.list(request)

    def post(self, request: Request) -> Response:
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = catalog.product_create(
            tenant=self.tenant, user=request_actor(request), fields=serializer.to_fields()
        )
        product = selectors.product_get(tenant=self.tenant, product_id=product.pk)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


class ProductDetailApi(TenantApi):
    required_scopes = (ApiScope.ASSETS_READ,)
    write_permission = Permission.CREATE_CONTENT
    write_scopes = (ApiScope.ASSETS_WRITE,)
    lookup_url_kwarg = "product_id"
    serializer_class = ProductSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Product]:
        return selectors.product_list(tenant=tenant)

    def get(self, request: Request, product_id: int) -> Response:
        product = selectors.product_get(tenant=self.tenant, product_id=product_id)
        return Response(ProductSerializer(product).data)

    def put(self, request: Request, product_id: int) -> Response:
        serializer = ProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        catalog.product_update(
            tenant=self.tenant,
            user=request_actor(request),
            product_id=product_id,
            fields=serializer.to_fields(),
        )
        product = selectors.product_get(tenant=self.tenant, product_id=product_id)
        return Response(ProductSerializer(product).data)

    def delete(self, request: Request, product_id: int) -> Response:
        catalog.product_delete(
            tenant=self.tenant, user=request_actor(request), product_id=product_id
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductPhotoUploadApi(TenantApi):
    """Multipart upload (field `image`) of a PNG, JPEG or WebP; a PNG with alpha is a cut-out."""

    required_permission = Permission.CREATE_CONTENT
    required_scopes = (ApiScope.ASSETS_WRITE,)
    lookup_url_kwarg = "product_id"
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ProductSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Product]:
        return selectors.product_list(tenant=tenant)

    def post(self, request: Request, product_id: int) -> Response:
        upload = request.FILES.get("image")
        if upload is None:
            raise exceptions.ValidationError({"image": ["Attach the photo as the `image` field."]})
        try:
            image = image_intake(
                upload, purpose="product", declared_content_type=upload.content_type
            )
        except ImageRejected as error:
            raise exceptions.ValidationError({"image": [str(error)]}) from error
        catalog.product_photo_add(
            tenant=self.tenant, user=request_actor(request), product_id=product_id, image=image
        )
        product = selectors.product_get(tenant=self.tenant, product_id=product_id)
        return Response(ProductSerializer(product).data, status=status.HTTP_201_CREATED)


# BRAND KIT ----------------------------------------------------------------------------------


class BrandKitSerializer(serializers.Serializer[BrandKit]):
    version = serializers.IntegerField(read_only=True)
    palette = serializers.DictField(child=serializers.CharField(max_length=7))
    font_family = serializers.ChoiceField(choices=BrandKit.FontFamily.choices)
    tone_of_voice = serializers.CharField(allow_blank=True, max_length=300)
    banned_words = serializers.ListField(child=serializers.CharField(max_length=40))
    preferred_layouts = serializers.ListField(child=serializers.CharField(max_length=40))
    language = serializers.ChoiceField(choices=[("zh", "中文"), ("en", "English")])
    logo_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_logo_url(self, kit: BrandKit) -> str | None:
        if not kit.logo:
            return None
        return storage.download_url(
            tenant_id=kit.tenant_id, key=kit.logo.name or "", filename="logo"
        )


class BrandKitApi(TenantApi):
    """GET the current kit; PUT/PATCH writes the next version (multipart may carry `logo`)."""

    required_scopes = (ApiScope.ASSETS_READ,)
    write_permission = Permission.CREATE_CONTENT
    write_scopes = (ApiScope.ASSETS_WRITE,)
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = BrandKitSerializer

    def get(self, request: Request) -> Response:
        return Response(BrandKitSerializer(brand_kits.brand_kit_current(tenant=self.tenant)).data)

    def patch(self, request: Request) -> Response:
        serializer = BrandKitSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        logo = None
        if "logo" in request.FILES:
            upload = request.FILES["logo"]
            try:
                logo = image_intake(
                    upload, purpose="logo", declared_content_type=upload.content_type
                )
            except ImageRejected as error:
                raise exceptions.ValidationError({"logo": [str(error)]}) from error
        kit = brand_kits.brand_kit_update(
            tenant=self.tenant,
            user=request_actor(request),
            changes=brand_kits.BrandKitChanges(**serializer.validated_data, logo=logo),
        )
        return Response(BrandKitSerializer(kit).data)

    put = patch
