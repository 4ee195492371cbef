"""/api/v1/compliance/ endpoints: check a text, the brand's review queue, claim evidence and
custom rules, reason codes and the findings report.

Another brand's id is 404 everywhere (TenantApi looks the addressed object up in the caller's
brand before anything else). Decisions are idempotent: a retried approve answers as the first.
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import TenantApi, request_actor, request_api_key
from generation import selectors as generation_selectors
from generation import storage
from generation.backends.text.base import Copy
from generation.models import Render
from generation.pages_support import inline_url
from tenants.api_keys import ApiScope
from tenants.models import Tenant
from tenants.roles import Permission

from . import checker, custom_rules, evidence, review, selectors, services
from .models import ClaimEvidence, CustomRule, ModerationCase, ReviewItem
from .reason_codes import REASON_CODES

MAX_CHECK_CHARS = checker.MAX_TEXT_CHARS


# CHECK --------------------------------------------------------------------------------------


class ComplianceCheckApi(TenantApi):
    """Check one text against the ad-law rules with the brand's words, evidence and, for a
    product, its price history (the product's own reference price is checked too)."""

    required_scopes = (ApiScope.COMPLIANCE_CHECK,)

    @extend_schema_serializer(component_name="ComplianceCheckInput")
    class InputSerializer(serializers.Serializer[Any]):
        text = serializers.CharField(trim_whitespace=False, allow_blank=True)
        lang = serializers.ChoiceField(choices=["zh", "en"], required=False, allow_null=True)
        category = serializers.CharField(
            required=False, allow_blank=True, allow_null=True, max_length=100
        )
        product_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)

        def validate_text(self, value: str) -> str:
            if not value.strip():
                raise serializers.ValidationError("The text is empty; there is nothing to check.")
            if len(value) > MAX_CHECK_CHARS:
                raise serializers.ValidationError(
                    f"The text has {len(value):,} characters; the limit is {MAX_CHECK_CHARS:,}."
                )
            return value

    @extend_schema(request=InputSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = None
        if data.get("product_id"):
            # Another brand's product is not found: 404, like any other id.
            product = generation_selectors.product_get(
                tenant=self.tenant, product_id=data["product_id"]
            )
        try:
            result = services.text_check(
                tenant=self.tenant,
                text=data["text"],
                lang=data.get("lang"),
                category=data.get("category"),
                product=product,
            )
        except checker.TextRefused as error:
            raise exceptions.ValidationError({"text": [str(error)]}) from error
        return Response(result.as_json())


class ReasonCodeListApi(TenantApi):
    """The reason codes a rejection names, with the law article each stands for."""

    required_scopes = (ApiScope.COMPLIANCE_REVIEW,)

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(
            {
                "results": [
                    {
                        "code": reason.code,
                        "label": str(reason.label),
                        "article": reason.article,
                        "staff": reason.staff,
                    }
                    for reason in REASON_CODES.values()
                ]
            }
        )


class FindingReportApi(TenantApi):
    """Findings of the brand's generated copy (first check) per legal article and week."""

    required_scopes = (ApiScope.COMPLIANCE_REVIEW,)

    @extend_schema(parameters=[OpenApiParameter("weeks", int)], responses={200: dict})
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("weeks", "12")
        if not raw.isdigit() or not 1 <= int(raw) <= 104:
            raise exceptions.ValidationError({"weeks": ["Use a whole number from 1 to 104."]})
        rows = selectors.findings_per_week(tenant=self.tenant, weeks=int(raw))
        return Response(
            {
                "results": [
                    {"week": row.week.isoformat(), "reference": row.reference, "count": row.count}
                    for row in rows
                ]
            }
        )


# REVIEW QUEUE -------------------------------------------------------------------------------


class ReviewItemSerializer(serializers.Serializer[ReviewItem]):
    id = serializers.IntegerField()
    state = serializers.CharField()
    job_id = serializers.IntegerField()
    render_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, item: ReviewItem) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(item)
        render = item.render
        record = render.compliance or {}
        reason = REASON_CODES.get(item.reason_code)
        cases: list[ModerationCase] = getattr(render, "cases", [])  # prefetched (_review_items)
        case = cases[0] if cases else None
        data.update(
            {
                "channel": render.channel,
                "variant": render.variant,
                "render_status": render.status,
                "compliance_state": render.compliance_state,
                "copy": render.copy,
                "verdict": render.compliance_verdict,
                "findings": record.get("findings", []),
                "citations": record.get("citations", []),
                "warnings": record.get("warnings", []),
                "rewrites": record.get("rewrites", 0),
                "original_copy": record.get("original_copy"),
                "ruleset_version": render.ruleset_version,
                "asset": _asset(render),
                "reason_code": item.reason_code or None,
                "reason_article": reason.article if reason else None,
                "note": item.note,
                # A moderator is "the platform" to the brand, never a named person.
                "decided_by": (
                    item.decided_by.email
                    if item.decided_by is not None and not item.decided_by_staff
                    else None
                ),
                "decided_by_staff": item.decided_by_staff,
                "decided_at": item.decided_at.isoformat() if item.decided_at else None,
                "moderation": _case(case) if case is not None else None,
            }
        )
        return data


