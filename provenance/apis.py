"""Provenance endpoints: label an image made elsewhere, verify any image, export a job's audit
trail for a regulator."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import TenantApi, request_actor, request_api_key
from generation import storage
from generation.images import ImageRejected
from generation.models import Asset, Job
from provenance import audit_export, services
from provenance.verification import MAX_VERIFY_BYTES, verify
from provenance.visible_label import LABEL_TEXTS
from tenants.api_keys import ApiScope
from tenants.models import Tenant
from tenants.roles import Permission


def _upload(request: Request) -> tuple[bytes, str]:
    upload = request.FILES.get("image")
    if upload is None:
        raise exceptions.ValidationError({"image": ["Attach the image as the `image` field."]})
    if upload.size is not None and upload.size > MAX_VERIFY_BYTES:
        limit = MAX_VERIFY_BYTES // (1024 * 1024)
        raise exceptions.ValidationError({"image": [f"The file is larger than {limit} MB."]})
    return upload.read(), upload.name or ""


def asset_data(asset: Asset) -> dict[str, Any]:
    name = asset.file.name or ""
    extension = name.rsplit(".", 1)[-1]
    return {
        "id": asset.pk,
        "origin": asset.origin,
        "content_type": asset.content_type,
        "width": asset.width,
        "height": asset.height,
        "size_bytes": asset.size_bytes,
        "sha256": asset.sha256,
        "marks": asset.marks,
        "url": storage.download_url(
            tenant_id=asset.tenant_id, key=name, filename=f"labelled-{asset.pk}.{extension}"
        ),
        "created_at": asset.created_at.isoformat(),
    }


class LabelInputSerializer(serializers.Serializer[Any]):
    image = serializers.FileField()
    language = serializers.ChoiceField(choices=sorted(LABEL_TEXTS.items()), required=False)


class ProvenanceLabelApi(TenantApi):
    """Label an image made elsewhere (multipart field `image`: PNG, JPEG or WebP): the visible
    label, the TC260 metadata and the watermark (and C2PA when configured). 201 with the new
    asset and a download link (valid one hour); 200 when the same file was labelled before."""

    required_permission = Permission.CREATE_CONTENT
    required_scopes = (ApiScope.ASSETS_WRITE,)
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = LabelInputSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Asset]:
        return Asset.objects.filter(tenant=tenant)

    def post(self, request: Request) -> Response:
        data, filename = _upload(request)
        language = request.POST.get("language") or None
        if language is not None and language not in LABEL_TEXTS:
            raise exceptions.ValidationError({"language": ["Use zh or en."]})
        try:
            asset, created = services.label_upload(
                tenant=self.tenant,
                data=data,
                filename=filename,
                actor=request_actor(request),
                api_key=request_api_key(request),
                language=language,
            )
        except ImageRejected as error:
            raise exceptions.ValidationError({"image": [str(error)]}) from error
        return Response(
            asset_data(asset), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class VerifyInputSerializer(serializers.Serializer[Any]):
    image = serializers.FileField()


class ProvenanceVerifyApi(TenantApi):
    """Verify an image (multipart field `image`): its visible and metadata AI labels, C2PA
    manifest, watermark and fingerprint match, and whether this installation generated it.
    Details of the matched asset are shown only when it belongs to the calling brand."""

    required_scopes = (ApiScope.ASSETS_READ,)
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = VerifyInputSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Asset]:
        return Asset.objects.filter(tenant=tenant)

    def post(self, request: Request) -> Response:
        data, _ = _upload(request)
        try:
            report = verify(data, viewer_tenant_id=self.tenant.pk)
        except ImageRejected as error:
            raise exceptions.ValidationError({"image": [str(error)]}) from error
        return Response(report)


class JobProvenanceExportApi(TenantApi):
    """A zip with the job's audit trail for a regulator: per render its asset's marks, receipt,
    ad-law checks and review decisions, as JSON and as CSV."""

    required_scopes = (ApiScope.JOBS_READ,)
    lookup_url_kwarg = "job_id"

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Job]:
        return Job.objects.filter(tenant=tenant)

    @extend_schema(responses={200: OpenApiResponse(description="application/zip")})
    def get(self, request: Request, job_id: int) -> HttpResponse:
        job = self.get_queryset().get(pk=job_id)
        data, filename = audit_export.job_audit_export(tenant=self.tenant, job=job)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
