"""The brand's claim evidence and its own banned words and allowed phrases.

Every member reads both lists; adding and removing need Permission.MANAGE_COMPLIANCE (owners
and admins), and custom rules need a plan that includes them (Team): a refusal says so, with
a link to the billing page.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.exceptions import PlanLimit
from generation import storage
from tenants.views.base import current_user

from .. import custom_rules, evidence, selectors
from ..forms import CustomRuleForm, EvidenceForm, claim_label
from ..models import ClaimEvidence, CustomRule
from .base import CompliancePage

PAGE_SIZE = 25


# EVIDENCE -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRow:
    evidence: ClaimEvidence
    claim_label: str
    status: str  # "valid", "expired" or "future"
    download_url: str


def _status(row: ClaimEvidence, today: date) -> str:
    if row.valid_from > today:
        return "future"
    if row.valid_until is not None and row.valid_until < today:
        return "expired"
    return "valid"


def evidence_row(row: ClaimEvidence, today: date) -> EvidenceRow:
    key = row.document.name or ""
    extension = key.rsplit(".", 1)[-1] if "." in key else "bin"
    return EvidenceRow(
        evidence=row,
        claim_label=claim_label(row.claim),
        status=_status(row, today),
        download_url=storage.download_url(
            tenant_id=row.tenant_id, key=key, filename=f"evidence-{row.pk}-{row.claim}.{extension}"
        )
        if key
        else "",
    )


class EvidenceView(CompliancePage):
    template_name = "compliance/evidence.html"
    nav = "compliance_library"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(form=EvidenceForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = evidence.document_intake(form.cleaned_data["document"])
                created = evidence.evidence_create(
                    tenant=self.tenant,
                    user=current_user(request),
                    fields=evidence.EvidenceFields(
                        claim=form.cleaned_data["claim"],
                        title=form.cleaned_data["title"],
                        issuer=form.cleaned_data["issuer"],
                        valid_from=form.cleaned_data["valid_from"],
                        valid_until=form.cleaned_data["valid_until"],
                    ),
                    document=document,
                )
            except evidence.DocumentRejected as rejected:
                form.add_error("document", rejected.messages)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("Evidence “%(title)s” added: the check accepts its claim from now on.")
                    % {"title": created.title},
                )
                return redirect("compliance_evidence")
        return self.render_page(status=400, form=form)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.evidence_list(tenant=self.tenant), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        today = timezone.localdate()
        context.update(page_obj=page, rows=[evidence_row(row, today) for row in page.object_list])
        return context


class EvidenceDeleteView(CompliancePage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, evidence_id: int) -> HttpResponse:
        evidence.evidence_delete(
            tenant=self.tenant, user=current_user(request), evidence_id=evidence_id
        )
        messages.success(request, _("Evidence removed: its claims need other evidence now."))
        return redirect("compliance_evidence")


# CUSTOM RULES -------------------------------------------------------------------------------


class CustomRulesView(CompliancePage):
    template_name = "compliance/rules.html"
    nav = "compliance_library"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(form=CustomRuleForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CustomRuleForm(request.POST)
        plan_limit = ""
        if form.is_valid():
            try:
                rule = custom_rules.custom_rule_create(
                    tenant=self.tenant,
                    user=current_user(request),
                    kind=form.cleaned_data["kind"],
                    phrase=form.cleaned_data["phrase"],
                    note=form.cleaned_data["note"],
                )
            except PlanLimit as refusal:
                plan_limit = str(refusal)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                added = (
                    _("“%(phrase)s” added to the banned words.")
                    if rule.kind == CustomRule.Kind.BANNED
                    else _("“%(phrase)s” added to the allowed phrases.")
                )
                messages.success(request, added % {"phrase": rule.phrase})
                return redirect("compliance_rules")
        return self.render_page(
            status=400 if not plan_limit else 403, form=form, refusal=plan_limit
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rules = list(selectors.custom_rule_list(tenant=self.tenant))
        context.update(
            banned=[r for r in rules if r.kind == CustomRule.Kind.BANNED],
            allowed=[r for r in rules if r.kind == CustomRule.Kind.ALLOWED],
            enabled=selectors.custom_rules_enabled(tenant=self.tenant),
            max_rules=custom_rules.MAX_RULES,
        )
        return context


class CustomRuleDeleteView(CompliancePage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, rule_id: int) -> HttpResponse:
        custom_rules.custom_rule_delete(
            tenant=self.tenant, user=current_user(request), rule_id=rule_id
        )
        messages.success(request, _("Rule removed."))
        return redirect("compliance_rules")