def _asset(render: Render) -> dict[str, Any] | None:
    """The poster: always viewable inline (reviewers must see it), downloadable only when the
    render is released (passed or approved)."""
    asset = render.asset
    if asset is None or not asset.file.name:
        return None
    key = asset.file.name
    extension = key.rsplit(".", 1)[-1]
    filename = f"job{render.job_id}-{render.channel}-{render.variant + 1}.{extension}"
    return {
        "id": asset.pk,
        "width": asset.width,
        "height": asset.height,
        "preview_url": inline_url(tenant_id=asset.tenant_id, key=key),
        "download_url": (
            storage.download_url(tenant_id=asset.tenant_id, key=key, filename=filename)
            if render.is_released
            else None
        ),
    }


def _case(case: ModerationCase) -> dict[str, Any]:
    # What the brand may know of the platform's case: not who works it.
    return {
        "reason": case.reason,
        "state": case.state,
        "stage": case.stage,
        "due_at": case.due_at.isoformat(),
        "reason_code": case.reason_code or None,
        "reason_article": REASON_CODES[case.reason_code].article
        if case.reason_code in REASON_CODES
        else None,
        "note": case.note if case.state == ModerationCase.State.REJECTED else "",
        "appeal_message": case.appeal_message,
    }


def _review_items(tenant: Tenant) -> QuerySet[ReviewItem]:
    return selectors.review_item_list(tenant=tenant).prefetch_related(
        Prefetch(
            "render__moderation_cases",
            queryset=ModerationCase.objects.filter(tenant=tenant),
            to_attr="cases",
        )
    )


class ReviewItemListApi(mixins.ListModelMixin, TenantApi):
    """The brand's review items, newest first (filters: state, job_id)."""

    required_scopes = (ApiScope.COMPLIANCE_REVIEW,)
    serializer_class = ReviewItemSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[ReviewItem]:
        params = self.request.query_params
        state = params.get("state", "")
        if state and state not in ReviewItem.State.values:
            raise exceptions.ValidationError(
                {"state": [f"Use one of {', '.join(ReviewItem.State.values)}."]}
            )
        job_id = params.get("job_id", "")
        if job_id and not job_id.isdigit():
            raise exceptions.ValidationError({"job_id": ["Use a job id."]})
        items = _review_items(tenant)
        if state:
            items = items.filter(state=state)
        if job_id:
            items = items.filter(job_id=int(job_id))
        return items

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=ReviewItem.State.values),
            OpenApiParameter("job_id", int),
        ]
    )
    def get(self, request: Request) -> Response:
        return self.list(request)


class ReviewItemApi(TenantApi):
    required_scopes = (ApiScope.COMPLIANCE_REVIEW,)
    lookup_url_kwarg = "review_item_id"
    serializer_class = ReviewItemSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[ReviewItem]:
        return ReviewItem.objects.filter(tenant=tenant)

    def respond(self, item_id: int, code: int = status.HTTP_200_OK) -> Response:
        item = _review_items(self.tenant).get(pk=item_id)
        return Response(ReviewItemSerializer(item).data, status=code)


class ReviewItemDetailApi(ReviewItemApi):
    def get(self, request: Request, review_item_id: int) -> Response:
        return self.respond(review_item_id)


class ReviewDecisionApi(ReviewItemApi):
    required_permission = Permission.DECIDE_REVIEWS


class ReviewApproveApi(ReviewDecisionApi):
    @extend_schema_serializer(component_name="ReviewApproveInput")
    class InputSerializer(serializers.Serializer[Any]):
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: ReviewItemSerializer})
    def post(self, request: Request, review_item_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review.review_approve(
            tenant=self.tenant, user=request_actor(request), api_key=request_api_key(request),
            item_id=review_item_id, note=serializer.validated_data["note"],
        )  # fmt: skip
        return self.respond(review_item_id)


class ReviewRejectApi(ReviewDecisionApi):
    @extend_schema_serializer(component_name="ReviewRejectInput")
    class InputSerializer(serializers.Serializer[Any]):
        reason_code = serializers.ChoiceField(choices=list(REASON_CODES))
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: ReviewItemSerializer})
    def post(self, request: Request, review_item_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review.review_reject(
            tenant=self.tenant, user=request_actor(request), api_key=request_api_key(request),
            item_id=review_item_id, **serializer.validated_data,
        )  # fmt: skip
        return self.respond(review_item_id)


class CopySerializer(serializers.Serializer[Any]):
    headline = serializers.CharField(max_length=200, trim_whitespace=False)
    subheadline = serializers.CharField(max_length=400, allow_blank=True, trim_whitespace=False)
    bullets = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=False, trim_whitespace=False),
        min_length=1,
        max_length=8,
    )
    cta = serializers.CharField(max_length=100, allow_blank=True, trim_whitespace=False)
    host_line = serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=False)
    social_post = serializers.CharField(max_length=5000, allow_blank=True, trim_whitespace=False)

    def to_copy(self) -> Copy:
        data = self.validated_data
        return Copy(
            headline=data["headline"],
            subheadline=data["subheadline"],
            bullets=tuple(data["bullets"]),
            cta=data["cta"],
            host_line=data["host_line"],
            social_post=data["social_post"],
        )


class ReviewEditApi(ReviewDecisionApi):
    """Replace the copy: re-checked; stored and re-rendered unless still blocked (400
    `copy_blocked` with the findings, nothing stored)."""

    @extend_schema_serializer(component_name="ReviewEditInput")
    class InputSerializer(serializers.Serializer[Any]):
        copy = CopySerializer()

    @extend_schema(request=InputSerializer, responses={200: ReviewItemSerializer})
    def post(self, request: Request, review_item_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        copy_serializer = CopySerializer(data=serializer.validated_data["copy"])
        copy_serializer.is_valid(raise_exception=True)
        review.review_edit(
            tenant=self.tenant, user=request_actor(request), api_key=request_api_key(request),
            item_id=review_item_id, copy=copy_serializer.to_copy(),
        )  # fmt: skip
        return self.respond(review_item_id)


class ReviewEscalateApi(ReviewDecisionApi):
    @extend_schema_serializer(component_name="ReviewEscalateInput")
    class InputSerializer(serializers.Serializer[Any]):
        note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: ReviewItemSerializer})
    def post(self, request: Request, review_item_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review.review_escalate(
            tenant=self.tenant, user=request_actor(request), api_key=request_api_key(request),
            item_id=review_item_id, note=serializer.validated_data["note"],
        )  # fmt: skip
        return self.respond(review_item_id)


class ReviewAppealApi(ReviewDecisionApi):
    """Appeal a platform moderator's rejection, once, with a message."""

    @extend_schema_serializer(component_name="ReviewAppealInput")
    class InputSerializer(serializers.Serializer[Any]):
        message = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses={200: ReviewItemSerializer})
    def post(self, request: Request, review_item_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review.review_appeal(
            tenant=self.tenant, user=request_actor(request), api_key=request_api_key(request),
            item_id=review_item_id, message=serializer.validated_data["message"],
        )  # fmt: skip
        return self.respond(review_item_id)


# EVIDENCE -----------------------------------------------------------------------------------


class EvidenceSerializer(serializers.Serializer[ClaimEvidence]):
    id = serializers.IntegerField(read_only=True)
    claim = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=200)
    issuer = serializers.CharField(max_length=200)
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    content_type = serializers.CharField(read_only=True)
    size_bytes = serializers.IntegerField(read_only=True)
    sha256 = serializers.CharField(read_only=True)
    document_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_document_url(self, row: ClaimEvidence) -> str:
        name = row.document.name or ""
        return storage.download_url(
            tenant_id=row.tenant_id,
            key=name,
            filename=f"evidence-{row.pk}.{name.rsplit('.', 1)[-1]}",
        )


class EvidenceCollectionApi(mixins.ListModelMixin, TenantApi):
    """GET lists the brand's claim evidence (filter: claim); POST (multipart, `document`: PDF,
    PNG or JPEG up to 10 MB) adds one."""

    required_scopes = (ApiScope.COMPLIANCE_MANAGE,)
    write_permission = Permission.MANAGE_COMPLIANCE
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    serializer_class = EvidenceSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[ClaimEvidence]:
        return selectors.evidence_list(
            tenant=tenant, claim=self.request.query_params.get("claim", "")
        )

    def get(self, request: Request) -> Response:
        return self.list(request)

    def post(self, request: Request) -> Response:
        serializer = EvidenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = request.FILES.get("document")
        if upload is None:
            raise exceptions.ValidationError(
                {"document": ["Attach the document (PDF, PNG or JPEG) as the `document` field."]}
            )
        try:
            document = evidence.document_intake(upload)
        except evidence.DocumentRejected as error:
            raise exceptions.ValidationError({"document": error.messages}) from error
        row = evidence.evidence_create(
            tenant=self.tenant,
            user=request_actor(request),
            api_key=request_api_key(request),
            fields=evidence.EvidenceFields(**serializer.validated_data),
            document=document,
        )
        return Response(EvidenceSerializer(row).data, status=status.HTTP_201_CREATED)


class EvidenceDetailApi(TenantApi):
    """GET one piece of evidence; PATCH its claim, title, issuer or validity; DELETE it."""

    required_scopes = (ApiScope.COMPLIANCE_MANAGE,)
    write_permission = Permission.MANAGE_COMPLIANCE
    lookup_url_kwarg = "evidence_id"
    serializer_class = EvidenceSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[ClaimEvidence]:
        return selectors.evidence_list(tenant=tenant)

    def get(self, request: Request, evidence_id: int) -> Response:
        row = selectors.evidence_get(tenant=self.tenant, evidence_id=evidence_id)
        return Response(EvidenceSerializer(row).data)

    def patch(self, request: Request, evidence_id: int) -> Response:
        serializer = EvidenceSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        clear = "valid_until" in request.data and data.get("valid_until") is None
        changes = evidence.EvidenceChanges(
            claim=data.get("claim"),
            title=data.get("title"),
            issuer=data.get("issuer"),
            valid_from=data.get("valid_from"),
            valid_until=data.get("valid_until"),
            clear_valid_until=clear,
        )
        row = evidence.evidence_update(
            tenant=self.tenant, user=request_actor(request), api_key=request_api_key(request),
            evidence_id=evidence_id, changes=changes,
        )  # fmt: skip
        return Response(EvidenceSerializer(row).data)

    def delete(self, request: Request, evidence_id: int) -> Response:
        evidence.evidence_delete(
            tenant=self.tenant, user=request_actor(request), api_key=request_api_key(request),
            evidence_id=evidence_id,
        )  # fmt: skip
        return Response(status=status.HTTP_204_NO_CONTENT)


# CUSTOM RULES -------------------------------------------------------------------------------


class CustomRuleSerializer(serializers.Serializer[CustomRule]):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=CustomRule.Kind.choices)
    phrase = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    created_at = serializers.DateTimeField(read_only=True)


class CustomRuleCollectionApi(mixins.ListModelMixin, TenantApi):
    """The brand's own banned words and allowed phrases (adding one needs the Team plan: 403
    `plan_limit` otherwise)."""

    required_scopes = (ApiScope.COMPLIANCE_MANAGE,)
    write_permission = Permission.MANAGE_COMPLIANCE
    serializer_class = CustomRuleSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[CustomRule]:
        kind = self.request.query_params.get("kind", "")
        if kind and kind not in CustomRule.Kind.values:
            raise exceptions.ValidationError({"kind": ["Use 'banned' or 'allowed'."]})
        return selectors.custom_rule_list(tenant=tenant, kind=kind)

    def get(self, request: Request) -> Response:
        return self.list(request)

    def post(self, request: Request) -> Response:
        serializer = CustomRuleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = custom_rules.custom_rule_create(
            tenant=self.tenant, user=request_actor(request), api_key=request_api_key(request),
            **serializer.validated_data,
        )  # fmt: skip
        return Response(CustomRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class CustomRuleDetailApi(TenantApi):
    required_scopes = (ApiScope.COMPLIANCE_MANAGE,)
    write_permission = Permission.MANAGE_COMPLIANCE
    lookup_url_kwarg = "rule_id"
    serializer_class = CustomRuleSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[CustomRule]:
        return selectors.custom_rule_list(tenant=tenant)

    def get(self, request: Request, rule_id: int) -> Response:
        rule = selectors.custom_rule_get(tenant=self.tenant, rule_id=rule_id)
        return Response(CustomRuleSerializer(rule).data)

    def patch(self, request: Request, rule_id: int) -> Response:
        serializer = CustomRuleSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = custom_rules.custom_rule_update(
            tenant=self.tenant, user=request_actor(request), api_key=request_api_key(request),
            rule_id=rule_id, **serializer.validated_data,
        )  # fmt: skip
        return Response(CustomRuleSerializer(rule).data)

    def delete(self, request: Request, rule_id: int) -> Response:
        custom_rules.custom_rule_delete(
            tenant=self.tenant,
            user=request_actor(request),
            api_key=request_api_key(request),
            rule_id=rule_id,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
